"""Users (platform-wide), memberships in tenants, roles and permissions, API keys, tokens, sessions."""

from __future__ import annotations

import uuid
from typing import Any, ClassVar

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from novasaas.platform.models import TenantModel


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:
        if not email:
            raise ValueError("email is required")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("platform_role", PlatformRole.MASTER_ADMIN)
        return self.create_user(email, password, **extra)


class PlatformRole(models.TextChoices):
    NONE = "", _("None")
    MASTER_ADMIN = "master_admin", _("Master Admin")
    SUPPORT = "support", _("Support Staff")


class User(AbstractBaseUser):
    """A person who signs in. Platform-level: one user may belong to several tenants."""

    email = models.EmailField(_("email"), unique=True)
    full_name = models.CharField(_("full name"), max_length=200, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    locale = models.CharField(
        _("language"), max_length=5, blank=True, choices=[("vi", "Tiếng Việt"), ("en", "English")]
    )
    is_active = models.BooleanField(_("active"), default=True)
    platform_role = models.CharField(
        _("platform role"), max_length=20, choices=PlatformRole.choices, blank=True, default=""
    )
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        ordering: ClassVar = ["email"]

    def __str__(self) -> str:
        return self.full_name or self.email

    @property
    def is_master_admin(self) -> bool:
        return self.platform_role == PlatformRole.MASTER_ADMIN

    @property
    def is_platform_staff(self) -> bool:
        return self.platform_role in (PlatformRole.MASTER_ADMIN, PlatformRole.SUPPORT)

    # Django's auth machinery (password reset, ``request.user``) asks these.
    @property
    def is_staff(self) -> bool:
        return False

    def has_perm(self, perm: str, obj: Any = None) -> bool:
        return False

    def has_module_perms(self, app_label: str) -> bool:
        return False


class Membership(TenantModel):
    """A user's place in a tenant; its roles give its permissions there."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["tenant", "user"], name="identity_membership_unique"),
        ]

    def __str__(self) -> str:
        return str(self.user)


class Role(TenantModel):
    code = models.SlugField(_("code"), max_length=60)
    name = models.CharField(_("name"), max_length=120)
    name_en = models.CharField(_("English name"), max_length=120, blank=True)
    description = models.CharField(_("description"), max_length=300, blank=True)
    is_system = models.BooleanField(_("default role"), default=False)
    # False: a default role that grants the catalogue's permissions for its code (no RolePermission
    # row); True: the grants are the role's rows (a custom role, or a default role the tenant edited).
    has_own_grants = models.BooleanField(default=True)

    class Meta:
        ordering: ClassVar = ["id"]
        constraints: ClassVar = [models.UniqueConstraint(fields=["tenant", "code"], name="identity_role_code_unique")]

    def __str__(self) -> str:
        return self.name


class RolePermission(TenantModel):
    role = models.ForeignKey(Role, on_delete=models.CASCADE, related_name="permissions")
    permission = models.CharField(max_length=80)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["tenant", "role", "permission"], name="identity_roleperm_unique"),
        ]


class MembershipRole(TenantModel):
    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="role_links")
    role = models.ForeignKey(Role, on_delete=models.CASCADE, related_name="membership_links")

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["tenant", "membership", "role"], name="identity_membershiprole_unique"),
        ]


class Invitation(TenantModel):
    email = models.EmailField(_("email"))
    role_codes = models.JSONField(default=list)
    secret_hash = models.CharField(max_length=64)
    invited_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering: ClassVar = ["-created_at"]

    def __str__(self) -> str:
        return self.email

    @property
    def status(self) -> str:
        if self.accepted_at:
            return "accepted"
        if self.revoked_at:
            return "revoked"
        if self.expires_at < timezone.now():
            return "expired"
        return "pending"


class ApiKey(TenantModel):
    """A tenant API key: shown once, stored as a SHA-256 hash, limited to chosen permissions."""

    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(max_length=16)
    secret_hash = models.CharField(max_length=64)
    permissions = models.JSONField(default=list)
    created_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering: ClassVar = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class RefreshToken(TenantModel):
    """One link of a rotating refresh-token family; a replayed (already used) token revokes the family."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    family = models.UUIDField(default=uuid.uuid4, db_index=True)
    secret_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)


class UserSession(models.Model):
    """A signed-in browser session, listed on the user's sessions page and revocable there."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="web_sessions")
    session_key = models.CharField(max_length=64, unique=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_seen_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering: ClassVar = ["-last_seen_at"]


class RevokedSession(models.Model):
    """A signed-out or revoked API session (a refresh-token family): its access tokens, which carry the
    family id as ``sid``, are refused until ``expires_at``, after which all of them have expired anyway.

    Platform-level like UserSession: tokens are checked before any tenant is known. Each process keeps
    the unexpired rows in memory (identity/tokens.py), so the check stays a set look-up.
    """

    sid = models.CharField(max_length=64, unique=True)
    revoked_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(db_index=True)


class KnownDevice(models.Model):
    """A browser that signed in to ``user`` successfully; its signed cookie lets it sign in while the
    account is locked out for unknown devices. It has its own failure count and lockout."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="known_devices")
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(default=timezone.now)
    failures = models.PositiveIntegerField(default=0)
    locked_until = models.DateTimeField(null=True, blank=True)
