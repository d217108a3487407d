"""Promotions and loyalty (spec §5.1 Coupon, Campaign, LoyaltyProgram, LoyaltyTransaction), imported by
``models``.

A coupon takes a percentage or a fixed amount off the amount before VAT of a draft order or quotation;
the discount is spread over the document's lines as each line's ``allowance`` (``promotions.reprice``),
so it flows through the one totals function, the invoices, the e-invoice and the books. Its use is
counted when the order is confirmed (``CouponRedemption``) and released when the order is cancelled.
Loyalty points are kept in an append-only ledger per customer (``LoyaltyEntry``); the customer's
``loyalty_points`` is the running balance, never below zero.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from novasaas.platform.models import TenantModel
from novasaas.platform.money import FixedPointField, MoneyField

ZERO = Decimal(0)


class Campaign(TenantModel):
    """A marketing campaign: a period, a target (customer group and/or party tag) and the coupons that
    belong to it; its results are the confirmed orders using those coupons."""

    name = models.CharField(_("name"), max_length=200)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    customer_group = models.ForeignKey(
        "sales.CustomerGroup",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("target customer group"),
    )
    target_tag = models.CharField(_("target tag"), max_length=50, blank=True)
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=F("starts_on")), name="sales_campaign_dates"),
        ]
        ordering = ["-starts_on", "-id"]

    def __str__(self) -> str:
        return self.name


class CouponKind(models.TextChoices):
    PERCENT = "percent", _("Percent off")
    AMOUNT = "amount", _("Amount off")


class Coupon(TenantModel):
    code = models.CharField(_("code"), max_length=30)
    name = models.CharField(_("name"), max_length=200, blank=True)
    kind = models.CharField(_("kind"), max_length=10, choices=CouponKind.choices, default=CouponKind.PERCENT)
    value = FixedPointField(_("value"), scale=2)  # percent (0–100, 2 decimals) or whole đồng
    min_order_amount = MoneyField(_("minimum amount before VAT"), default=ZERO)
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    usage_limit = models.PositiveIntegerField(_("uses in all"), null=True, blank=True)  # None: unlimited
    per_customer_limit = models.PositiveIntegerField(_("uses per customer"), null=True, blank=True)
    customer_group = models.ForeignKey(
        "sales.CustomerGroup",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("only for customer group"),
    )
    campaign = models.ForeignKey(
        Campaign, on_delete=models.PROTECT, null=True, blank=True, related_name="coupons", verbose_name=_("campaign")
    )
    # restricted to these Inventory products and/or categories (ids, no FK across modules; a category
    # covers its sub-categories); both empty: every line
    product_ids = models.JSONField(_("only for products"), default=list, blank=True)
    category_ids = models.JSONField(_("only for product categories"), default=list, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    used_count = models.PositiveIntegerField(_("used"), default=0, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant", "code"], name="sales_coupon_code_unique"),
            models.CheckConstraint(condition=Q(value__gt=0), name="sales_coupon_value_gt_0"),
            models.CheckConstraint(
                condition=~Q(kind="percent") | Q(value__lte=100), name="sales_coupon_percent_le_100"
            ),
            models.CheckConstraint(condition=Q(min_order_amount__gte=0), name="sales_coupon_min_ge_0"),
            models.CheckConstraint(
                condition=Q(valid_from__isnull=True) | Q(valid_to__isnull=True) | Q(valid_to__gte=F("valid_from")),
                name="sales_coupon_dates",
            ),
            # the limit is never overspent, whatever the code path (confirmations lock the coupon row)
            models.CheckConstraint(
                condition=Q(usage_limit__isnull=True) | Q(used_count__lte=F("usage_limit")),
                name="sales_coupon_used_le_limit",
            ),
        ]
        ordering = ["code"]

    def __str__(self) -> str:
        return self.code

    @property
    def is_restricted(self) -> bool:
        return bool(self.product_ids or self.category_ids)


class CouponRedemption(TenantModel):
    """One use of a coupon by a confirmed order; ``released_at`` set when the order is cancelled."""

    coupon = models.ForeignKey(Coupon, on_delete=models.PROTECT, related_name="redemptions")
    order = models.ForeignKey("sales.SalesOrder", on_delete=models.PROTECT, related_name="coupon_redemptions")
    customer = models.ForeignKey("sales.Customer", on_delete=models.PROTECT, related_name="+")
    discount = MoneyField(_("discount"))
    created_at = models.DateTimeField(auto_now_add=True)
    released_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "order"], condition=Q(released_at__isnull=True), name="sales_redemption_order_unique"
            )
        ]
        indexes = [models.Index(fields=["tenant", "coupon", "customer"], name="sales_redemption_cust_idx")]
        ordering = ["-created_at", "-id"]


class LoyaltyProgramme(TenantModel):
    """The company's loyalty programme (one per company): ``points_per`` đồng of invoiced revenue (amount
    before VAT) earn one point; a point is worth ``point_value`` đồng when redeemed on an order; earned
    points expire after ``expiry_months`` (empty: never)."""

    is_active = models.BooleanField(_("active"), default=False)
    points_per = MoneyField(_("đồng of revenue per point"), default=Decimal(10000))
    point_value = MoneyField(_("value of a point (đồng)"), default=Decimal(100))
    expiry_months = models.PositiveSmallIntegerField(_("points expire after (months)"), null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant"], name="sales_loyalty_programme_unique"),
            models.CheckConstraint(condition=Q(points_per__gt=0), name="sales_loyalty_points_per_gt_0"),
            models.CheckConstraint(condition=Q(point_value__gt=0), name="sales_loyalty_point_value_gt_0"),
        ]


class LoyaltyTier(TenantModel):
    """A loyalty tier (Member, Silver, Gold, …): a customer whose invoiced revenue before VAT, net of
    credit notes, over the 365 days before an invoice reaches ``min_revenue`` is in the highest such tier,
    and that invoice earns ``multiplier`` × the programme's points. No tier reached: × 1."""

    code = models.CharField(_("code"), max_length=20)
    name = models.CharField(_("name"), max_length=100)
    min_revenue = MoneyField(_("from revenue in 12 months (before VAT)"), default=ZERO)
    multiplier = FixedPointField(_("points multiplier"), scale=2, default=Decimal(1))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant", "code"], name="sales_loyalty_tier_code_unique"),
            models.UniqueConstraint(fields=["tenant", "min_revenue"], name="sales_loyalty_tier_threshold_unique"),
            models.CheckConstraint(condition=Q(min_revenue__gte=0), name="sales_loyalty_tier_min_ge_0"),
            models.CheckConstraint(
                condition=Q(multiplier__gt=0) & Q(multiplier__lte=10), name="sales_loyalty_tier_multiplier"
            ),
        ]
        ordering = ["min_revenue", "id"]

    def __str__(self) -> str:
        return self.name


class LoyaltyKind(models.TextChoices):
    EARNED = "earned", pgettext_lazy("loyalty", "Earned on an invoice")
    REVERSED = "reversed", pgettext_lazy("loyalty", "Reversed by a credit note")
    REDEEMED = "redeemed", pgettext_lazy("loyalty", "Redeemed on an order")
    RESTORED = "restored", pgettext_lazy("loyalty", "Given back (order cancelled)")
    MANUAL = "manual", pgettext_lazy("loyalty", "Added by hand")
    EXPIRED = "expired", pgettext_lazy("loyalty", "Expired")


class LoyaltyEntry(TenantModel):
    """The points ledger of a customer, append-only: ``points`` signed, ``balance_after`` the customer's
    balance once this row is written (rows are written under the customer's row lock)."""

    customer = models.ForeignKey("sales.Customer", on_delete=models.PROTECT, related_name="loyalty_entries")
    date = models.DateField(_("date"))
    kind = models.CharField(_("kind"), max_length=10, choices=LoyaltyKind.choices)
    points = models.IntegerField(_("points"))
    balance_after = models.IntegerField(_("balance"))
    source = models.CharField(max_length=60, blank=True)  # "invoice:<id>" | "credit_note:<id>" | "order:<id>"
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    expires_on = models.DateField(_("expires on"), null=True, blank=True)  # earned rows only
    tier = models.CharField(_("tier"), max_length=20, blank=True)  # earned rows: the tier's code then
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+", editable=False
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=~Q(points=0), name="sales_loyalty_points_not_zero"),
            models.CheckConstraint(condition=Q(balance_after__gte=0), name="sales_loyalty_balance_ge_0"),
        ]
        indexes = [models.Index(fields=["tenant", "customer", "id"], name="sales_loyalty_customer_idx")]
        ordering = ["-id"]
