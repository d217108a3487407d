"""Document actions: each runs in one transaction, takes the acting principal, checks the module
permission (``dms.use`` / ``dms.admin``) and the folder level (``access.py``), and is audited against
the document (or folder) it changes, so ``selectors.document_trail`` is the document's full history.

Files are written before their rows (and removed again when the row cannot be written); removals of
files wait for the commit. A transaction rolled back after a file was written leaves an unreferenced
file behind, never reachable (downloads go through the rows)."""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import secrets
from collections.abc import Iterable, Iterator
from typing import IO, Any

from django.contrib.auth.hashers import make_password
from django.contrib.postgres.search import SearchVector
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.db.models import Sum, Value
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _

from novasaas.billing import limits as billing_limits
from novasaas.documents import access, files
from novasaas.documents.models import (
    AccessLevel,
    DmsSettings,
    Document,
    DocumentComment,
    DocumentSearch,
    DocumentShare,
    DocumentTag,
    DocumentVersion,
    Folder,
    FolderPermission,
)
from novasaas.identity.access import Principal
from novasaas.platform import audit
from novasaas.platform.models import AuditAction, Tenant
from novasaas.platform.search import fold
from novasaas.platform.tenancy import get_current_tenant, tenant_context

SYNC_EXTRACT_BYTES = 2 * 1024 * 1024  # larger files get their text in a background task
MAX_TAGS = 20


@contextlib.contextmanager
def atomic_in(tenant: Tenant) -> Iterator[None]:
    current = get_current_tenant()
    with transaction.atomic():
        if current is not None and current.pk == tenant.pk:
            yield
        else:
            with tenant_context(tenant):
                yield


def _user(principal: Principal) -> Any:
    return principal.user if getattr(principal.user, "pk", None) else None


def _require_use(principal: Principal) -> None:
    if not principal.has("dms.admin"):
        principal.require("dms.use")


def _trail(principal: Principal, obj: Any, message: str, action: str = AuditAction.OTHER) -> None:
    audit.record(action, actor=_user(principal), tenant=principal.tenant, obj=obj, message=message)


def _denied_folder() -> PermissionDenied:
    return PermissionDenied(_("You do not have enough rights on this folder."))


def _need_folder(principal: Principal, folder_id: int, need: int) -> Folder:
    """The tenant's folder when the principal's level on it is at least ``need`` (404 when invisible)."""
    _require_use(principal)
    folder = Folder.objects.get(tenant=principal.tenant, pk=folder_id)
    lvl = access.level(principal, folder.pk)
    if lvl < AccessLevel.VIEW:
        raise Folder.DoesNotExist
    if lvl < need:
        raise _denied_folder()
    return folder


def shared_with(principal: Principal, document_id: int) -> bool:
    return (
        principal.user is not None
        and DocumentShare.objects.filter(
            tenant=principal.tenant, document_id=document_id, user_id=principal.user.pk, revoked_at__isnull=True
        ).exists()
    )


def _need_document(
    principal: Principal, document_id: int, need: int, *, lock: bool = False, trashed: bool | None = False
) -> Document:
    """The tenant's document when the principal's level on its folder is at least ``need`` (a member it
    is shared with may view it). Invisible or of another tenant → DoesNotExist (404)."""
    _require_use(principal)
    qs = Document.objects.filter(tenant=principal.tenant)
    if trashed is not None:
        qs = qs.filter(deleted_at__isnull=not trashed)
    if lock:
        qs = qs.select_for_update(of=("self",))
    doc = qs.get(pk=document_id)
    lvl = access.level(principal, doc.folder_id)
    if lvl < AccessLevel.VIEW:
        if not shared_with(principal, doc.pk):
            raise Document.DoesNotExist
        if need == AccessLevel.VIEW:
            return doc
        raise _denied_folder()
    if lvl < need:
        raise _denied_folder()
    return doc


# --- settings and quota ---------------------------------------------------------------------------------


def ensure_settings(tenant: Tenant) -> DmsSettings:
    """Create the tenant's DMS settings (module set-up, idempotent)."""
    with atomic_in(tenant):
        found = DmsSettings.objects.filter(tenant=tenant).first()
        return found or DmsSettings.objects.create(tenant=tenant)


def used_bytes(tenant: Tenant) -> int:
    """Bytes stored by every version of every document, in the trash too (until purged)."""
    return int(DocumentVersion.objects.filter(tenant=tenant).aggregate(s=Sum("size"))["s"] or 0)


def update_settings(principal: Principal, **fields: Any) -> DmsSettings:
    principal.require("dms.admin")
    with atomic_in(principal.tenant):
        ensure_settings(principal.tenant)
        row = DmsSettings.objects.select_for_update().get(tenant=principal.tenant)
        before = audit.snapshot(row)
        for key in ("quota_bytes", "max_file_bytes", "trash_retention_days"):
            if fields.get(key) is not None:
                setattr(row, key, fields[key])
        row.full_clean()
        row.save()
        audit.record_updated(row, _user(principal), before)
        return row


def _read_upload(upload: IO[bytes], limit: int) -> tuple[bytes, str]:
    too_big = ValidationError({"file": [_("A file is at most %(size)s.") % {"size": filesizeformat(limit)}]})
    size = getattr(upload, "size", None)
    if size is not None and size > limit:
        raise too_big
    data = upload.read(limit + 1)
    if len(data) > limit:
        raise too_big
    if not data:
        raise ValidationError({"file": [_("The file is empty.")]})
    content_type = files.detect(data)
    if content_type is None:
        raise ValidationError(
            {"file": [_("This type of file is not accepted: upload a PDF, Word (DOCX), Excel (XLSX), text or image.")]}
        )
    if files.preview_kind(content_type) == "image" and not files.image_is_readable(data):
        raise ValidationError({"file": [_("This image cannot be read.")]})
    return data, content_type


def _reserve(tenant: Tenant, size: int) -> None:
    """Refuse when ``size`` more bytes would pass the quota; the settings row is locked so two uploads
    cannot both take the last free space."""
    ensure_settings(tenant)
    row = DmsSettings.objects.select_for_update().get(tenant=tenant)
    used = used_bytes(tenant)
    if used + size > row.quota_bytes:
        raise ValidationError(
            {
                "file": [
                    _(
                        "The company's storage quota is full: %(used)s of %(quota)s used, this file needs %(size)s. "
                        "Empty the trash or ask your administrator to raise the quota."
                    )
                    % {
                        "used": filesizeformat(used),
                        "quota": filesizeformat(row.quota_bytes),
                        "size": filesizeformat(size),
                    }
                ]
            }
        )


def _limit(tenant: Tenant) -> int:
    row = DmsSettings.objects.filter(tenant=tenant).first()
    return row.max_file_bytes if row else DmsSettings._meta.get_field("max_file_bytes").default  # type: ignore[return-value]


def reindex(document: Document) -> None:
    """Recompute the folded search text: name, tags and the current version's text."""
    tags = list(DocumentTag.objects.filter(document=document).values_list("name", flat=True))
    text: str | None = ""
    if document.current_version_id:
        text = DocumentVersion.objects.filter(pk=document.current_version_id).values_list("text", flat=True).first()
    folded = fold(" ".join([document.name, *tags, text or ""]))[: files.MAX_TEXT + 2000]
    DocumentSearch.objects.update_or_create(
        document=document, defaults={"tenant_id": document.tenant_id, "text": folded}
    )
    if connection.vendor == "postgresql":
        DocumentSearch.objects.filter(document=document).update(vector=SearchVector(Value(folded), config="simple"))


def _write_version(
    principal: Principal, doc: Document, data: bytes, content_type: str, filename: str, comment: str
) -> DocumentVersion:
    _reserve(principal.tenant, len(data))
    billing_limits.check_storage(principal.tenant, len(data))  # the plan's storage (§12.3), 403 over it
    last = DocumentVersion.objects.filter(document=doc).order_by("-number").values_list("number", flat=True).first()
    version = DocumentVersion(
        tenant_id=principal.tenant.pk,
        document=doc,
        number=(last or 0) + 1,
        original_name=files.display_name(filename, content_type),
        content_type=content_type,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        comment=(comment or "").strip()[:300],
        uploaded_by=_user(principal),
    )
    if len(data) <= SYNC_EXTRACT_BYTES:
        version.text = files.extract_text(content_type, data)
    version.file.save(f"x{files.TYPES[content_type][0]}", ContentFile(data), save=False)
    stored = version.file.name
    try:
        version.save()
    except Exception:
        version.file.storage.delete(stored)  # no row, no file
        raise
    doc.current_version = version
    doc.updated_at = timezone.now()
    doc.save(update_fields=["current_version", "updated_at"])
    reindex(doc)
    if len(data) > SYNC_EXTRACT_BYTES:
        tenant_id, version_id = principal.tenant.pk, version.pk
        transaction.on_commit(lambda: _enqueue_extraction(tenant_id, version_id))
    return version


def _enqueue_extraction(tenant_id: int, version_id: int) -> None:
    from novasaas.documents.tasks import extract_version_text

    extract_version_text.enqueue(tenant_id, version_id)


def _clean_tags(tags: Iterable[str] | None) -> list[str]:
    out: list[str] = []
    for raw in tags or []:
        for part in str(raw).split(","):
            tag = " ".join(part.split())[:50]
            if tag and tag.lower() not in {t.lower() for t in out}:
                out.append(tag)
    if len(out) > MAX_TAGS:
        raise ValidationError({"tags": [_("At most %(n)d tags.") % {"n": MAX_TAGS}]})
    return out


def _set_tags(doc: Document, tags: list[str]) -> None:
    DocumentTag.objects.filter(document=doc).exclude(name__in=tags).delete()
    have = set(DocumentTag.objects.filter(document=doc).values_list("name", flat=True))
    DocumentTag.objects.bulk_create(
        [DocumentTag(tenant_id=doc.tenant_id, document=doc, name=t) for t in tags if t not in have]
    )


def _clean_name(value: str, field: str = "name", max_length: int = 200) -> str:
    name = " ".join(str(value or "").split())
    if not name:
        raise ValidationError({field: [_("Enter a name.")]})
    if any(ord(ch) < 32 for ch in name) or "/" in name or "\\" in name:
        raise ValidationError({field: [_("A name cannot contain slashes or control characters.")]})
    return name[:max_length]


# --- documents and versions ------------------------------------------------------------------------------


def upload_document(
    principal: Principal,
    folder_id: int,
    upload: IO[bytes],
    filename: str = "",
    *,
    name: str = "",
    tags: Iterable[str] | None = None,
    comment: str = "",
) -> Document:
    """A new document in the folder (level edit) with its first version; refuses a file of a type not
    accepted (decided by content), too large, or beyond the company's storage quota."""
    tenant = principal.tenant
    data, content_type = _read_upload(upload, _limit(tenant))
    clean_tags = _clean_tags(tags)
    filename = filename or getattr(upload, "name", "") or ""
    with atomic_in(tenant):
        folder = _need_folder(principal, folder_id, AccessLevel.EDIT)
        doc = Document.objects.create(
            tenant=tenant,
            folder=folder,
            name=_clean_name(name or files.display_name(filename, content_type)),
            created_by=_user(principal),
        )
        _set_tags(doc, clean_tags)
        version = _write_version(principal, doc, data, content_type, filename, comment)
        _trail(principal, doc, f"uploaded {version.original_name} as version 1", AuditAction.CREATE)
        return doc


def add_version(
    principal: Principal, document_id: int, upload: IO[bytes], filename: str = "", comment: str = ""
) -> DocumentVersion:
    """A new version (level edit). Refused while another member has the document checked out."""
    tenant = principal.tenant
    data, content_type = _read_upload(upload, _limit(tenant))
    with atomic_in(tenant):
        doc = _need_document(principal, document_id, AccessLevel.EDIT, lock=True)
        _refuse_if_locked_by_other(principal, doc)
        version = _write_version(principal, doc, data, content_type, filename or getattr(upload, "name", ""), comment)
        _trail(principal, doc, f"uploaded version {version.number} ({version.original_name})")
        _restart_approval(principal, doc, version)
        return version


def _restart_approval(principal: Principal, doc: Document, version: DocumentVersion) -> None:
    from novasaas.documents.workflows import restart_for_new_version

    restart_for_new_version(principal, doc, version.pk)


def _refuse_if_locked_by_other(principal: Principal, doc: Document) -> None:
    if doc.checked_out_by_id is not None and doc.checked_out_by_id != getattr(principal.user, "pk", None):
        raise ValidationError(
            _("Checked out by %(who)s since %(when)s: only they can change it until it is checked in.")
            % {
                "who": doc.checked_out_by,
                "when": timezone.localtime(doc.checked_out_at).strftime("%d/%m/%Y %H:%M") if doc.checked_out_at else "",
            }
        )


def restore_version(principal: Principal, document_id: int, version_id: int) -> DocumentVersion:
    """Make an old version current again as a new version with its content (history is kept)."""
    with atomic_in(principal.tenant):
        doc = _need_document(principal, document_id, AccessLevel.EDIT, lock=True)
        _refuse_if_locked_by_other(principal, doc)
        old = DocumentVersion.objects.get(document=doc, pk=version_id)
        with old.file.storage.open(old.file.name, "rb") as fh:
            data = fh.read()
        version = _write_version(
            principal,
            doc,
            data,
            old.content_type,
            old.original_name,
            _("Restored from version %(n)d") % {"n": old.number},
        )
        _trail(principal, doc, f"restored version {old.number} as version {version.number}")
        _restart_approval(principal, doc, version)
        return version


def update_document(
    principal: Principal,
    document_id: int,
    *,
    name: str | None = None,
    tags: Iterable[str] | None = None,
    folder_id: int | None = None,
) -> Document:
    """Rename, re-tag or move (level edit on both folders)."""
    with atomic_in(principal.tenant):
        doc = _need_document(principal, document_id, AccessLevel.EDIT, lock=True)
        _refuse_if_locked_by_other(principal, doc)
        changes = []
        if name is not None:
            doc.name = _clean_name(name)
            changes.append("renamed")
        if folder_id is not None and folder_id != doc.folder_id:
            doc.folder = _need_folder(principal, folder_id, AccessLevel.EDIT)
            changes.append("moved")
        if tags is not None:
            _set_tags(doc, _clean_tags(tags))
            changes.append("tags changed")
        doc.updated_at = timezone.now()
        doc.save()
        reindex(doc)
        if changes:
            _trail(principal, doc, ", ".join(changes), AuditAction.UPDATE)
        return doc


def check_out(principal: Principal, document_id: int) -> Document:
    """Lock the document for the principal (a conditional update: of two at once, one wins)."""
    with atomic_in(principal.tenant):
        doc = _need_document(principal, document_id, AccessLevel.EDIT)
        taken = Document.objects.filter(pk=doc.pk, checked_out_by__isnull=True).update(
            checked_out_by=principal.user, checked_out_at=timezone.now()
        )
        doc.refresh_from_db()
        if not taken:
            _refuse_if_locked_by_other(principal, doc)
            return doc  # already checked out by the principal
        _trail(principal, doc, "checked out")
        return doc


def check_in(principal: Principal, document_id: int) -> Document:
    with atomic_in(principal.tenant):
        doc = _need_document(principal, document_id, AccessLevel.EDIT, lock=True)
        if doc.checked_out_by_id is None:
            raise ValidationError(_("This document is not checked out."))
        _refuse_if_locked_by_other(principal, doc)
        doc.checked_out_by = None
        doc.checked_out_at = None
        doc.save(update_fields=["checked_out_by", "checked_out_at"])
        _trail(principal, doc, "checked in")
        return doc


def break_lock(principal: Principal, document_id: int) -> Document:
    """The administrator releases another member's check-out (audited with who held it)."""
    principal.require("dms.admin")
    with atomic_in(principal.tenant):
        doc = _need_document(principal, document_id, AccessLevel.VIEW, lock=True)
        if doc.checked_out_by_id is None:
            raise ValidationError(_("This document is not checked out."))
        holder = str(doc.checked_out_by)
        doc.checked_out_by = None
        doc.checked_out_at = None
        doc.save(update_fields=["checked_out_by", "checked_out_at"])
        _trail(principal, doc, f"lock of {holder} broken")
        return doc


def add_comment(principal: Principal, document_id: int, body: str) -> DocumentComment:
    text = str(body or "").strip()
    if not text:
        raise ValidationError({"body": [_("Write a comment.")]})
    if len(text) > 2000:
        raise ValidationError({"body": [_("A comment is at most 2,000 characters.")]})
    with atomic_in(principal.tenant):
        doc = _need_document(principal, document_id, AccessLevel.VIEW)
        comment = DocumentComment.objects.create(
            tenant=principal.tenant, document=doc, author=_user(principal), body=text
        )
        _trail(principal, doc, "commented")
        return comment


# --- trash ------------------------------------------------------------------------------------------------


def trash_document(principal: Principal, document_id: int) -> Document:
    with atomic_in(principal.tenant):
        doc = _need_document(principal, document_id, AccessLevel.EDIT, lock=True)
        _refuse_if_locked_by_other(principal, doc)
        doc.deleted_at = timezone.now()
        doc.deleted_by = _user(principal)
        doc.checked_out_by = None
        doc.checked_out_at = None
        doc.save(update_fields=["deleted_at", "deleted_by", "checked_out_by", "checked_out_at"])
        _trail(principal, doc, "moved to the trash", AuditAction.DELETE)
        return doc


def restore_document(principal: Principal, document_id: int) -> Document:
    with atomic_in(principal.tenant):
        doc = _need_document(principal, document_id, AccessLevel.EDIT, lock=True, trashed=True)
        doc.deleted_at = None
        doc.deleted_by = None
        doc.save(update_fields=["deleted_at", "deleted_by"])
        _trail(principal, doc, "restored from the trash")
        return doc


def _purge(doc: Document) -> None:
    storage = DocumentVersion._meta.get_field("file").storage  # type: ignore[union-attr]
    names = list(DocumentVersion.objects.filter(document=doc).values_list("file", flat=True))
    Document.objects.filter(pk=doc.pk).update(current_version=None)
    doc.delete()

    def remove() -> None:
        for name in names:
            storage.delete(name)

    transaction.on_commit(remove)


def purge_document(principal: Principal, document_id: int) -> None:
    """Delete a trashed document and its files for good (administrator)."""
    principal.require("dms.admin")
    with atomic_in(principal.tenant):
        doc = _need_document(principal, document_id, AccessLevel.VIEW, lock=True, trashed=True)
        _trail(principal, doc, "purged from the trash", AuditAction.DELETE)
        _purge(doc)


def purge_expired(tenant: Tenant, now: dt.datetime | None = None) -> int:
    """Purge the tenant's documents in the trash for longer than its retention (the nightly command)."""
    now = now or timezone.now()
    with atomic_in(tenant):
        row = DmsSettings.objects.filter(tenant=tenant).first()
        days = row.trash_retention_days if row else 30
        expired = list(Document.objects.filter(tenant=tenant, deleted_at__lt=now - dt.timedelta(days=days)))
        for doc in expired:
            audit.record(AuditAction.DELETE, tenant=tenant, obj=doc, message=f"purged after {days} days in the trash")
            _purge(doc)
        return len(expired)


# --- folders ----------------------------------------------------------------------------------------------


def create_folder(principal: Principal, name: str, parent_id: int | None = None) -> Folder:
    """A folder at the root (administrator) or in a folder the principal manages."""
    with atomic_in(principal.tenant):
        if parent_id is None:
            principal.require("dms.admin")
            parent = None
        else:
            parent = _need_folder(principal, parent_id, AccessLevel.MANAGE)
        clean = _clean_name(name, max_length=120)
        if Folder.objects.filter(tenant=principal.tenant, parent=parent, name=clean).exists():
            raise ValidationError({"name": [_("A folder with this name is already there.")]})
        folder = Folder.objects.create(tenant=principal.tenant, parent=parent, name=clean, created_by=_user(principal))
        audit.record_created(folder, _user(principal))
        return folder


def rename_folder(principal: Principal, folder_id: int, name: str) -> Folder:
    with atomic_in(principal.tenant):
        folder = _need_folder(principal, folder_id, AccessLevel.MANAGE)
        if folder.parent_id is None:
            principal.require("dms.admin")
        before = audit.snapshot(folder)
        clean = _clean_name(name, max_length=120)
        if (
            Folder.objects.filter(tenant=principal.tenant, parent_id=folder.parent_id, name=clean)
            .exclude(pk=folder.pk)
            .exists()
        ):
            raise ValidationError({"name": [_("A folder with this name is already there.")]})
        folder.name = clean
        folder.save(update_fields=["name"])
        audit.record_updated(folder, _user(principal), before)
        return folder


def delete_folder(principal: Principal, folder_id: int) -> None:
    """Remove an empty folder (no sub-folder, no document, not even in the trash)."""
    with atomic_in(principal.tenant):
        folder = _need_folder(principal, folder_id, AccessLevel.MANAGE)
        if folder.parent_id is None:
            principal.require("dms.admin")
        if Folder.objects.filter(parent=folder).exists() or Document.objects.filter(folder=folder).exists():
            raise ValidationError(_("Only an empty folder can be deleted (documents in the trash count too)."))
        audit.record_deleted(folder, _user(principal))
        folder.delete()


def set_folder_grants(principal: Principal, folder_id: int, grants: list[dict[str, Any]]) -> list[FolderPermission]:
    """Replace the folder's grants: ``[{"role_code": "accountant", "level": 1}, {"user_id": 7, "level": 2}]``.
    An empty list makes the folder inherit again."""
    from novasaas.identity.catalogue import ROLE_CODES
    from novasaas.identity.models import Membership

    with atomic_in(principal.tenant):
        folder = _need_folder(principal, folder_id, AccessLevel.MANAGE)
        rows = []
        seen = set()
        for i, g in enumerate(grants):
            role, user_id, lvl = (g.get("role_code") or "").strip(), g.get("user_id"), g.get("level")
            if lvl not in AccessLevel.values:
                raise ValidationError({f"grants[{i}].level": [_("Choose view, edit or manage.")]})
            if bool(role) == (user_id is not None):
                raise ValidationError({f"grants[{i}]": [_("Give either a role or a member.")]})
            if role and role not in ROLE_CODES:
                raise ValidationError({f"grants[{i}].role_code": [_("Unknown role.")]})
            if user_id is not None and not Membership.objects.filter(tenant=principal.tenant, user_id=user_id).exists():
                raise ValidationError({f"grants[{i}].user_id": [_("Not a member of this company.")]})
            key = (role, user_id)
            if key in seen:
                continue
            seen.add(key)
            rows.append(
                FolderPermission(tenant=principal.tenant, folder=folder, role_code=role, user_id=user_id, level=lvl)
            )
        before = sorted(FolderPermission.objects.filter(folder=folder).values_list("role_code", "user_id", "level"))
        FolderPermission.objects.filter(folder=folder).delete()
        FolderPermission.objects.bulk_create(rows)
        audit.record(
            AuditAction.ROLE_CHANGED,
            actor=_user(principal),
            tenant=principal.tenant,
            obj=folder,
            before={"grants": before},
            after={"grants": sorted((r.role_code, r.user_id, r.level) for r in rows)},
            message="folder permissions changed",
        )
        return list(FolderPermission.objects.filter(folder=folder))


# --- sharing ----------------------------------------------------------------------------------------------


def share_with_user(principal: Principal, document_id: int, user_id: int) -> DocumentShare:
    from novasaas.identity.models import Membership

    with atomic_in(principal.tenant):
        doc = _need_document(principal, document_id, AccessLevel.EDIT)
        if not Membership.objects.filter(tenant=principal.tenant, user_id=user_id).exists():
            raise ValidationError({"user_id": [_("Not a member of this company.")]})
        found = DocumentShare.objects.filter(document=doc, user_id=user_id, revoked_at__isnull=True).first()
        if found:
            return found
        share = DocumentShare.objects.create(
            tenant=principal.tenant, document=doc, user_id=user_id, created_by=_user(principal)
        )
        _trail(principal, doc, f"shared with member {user_id}")
        return share


MAX_LINK_DAYS = 90


def share_by_link(
    principal: Principal, document_id: int, *, days: int = 7, password: str = ""
) -> tuple[DocumentShare, str]:
    """A link that expires after ``days`` (1–90), optionally with a password (stored hashed). Returns the
    share and the token, which is shown once (only its hash is kept)."""
    if not isinstance(days, int) or not 1 <= days <= MAX_LINK_DAYS:
        raise ValidationError({"days": [_("A link lasts 1 to %(n)d days.") % {"n": MAX_LINK_DAYS}]})
    if password and len(password) < 6:
        raise ValidationError({"password": [_("A link password has at least 6 characters.")]})
    token = secrets.token_urlsafe(32)
    with atomic_in(principal.tenant):
        doc = _need_document(principal, document_id, AccessLevel.EDIT)
        share = DocumentShare.objects.create(
            tenant=principal.tenant,
            document=doc,
            token_hash=hashlib.sha256(token.encode()).hexdigest(),
            password_hash=make_password(password) if password else "",
            expires_at=timezone.now() + dt.timedelta(days=days),
            created_by=_user(principal),
        )
        _trail(principal, doc, f"shared by link {share.pk} until {share.expires_at:%Y-%m-%d}")
        return share, token


def revoke_share(principal: Principal, document_id: int, share_id: int) -> DocumentShare:
    with atomic_in(principal.tenant):
        doc = _need_document(principal, document_id, AccessLevel.EDIT)
        share = DocumentShare.objects.select_for_update().get(document=doc, pk=share_id, revoked_at__isnull=True)
        share.revoked_at = timezone.now()
        share.save(update_fields=["revoked_at"])
        _trail(principal, doc, f"share {share.pk} revoked")
        return share
