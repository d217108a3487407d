"""Billing tables (spec §12). They belong to the platform, not to a tenant: none is a TenantModel.

The catalogue (plans, industry packages, add-ons and their versioned prices) has no tenant at all.
Subscriptions and their charges name a tenant but are platform rows: they are read through
``platform_context()`` or with an explicit ``tenant=`` filter (``billing.selectors``), and on
PostgreSQL row-level security (the same policy as tenant tables) still hides another tenant's rows
from a tenant transaction.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from novasaas.platform.models import Tenant


def money_field(verbose_name: Any = None, **kwargs: Any) -> models.DecimalField:
    """Whole đồng."""
    return models.DecimalField(verbose_name, max_digits=16, decimal_places=0, **kwargs)


class PlanKind(models.TextChoices):
    PLAN = "plan", _("Plan")
    PACKAGE = "package", _("Industry package")


# The limits a plan sets; None in a plan's field means unlimited.
LIMITS = ("users", "customers", "products", "warehouses", "orders_per_month", "storage_mb")


class Plan(models.Model):
    """A plan (Free Forever … Enterprise) or an industry package: modules, limits and feature flags.
    Its prices are ``PriceVersion`` rows, never fields here."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=PlanKind.choices, default=PlanKind.PLAN)
    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100, blank=True)
    position = models.PositiveSmallIntegerField(pgettext_lazy("order", "position"), default=0)
    is_active = models.BooleanField(_("offered"), default=True)
    trial_days = models.PositiveSmallIntegerField(_("trial days"), default=0)
    included_users = models.PositiveIntegerField(_("users included"), null=True, blank=True)
    modules = models.JSONField(_("modules"), default=list, blank=True)
    max_users = models.PositiveIntegerField(_("users"), null=True, blank=True)
    max_customers = models.PositiveIntegerField(_("customers"), null=True, blank=True)
    max_products = models.PositiveIntegerField(_("products"), null=True, blank=True)
    max_warehouses = models.PositiveIntegerField(_("warehouses"), null=True, blank=True)
    max_orders_per_month = models.PositiveIntegerField(_("orders per month"), null=True, blank=True)
    max_storage_mb = models.PositiveIntegerField(_("storage (MB)"), null=True, blank=True)
    features = models.JSONField(_("features"), default=dict, blank=True)

    class Meta:
        ordering: ClassVar = ["kind", "position", "code"]

    def __str__(self) -> str:
        return self.name

    def limit(self, name: str) -> int | None:
        value: int | None = getattr(self, f"max_{name}")
        return value


class AddOnUnit(models.TextChoices):
    MONTH = "month", _("per month")
    ONE_OFF = "one_off", _("one-off")


class AddOn(models.Model):
    """Something sold on top of any plan (§12.5). ``limit`` names the limit each unit raises and
    ``limit_step`` by how much (extra users: users +1; extra storage: storage_mb +10240)."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100, blank=True)
    unit = models.CharField(_("unit"), max_length=10, choices=AddOnUnit.choices, default=AddOnUnit.MONTH)
    limit = models.CharField(_("raises limit"), max_length=20, blank=True)
    limit_step = models.PositiveIntegerField(_("per unit"), default=0)
    is_active = models.BooleanField(_("offered"), default=True)
    position = models.PositiveSmallIntegerField(pgettext_lazy("order", "position"), default=0)

    class Meta:
        ordering: ClassVar = ["position", "code"]

    def __str__(self) -> str:
        return self.name


class PriceVersion(models.Model):
    """One price of a plan or an add-on, from ``valid_from``. A change adds a version; a subscription
    keeps the version it was sold at until its renewal."""

    plan = models.ForeignKey(Plan, null=True, blank=True, on_delete=models.PROTECT, related_name="prices")
    addon = models.ForeignKey(AddOn, null=True, blank=True, on_delete=models.PROTECT, related_name="prices")
    version = models.PositiveIntegerField()
    monthly_price = money_field(_("price per month"))
    extra_user_price = money_field(_("price per extra user per month"), default=0)
    annual_discount_percent = models.DecimalField(_("annual discount %"), max_digits=5, decimal_places=2, default=20)
    valid_from = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering: ClassVar = ["-version"]
        constraints: ClassVar = [
            models.CheckConstraint(
                condition=(Q(plan__isnull=False, addon__isnull=True) | Q(plan__isnull=True, addon__isnull=False)),
                name="billing_price_one_owner",
            ),
            models.UniqueConstraint(fields=["plan", "version"], name="billing_price_plan_version"),
            models.UniqueConstraint(fields=["addon", "version"], name="billing_price_addon_version"),
            models.CheckConstraint(
                condition=Q(monthly_price__gte=0, extra_user_price__gte=0), name="billing_price_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(annual_discount_percent__gte=0, annual_discount_percent__lte=100),
                name="billing_price_discount_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.plan or self.addon} v{self.version}"


class Period(models.TextChoices):
    MONTHLY = "monthly", _("Monthly")
    ANNUAL = "annual", _("Annual")


class SubscriptionStatus(models.TextChoices):
    TRIALING = "trialing", _("Trial")
    ACTIVE = "active", _("Active")
    PAST_DUE = "past_due", _("Past due")
    READ_ONLY = "read_only", _("Read-only")
    CANCELLED = "cancelled", _("Cancelled")


class Subscription(models.Model):
    """The one current subscription of a tenant. Locked (``select_for_update``) by every change and by
    the limit guard, so two requests never both take the last allowed seat."""

    tenant = models.OneToOneField(Tenant, on_delete=models.CASCADE, related_name="+")
    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="+")
    price = models.ForeignKey(PriceVersion, on_delete=models.PROTECT, related_name="+")
    period = models.CharField(_("billing period"), max_length=10, choices=Period.choices, default=Period.MONTHLY)
    status = models.CharField(
        _("status"), max_length=12, choices=SubscriptionStatus.choices, default=SubscriptionStatus.ACTIVE
    )
    trial_ends_on = models.DateField(_("trial ends"), null=True, blank=True)
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))  # exclusive: the next period starts that day
    extra_users = models.PositiveIntegerField(_("extra users"), default=0)
    next_plan = models.ForeignKey(Plan, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    next_period = models.CharField(max_length=10, choices=Period.choices, blank=True)
    next_extra_users = models.PositiveIntegerField(null=True, blank=True)
    # cancelled by the tenant: the subscription ends (status cancelled) at ``period_end``, no refund
    cancel_at_period_end = models.BooleanField(_("cancels at the end of the period"), default=False)
    cancelled_on = models.DateField(_("cancelled on"), null=True, blank=True)
    trial_reminders_sent = models.PositiveSmallIntegerField(default=0)  # of TRIAL_REMINDER_DAYS
    # a per-tenant discount set by the Master Admin, taken off every invoice's subtotal issued up to
    # ``discount_until`` (inclusive; empty = no end)
    discount_percent = models.DecimalField(_("discount %"), max_digits=5, decimal_places=2, default=0)
    discount_until = models.DateField(_("discount until"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints: ClassVar = [
            models.CheckConstraint(condition=Q(period_end__gt=models.F("period_start")), name="billing_sub_period"),
            models.CheckConstraint(
                condition=Q(discount_percent__gte=0, discount_percent__lte=100), name="billing_sub_discount_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.tenant_id}: {self.plan}"

    def discount_on(self, day: dt.date) -> Decimal:
        """The discount % an invoice issued on ``day`` takes (0 after the discount's end date)."""
        if self.discount_until is not None and day > self.discount_until:
            return Decimal(0)
        return Decimal(self.discount_percent)

    @property
    def discount_now(self) -> Decimal:
        """The discount % of an invoice issued today (pages)."""
        return self.discount_on(timezone.localdate())


class SubscriptionAddOn(models.Model):
    """An add-on of a subscription with its quantity and the price version it was sold at."""

    subscription = models.ForeignKey(Subscription, on_delete=models.CASCADE, related_name="addons")
    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+")
    addon = models.ForeignKey(AddOn, on_delete=models.PROTECT, related_name="+")
    price = models.ForeignKey(PriceVersion, on_delete=models.PROTECT, related_name="+")
    quantity = models.PositiveIntegerField(default=1)
    next_quantity = models.PositiveIntegerField(null=True, blank=True)  # from the next period; 0 = removed
    started_on = models.DateField()

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["subscription", "addon"], name="billing_sub_addon_unique"),
        ]


class ChargeKind(models.TextChoices):
    PLAN = "plan", _("Plan")
    EXTRA_USERS = "extra_users", _("Extra users")
    ADDON = "addon", _("Add-on")
    PRORATA = "prorata", _("Pro-rata adjustment")
    DISCOUNT = "discount", _("Discount")
    CREDIT = "credit", _("Credit note")
    AI_CREDITS = "ai_credits", _("AI credit pack")
    AI_BYOK = "ai_byok", _("AI BYOK plan")


# kinds another app may charge through ``billing.actions.add_charge``
EXTERNAL_CHARGE_KINDS = (ChargeKind.AI_CREDITS, ChargeKind.AI_BYOK)


class Charge(models.Model):
    """An amount owed by a tenant, not yet invoiced when ``invoiced`` is false: the period's plan fee at
    renewal, a pro-rata amount at an upgrade, or a charge from another app (``add_charge``: an AI
    credit pack, a BYOK plan fee) identified by ``source_ref``. Whole đồng, never negative."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+")
    # empty for another app's charge to a tenant without subscription (an AI pack bought)
    subscription = models.ForeignKey(
        Subscription, null=True, blank=True, on_delete=models.CASCADE, related_name="charges"
    )
    kind = models.CharField(max_length=12, choices=ChargeKind.choices)
    description = models.CharField(max_length=300)
    on = models.DateField()
    amount = money_field()
    invoiced = models.BooleanField(default=False)
    invoice = models.ForeignKey("PlatformInvoice", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    # the caller's identity of the charge (``add_charge``): one charge per tenant and reference
    source_ref = models.CharField(max_length=120, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering: ClassVar = ["on", "id"]
        constraints: ClassVar = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="billing_charge_positive"),
            models.UniqueConstraint(
                fields=["tenant", "source_ref"], condition=~Q(source_ref=""), name="billing_charge_source_ref"
            ),
        ]


class SubscriptionEvent(models.Model):
    """History of a subscription (start, plan change, status change), shown to the tenant and the
    Master Admin; the audit log holds the same with the actor."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+")
    subscription = models.ForeignKey(Subscription, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=30)
    detail = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering: ClassVar = ["-created_at", "-id"]


class InvoiceStatus(models.TextChoices):
    ISSUED = "issued", _("Issued")
    PAID = "paid", _("Paid")
    VOID = "void", _("Void")


class InvoiceCounter(models.Model):
    """Gapless numbering of the platform's invoices per year (locked while a number is taken)."""

    year = models.PositiveIntegerField(primary_key=True)
    next_value = models.PositiveIntegerField(default=1)


class PlatformInvoice(models.Model):
    """An invoice of the platform (seller, legal data from settings) to a tenant, in VND with VAT."""

    tenant = models.ForeignKey(Tenant, on_delete=models.PROTECT, related_name="+")
    number = models.CharField(_("number"), max_length=30, unique=True)
    issued_on = models.DateField(_("issued on"))
    due_on = models.DateField(_("due on"))
    status = models.CharField(_("status"), max_length=10, choices=InvoiceStatus.choices, default=InvoiceStatus.ISSUED)
    discount = money_field(_("discount"), default=0)  # taken off the lines; subtotal is after it
    credit = money_field(_("credit notes"), default=0)  # credits applied; subtotal is after them too
    subtotal = money_field(_("subtotal"))
    vat_rate = models.DecimalField(_("VAT %"), max_digits=5, decimal_places=2, default=10)
    vat = money_field(_("VAT"))
    total = money_field(_("total"))
    paid = money_field(_("paid"), default=0)
    refunded = money_field(_("refunded"), default=0)  # Σ refunds (credit notes); never above ``paid``
    paid_at = models.DateTimeField(null=True, blank=True)
    reminders_sent = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering: ClassVar = ["-issued_on", "-id"]
        constraints: ClassVar = [
            models.CheckConstraint(condition=Q(total=models.F("subtotal") + models.F("vat")), name="billing_inv_total"),
            models.CheckConstraint(
                condition=Q(refunded__gte=0, refunded__lte=models.F("paid")), name="billing_inv_refund_le_paid"
            ),
        ]

    def __str__(self) -> str:
        return self.number


class PlatformInvoiceLine(models.Model):
    invoice = models.ForeignKey(PlatformInvoice, on_delete=models.CASCADE, related_name="lines")
    tenant = models.ForeignKey(Tenant, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=12, choices=ChargeKind.choices)
    description = models.CharField(max_length=300)
    amount = money_field()

    class Meta:
        ordering: ClassVar = ["id"]


class PaymentMethod(models.TextChoices):
    BANK = "bank", _("Bank transfer")
    GATEWAY = "gateway", _("Payment gateway")


class PlatformPayment(models.Model):
    """A payment of a platform invoice: recorded by the Master Admin (bank transfer) or by a verified
    gateway callback. ``reference`` is unique per method, so a repeated callback records nothing."""

    invoice = models.ForeignKey(PlatformInvoice, on_delete=models.PROTECT, related_name="payments")
    tenant = models.ForeignKey(Tenant, on_delete=models.PROTECT, related_name="+")
    method = models.CharField(max_length=10, choices=PaymentMethod.choices)
    reference = models.CharField(max_length=100)
    amount = money_field()
    received_at = models.DateTimeField(default=timezone.now)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["method", "reference"], name="billing_payment_reference"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="billing_payment_positive"),
        ]


class MrrSnapshot(models.Model):
    """A tenant's MRR at the end of a month (the last daily run of the month wins): the history behind
    the console's new / expansion / contraction / churn split. Written by the daily run for the running
    month; months before billing ran have no row (read as 0)."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+")
    month = models.DateField()  # first day of the month
    mrr = money_field()
    plan = models.CharField(max_length=40, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering: ClassVar = ["month", "tenant_id"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["tenant", "month"], name="billing_mrr_tenant_month"),
            models.CheckConstraint(condition=Q(mrr__gte=0), name="billing_mrr_not_negative"),
        ]


class PromotionKind(models.TextChoices):
    FIRST_MONTH = "first_month", _("Percentage off the first month of the new plan")
    FREE_SETUP = "free_setup", _("Free set-up")


class Promotion(models.Model):
    """An upgrade offer of the catalogue (§12.6), applied once per tenant when it upgrades from
    ``from_plan`` (any plan when empty) to ``to_plan`` while the promotion is offered: ``first_month``
    gives a credit note of ``percent`` of the new plan's monthly price; ``free_setup`` waives the set-up
    (the catalogue sells none: it is recorded in the subscription's history)."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=150)
    kind = models.CharField(_("kind"), max_length=12, choices=PromotionKind.choices)
    from_plan = models.ForeignKey(
        Plan, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("from plan")
    )
    to_plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="+", verbose_name=_("to plan"))
    percent = models.DecimalField(_("percent"), max_digits=5, decimal_places=2, default=0)
    is_active = models.BooleanField(_("offered"), default=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)

    class Meta:
        ordering: ClassVar = ["code"]
        constraints: ClassVar = [
            models.CheckConstraint(condition=Q(percent__gte=0, percent__lte=100), name="billing_promo_percent"),
        ]

    def __str__(self) -> str:
        return self.name


class CreditKind(models.TextChoices):
    PROMOTION = "promotion", _("Promotion")
    DOWNGRADE = "downgrade", _("Downgrade")


class PlatformCredit(models.Model):
    """A credit note to a tenant (a promotion, a downgrade applied within a paid period): taken off its
    next invoices (``invoice`` = the one it was applied to; a credit larger than an invoice is split)."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=12, choices=CreditKind.choices)
    description = models.CharField(max_length=300)
    amount = money_field()
    created_on = models.DateField()
    promotion = models.ForeignKey(Promotion, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    invoice = models.ForeignKey(PlatformInvoice, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering: ClassVar = ["created_on", "id"]
        constraints: ClassVar = [models.CheckConstraint(condition=Q(amount__gt=0), name="billing_credit_positive")]


class RefundCounter(models.Model):
    """Gapless numbering of the platform's refund credit notes per year (``NSR-<year>-<00001>``)."""

    year = models.PositiveIntegerField(primary_key=True)
    next_value = models.PositiveIntegerField(default=1)


class PlatformRefund(models.Model):
    """A refund of money paid on a platform invoice: a numbered credit note (a platform document with its
    PDF), paid back the way the money came (``method``): through the payment gateway (``provider_ref`` =
    the provider's refund id) or by a bank transfer the Master Admin made and records (``provider_ref`` =
    the bank's reference). ``total`` = ``subtotal`` + ``vat``, the invoice's VAT in proportion; the refunds
    of an invoice never exceed what was paid on it, per method."""

    tenant = models.ForeignKey(Tenant, on_delete=models.PROTECT, related_name="+")
    invoice = models.ForeignKey(PlatformInvoice, on_delete=models.PROTECT, related_name="refunds")
    number = models.CharField(_("number"), max_length=30, unique=True)
    issued_on = models.DateField(_("issued on"))
    reason = models.CharField(_("reason"), max_length=300)
    subtotal = money_field(_("subtotal"))
    vat = money_field(_("VAT"))
    total = money_field(_("total"))
    method = models.CharField(
        _("paid back by"), max_length=10, choices=PaymentMethod.choices, default=PaymentMethod.GATEWAY
    )
    provider_ref = models.CharField(_("refund reference"), max_length=100, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering: ClassVar = ["-issued_on", "-id"]
        constraints: ClassVar = [
            models.CheckConstraint(
                condition=Q(total=models.F("subtotal") + models.F("vat")), name="billing_refund_total"
            ),
            models.CheckConstraint(
                condition=Q(total__gt=0, subtotal__gte=0, vat__gte=0), name="billing_refund_positive"
            ),
        ]

    def __str__(self) -> str:
        return self.number
