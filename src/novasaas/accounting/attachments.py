"""Attachments on journal entries: invoices and receipts as PDF or images.

Rules: uploading needs ``acc.entry.create`` and works at any state (a posted entry can still get its
supporting documents); deleting needs ``acc.entry.create`` and only while the entry is a draft (what
was attached to a posted or pending entry stays); reading and downloading need ``acc.ledger.view`` —
whoever can view the entry. Files are at most ``MAX_BYTES``; the type is decided from the content
(PDF, JPEG, PNG, WebP), never from the name or the browser's claim, and images must decode. Files live
in Django's default storage under ``acc/<tenant id>/entries/<entry id>/<random>.<ext>`` and are always
resolved through the tenant-scoped ``EntryAttachment`` row. Uploads and deletions are audited.

The file is written before its row (and removed again when the row cannot be written); removals of
files wait for the commit. A transaction that rolls back after a successful upload leaves an
unreferenced file behind (never reachable: downloads go through the row)."""

from __future__ import annotations

import hashlib
import io
import unicodedata
from pathlib import PurePosixPath
from typing import IO

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _

from novasaas.accounting.models import EntryAttachment, EntryState, JournalEntry
from novasaas.accounting.scope import atomic_in, in_tenant
from novasaas.identity.access import Principal
from novasaas.platform import audit
from novasaas.platform.models import Tenant

MAX_BYTES = 10 * 1024 * 1024
MAX_PER_ENTRY = 20
# content type → (extension, is an image)
TYPES: dict[str, tuple[str, bool]] = {
    "application/pdf": (".pdf", False),
    "image/jpeg": (".jpg", True),
    "image/png": (".png", True),
    "image/webp": (".webp", True),
}


def sniff(head: bytes) -> str | None:
    """The content type from the first bytes (magic numbers), or None when not an allowed type."""
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    return None


def _display_name(name: str, content_type: str) -> str:
    """The uploaded file name without path or control characters (shown and offered on download)."""
    base = PurePosixPath(str(name or "").replace("\\", "/")).name
    base = "".join(ch for ch in base if unicodedata.category(ch)[0] != "C").strip()
    ext = TYPES[content_type][0]
    if not base:
        base = f"attachment{ext}"
    return base[-200:]


def add_attachment(principal: Principal, entry_id: int, upload: IO[bytes], filename: str = "") -> EntryAttachment:
    """Attach a PDF or image to the entry (any state). Refuses empty, too large and other types."""
    principal.require("acc.entry.create")
    tenant = principal.tenant
    size = getattr(upload, "size", None)
    if size is not None and size > MAX_BYTES:
        raise ValidationError({"file": [_("A file is at most %(n)d MB.") % {"n": MAX_BYTES // (1024 * 1024)}]})
    data = upload.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise ValidationError({"file": [_("A file is at most %(n)d MB.") % {"n": MAX_BYTES // (1024 * 1024)}]})
    if not data:
        raise ValidationError({"file": [_("The file is empty.")]})
    content_type = sniff(data[:16])
    if content_type is None:
        raise ValidationError({"file": [_("Attach a PDF or an image (JPEG, PNG, WebP).")]})
    if TYPES[content_type][1]:
        try:
            from PIL import Image

            with Image.open(io.BytesIO(data)) as img:
                img.verify()
        except Exception as exc:  # noqa: BLE001 - any decoder error means "not an image"
            raise ValidationError({"file": [_("This image cannot be read.")]}) from exc
    with atomic_in(tenant):
        entry = JournalEntry.objects.select_for_update(of=("self",), no_key=True).get(pk=entry_id)
        if EntryAttachment.objects.filter(entry=entry).count() >= MAX_PER_ENTRY:
            raise ValidationError({"file": [_("At most %(n)d attachments per entry.") % {"n": MAX_PER_ENTRY}]})
        att = EntryAttachment(
            tenant_id=tenant.pk,
            entry=entry,
            name=_display_name(filename or getattr(upload, "name", ""), content_type),
            content_type=content_type,
            size=len(data),
            sha256=hashlib.sha256(data).hexdigest(),
            uploaded_by=principal.user if getattr(principal.user, "pk", None) else None,
        )
        att.file.save(f"x{TYPES[content_type][0]}", ContentFile(data), save=False)
        stored = att.file.name
        try:
            att.save()
            audit.record_created(att, principal.user)
        except Exception:
            att.file.storage.delete(stored)  # no row, no file
            raise
        return att


def delete_attachment(principal: Principal, entry_id: int, attachment_id: int) -> None:
    """Remove an attachment while its entry is a draft; the file goes after commit."""
    principal.require("acc.entry.create")
    with atomic_in(principal.tenant):
        entry = JournalEntry.objects.select_for_update(of=("self",), no_key=True).get(pk=entry_id)
        att = EntryAttachment.objects.get(entry=entry, pk=attachment_id)
        if entry.state != EntryState.DRAFT:
            raise ValidationError(_("Attachments of a posted or pending entry cannot be removed."))
        storage, name = att.file.storage, att.file.name
        audit.record_deleted(att, principal.user)
        att.delete()
        transaction.on_commit(lambda: storage.delete(name))


def delete_files_of_entry(entry: JournalEntry) -> None:
    """Called when a draft is deleted (rows go with the entry by cascade): files go after commit."""
    names = [a.file.name for a in EntryAttachment.objects.filter(entry=entry)]
    if names:
        storage = EntryAttachment._meta.get_field("file").storage  # type: ignore[union-attr]

        def remove() -> None:
            for name in names:
                storage.delete(name)

        transaction.on_commit(remove)


def list_attachments(tenant: Tenant, entry_id: int) -> list[EntryAttachment]:
    with in_tenant(tenant):
        entry = JournalEntry.objects.get(tenant=tenant, pk=entry_id)
        return list(EntryAttachment.objects.filter(entry=entry).order_by("uploaded_at", "id"))


def get_attachment(tenant: Tenant, entry_id: int, attachment_id: int) -> EntryAttachment:
    """The attachment of this tenant's entry (DoesNotExist → 404 otherwise)."""
    with in_tenant(tenant):
        return EntryAttachment.objects.select_related("entry").get(tenant=tenant, entry_id=entry_id, pk=attachment_id)


def open_file(att: EntryAttachment) -> IO[bytes]:
    return att.file.storage.open(att.file.name, "rb")
