"""AI gateway (spec §3.1.4 and the NextFlow AI token document): provider keys, credits, usage, budgets, chats.

Provider keys (BYOK) are sealed with AES-256-GCM under a per-tenant data key (``TenantDataKey``) that is
itself wrapped by the platform's master key (see ``crypto.py``). Credits are an append-only ledger
(``CreditEntry``); ``Wallet.balance`` is the spendable balance, moved by conditional updates only, and
always equals the sum of the ledger. ``ModelRate`` and ``CreditPack`` are platform catalogue data (no
tenant), edited by Master Admin.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from novasaas.platform.models import TenantManager, TenantModel, TenantQuerySet


class Provider(models.TextChoices):
    OPENAI = "openai", "OpenAI"
    ANTHROPIC = "anthropic", "Anthropic"
    GOOGLE = "google", "Google AI"
    OPENROUTER = "openrouter", "OpenRouter"


class KeyStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    REVOKED = "revoked", _("Revoked")


class KeySource(models.TextChoices):
    BYOK = "byok", _("Own key (BYOK)")
    SHARED = "shared", _("Shared credits")


class Feature(models.TextChoices):
    CHAT = "chat", _("Chat")
    FUNCTIONS = "functions", _("Function calling")
    RAG = "rag", _("Chat with documents")
    API = "api", _("API")


class TenantDataKey(TenantModel):
    """The tenant's data key (32 random bytes), wrapped by a master key: nonce (12 bytes) + AES-GCM output."""

    wrapped = models.BinaryField()
    master_key_id = models.CharField(max_length=16)
    created_at = models.DateTimeField(default=timezone.now)
    rewrapped_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints: ClassVar = [models.UniqueConstraint(fields=["tenant"], name="ai_datakey_one_per_tenant")]


class ProviderKey(TenantModel):
    """A tenant's own provider key. ``sealed`` never leaves the gateway; only ``last4`` is shown."""

    provider = models.CharField(_("provider"), max_length=12, choices=Provider.choices)
    label = models.CharField(_("label"), max_length=100, blank=True)
    priority = models.PositiveSmallIntegerField(_("priority"), default=100)
    sealed = models.BinaryField(editable=False)
    last4 = models.CharField(_("last 4 characters"), max_length=4, editable=False)
    status = models.CharField(_("status"), max_length=8, choices=KeyStatus.choices, default=KeyStatus.ACTIVE)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)
    # circuit breaker: consecutive failures and until when the key is skipped
    failures = models.PositiveIntegerField(default=0)
    open_until = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering: ClassVar = ["priority", "pk"]

    def __str__(self) -> str:
        return f"{self.get_provider_display()} …{self.last4}"


class ModelRate(models.Model):
    """Platform catalogue: how many tokens one credit buys for a model (separate input and output rates).
    A model without an active rate cannot be used on shared credits."""

    model = models.CharField(_("model"), max_length=100, unique=True)
    provider = models.CharField(_("provider"), max_length=12, choices=Provider.choices)
    input_tokens_per_credit = models.PositiveIntegerField(_("input tokens per credit"))
    output_tokens_per_credit = models.PositiveIntegerField(_("output tokens per credit"))
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering: ClassVar = ["provider", "model"]
        constraints: ClassVar = [
            models.CheckConstraint(
                condition=Q(input_tokens_per_credit__gte=1) & Q(output_tokens_per_credit__gte=1),
                name="ai_rate_positive",
            )
        ]

    def __str__(self) -> str:
        return self.model


class CreditPack(models.Model):
    """Platform catalogue: a pack of shared credits and its price (spec: Small, Medium, Large, Enterprise)."""

    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=100)
    credits = models.PositiveBigIntegerField(_("credits"))
    price_vnd = models.PositiveBigIntegerField(_("price (VND)"))
    valid_days = models.PositiveIntegerField(_("valid for (days)"), default=365)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering: ClassVar = ["credits"]

    def __str__(self) -> str:
        return self.name


class Wallet(TenantModel):
    """Spendable shared credits of a tenant. Moved only by conditional UPDATEs in ``credits.py``."""

    balance = models.BigIntegerField(default=0)
    allow_shared = models.BooleanField(_("use shared credits when no own key serves"), default=True)
    # expiry: what is left of an expiring grant is carried over once for this many days (0: it expires)
    rollover_days = models.PositiveIntegerField(_("carry expiring credits over for (days, 0 = no)"), default=0)
    # automatic top-up: below this balance, buy ``topup_pack`` (0 or no pack: off)
    topup_threshold = models.PositiveBigIntegerField(_("top up when the balance falls below"), default=0)
    topup_pack = models.ForeignKey(
        CreditPack, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("pack to buy")
    )
    # the BYOK platform plan (``catalogue.BYOK_PLANS`` code; "": none chosen) that limits how many providers
    # the company's own keys may cover
    byok_plan = models.CharField(_("BYOK plan"), max_length=20, blank=True, default="")

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["tenant"], name="ai_wallet_one_per_tenant"),
            models.CheckConstraint(condition=Q(balance__gte=0), name="ai_wallet_never_negative"),
        ]


class EntryKind(models.TextChoices):
    PURCHASE = "purchase", _("Purchase")
    GRANT = "grant", _("Grant")
    RESERVATION = "reservation", _("Reservation")
    SETTLEMENT = "settlement", pgettext_lazy("AI wallet", "Settlement")
    RELEASE = "release", _("Release")
    REFUND = "refund", _("Refund")
    EXPIRY = "expiry", _("Expiry")
    ROLLOVER = "rollover", _("Rollover")
    PACK_REFUND = "pack_refund", _("Pack refunded")  # what was left of a pack whose invoice was refunded


class AppendOnlyQuerySet(TenantQuerySet):
    def update(self, **kwargs: Any) -> int:
        raise PermissionError("The credit ledger is append-only")

    def delete(self) -> Any:
        raise PermissionError("The credit ledger is append-only")


class AppendOnlyManager(TenantManager):
    _queryset_class = AppendOnlyQuerySet


class CreditEntry(TenantModel):
    """One movement of credits (signed). The wallet's balance is the sum of these; rows are never changed."""

    kind = models.CharField(_("kind"), max_length=12, choices=EntryKind.choices)
    credits = models.BigIntegerField(_("credits"))
    usage = models.ForeignKey("UsageRecord", on_delete=models.PROTECT, null=True, blank=True, related_name="entries")
    pack = models.ForeignKey(CreditPack, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    price_vnd = models.BigIntegerField(default=0)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    note = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    # a grant, purchase or rollover that expires (None: never); ``lot`` ties an expiry/rollover to its grant,
    # and a pack refund to its purchase
    expires_at = models.DateTimeField(null=True, blank=True)
    lot = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    objects = AppendOnlyManager()  # type: ignore[misc]

    class Meta:
        ordering: ClassVar = ["-pk"]

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise PermissionError("The credit ledger is append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise PermissionError("The credit ledger is append-only")


class UsageStatus(models.TextChoices):
    PENDING = "pending", _("In progress")
    OK = "ok", _("Served")
    PARTIAL = "partial", _("Interrupted (charged for what was produced)")
    FAILED = "failed", _("Failed")
    REFUSED = "refused", _("Refused")


class UsageRecord(TenantModel):
    """One gateway request, whatever its outcome. ``request_id`` makes a request idempotent."""

    request_id = models.CharField(max_length=64)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    feature = models.CharField(_("feature"), max_length=10, choices=Feature.choices)
    provider = models.CharField(_("provider"), max_length=12, blank=True)
    model = models.CharField(_("model"), max_length=100)
    key_source = models.CharField(_("paid by"), max_length=6, choices=KeySource.choices, blank=True)
    provider_key = models.ForeignKey(ProviderKey, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    input_tokens = models.PositiveIntegerField(_("input tokens"), default=0)
    output_tokens = models.PositiveIntegerField(_("output tokens"), default=0)
    reserved_credits = models.PositiveBigIntegerField(default=0)
    credits = models.PositiveBigIntegerField(_("credits"), default=0)
    cost_vnd = models.PositiveBigIntegerField(_("cost (VND)"), default=0)
    latency_ms = models.PositiveIntegerField(_("latency (ms)"), default=0)
    status = models.CharField(_("status"), max_length=8, choices=UsageStatus.choices, default=UsageStatus.PENDING)
    fallback = models.BooleanField(_("fallback"), default=False)
    error = models.CharField(max_length=300, blank=True)
    response = models.JSONField(null=True, blank=True)  # the answer of a served non-streamed request (replay)
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering: ClassVar = ["-pk"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["tenant", "request_id"], name="ai_usage_request_unique"),
        ]
        indexes: ClassVar = [models.Index(fields=["tenant", "created_at"], name="ai_usage_tenant_created")]

    def __str__(self) -> str:
        return self.request_id


class BudgetMode(models.TextChoices):
    SOFT = "soft", _("Alert only")
    HARD = "hard", _("Refuse when reached")


class Budget(TenantModel):
    """A monthly limit of shared credits for the whole company (no user) or one member."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("user"),
    )
    limit_credits = models.PositiveBigIntegerField(_("monthly limit (credits)"))
    mode = models.CharField(_("mode"), max_length=4, choices=BudgetMode.choices, default=BudgetMode.SOFT)
    # the unit the limit was set and is shown in: credits, or VND (kept in credits at credits.VND_PER_CREDIT)
    unit = models.CharField(
        _("unit"), max_length=7, choices=[("credits", _("credits")), ("vnd", "VND")], default="credits"
    )

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["tenant"], condition=Q(user=None), name="ai_budget_one_company"),
            models.UniqueConstraint(fields=["tenant", "user"], name="ai_budget_one_per_user"),
        ]


class BudgetPeriod(TenantModel):
    """What a budget has used (``spent``) and holds (``reserved``) in one month; moved by conditional updates."""

    budget = models.ForeignKey(Budget, on_delete=models.CASCADE, related_name="periods")
    month = models.DateField()
    spent = models.BigIntegerField(default=0)
    reserved = models.BigIntegerField(default=0)

    class Meta:
        constraints: ClassVar = [models.UniqueConstraint(fields=["tenant", "budget", "month"], name="ai_budget_month")]


class BudgetAlert(TenantModel):
    """A threshold (50/80/100 %) already announced for a budget and month: each is sent once."""

    budget = models.ForeignKey(Budget, on_delete=models.CASCADE, related_name="alerts")
    month = models.DateField()
    threshold = models.PositiveSmallIntegerField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["tenant", "budget", "month", "threshold"], name="ai_budget_alert_once")
        ]


class Conversation(TenantModel):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    title = models.CharField(_("title"), max_length=200)
    model = models.CharField(_("model"), max_length=100)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering: ClassVar = ["-pk"]

    def __str__(self) -> str:
        return self.title


class ChatMessage(TenantModel):
    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="messages")
    role = models.CharField(max_length=10)  # user | assistant
    content = models.TextField()
    use_tools = models.BooleanField(default=False)  # a question that may call function tools
    use_documents = models.BooleanField(default=False)  # a question answered from the company's documents
    sources = models.JSONField(null=True, blank=True)  # an answer's cited sources [{n, title, kind, ref}]
    usage = models.ForeignKey(UsageRecord, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering: ClassVar = ["pk"]


class KnowledgeFile(TenantModel):
    """A document uploaded for the assistant (RAG): its text is cut into ``KnowledgeChunk`` rows."""

    title = models.CharField(_("title"), max_length=200)
    filename = models.CharField(_("file name"), max_length=200, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    size = models.PositiveIntegerField(_("size (bytes)"), default=0)
    chunks_count = models.PositiveIntegerField(_("chunks"), default=0)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering: ClassVar = ["-pk"]

    def __str__(self) -> str:
        return self.title


class KnowledgeChunk(TenantModel):
    """A passage of a knowledge file. ``folded`` (lowercase, no accents) is what the full-text index
    matches: PostgreSQL's ``vector`` (GIN), SQLite's FTS5 table ``ai_knowledge_fts`` (see knowledge.py)."""

    file = models.ForeignKey(KnowledgeFile, on_delete=models.CASCADE, related_name="chunks")
    ordinal = models.PositiveIntegerField()
    text = models.TextField()
    folded = models.TextField()
    vector = SearchVectorField(null=True, editable=False)

    class Meta:
        ordering: ClassVar = ["file", "ordinal"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["tenant", "file", "ordinal"], name="ai_chunk_ordinal_unique")
        ]
