"""Documents (spec §10, module DMS): folders with permissions, documents with versions, locks, tags,
comments, shares and the trash.

Files are stored through Django's storage API under ``dms/<tenant id>/<random>.<ext>`` and are only
ever reached through a tenant-scoped ``DocumentVersion`` row (see ``files.py`` and the views). The
check-out lock (the spec's DocumentCheckout) is the pair ``checked_out_by``/``checked_out_at`` on the
document: one lock per document, taken and released with a conditional update.
"""

from __future__ import annotations

import uuid
from pathlib import PurePosixPath
from typing import ClassVar

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from novasaas.platform.models import Tenant, TenantManager, TenantModel

GIB = 1024**3
MIB = 1024**2


class DmsSettings(TenantModel):
    """The tenant's document settings: the storage quota (a tenant setting until plans set it), the
    largest file accepted and how long trashed documents are kept before they are purged."""

    quota_bytes = models.BigIntegerField(_("storage quota (bytes)"), default=5 * GIB)
    max_file_bytes = models.BigIntegerField(_("largest file (bytes)"), default=25 * MIB)
    trash_retention_days = models.PositiveIntegerField(_("days kept in the trash"), default=30)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["tenant"], name="documents_settings_one_per_tenant"),
            models.CheckConstraint(condition=Q(quota_bytes__gte=0), name="documents_settings_quota_ge_0"),
            models.CheckConstraint(condition=Q(max_file_bytes__gt=0), name="documents_settings_max_file_gt_0"),
        ]

    def __str__(self) -> str:
        return f"DMS settings {self.tenant_id}"


class AccessLevel(models.IntegerChoices):
    VIEW = 1, _("View")
    EDIT = 2, _("Edit")
    MANAGE = 3, _("Manage")


class Folder(TenantModel):
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=pgettext_lazy("folder", "parent"),
    )
    name = models.CharField(_("name"), max_length=120)
    # "acc.entry:123": the folder of one business record's attachments (§11.2), blank otherwise
    record_label = models.CharField(_("record"), max_length=80, blank=True, default="")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering: ClassVar = ["name", "id"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["tenant", "parent", "name"], name="documents_folder_name_unique"),
            models.UniqueConstraint(
                fields=["tenant", "name"], condition=Q(parent__isnull=True), name="documents_root_folder_name_unique"
            ),
            models.UniqueConstraint(
                fields=["tenant", "record_label"], condition=~Q(record_label=""), name="documents_folder_record_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class FolderPermission(TenantModel):
    """A grant on a folder (and its sub-folders that have no grants of their own) to a role or a user."""

    folder = models.ForeignKey(Folder, on_delete=models.CASCADE, related_name="grants")
    role_code = models.CharField(_("role"), max_length=40, blank=True, default="")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    level = models.PositiveSmallIntegerField(_("access"), choices=AccessLevel.choices)

    class Meta:
        ordering: ClassVar = ["id"]
        constraints: ClassVar = [
            models.CheckConstraint(
                condition=(Q(user__isnull=True) & ~Q(role_code="")) | (Q(user__isnull=False) & Q(role_code="")),
                name="documents_grant_role_xor_user",
            ),
            models.CheckConstraint(condition=Q(level__gte=1) & Q(level__lte=3), name="documents_grant_level_range"),
        ]

    def __str__(self) -> str:
        return f"{self.folder_id}:{self.role_code or self.user_id}={self.level}"


class DocumentStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    IN_REVIEW = "in_review", _("In review")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class Document(TenantModel):
    folder = models.ForeignKey(Folder, on_delete=models.PROTECT, related_name="documents", verbose_name=_("folder"))
    name = models.CharField(_("name"), max_length=200)
    status = models.CharField(_("status"), max_length=12, choices=DocumentStatus.choices, default=DocumentStatus.DRAFT)
    current_version = models.ForeignKey(
        "DocumentVersion", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    checked_out_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    checked_out_at = models.DateTimeField(null=True, blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True)
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering: ClassVar = ["name", "id"]
        indexes: ClassVar = [
            models.Index(fields=["tenant", "folder", "deleted_at"], name="documents_doc_folder_idx"),
            models.Index(fields=["tenant", "-updated_at", "-id"], name="documents_doc_updated_idx"),  # newest first
        ]

    def __str__(self) -> str:
        return self.name


def version_path(instance: DocumentVersion, filename: str) -> str:
    """Tenant-prefixed random storage name: ``dms/<tenant id>/<random>.<ext>``."""
    ext = PurePosixPath(filename).suffix.lower()[:8]
    return f"dms/{instance.tenant_id}/{uuid.uuid4().hex}{ext}"


class DocumentVersion(TenantModel):
    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    file = models.FileField(_("file"), upload_to=version_path, max_length=200)
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("type"), max_length=100)
    size = models.BigIntegerField(_("size"))
    sha256 = models.CharField(max_length=64, editable=False)
    comment = models.CharField(_("comment"), max_length=300, blank=True, default="")
    text = models.TextField(blank=True, default="", editable=False)  # extracted for search
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering: ClassVar = ["-number"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["tenant", "document", "number"], name="documents_version_number_unique"),
            models.CheckConstraint(condition=Q(size__gte=0), name="documents_version_size_ge_0"),
        ]

    def __str__(self) -> str:
        return f"{self.original_name} v{self.number}"


class DocumentTag(TenantModel):
    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="tags")
    name = models.CharField(_("tag"), max_length=50)

    class Meta:
        ordering: ClassVar = ["name"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["tenant", "document", "name"], name="documents_tag_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class DocumentComment(TenantModel):
    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    body = models.TextField(_("comment"), max_length=2000)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering: ClassVar = ["created_at", "id"]

    def __str__(self) -> str:
        return self.body[:50]


class DocumentShare(TenantModel):
    """A document shared with one member (``user``) or by link (a random token, optional password, expiry)."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="shares")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    # sha256 of the link's random token (the token itself is shown once, when the link is made)
    token_hash = models.CharField(max_length=64, null=True, blank=True, db_index=True, editable=False)
    password_hash = models.CharField(max_length=200, blank=True, default="", editable=False)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering: ClassVar = ["-created_at", "-id"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["tenant", "token_hash"], name="documents_share_token_unique"),
            models.CheckConstraint(
                condition=(Q(user__isnull=False) & Q(token_hash__isnull=True))
                | (Q(user__isnull=True) & Q(token_hash__isnull=False) & Q(expires_at__isnull=False)),
                name="documents_share_user_xor_link",
            ),
        ]

    def __str__(self) -> str:
        return f"share {self.pk} of {self.document_id}"


class WorkflowStatus(models.TextChoices):
    OPEN = "open", _("In progress")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    CANCELLED = "cancelled", _("Cancelled")


class DocumentWorkflow(TenantModel):
    """An approval of one document: ordered steps, each decided by its reviewer in turn."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="workflows")
    version = models.ForeignKey(DocumentVersion, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    status = models.CharField(_("status"), max_length=12, choices=WorkflowStatus.choices, default=WorkflowStatus.OPEN)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering: ClassVar = ["-created_at", "-id"]
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["tenant", "document"], condition=Q(status="open"), name="documents_one_open_workflow"
            ),
        ]

    def __str__(self) -> str:
        return f"workflow {self.pk} of {self.document_id}"


class StepDecision(models.TextChoices):
    PENDING = "pending", pgettext_lazy("approval", "Pending")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    SKIPPED = "skipped", _("Not reached")


class WorkflowStep(TenantModel):
    workflow = models.ForeignKey(DocumentWorkflow, on_delete=models.CASCADE, related_name="steps")
    order = models.PositiveSmallIntegerField(_("step"))
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decision = models.CharField(
        _("decision"), max_length=10, choices=StepDecision.choices, default=StepDecision.PENDING
    )
    comment = models.CharField(_("comment"), max_length=1000, blank=True, default="")
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering: ClassVar = ["order"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["tenant", "workflow", "order"], name="documents_step_order_unique"),
        ]

    def __str__(self) -> str:
        return f"step {self.order} of {self.workflow_id}"


class DocumentSearch(models.Model):
    """A document's search text: name, tags and the current version's text, lowercased without accents
    (``platform.search.fold``). Kept apart from ``Document`` and **without row-level security**: the
    PostgreSQL full-text operator ``@@`` is not leakproof, and RLS forbids an index scan on a condition
    that is not leakproof, so on a table with RLS the GIN index could never be used. Isolation is the
    application's: the manager is tenant-scoped like every TenantModel's, and the search filters the
    tenant explicitly; rows are reached only through ``selectors.search_documents``, which joins
    ``Document`` (with RLS) before anything is shown."""

    document = models.OneToOneField(Document, on_delete=models.CASCADE, primary_key=True, related_name="+")
    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+", editable=False)
    text = models.TextField(blank=True, default="")
    # PostgreSQL: to_tsvector('simple', text), written with the text (GIN index documents_search_fts);
    # stored so that matching a row never recomputes it. NULL elsewhere.
    vector = SearchVectorField(null=True, editable=False)

    objects = TenantManager()

    class Meta:
        base_manager_name = "objects"

    def __str__(self) -> str:
        return f"search text of {self.document_id}"


class DocumentTemplate(TenantModel):
    """A DOCX document of the tenant's DMS with ``{{ field }}`` placeholders, filled from one record of a
    registered kind (``attachments.RECORD_KINDS``: an employee, a sales quotation …) into a new document
    of ``folder`` (``templating.generate_document``)."""

    name = models.CharField(_("name"), max_length=120)
    record_kind = models.CharField(_("record kind"), max_length=40)
    source = models.ForeignKey(
        Document, on_delete=models.PROTECT, related_name="+", verbose_name=_("template file (DOCX)")
    )
    folder = models.ForeignKey(
        Folder, on_delete=models.PROTECT, related_name="+", verbose_name=_("folder of the generated documents")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering: ClassVar = ["name", "id"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["tenant", "name"], name="documents_template_unique_name")
        ]

    def __str__(self) -> str:
        return self.name
