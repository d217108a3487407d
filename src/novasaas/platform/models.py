"""Platform tables: tenants, the tenant-scoped base model, audit log, domain-event outbox, numbering."""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models.sql.where import AND
from django.utils import timezone as dj_timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from novasaas.platform.mst import validate_tax_code
from novasaas.platform.tenancy import (
    CrossTenantError,
    NoTenantError,
    current_tenant,
    get_current_tenant,
    in_platform_context,
)


class TenantStatus(models.TextChoices):
    TRIAL = "trial", _("Trial")
    ACTIVE = "active", _("Active")
    SUSPENDED = "suspended", _("Suspended")
    CLOSED = "closed", _("Closed")


slug_validator = RegexValidator(r"^[a-z0-9](?:[a-z0-9-]{0,48}[a-z0-9])?$", _("Lowercase letters, digits and dashes."))


class Tenant(models.Model):
    """A customer company: the unit of isolation. Not itself tenant-scoped."""

    slug = models.CharField(_("slug"), max_length=50, unique=True, validators=[slug_validator])
    name = models.CharField(_("name"), max_length=200)
    legal_name = models.CharField(_("legal name"), max_length=300, blank=True)
    address = models.TextField(_("address"), blank=True)
    tax_code = models.CharField(_("tax code"), max_length=14, blank=True, validators=[validate_tax_code])
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    email = models.EmailField(_("email"), blank=True)
    logo = models.ImageField(_("logo"), upload_to="logos/", blank=True)
    locale = models.CharField(
        _("language"), max_length=5, choices=[("vi", "Tiếng Việt"), ("en", "English")], default="vi"
    )
    timezone = models.CharField(_("time zone"), max_length=64, default="Asia/Ho_Chi_Minh")
    base_currency = models.CharField(_("base currency"), max_length=3, default="VND")
    status = models.CharField(_("status"), max_length=12, choices=TenantStatus.choices, default=TenantStatus.TRIAL)
    enabled_modules = models.JSONField(_("enabled modules"), default=list, blank=True)
    theme_color = models.CharField(
        _("theme colour"), max_length=7, default="#0d6efd", validators=[RegexValidator(r"^#[0-9a-fA-F]{6}$")]
    )
    require_mfa = models.BooleanField(_("require two-factor sign-in"), default=False)
    notification_settings = models.JSONField(default=dict, blank=True)
    dashboard_layout = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(default=dj_timezone.now)

    class Meta:
        ordering: ClassVar = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_usable(self) -> bool:
        return self.status in (TenantStatus.TRIAL, TenantStatus.ACTIVE)

    def has_module(self, code: str) -> bool:
        return code == "CORE" or code in (self.enabled_modules or [])


class TenantQuerySet(models.QuerySet):
    pass


class TenantManager(models.Manager):
    """Filters every query on the current tenant; refuses to run without one.

    It is both the default and the base manager of TenantModel, so related-object access, prefetches,
    ``refresh_from_db`` and deletion collection are scoped too.
    """

    _queryset_class = TenantQuerySet

    def get_queryset(self) -> models.QuerySet:
        qs = super().get_queryset()
        tenant = get_current_tenant()
        if tenant is not None:
            _scope_to_tenant(qs, tenant.pk)
            return qs
        if in_platform_context():
            return qs
        raise NoTenantError(f"{self.model.__name__} queried without a tenant context; use tenant_context(tenant).")


def _scope_to_tenant(qs: models.QuerySet, tenant_id: int) -> None:
    """``qs.filter(tenant_id=…)`` on a fresh queryset, built directly: the same WHERE condition
    (the foreign key's ``exact`` lookup on the base table's column) without the clone and the
    filter-expression resolution of ``filter``, which cost ~0.15 ms per query — a dozen times per
    write request (docs/performance.md, "Write path, CPU")."""
    query = qs.query
    field: Any = query.get_meta().get_field("tenant")
    column = field.get_col(query.get_initial_alias(), field)
    query.where.add(field.get_lookup("exact")(column, tenant_id), AND)


class TenantModel(models.Model):
    """Base class of every business table: a tenant column, a scoped manager, same-tenant writes."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+", editable=False)

    objects = TenantManager()

    class Meta:
        abstract = True
        base_manager_name = "objects"

    def save(self, *args: Any, **kwargs: Any) -> None:
        tenant = get_current_tenant()
        if self.tenant_id is None:
            if tenant is None:
                raise NoTenantError(f"Cannot save {type(self).__name__} without a tenant context")
            self.tenant = tenant
        elif tenant is not None and self.tenant_id != tenant.pk:
            raise CrossTenantError(f"{type(self).__name__} belongs to another tenant")
        self._check_related_tenants()
        super().save(*args, **kwargs)

    def _check_related_tenants(self) -> None:
        for field in self._meta.concrete_fields:
            if not field.is_relation or field.name == "tenant":
                continue
            cached = self._state.fields_cache.get(field.name)
            other_tenant = getattr(cached, "tenant_id", None)
            if other_tenant is not None and other_tenant != self.tenant_id:
                raise CrossTenantError(f"{type(self).__name__}.{field.name} points into another tenant")


def tenant_default() -> int:
    return current_tenant().pk


class AuditAction(models.TextChoices):
    CREATE = "create", _("Created")
    UPDATE = "update", _("Updated")
    DELETE = "delete", _("Deleted")
    LOGIN = "login", _("Signed in")
    LOGIN_FAILED = "login_failed", _("Failed sign-in")
    LOGOUT = "logout", _("Signed out")
    LOCKED_OUT = "locked_out", _("Locked out")
    MFA_CHANGED = "mfa_changed", _("Two-factor changed")
    PASSWORD_CHANGED = "password_changed", _("Password changed")
    ROLE_CHANGED = "role_changed", _("Role or permission changed")
    KEY_CREATED = "key_created", _("API key created")
    KEY_REVOKED = "key_revoked", _("API key revoked")
    TENANT_STATUS = "tenant_status", _("Tenant status changed")
    MODULES_CHANGED = "modules_changed", _("Modules changed")
    SUPPORT_VIEW = "support_view", _("Support view opened")
    TOKEN_REUSE = "token_reuse", _("Refresh token reused")
    SESSION_REVOKED = "session_revoked", _("Session revoked")
    INVITED = "invited", _("User invited")
    OTHER = "other", _("Other")


class AuditLogQuerySet(models.QuerySet):
    def update(self, **kwargs: Any) -> int:
        raise PermissionError("The audit log is append-only")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise PermissionError("The audit log is append-only")


class AuditLog(models.Model):
    """Append-only record of changes and security events. Tenant is null for platform-level events.

    Not a TenantModel: platform events have no tenant. Reads for a tenant go through
    ``novasaas.platform.audit.list_entries(tenant)``; PostgreSQL triggers refuse UPDATE and DELETE.
    """

    tenant = models.ForeignKey(Tenant, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_label = models.CharField(max_length=254, blank=True)
    action = models.CharField(max_length=32, choices=AuditAction.choices)
    object_type = models.CharField(max_length=100, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    object_repr = models.CharField(max_length=300, blank=True)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    message = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=dj_timezone.now, db_index=True)

    objects = AuditLogQuerySet.as_manager()

    class Meta:
        ordering: ClassVar = ["-created_at", "-id"]
        indexes: ClassVar = [models.Index(fields=["tenant", "-created_at"])]

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise PermissionError("The audit log is append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise PermissionError("The audit log is append-only")


class OutboxStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    DONE = "done", pgettext_lazy("message", "Delivered")
    FAILED = "failed", _("Failed")


class OutboxMessage(TenantModel):
    """An event that must leave the process (email, webhook, task): written in the business
    transaction, delivered after commit at least once; handlers are idempotent per message id."""

    event = models.CharField(max_length=100)
    handler = models.CharField(max_length=200)
    payload = models.JSONField(default=dict)
    status = models.CharField(max_length=10, choices=OutboxStatus.choices, default=OutboxStatus.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=dj_timezone.now)
    delivered_at = models.DateTimeField(null=True, blank=True)
    # Lease of the delivery in progress: a worker claims a message by counting an attempt and setting
    # this in its own committed statement, so a worker killed mid-delivery still counts the attempt
    # and the message is retried once the lease has expired (platform/events.py, deliver_pending).
    locked_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes: ClassVar = [models.Index(fields=["status", "created_at"])]


class EffectMarker(TenantModel):
    """An outside effect that happened (an email accepted by the mail server, a webhook answered 2xx),
    written as soon as it happened: a redelivery of the same outbox message finds it and does not
    repeat the effect. ``key`` names message and recipient, e.g. ``email:42:an@example.vn``."""

    key = models.CharField(max_length=300)
    created_at = models.DateTimeField(default=dj_timezone.now)

    class Meta:
        constraints: ClassVar = [models.UniqueConstraint(fields=["tenant", "key"], name="platform_effect_unique")]


class WorkerHeartbeat(models.Model):
    """A background worker process and when it last proved alive (a thread beats every few seconds,
    also while a long task runs). A task whose worker stopped beating is re-queued (platform/worker.py).
    Not tenant-scoped: workers serve every tenant."""

    worker_id = models.CharField(max_length=64, primary_key=True)
    host = models.CharField(max_length=200, blank=True)
    pid = models.PositiveIntegerField(default=0)
    started_at = models.DateTimeField(default=dj_timezone.now)
    seen_at = models.DateTimeField(default=dj_timezone.now)


class Sequence(TenantModel):
    """Gapless document numbers per tenant, key and period (e.g. journal 'GL', year 2026)."""

    key = models.CharField(max_length=60)
    period = models.CharField(max_length=20, blank=True, default="")
    next_value = models.PositiveBigIntegerField(default=1)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["tenant", "key", "period"], name="platform_sequence_unique"),
        ]


class Notification(TenantModel):
    """One message to one member (spec §3.1.5): shown in the bell and the list until read."""

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("kind"), max_length=60)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("content"), blank=True)
    url = models.CharField(_("link"), max_length=500, blank=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=dj_timezone.now)

    class Meta:
        ordering: ClassVar = ["-created_at", "-id"]
        indexes: ClassVar = [models.Index(fields=["tenant", "recipient", "read_at"])]

    def __str__(self) -> str:
        return self.title


class NotificationPreference(TenantModel):
    """How one member wants one kind of notification: in the app, by email, both or neither."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("kind"), max_length=60)
    in_app = models.BooleanField(_("in the app"), default=True)
    email = models.BooleanField(_("by email"), default=False)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["tenant", "user", "kind"], name="platform_notifpref_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id}:{self.kind}"


class IdempotencyKey(TenantModel):
    """An API request made with an ``Idempotency-Key`` header and its response, replayed to a retry of
    the same request by the same principal for 24 hours (see ``platform.idempotency``)."""

    principal = models.CharField(max_length=40)  # "user:<id>" or "api_key:<id>"
    key = models.CharField(max_length=255)
    request_hash = models.CharField(max_length=64)
    status = models.PositiveSmallIntegerField(null=True)
    content_type = models.CharField(max_length=100, blank=True)
    body = models.BinaryField(default=b"")
    created_at = models.DateTimeField(default=dj_timezone.now)
    expires_at = models.DateTimeField()

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["tenant", "principal", "key"], name="platform_idempotency_unique"),
        ]
        indexes: ClassVar = [models.Index(fields=["tenant", "expires_at"])]

    def __str__(self) -> str:
        return f"{self.principal}:{self.key}"
