"""Attachments everywhere (spec §11.2): any module's business record can keep its files in DMS.

A record kind (``"acc.entry"``) is registered with the module it belongs to, the permission that lets a
member see the record (and so its attachments) and the one that lets them attach, and a check that the
record exists in the tenant. Files of record ``"acc.entry:123"`` live in the folder
``Đính kèm / acc.entry / 123`` (created on first attach, ``Folder.record_label`` = the label), which only
administrators browse in the Documents pages: the record's own page shows them to whoever its module
lets see the record. The upload pipeline is the documents' one (type by content, size limit, quota,
random tenant-prefixed names, audit).

Other modules use ``attach``/``attachments_for``/``attachment_version`` or simply include the partial
``documents/_attachments_box.html`` with ``kind`` and ``record_id`` (it loads the list and the upload
form from ``/documents/attachments/<kind>/<id>/`` with htmx) when the tenant has DMS.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import IO, Any

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.utils.translation import gettext as _

from novasaas.documents import actions
from novasaas.documents.models import AccessLevel, Document, DocumentVersion, Folder, FolderPermission
from novasaas.identity.access import Principal
from novasaas.platform.models import AuditAction, Tenant
from novasaas.platform.modules import ModuleDisabled

ROOT_NAME = "Đính kèm"


@dataclass(frozen=True)
class RecordKind:
    """A kind of business record that keeps attachments. ``view_permission`` may name several codes
    (any of them lets a member see the record, like the record's own page); ``get`` (the module's own
    selector, principal-aware: a salesperson's orders, an employee's own file) raises
    ``ObjectDoesNotExist`` for a record the member may not see, so its attachments are a 404 too;
    ``exists`` is the tenant-wide check for kinds without per-member visibility."""

    code: str  # "acc.entry"
    module: str  # "ACC"
    view_permission: str | tuple[str, ...]
    attach_permission: str
    exists: Callable[[Tenant, int], bool] | None = None
    get: Callable[[Principal, int], Any] | None = None

    def visible(self, principal: Principal, record_id: int) -> bool:
        if self.get is not None:
            try:
                self.get(principal, record_id)
            except ObjectDoesNotExist:
                return False
            return True
        return self.exists is not None and self.exists(principal.tenant, record_id)

    def require_view(self, principal: Principal) -> None:
        codes = (self.view_permission,) if isinstance(self.view_permission, str) else self.view_permission
        if not any(principal.has(code) for code in codes):
            principal.require(codes[0])


RECORD_KINDS: dict[str, RecordKind] = {}


def register_record_kind(kind: RecordKind) -> None:
    RECORD_KINDS[kind.code] = kind


def _journal_entry_exists(tenant: Tenant, record_id: int) -> bool:
    from novasaas.accounting import selectors

    try:
        selectors.get_entry(tenant, record_id)
    except ObjectDoesNotExist:
        return False
    return True


register_record_kind(
    RecordKind("acc.entry", "ACC", "acc.ledger.view", "acc.entry.create", exists=_journal_entry_exists)
)


def record_kind(principal: Principal, code: str, record_id: int, *, attach: bool = False) -> RecordKind:
    """The registered kind when the tenant has DMS and the kind's module, the principal holds the
    permission and the record exists in the tenant (404 for an unknown kind or record)."""
    kind = RECORD_KINDS.get(code)
    if kind is None:
        raise Folder.DoesNotExist
    for module in ("DMS", kind.module):
        if not principal.tenant.has_module(module):
            raise ModuleDisabled(module)
    kind.require_view(principal)
    if attach:
        principal.require(kind.attach_permission)
    if not kind.visible(principal, record_id):
        raise Folder.DoesNotExist
    return kind


def _folder(tenant: Tenant, code: str, record_id: int, *, create: bool) -> Folder | None:
    label = f"{code}:{record_id}"
    found = Folder.objects.filter(tenant=tenant, record_label=label).first()
    if found is not None or not create:
        return found
    root = Folder.objects.filter(tenant=tenant, parent__isnull=True, name=ROOT_NAME).first()
    if root is None:
        root = Folder.objects.create(tenant=tenant, name=ROOT_NAME)
        # only administrators browse attachments in the Documents pages
        FolderPermission.objects.create(tenant=tenant, folder=root, role_code="tenant_admin", level=AccessLevel.MANAGE)
    module = Folder.objects.filter(tenant=tenant, parent=root, name=code).first()
    if module is None:
        module = Folder.objects.create(tenant=tenant, parent=root, name=code)
    return Folder.objects.create(tenant=tenant, parent=module, name=str(record_id), record_label=label)


def attach(principal: Principal, code: str, record_id: int, upload: IO[bytes], filename: str = "") -> Document:
    """Store a file as a document in the record's folder (needs the kind's attach permission)."""
    tenant = principal.tenant
    record_kind(principal, code, record_id, attach=True)
    data, content_type = actions._read_upload(upload, actions._limit(tenant))
    filename = filename or getattr(upload, "name", "") or ""
    with actions.atomic_in(tenant):
        folder = _folder(tenant, code, record_id, create=True)
        assert folder is not None
        doc = Document.objects.create(
            tenant=tenant,
            folder=folder,
            name=actions._clean_name(actions.files.display_name(filename, content_type)),
            created_by=actions._user(principal),
        )
        version = actions._write_version(principal, doc, data, content_type, filename, "")
        actions._trail(principal, doc, f"attached {version.original_name} to {code}:{record_id}", AuditAction.CREATE)
        return doc


def attachments_for(principal: Principal, code: str, record_id: int) -> list[Document]:
    record_kind(principal, code, record_id)
    folder = _folder(principal.tenant, code, record_id, create=False)
    if folder is None:
        return []
    return list(
        Document.objects.filter(folder=folder, deleted_at__isnull=True)
        .select_related("current_version")
        .order_by("created_at", "id")
    )


def attachment_version(principal: Principal, code: str, record_id: int, document_id: int) -> DocumentVersion:
    """The current version of an attachment of the record (404 when it is not one of its attachments)."""
    record_kind(principal, code, record_id)
    folder = _folder(principal.tenant, code, record_id, create=False)
    doc = Document.objects.select_related("current_version").get(
        tenant=principal.tenant, folder=folder, pk=document_id, deleted_at__isnull=True
    )
    if doc.current_version is None:
        raise Document.DoesNotExist
    return doc.current_version


def remove_attachment(principal: Principal, code: str, record_id: int, document_id: int) -> None:
    """Move an attachment to the trash (the kind's attach permission; restorable by an administrator)."""
    record_kind(principal, code, record_id, attach=True)
    with actions.atomic_in(principal.tenant):
        folder = _folder(principal.tenant, code, record_id, create=False)
        doc = Document.objects.select_for_update().get(
            tenant=principal.tenant, folder=folder, pk=document_id, deleted_at__isnull=True
        )
        if doc.checked_out_by_id is not None:
            raise PermissionDenied(_("This attachment is checked out."))
        from django.utils import timezone

        doc.deleted_at = timezone.now()
        doc.deleted_by = actions._user(principal)
        doc.save(update_fields=["deleted_at", "deleted_by"])
        actions._trail(principal, doc, f"removed from {code}:{record_id}", AuditAction.DELETE)


def box_context(principal: Principal, code: str, record_id: int) -> dict[str, Any]:
    """The box's list and upload form, and the document templates of this record kind the member may use
    ("Generate from a template": posted to the Templates page, which checks the record and folder rights)."""
    from novasaas.documents.templating import list_templates

    found = attachments_for(principal, code, record_id)
    templates = []
    if principal.has("dms.use"):
        templates = [t for t in list_templates(principal) if t.record_kind == code]
    return {
        "kind": code,
        "record_id": record_id,
        "attachments": found,
        "can_attach": principal.has(RECORD_KINDS[code].attach_permission),
        "templates": templates,
    }
