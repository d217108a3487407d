"""Documents pages: thin views over actions and selectors (module gate DMS). Files are served only by
``VersionFileView`` (a member who may view the document) and the public link view (``public.py``)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View

from novasaas.documents import actions, files, forms, selectors, workflows
from novasaas.documents.models import AccessLevel, DocumentVersion
from novasaas.identity.access import Principal, require_perm
from novasaas.platform.modules import ModuleDisabled

MB = 1024 * 1024


class DmsView(LoginRequiredMixin, View):
    """Signed-in members of a tenant with DMS holding ``dms.use`` (or ``dms.admin``)."""

    principal: Principal

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        tenant = getattr(request, "tenant", None)
        if tenant is not None and not tenant.has_module("DMS"):
            raise ModuleDisabled("DMS")
        principal: Principal | None = getattr(request, "principal", None)
        if principal is None or not principal.has("dms.admin"):
            principal = require_perm(request, "dms.use")
        self.principal = principal
        try:
            return super().dispatch(request, *args, **kwargs)
        except ObjectDoesNotExist as exc:
            raise Http404 from exc


def _errors(exc: ValidationError) -> list[str]:
    return [str(m) for m in exc.messages]


def _flash_errors(request: HttpRequest, exc: ValidationError) -> None:
    for msg in _errors(exc):
        messages.error(request, msg)


def _members(principal: Principal) -> list[tuple[int, str]]:
    from novasaas.identity.models import Membership

    rows = (
        Membership.objects.filter(tenant=principal.tenant, is_active=True)
        .select_related("user")
        .order_by("user__email")
    )
    return [(m.user_id, str(m.user)) for m in rows]


class HomeView(DmsView):
    def get(self, request: HttpRequest, form: Any = None, status: int = 200) -> HttpResponse:
        context = {
            "tree": selectors.folder_tree(self.principal),
            "shared": selectors.shared_documents(self.principal),
            "usage": selectors.usage(self.principal.tenant),
            "form": (form or forms.FolderForm()) if self.principal.has("dms.admin") else None,
        }
        return render(request, "documents/home.html", context, status=status)

    def post(self, request: HttpRequest) -> HttpResponse:
        self.principal.require("dms.admin")
        form = forms.FolderForm(request.POST)
        if form.is_valid():
            try:
                folder = actions.create_folder(self.principal, form.cleaned_data["name"])
                return redirect("documents-folder", folder.pk)
            except ValidationError as exc:
                for msg in _errors(exc):
                    form.add_error(None, msg)
        return self.get(request, form, status=400)


class FolderView(DmsView):
    def get(self, request: HttpRequest, pk: int, upload: Any = None, status: int = 200) -> HttpResponse:
        folder, level = selectors.get_folder(self.principal, pk)
        context = {
            "folder": folder,
            "level": level,
            "path": selectors.folder_path(folder),
            "subfolders": [n for n in selectors.folder_tree(self.principal) if n.folder.parent_id == folder.pk],
            "documents": selectors.list_documents(self.principal, folder.pk),
            "upload_form": (upload or forms.UploadForm()) if level >= AccessLevel.EDIT else None,
            "folder_form": forms.FolderForm() if level >= AccessLevel.MANAGE else None,
            "can_manage": level >= AccessLevel.MANAGE,
            "max_mb": selectors.get_settings(self.principal.tenant).max_file_bytes // MB,
        }
        return render(request, "documents/folder.html", context, status=status)

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        op = request.POST.get("op", "upload")
        if op == "upload":
            form = forms.UploadForm(request.POST, request.FILES)
            if form.is_valid():
                try:
                    f = form.cleaned_data["file"]
                    doc = actions.upload_document(
                        self.principal,
                        pk,
                        f,
                        f.name,
                        name=form.cleaned_data["name"],
                        tags=[form.cleaned_data["tags"]],
                    )
                    messages.success(request, _("Document %(n)s uploaded.") % {"n": doc.name})
                    return redirect("documents-document", doc.pk)
                except ValidationError as exc:
                    for msg in _errors(exc):
                        form.add_error(None, msg)
            return self.get(request, pk, upload=form, status=400)
        try:
            if op == "subfolder":
                form2 = forms.FolderForm(request.POST)
                if not form2.is_valid():
                    raise ValidationError(_("Enter a name."))
                sub = actions.create_folder(self.principal, form2.cleaned_data["name"], parent_id=pk)
                return redirect("documents-folder", sub.pk)
            if op == "rename":
                actions.rename_folder(self.principal, pk, request.POST.get("name", ""))
            elif op == "delete":
                folder, _lvl = selectors.get_folder(self.principal, pk)
                parent = folder.parent_id
                actions.delete_folder(self.principal, pk)
                messages.success(request, _("Folder deleted."))
                return redirect("documents-folder", parent) if parent else redirect("documents-home")
            else:
                return HttpResponse(status=400)
        except ValidationError as exc:
            _flash_errors(request, exc)
            return self.get(request, pk, status=400)
        return redirect("documents-folder", pk)


class FolderPermissionsView(DmsView):
    ROWS = 6

    def _forms(self, data: Any = None, initial: list[dict[str, Any]] | None = None) -> list[forms.GrantForm]:
        from novasaas.identity.catalogue import ROLES

        roles = [("", "—"), *[(code, vi if self.request.LANGUAGE_CODE == "vi" else en) for code, en, vi in ROLES]]
        members = [(None, "—"), *_members(self.principal)]
        out = []
        for i in range(self.ROWS):
            f = forms.GrantForm(data, prefix=f"g{i}", initial=(initial or [])[i] if i < len(initial or []) else None)
            f.fields["role_code"].choices = roles  # type: ignore[attr-defined]
            f.fields["user"].choices = members  # type: ignore[attr-defined]
            out.append(f)
        return out

    def get(self, request: HttpRequest, pk: int, grant_forms: Any = None, status: int = 200) -> HttpResponse:
        folder, level = selectors.get_folder(self.principal, pk)
        if level < AccessLevel.MANAGE:
            raise PermissionDenied(_("You do not have enough rights on this folder."))
        initial = [
            {"role_code": g.role_code, "user": g.user_id or "", "level": g.level} for g in selectors.grants(folder)
        ]
        context = {
            "folder": folder,
            "forms": grant_forms or self._forms(initial=initial),
            "path": selectors.folder_path(folder),
        }
        return render(request, "documents/permissions.html", context, status=status)

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        grant_forms = self._forms(request.POST)
        grants = []
        for f in grant_forms:
            if f.is_valid() and (f.cleaned_data["role_code"] or f.cleaned_data["user"]):
                grants.append(
                    {
                        "role_code": f.cleaned_data["role_code"],
                        "user_id": f.cleaned_data["user"],
                        "level": f.cleaned_data["level"],
                    }
                )
        if any(not f.is_valid() for f in grant_forms if f.has_changed()):
            return self.get(request, pk, grant_forms, status=400)
        try:
            actions.set_folder_grants(self.principal, pk, grants)
        except ValidationError as exc:
            _flash_errors(request, exc)
            return self.get(request, pk, grant_forms, status=400)
        messages.success(request, _("Folder permissions saved."))
        return redirect("documents-folder", pk)


class DocumentView(DmsView):
    def get(self, request: HttpRequest, pk: int, status: int = 200, **bound: Any) -> HttpResponse:
        doc = selectors.get_document(self.principal, pk)
        level = selectors.document_level(self.principal, doc)
        can_edit = level >= AccessLevel.EDIT
        me = getattr(self.principal.user, "pk", None)
        context = {
            "doc": doc,
            "level": level,
            "can_edit": can_edit,
            "is_admin": self.principal.has("dms.admin"),
            "locked_by_other": doc.checked_out_by_id is not None and doc.checked_out_by_id != me,
            "locked_by_me": doc.checked_out_by_id is not None and doc.checked_out_by_id == me,
            "path": selectors.folder_path(doc.folder) if level >= AccessLevel.VIEW else [],
            "versions": selectors.versions(doc),
            "comments": selectors.comments(doc),
            "shares": selectors.shares(doc) if can_edit else [],
            "trail": selectors.document_trail(self.principal.tenant, doc)[:50],
            "tags": ", ".join(t.name for t in doc.tags.all()),
            "preview": files.preview_kind(doc.current_version.content_type) if doc.current_version else "none",
            "version_form": bound.get("version_form") or forms.VersionForm(),
            "edit_form": bound.get("edit_form")
            or forms.DocumentEditForm(initial={"name": doc.name, "tags": ", ".join(t.name for t in doc.tags.all())}),
            "comment_form": bound.get("comment_form") or forms.CommentForm(),
            "link_form": bound.get("link_form") or forms.ShareLinkForm(),
            "user_form": forms.ShareUserForm(members=_members(self.principal)) if can_edit else None,
            "new_link": bound.get("new_link"),
            "workflows": workflows.workflows_of(doc.pk),
            "reviewer_choices": _members(self.principal) if can_edit else [],
            "my_turn": _my_turn(self.principal, doc.pk),
            "move_choices": _move_choices(self.principal, doc) if can_edit else [],
        }
        return render(request, "documents/document.html", context, status=status)


class DocumentActionView(DmsView):
    """POST /documents/<pk>/<action>/: version, restore-version, checkout, checkin, break-lock, edit,
    comment, trash, share-user, share-link, revoke-share, start-approval, approve, reject, cancel-approval."""

    def post(self, request: HttpRequest, pk: int, action: str) -> HttpResponse:
        p = self.principal
        done = redirect("documents-document", pk)
        try:
            if action == "version":
                vform = forms.VersionForm(request.POST, request.FILES)
                if not vform.is_valid():
                    return DocumentView.get(self, request, pk, status=400, version_form=vform)  # type: ignore[arg-type]
                f = vform.cleaned_data["file"]
                v = actions.add_version(p, pk, f, f.name, vform.cleaned_data["comment"])
                messages.success(request, _("Version %(n)d uploaded.") % {"n": v.number})
            elif action == "restore-version":
                v = actions.restore_version(p, pk, _int(request.POST.get("version")))
                messages.success(request, _("Restored as version %(n)d.") % {"n": v.number})
            elif action == "checkout":
                actions.check_out(p, pk)
                messages.success(request, _("Checked out: others cannot upload a new version until you check it in."))
            elif action == "checkin":
                actions.check_in(p, pk)
                messages.success(request, _("Checked in."))
            elif action == "break-lock":
                actions.break_lock(p, pk)
                messages.success(request, _("The lock was released."))
            elif action == "edit":
                form = forms.DocumentEditForm(request.POST)
                if not form.is_valid():
                    return DocumentView.get(self, request, pk, status=400, edit_form=form)  # type: ignore[arg-type]
                actions.update_document(p, pk, name=form.cleaned_data["name"], tags=[form.cleaned_data["tags"]])
                messages.success(request, _("Saved."))
            elif action == "move":
                target = request.POST.get("folder", "").strip()
                if not target.isdigit():
                    raise ValidationError(_("Choose a folder."))
                doc = actions.update_document(p, pk, folder_id=int(target[:18]))
                messages.success(request, _("Moved to %(folder)s.") % {"folder": doc.folder.name})
            elif action == "comment":
                cform = forms.CommentForm(request.POST)
                if not cform.is_valid():
                    return DocumentView.get(self, request, pk, status=400, comment_form=cform)  # type: ignore[arg-type]
                actions.add_comment(p, pk, cform.cleaned_data["body"])
            elif action == "trash":
                doc = actions.trash_document(p, pk)
                messages.success(request, _("Moved to the trash."))
                return redirect("documents-folder", doc.folder_id)
            elif action == "share-user":
                user_form = forms.ShareUserForm(request.POST, members=_members(p))
                if not user_form.is_valid():
                    raise ValidationError(_("Choose a member."))
                actions.share_with_user(p, pk, user_form.cleaned_data["user"])
                messages.success(request, _("Shared."))
            elif action == "share-link":
                lform = forms.ShareLinkForm(request.POST)
                if not lform.is_valid():
                    return DocumentView.get(self, request, pk, status=400, link_form=lform)  # type: ignore[arg-type]
                _share, token = actions.share_by_link(
                    p, pk, days=lform.cleaned_data["days"], password=lform.cleaned_data["password"]
                )
                url = request.build_absolute_uri(reverse("documents-link", args=[token]))
                return DocumentView.get(self, request, pk, new_link=url)  # type: ignore[arg-type]
            elif action == "start-approval":
                reviewers = [_int(v) for v in request.POST.getlist("reviewers") if v]
                workflows.start_workflow(p, pk, reviewers)
                messages.success(request, _("Approval started."))
            elif action in ("approve", "reject"):
                workflows.decide(p, pk, approve=action == "approve", comment=request.POST.get("comment", ""))
                messages.success(request, _("Decision recorded."))
            elif action == "cancel-approval":
                workflows.cancel_workflow(p, pk)
                messages.success(request, _("Approval cancelled."))
            elif action == "revoke-share":
                actions.revoke_share(p, pk, _int(request.POST.get("share")))
                messages.success(request, _("Sharing stopped."))
            else:
                raise Http404
        except ValidationError as exc:
            _flash_errors(request, exc)
            return DocumentView.get(self, request, pk, status=400)  # type: ignore[arg-type]
        return done


def _move_choices(principal: Principal, doc: Any) -> list[tuple[int, str]]:
    """The folders the document may move to: edit level or more, not its own, not the attachments tree
    of other modules' records (``Đính kèm``), labelled with their path ("Hợp đồng / Khách hàng")."""
    from novasaas.documents import access
    from novasaas.documents.attachments import ROOT_NAME
    from novasaas.documents.models import Folder

    levels = access.folder_levels(principal)
    rows = {f[0]: f for f in Folder.objects.filter(tenant=principal.tenant).values_list("id", "parent_id", "name")}

    def path(fid: int) -> list[str]:
        names: list[str] = []
        seen: set[int] = set()
        cur: int | None = fid
        while cur is not None and cur in rows and cur not in seen:
            seen.add(cur)
            names.insert(0, rows[cur][2])
            cur = rows[cur][1]
        return names

    out = []
    for fid, level in levels.items():
        if level < AccessLevel.EDIT or fid == doc.folder_id or fid not in rows:
            continue
        names = path(fid)
        if names and names[0] == ROOT_NAME:
            continue
        out.append((fid, " / ".join(names)))
    return sorted(out, key=lambda c: c[1].lower())[:500]


def _my_turn(principal: Principal, document_id: int) -> bool:
    from novasaas.documents.models import DocumentWorkflow, WorkflowStatus

    wf = DocumentWorkflow.objects.filter(document_id=document_id, status=WorkflowStatus.OPEN).first()
    step = workflows.current_step(wf) if wf else None
    return step is not None and step.reviewer_id == getattr(principal.user, "pk", None)


def _int(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError) as exc:
        raise Http404 from exc


def file_response(version: DocumentVersion, *, inline: bool) -> FileResponse:
    """The stored file: inline only for what the browser previews (PDF, images, text), else a download.
    ``nosniff`` always; a sandboxing CSP except for PDFs (the browser's PDF viewer refuses sandboxing)."""
    kind = files.preview_kind(version.content_type)
    inline = inline and kind in ("pdf", "image", "text")
    content_type = "text/plain; charset=utf-8" if version.content_type == files.TEXT else version.content_type
    response = FileResponse(
        version.file.storage.open(version.file.name, "rb"),
        as_attachment=not inline,
        filename=version.original_name,
        content_type=content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    if inline and kind == "pdf":
        response["Content-Security-Policy"] = "frame-ancestors 'self'"
    else:
        response["Content-Security-Policy"] = "sandbox; default-src 'none'; img-src 'self'; frame-ancestors 'self'"
    response["X-Frame-Options"] = "SAMEORIGIN"
    response._csp_exempt = True  # type: ignore[attr-defined]  # the header above is the policy
    response["Cache-Control"] = "private, no-store"
    return response


class VersionFileView(DmsView):
    inline = False

    def get(self, request: HttpRequest, pk: int, vid: int) -> HttpResponseBase:
        version = selectors.get_version(self.principal, pk, vid)
        return file_response(version, inline=self.inline)


class PreviewView(DmsView):
    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        doc = selectors.get_document(self.principal, pk)
        version = doc.current_version
        if version is None:
            raise Http404
        kind = files.preview_kind(version.content_type)
        text = ""
        if kind == "text":
            with version.file.storage.open(version.file.name, "rb") as fh:
                text = fh.read(200_000).decode("utf-8", errors="replace")
        context = {"doc": doc, "version": version, "kind": kind, "text": text}
        return render(request, "documents/preview.html", context)


class SearchView(DmsView):
    def get(self, request: HttpRequest) -> HttpResponse:
        q = request.GET.get("q", "")[:200]
        results = selectors.search_documents(self.principal, q)
        return render(request, "documents/search.html", {"q": q, "results": results})


class TrashView(DmsView):
    def get(self, request: HttpRequest) -> HttpResponse:
        context = {
            "documents": selectors.trash(self.principal),
            "is_admin": self.principal.has("dms.admin"),
            "days": selectors.get_settings(self.principal.tenant).trash_retention_days,
        }
        return render(request, "documents/trash.html", context)

    def post(self, request: HttpRequest) -> HttpResponse:
        doc_id = _int(request.POST.get("document"))
        try:
            if request.POST.get("op") == "purge":
                actions.purge_document(self.principal, doc_id)
                messages.success(request, _("Deleted for good."))
            else:
                actions.restore_document(self.principal, doc_id)
                messages.success(request, _("Restored."))
        except ValidationError as exc:
            _flash_errors(request, exc)
        return redirect("documents-trash")


class SettingsView(DmsView):
    def get(self, request: HttpRequest, form: Any = None, status: int = 200) -> HttpResponse:
        self.principal.require("dms.admin")
        s = selectors.get_settings(self.principal.tenant)
        initial = {
            "quota_mb": s.quota_bytes // MB,
            "max_file_mb": s.max_file_bytes // MB,
            "trash_retention_days": s.trash_retention_days,
        }
        context = {"form": form or forms.SettingsForm(initial=initial), "usage": selectors.usage(self.principal.tenant)}
        return render(request, "documents/settings.html", context, status=status)

    def post(self, request: HttpRequest) -> HttpResponse:
        self.principal.require("dms.admin")
        form = forms.SettingsForm(request.POST)
        if not form.is_valid():
            return self.get(request, form, status=400)
        actions.update_settings(
            self.principal,
            quota_bytes=form.cleaned_data["quota_mb"] * MB,
            max_file_bytes=form.cleaned_data["max_file_mb"] * MB,
            trash_retention_days=form.cleaned_data["trash_retention_days"],
        )
        messages.success(request, _("Saved."))
        return redirect("documents-settings")


class TemplatesView(DmsView):
    """Document templates: the list, a new template (DOCX source, record kind, target folder) and
    generating a document from a record."""

    def get(self, request: HttpRequest, errors: list[str] | None = None, status: int = 200) -> HttpResponse:
        from novasaas.documents import templating
        from novasaas.documents.models import Document

        p = self.principal
        levels = {n.folder.pk: n for n in selectors.folder_tree(p)}
        sources = Document.objects.filter(
            tenant=p.tenant,
            deleted_at__isnull=True,
            folder_id__in=list(levels),
            current_version__content_type=templating.DOCX,
        ).order_by("name")[:500]
        context = {
            "templates": templating.list_templates(p),
            "kinds": templating.template_kinds(),
            "sources": sources,
            "folders": [n for n in levels.values() if n.level >= AccessLevel.EDIT],
            "errors": errors or [],
            "posted": request.POST if request.method == "POST" else {},
        }
        return render(request, "documents/templates.html", context, status=status)

    def post(self, request: HttpRequest) -> HttpResponse:
        from novasaas.documents import templating

        try:
            if request.POST.get("op") == "generate":
                doc = templating.generate_document(
                    self.principal,
                    _int(request.POST.get("template")),
                    request.POST.get("record_id", "")[:20],
                    name=request.POST.get("name", "")[:150],
                )
                messages.success(request, _("Document %(name)s created.") % {"name": doc.name})
                return redirect("documents-document", doc.pk)
            templating.create_template(
                self.principal,
                name=request.POST.get("name", "")[:200],
                record_kind=request.POST.get("record_kind", "")[:40],
                source_id=request.POST.get("source_id", "")[:20],
                folder_id=request.POST.get("folder_id", "")[:20],
            )
        except ValidationError as exc:
            return self.get(request, errors=_errors(exc), status=400)
        messages.success(request, _("Template saved."))
        return redirect("documents-templates")
