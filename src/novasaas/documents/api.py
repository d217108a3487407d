"""Documents API (/api/v1/documents/): thin endpoints over actions and selectors (module gate DMS).
Uploads are multipart (``file`` plus form fields); downloads go through the same permission checks as
the pages."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import File, Form, Router
from ninja.files import UploadedFile

from novasaas.documents import access, actions, selectors, workflows
from novasaas.documents import schemas as s
from novasaas.documents.models import Folder
from novasaas.documents.views import file_response
from novasaas.identity.access import Principal
from novasaas.platform.api import ErrorOut, Id, module_auth

router = Router(tags=["documents"], auth=module_auth("DMS"))
E = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut}


def _p(request: HttpRequest, perm: str = "dms.use") -> Principal:
    principal: Principal = request.auth  # type: ignore[attr-defined]
    if perm == "dms.use" and principal.has("dms.admin"):
        return principal
    principal.require(perm)
    return principal


def _folder_out(folder: Folder, level: int) -> dict[str, Any]:
    return {
        "id": folder.pk,
        "name": folder.name,
        "parent_id": folder.parent_id,
        "record_label": folder.record_label,
        "level": level,
    }


# --- folders ----------------------------------------------------------------------------------------------


@router.get("/folders", response={200: list[s.DmsFolderOut], 403: ErrorOut})
def list_folders(request: HttpRequest) -> Any:
    p = _p(request)
    return [_folder_out(n.folder, n.level) for n in selectors.folder_tree(p)]


@router.post("/folders", response={201: s.DmsFolderOut, **E})
def create_folder(request: HttpRequest, data: s.DmsFolderIn) -> Any:
    p = _p(request)
    folder = actions.create_folder(p, data.name, data.parent_id)
    return 201, _folder_out(folder, access.level(p, folder.pk))


@router.patch("/folders/{int:folder_id}", response={200: s.DmsFolderOut, **E})
def rename_folder(request: HttpRequest, folder_id: Id, data: s.DmsFolderUpdate) -> Any:
    p = _p(request)
    folder = actions.rename_folder(p, folder_id, data.name)
    return _folder_out(folder, access.level(p, folder.pk))


@router.delete("/folders/{int:folder_id}", response={204: None, **E})
def delete_folder(request: HttpRequest, folder_id: Id) -> Any:
    actions.delete_folder(_p(request), folder_id)
    return 204, None


@router.get("/folders/{int:folder_id}/permissions", response={200: list[s.DmsGrantOut], **E})
def folder_permissions(request: HttpRequest, folder_id: Id) -> Any:
    p = _p(request)
    folder, _level = selectors.get_folder(p, folder_id)
    return selectors.grants(folder)


@router.put("/folders/{int:folder_id}/permissions", response={200: list[s.DmsGrantOut], **E})
def set_folder_permissions(request: HttpRequest, folder_id: Id, data: s.DmsGrantsIn) -> Any:
    p = _p(request)
    return actions.set_folder_grants(p, folder_id, [g.model_dump() for g in data.grants])


@router.get("/folders/{int:folder_id}/documents", response={200: list[s.DmsDocumentOut], **E})
def folder_documents(request: HttpRequest, folder_id: Id) -> Any:
    return selectors.list_documents(_p(request), folder_id)


# --- documents --------------------------------------------------------------------------------------------


@router.post("/documents", response={201: s.DmsDocumentOut, **E})
def upload_document(
    request: HttpRequest,
    folder_id: Form[Id],
    file: File[UploadedFile],
    name: Form[str] = "",
    tags: Form[str] = "",
    comment: Form[str] = "",
) -> Any:
    """Upload a new document (multipart): its type is decided from the content."""
    p = _p(request)
    doc = actions.upload_document(
        p, folder_id, file, file.name or "", name=name[:200], tags=[tags[:1000]], comment=comment[:300]
    )
    return 201, selectors.get_document(p, doc.pk)


@router.get("/documents/{int:document_id}", response={200: s.DmsDocumentOut, **E})
def get_document(request: HttpRequest, document_id: Id) -> Any:
    return selectors.get_document(_p(request), document_id)


@router.patch("/documents/{int:document_id}", response={200: s.DmsDocumentOut, **E})
def update_document(request: HttpRequest, document_id: Id, data: s.DmsDocumentUpdate) -> Any:
    p = _p(request)
    actions.update_document(p, document_id, **data.model_dump(exclude_unset=True))
    return selectors.get_document(p, document_id)


@router.delete("/documents/{int:document_id}", response={204: None, **E})
def trash_document(request: HttpRequest, document_id: Id) -> Any:
    actions.trash_document(_p(request), document_id)
    return 204, None


@router.post("/documents/{int:document_id}/restore", response={200: s.DmsDocumentOut, **E})
def restore_document(request: HttpRequest, document_id: Id) -> Any:
    p = _p(request)
    actions.restore_document(p, document_id)
    return selectors.get_document(p, document_id)


@router.post("/documents/{int:document_id}/purge", response={204: None, **E})
def purge_document(request: HttpRequest, document_id: Id) -> Any:
    actions.purge_document(_p(request), document_id)
    return 204, None


@router.get("/documents/{int:document_id}/versions", response={200: list[s.DmsVersionOut], **E})
def list_versions(request: HttpRequest, document_id: Id) -> Any:
    return selectors.versions(selectors.get_document(_p(request), document_id))


@router.post("/documents/{int:document_id}/versions", response={201: s.DmsVersionOut, **E})
def add_version(request: HttpRequest, document_id: Id, file: File[UploadedFile], comment: Form[str] = "") -> Any:
    """Upload a new version (multipart); refused while another member has it checked out."""
    return 201, actions.add_version(_p(request), document_id, file, file.name or "", comment[:300])


@router.post("/documents/{int:document_id}/versions/{int:version_id}/restore", response={201: s.DmsVersionOut, **E})
def restore_version(request: HttpRequest, document_id: Id, version_id: Id) -> Any:
    return 201, actions.restore_version(_p(request), document_id, version_id)


@router.get("/documents/{int:document_id}/versions/{int:version_id}/download", response={200: None, **E})
def download_version(request: HttpRequest, document_id: Id, version_id: Id) -> Any:
    return file_response(selectors.get_version(_p(request), document_id, version_id), inline=False)


@router.post("/documents/{int:document_id}/checkout", response={200: s.DmsDocumentOut, **E})
def check_out(request: HttpRequest, document_id: Id) -> Any:
    p = _p(request)
    actions.check_out(p, document_id)
    return selectors.get_document(p, document_id)


@router.post("/documents/{int:document_id}/checkin", response={200: s.DmsDocumentOut, **E})
def check_in(request: HttpRequest, document_id: Id) -> Any:
    p = _p(request)
    actions.check_in(p, document_id)
    return selectors.get_document(p, document_id)


@router.post("/documents/{int:document_id}/break-lock", response={200: s.DmsDocumentOut, **E})
def break_lock(request: HttpRequest, document_id: Id) -> Any:
    p = _p(request)
    actions.break_lock(p, document_id)
    return selectors.get_document(p, document_id)


@router.get("/documents/{int:document_id}/comments", response={200: list[s.DmsCommentOut], **E})
def list_comments(request: HttpRequest, document_id: Id) -> Any:
    return selectors.comments(selectors.get_document(_p(request), document_id))


@router.post("/documents/{int:document_id}/comments", response={201: s.DmsCommentOut, **E})
def add_comment(request: HttpRequest, document_id: Id, data: s.DmsCommentIn) -> Any:
    return 201, actions.add_comment(_p(request), document_id, data.body)


@router.get("/documents/{int:document_id}/trail", response={200: list[s.DmsTrailOut], **E})
def document_trail(request: HttpRequest, document_id: Id) -> Any:
    p = _p(request)
    return list(selectors.document_trail(p.tenant, selectors.get_document(p, document_id))[:200])


@router.get("/documents/{int:document_id}/shares", response={200: list[s.DmsShareOut], **E})
def list_shares(request: HttpRequest, document_id: Id) -> Any:
    p = _p(request)
    doc = actions._need_document(p, document_id, 2)
    return selectors.shares(doc)


@router.post("/documents/{int:document_id}/shares", response={201: s.DmsShareOut, **E})
def create_share(request: HttpRequest, document_id: Id, data: s.DmsShareIn) -> Any:
    """Share with a member (``user_id``) or by link (``days``, optional ``password``); a link's token is
    answered once."""
    from django.core.exceptions import ValidationError

    p = _p(request)
    if (data.user_id is None) == (data.days is None):
        raise ValidationError("Give either user_id or days.")
    if data.user_id is not None:
        return 201, actions.share_with_user(p, document_id, data.user_id)
    share, token = actions.share_by_link(p, document_id, days=data.days or 7, password=data.password)
    share.token = token  # type: ignore[attr-defined]
    return 201, share


@router.delete("/documents/{int:document_id}/shares/{int:share_id}", response={204: None, **E})
def revoke_share(request: HttpRequest, document_id: Id, share_id: Id) -> Any:
    actions.revoke_share(_p(request), document_id, share_id)
    return 204, None


# --- approvals --------------------------------------------------------------------------------------------


@router.get("/documents/{int:document_id}/approvals", response={200: list[s.DmsWorkflowOut], **E})
def list_approvals(request: HttpRequest, document_id: Id) -> Any:
    doc = selectors.get_document(_p(request), document_id)
    return workflows.workflows_of(doc.pk)


@router.post("/documents/{int:document_id}/approvals", response={201: s.DmsWorkflowOut, **E})
def start_approval(request: HttpRequest, document_id: Id, data: s.DmsWorkflowIn) -> Any:
    """Start an approval: ``reviewer_ids`` in the order they decide."""
    return 201, workflows.start_workflow(_p(request), document_id, data.reviewer_ids)


@router.post("/documents/{int:document_id}/approvals/decision", response={200: s.DmsWorkflowOut, **E})
def decide_approval(request: HttpRequest, document_id: Id, data: s.DmsDecisionIn) -> Any:
    """The current step's reviewer approves or rejects (a rejection needs a comment)."""
    workflows.decide(_p(request), document_id, approve=data.approve, comment=data.comment)
    return workflows.workflows_of(document_id)[0]


@router.post("/documents/{int:document_id}/approvals/cancel", response={200: s.DmsWorkflowOut, **E})
def cancel_approval(request: HttpRequest, document_id: Id) -> Any:
    workflows.cancel_workflow(_p(request), document_id)
    return workflows.workflows_of(document_id)[0]


# --- attachments of other modules' records (§11.2) -----------------------------------------------------------


@router.get("/attachments/{kind}/{int:record_id}", response={200: list[s.DmsDocumentOut], **E})
def list_attachments(request: HttpRequest, kind: str, record_id: Id) -> Any:
    """The files attached to a record (``kind`` e.g. ``acc.entry``), for whoever may see the record."""
    from novasaas.documents import attachments

    return attachments.attachments_for(request.auth, kind[:40], record_id)  # type: ignore[attr-defined]


@router.post("/attachments/{kind}/{int:record_id}", response={201: s.DmsDocumentOut, **E})
def add_attachment(request: HttpRequest, kind: str, record_id: Id, file: File[UploadedFile]) -> Any:
    from novasaas.documents import attachments

    p: Principal = request.auth  # type: ignore[attr-defined]
    return 201, attachments.attach(p, kind[:40], record_id, file, file.name or "")


@router.get("/attachments/{kind}/{int:record_id}/{int:document_id}/download", response={200: None, **E})
def download_attachment(request: HttpRequest, kind: str, record_id: Id, document_id: Id) -> Any:
    from novasaas.documents import attachments

    version = attachments.attachment_version(request.auth, kind[:40], record_id, document_id)  # type: ignore[attr-defined]
    return file_response(version, inline=False)


# --- templates --------------------------------------------------------------------------------------------


@router.get("/templates", response={200: list[s.DmsTemplateOut], 403: ErrorOut})
def list_templates(request: HttpRequest) -> Any:
    from novasaas.documents import templating

    return templating.list_templates(_p(request))


@router.post("/templates", response={201: s.DmsTemplateOut, **E})
def create_template(request: HttpRequest, data: s.DmsTemplateIn) -> Any:
    """A DOCX document with ``{{ field }}`` placeholders, filled from records of ``record_kind``."""
    from novasaas.documents import templating

    return 201, templating.create_template(_p(request), **data.model_dump())


@router.post("/templates/{int:template_id}/generate", response={201: s.DmsDocumentOut, **E})
def generate_from_template(request: HttpRequest, template_id: Id, data: s.DmsTemplateGenerateIn) -> Any:
    """A new DOCX document in the template's folder, filled from record ``record_id``."""
    from novasaas.documents import templating

    return 201, templating.generate_document(_p(request), template_id, data.record_id, name=data.name)


# --- search, trash, settings ------------------------------------------------------------------------------


@router.get("/search", response={200: list[s.DmsDocumentOut], 403: ErrorOut})
def search(request: HttpRequest, q: str = "") -> Any:
    """Documents whose name, tags or text hold every word of ``q`` (accents ignored), only from folders
    the caller may see; at most 50, newest first."""
    return selectors.search_documents(_p(request), q[:200])


@router.get("/trash", response={200: list[s.DmsDocumentOut], 403: ErrorOut})
def trash(request: HttpRequest) -> Any:
    return selectors.trash(_p(request))


@router.get("/settings", response={200: s.DmsSettingsOut, 403: ErrorOut})
def get_settings(request: HttpRequest) -> Any:
    p = _p(request)
    row = selectors.get_settings(p.tenant)
    row.used_bytes = actions.used_bytes(p.tenant)  # type: ignore[attr-defined]
    return row


@router.patch("/settings", response={200: s.DmsSettingsOut, **E})
def update_settings(request: HttpRequest, data: s.DmsSettingsUpdate) -> Any:
    p = _p(request, "dms.admin")
    row = actions.update_settings(p, **data.model_dump(exclude_unset=True))
    row.used_bytes = actions.used_bytes(p.tenant)  # type: ignore[attr-defined]
    return row
