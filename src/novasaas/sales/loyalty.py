"""Loyalty programme and points ledger (spec §5.1 LoyaltyProgram, LoyaltyTransaction).

The Sales Manager configures the programme (``crm.loyalty.configure``): one point per ``points_per``
đồng of **invoiced** revenue (the invoice's amount before VAT, counted when the invoice is issued —
not at payment, so a customer's points follow the same document as the revenue in the books), a point
is worth ``point_value`` đồng when redeemed, points optionally expire ``expiry_months`` after they were
earned.

The ledger (``LoyaltyEntry``) is append-only: every row is written under the customer's row lock with
the balance after it, and the customer's ``loyalty_points`` is that balance; a row that would take it
below zero is refused (DB checks back it). Rows: earned (invoice), reversed (credit note: the invoice's
points are brought down to what its remaining amount earns, at most the balance), redeemed (an order's
points, taken when the order is confirmed), restored (that order cancelled), manual (Sales Staff, with
a reason, ``crm.loyalty.add``, audited), expired (``expire_points``, oldest points used first).
"""

from __future__ import annotations

import calendar
import datetime as dt
from decimal import ROUND_FLOOR, Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from novasaas.identity.access import Principal
from novasaas.platform import audit
from novasaas.platform.money import format_amount
from novasaas.sales import actions, selectors
from novasaas.sales.models import (
    Customer,
    LoyaltyEntry,
    LoyaltyKind,
    LoyaltyProgramme,
    LoyaltyTier,
    OrderStatus,
    SalesCreditNote,
    SalesInvoice,
    SalesOrder,
)

ZERO = Decimal(0)
MAX_POINTS = 1_000_000_000


def programme(tenant: Any) -> LoyaltyProgramme:
    """The company's programme (an unsaved inactive default when never configured: no write on reads)."""
    found = LoyaltyProgramme.objects.filter(tenant=tenant).first()
    return found if found is not None else LoyaltyProgramme(tenant=tenant)


@transaction.atomic
def configure(p: Principal, **fields: Any) -> LoyaltyProgramme:
    p.require("crm.loyalty.configure")
    prog = LoyaltyProgramme.objects.select_for_update().filter(tenant=p.tenant).first()
    if prog is None:
        prog = LoyaltyProgramme(tenant=p.tenant)
    before = audit.snapshot(prog) if prog.pk else None
    unknown = set(fields) - {"is_active", "points_per", "point_value", "expiry_months"}
    if unknown:
        raise ValidationError({sorted(unknown)[0]: [_("Unknown field.")]})
    for field in ("points_per", "point_value"):
        if field in fields and fields[field] is not None:
            amount = actions._money(fields[field], field)
            assert amount is not None
            if amount <= 0:
                raise ValidationError({field: [_("Enter an amount greater than zero.")]})
            setattr(prog, field, amount)
    if "expiry_months" in fields:
        months = fields["expiry_months"]
        if months in (None, ""):
            prog.expiry_months = None
        else:
            try:
                prog.expiry_months = int(months)
            except (TypeError, ValueError) as exc:
                raise ValidationError({"expiry_months": [_("Enter a whole number.")]}) from exc
            if not 1 <= prog.expiry_months <= 120:
                raise ValidationError({"expiry_months": [_("Enter a number of months from 1 to 120 (empty: never).")]})
    if fields.get("is_active") is not None:
        prog.is_active = bool(fields["is_active"])
    prog.save()
    if before is None:
        audit.record_created(prog, p.user)
    else:
        audit.record_updated(prog, p.user, before)
    return prog


# --- tiers ------------------------------------------------------------------------------------------------

TIER_FIELDS = ("code", "name", "min_revenue", "multiplier")
TIER_WINDOW_DAYS = 365
MAX_MULTIPLIER = Decimal(10)


def tiers(tenant: Any) -> list[LoyaltyTier]:
    return list(LoyaltyTier.objects.filter(tenant=tenant).order_by("min_revenue", "id"))


@transaction.atomic
def save_tier(p: Principal, tier_id: int | None = None, **fields: Any) -> LoyaltyTier:
    """Create (``tier_id`` None) or change a tier (``crm.loyalty.configure``): code (letters, digits,
    - or _; kept upper case), name, ``min_revenue`` (whole đồng ≥ 0; one tier per threshold) and
    ``multiplier`` (> 0, at most 10, 2 decimals). Bad input: 400, nothing written."""
    p.require("crm.loyalty.configure")
    unknown = set(fields) - set(TIER_FIELDS)
    if unknown:
        raise ValidationError({sorted(unknown)[0]: [_("Unknown field.")]})
    if tier_id is None:
        tier, before = LoyaltyTier(tenant=p.tenant), None
        missing = [f for f in ("code", "name") if not str(fields.get(f) or "").strip()]
        if missing:
            raise ValidationError({missing[0]: [_("This field is required.")]})
    else:
        tier = LoyaltyTier.objects.select_for_update().get(pk=tier_id)
        before = audit.snapshot(tier)
    if fields.get("code") is not None:
        code = str(fields["code"]).strip().upper()
        if not code or len(code) > 20 or not all(c.isalnum() or c in "-_" for c in code):
            raise ValidationError({"code": [_("Use up to 20 letters, digits, - or _.")]})
        tier.code = code
    if fields.get("name") is not None:
        name = str(fields["name"]).strip()
        if not name:
            raise ValidationError({"name": [_("This field is required.")]})
        tier.name = name[:100]
    if fields.get("min_revenue") is not None:
        amount = actions._money(fields["min_revenue"], "min_revenue")
        assert amount is not None
        tier.min_revenue = amount
    if fields.get("multiplier") is not None:
        try:
            mult = Decimal(str(fields["multiplier"]).strip())
        except (ArithmeticError, ValueError) as exc:
            raise ValidationError({"multiplier": [_("Enter a number.")]}) from exc
        if not mult.is_finite() or not ZERO < mult <= MAX_MULTIPLIER or mult != mult.quantize(Decimal("0.01")):
            raise ValidationError(
                {"multiplier": [_("Enter a multiplier greater than 0 and at most 10, with up to 2 decimals.")]}
            )
        tier.multiplier = mult
    others = LoyaltyTier.objects.filter(tenant=p.tenant).exclude(pk=tier.pk)
    if others.filter(code=tier.code).exists():
        raise ValidationError({"code": [_("Another tier has the code %(c)s.") % {"c": tier.code}]})
    if others.filter(min_revenue=tier.min_revenue).exists():
        raise ValidationError({"min_revenue": [_("Another tier starts at this revenue.")]})
    tier.save()
    if before is None:
        audit.record_created(tier, p.user)
    else:
        audit.record_updated(tier, p.user, before)
    return tier


@transaction.atomic
def delete_tier(p: Principal, tier_id: int) -> None:
    """Remove a tier (``crm.loyalty.configure``); points already earned keep the tier code they noted."""
    p.require("crm.loyalty.configure")
    tier = LoyaltyTier.objects.select_for_update().get(pk=tier_id)
    audit.record_deleted(tier, p.user)
    tier.delete()


def revenue_12m(customer: Customer, on: dt.date, *, exclude_invoice_id: int | None = None) -> Decimal:
    """The customer's invoiced revenue before VAT, net of credit notes, dated in the 365 days up to
    ``on`` (the invoice being issued left out)."""
    since = on - dt.timedelta(days=TIER_WINDOW_DAYS - 1)
    invoices = SalesInvoice.objects.filter(customer_id=customer.pk, date__gte=since, date__lte=on)
    if exclude_invoice_id is not None:
        invoices = invoices.exclude(pk=exclude_invoice_id)
    invoiced = invoices.aggregate(s=Sum("untaxed"))["s"] or ZERO
    credited = (
        SalesCreditNote.objects.filter(customer_id=customer.pk, date__gte=since, date__lte=on).aggregate(
            s=Sum("untaxed")
        )["s"]
        or ZERO
    )
    return max(Decimal(invoiced) - Decimal(credited), ZERO)


def tier_for(revenue: Decimal, all_tiers: list[LoyaltyTier]) -> LoyaltyTier | None:
    """The highest tier whose threshold the revenue reaches (None: no tier reached)."""
    reached = [t for t in all_tiers if t.min_revenue <= revenue]
    return reached[-1] if reached else None


def tier_status(customer: Customer, on: dt.date) -> dict[str, Any]:
    """The customer's tier today (name, code, multiplier), the 12 months' revenue it rests on and the
    next tier with the revenue still missing to reach it."""
    all_tiers = tiers(customer.tenant)
    revenue = revenue_12m(customer, on)
    tier = tier_for(revenue, all_tiers)
    higher = [t for t in all_tiers if t.min_revenue > revenue]
    nxt = higher[0] if higher else None
    return {
        "tier": tier,
        "multiplier": tier.multiplier if tier else Decimal(1),
        "revenue_12m": revenue,
        "next_tier": nxt,
        "to_next_tier": (nxt.min_revenue - revenue) if nxt else None,
    }


def points_for(amount: Decimal, prog: LoyaltyProgramme, multiplier: Decimal) -> int:
    """⌊amount × multiplier ÷ points_per⌋ (never below 0)."""
    return max(int((amount * multiplier / prog.points_per).to_integral_value(rounding=ROUND_FLOOR)), 0)


def entries(customer: Customer) -> QuerySet[LoyaltyEntry]:
    return LoyaltyEntry.objects.filter(customer=customer).select_related("created_by")


def add_months(on: dt.date, months: int) -> dt.date:
    month = on.month - 1 + months
    year, month = on.year + month // 12, month % 12 + 1
    return dt.date(year, month, min(on.day, calendar.monthrange(year, month)[1]))


def _append(
    customer: Customer,
    kind: str,
    points: int,
    on: dt.date,
    *,
    source: str = "",
    reason: str = "",
    user: Any = None,
    expires_on: dt.date | None = None,
    tier: str = "",
) -> LoyaltyEntry:
    """One ledger row; ``customer`` must be locked (``select_for_update``) by the caller."""
    balance = customer.loyalty_points + points
    if balance < 0:
        raise ValidationError(
            {
                "points": [
                    _("Customer %(c)s has only %(b)d points.") % {"c": customer.code, "b": customer.loyalty_points}
                ]
            }
        )
    entry = LoyaltyEntry.objects.create(
        customer=customer,
        date=on,
        kind=kind,
        points=points,
        balance_after=balance,
        source=source,
        reason=reason[:300],
        expires_on=expires_on,
        tier=tier,
        created_by=user,
    )
    customer.loyalty_points = balance
    Customer.objects.filter(pk=customer.pk).update(loyalty_points=balance)
    return entry


def _lock_customer(customer_id: int) -> Customer:
    return Customer.objects.select_for_update().get(pk=customer_id)  # type: ignore[no-any-return]


@transaction.atomic
def add_points(p: Principal, customer_id: int, *, points: Any, reason: str, date: Any = None) -> LoyaltyEntry:
    """Points added (or, negative, taken) by hand with a reason; audited. Never below a zero balance."""
    p.require("crm.loyalty.add")
    selectors.visible_customers(p).get(pk=customer_id)  # 404 for a customer the principal does not see
    try:
        value = int(str(points).strip())
    except (TypeError, ValueError) as exc:
        raise ValidationError({"points": [_("Enter a whole number of points.")]}) from exc
    if value == 0 or abs(value) > MAX_POINTS:
        raise ValidationError({"points": [_("Enter a whole number of points other than zero.")]})
    reason = str(reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("Say why the points are added.")]})
    customer = _lock_customer(customer_id)
    entry = _append(
        customer, LoyaltyKind.MANUAL, value, actions._date(date), source="manual", reason=reason, user=p.user
    )
    audit.record_created(entry, p.user)
    return entry


def earn_for_invoice(p: Principal, invoice: SalesInvoice) -> LoyaltyEntry | None:
    """Points earned by an invoice just issued (``earn``); None when the programme is off or the invoice
    earns less than a point."""
    return earn(
        p,
        invoice.customer_id,
        invoice.untaxed,
        invoice.date,
        source=f"invoice:{invoice.pk}",
        reason=invoice.number,
        exclude_invoice_id=invoice.pk,
    )


def earn(
    p: Principal,
    customer_id: int,
    amount: Decimal,
    on: dt.date,
    *,
    source: str,
    reason: str,
    exclude_invoice_id: int | None = None,
) -> LoyaltyEntry | None:
    """⌊amount before VAT × the customer's tier multiplier ÷ points_per⌋ points (the tier reached by the
    12 months' revenue before this document; none: × 1), expiring ``expiry_months`` later."""
    prog = programme(p.tenant)
    if not prog.is_active:
        return None
    customer = _lock_customer(customer_id)
    tier = tier_for(revenue_12m(customer, on, exclude_invoice_id=exclude_invoice_id), tiers(p.tenant))
    points = points_for(amount, prog, tier.multiplier if tier else Decimal(1))
    if points <= 0:
        return None
    expires = add_months(on, prog.expiry_months) if prog.expiry_months else None
    return _append(
        customer,
        LoyaltyKind.EARNED,
        points,
        on,
        source=source,
        reason=reason,
        user=p.user,
        expires_on=expires,
        tier=tier.code if tier else "",
    )


def reverse_for_credit_note(p: Principal, note: SalesCreditNote) -> LoyaltyEntry | None:
    """Bring the points of the credited invoice down to what its remaining amount earns (⌊earned ×
    remaining ÷ invoiced⌋), the reversals before counted; at most the customer's balance (points
    already redeemed are not taken back below zero)."""
    invoice = note.invoice
    source = f"invoice:{invoice.pk}"
    rows = LoyaltyEntry.objects.filter(customer_id=invoice.customer_id, source=source)
    earned = rows.filter(kind=LoyaltyKind.EARNED).aggregate(s=Sum("points"))["s"] or 0
    if earned <= 0 or invoice.untaxed <= 0:
        return None
    reversed_before = -(rows.filter(kind=LoyaltyKind.REVERSED).aggregate(s=Sum("points"))["s"] or 0)
    credited = SalesCreditNote.objects.filter(invoice=invoice).aggregate(s=Sum("untaxed"))["s"] or ZERO
    remaining = max(invoice.untaxed - credited, ZERO)
    keep = int((earned * remaining / invoice.untaxed).to_integral_value(rounding=ROUND_FLOOR))
    take = earned - keep - reversed_before
    customer = _lock_customer(invoice.customer_id)
    take = min(take, customer.loyalty_points)
    if take <= 0:
        return None
    return _append(customer, LoyaltyKind.REVERSED, -take, note.date, source=source, reason=note.number, user=p.user)


# --- redemption on an order ----------------------------------------------------------------------------


@transaction.atomic
def set_order_points(p: Principal, order_id: int, points: Any) -> SalesOrder:
    """Redeem ``points`` on a draft order (0 removes them): a discount of points × point value before
    VAT, spread over the lines like a coupon's (``promotions.reprice``). The points leave the balance
    when the order is confirmed."""
    from novasaas.sales import promotions

    p.require("crm.coupon.apply")
    order = actions._lock_order(p, order_id)
    actions._refuse_status(order, OrderStatus.DRAFT)
    try:
        value = int(str(points).strip())
    except (TypeError, ValueError) as exc:
        raise ValidationError({"points": [_("Enter a whole number of points.")]}) from exc
    if value < 0 or value > MAX_POINTS:
        raise ValidationError({"points": [_("Enter a whole number of points, zero or more.")]})
    prog = programme(p.tenant)
    if value and not prog.is_active:
        raise ValidationError({"points": [_("The loyalty programme is not active.")]})
    if value > order.customer.loyalty_points:
        raise ValidationError(
            {
                "points": [
                    _("Customer %(c)s has only %(b)d points.")
                    % {"c": order.customer.code, "b": order.customer.loyalty_points}
                ]
            }
        )
    before = audit.snapshot(order)
    order.points_redeemed = value
    order.points_discount = prog.point_value * value if value else ZERO
    lines = list(order.lines.all())
    promotions.reprice(order, lines, order_id=order.pk)
    promotions.save_repriced(order, lines)
    audit.record_updated(order, p.user, before)
    return order


def redeem_for_order(p: Principal, order: SalesOrder, customer: Customer) -> None:
    """Take the order's points from the balance (on confirmation; ``customer`` locked by the caller)."""
    if not programme(p.tenant).is_active:
        raise ValidationError({"points": [_("The loyalty programme is not active.")]})
    _append(
        customer,
        LoyaltyKind.REDEEMED,
        -order.points_redeemed,
        order.date,
        source=f"order:{order.pk}",
        reason=order.number,
        user=p.user,
    )


def restore_for_order(p: Principal, order: SalesOrder) -> None:
    customer = _lock_customer(order.customer_id)
    _append(
        customer,
        LoyaltyKind.RESTORED,
        order.points_redeemed,
        timezone.localdate(),
        source=f"order:{order.pk}",
        reason=order.number,
        user=p.user,
    )


# --- expiry ---------------------------------------------------------------------------------------------


def _used(customer: Customer) -> int:
    """Points taken out so far (redeemed, reversed, manual minus, expired), net of what was given back."""
    rows = LoyaltyEntry.objects.filter(customer=customer)
    taken = -(rows.filter(points__lt=0).aggregate(s=Sum("points"))["s"] or 0)
    given_back = rows.filter(kind=LoyaltyKind.RESTORED).aggregate(s=Sum("points"))["s"] or 0
    return int(taken - given_back)


def lapsing_by(customer: Customer, day: dt.date) -> int:
    """The points of the balance that will have expired by ``day`` (earned rows expiring before it, less
    what was used: points leave oldest first) — what ``expire_points(tenant, day)`` would write off."""
    earned = (
        LoyaltyEntry.objects.filter(customer=customer, kind=LoyaltyKind.EARNED, expires_on__lt=day).aggregate(
            s=Sum("points")
        )["s"]
        or 0
    )
    return max(min(earned - _used(customer), customer.loyalty_points), 0)


EXPIRING_SOON_DAYS = 30


def summary(customer: Customer, on: dt.date) -> dict[str, Any]:
    """The customer's points as the customer sees them (portal): balance and its value, totals earned,
    redeemed (net of orders cancelled), expired, the points expiring within ``EXPIRING_SOON_DAYS`` days
    and the last 200 ledger rows."""
    prog = programme(customer.tenant)
    rows = LoyaltyEntry.objects.filter(customer=customer)

    def total(*kinds: str) -> int:
        return int(rows.filter(kind__in=kinds).aggregate(s=Sum("points"))["s"] or 0)

    soon_by = on + dt.timedelta(days=EXPIRING_SOON_DAYS)
    return {
        "programme_active": prog.is_active,
        "balance": customer.loyalty_points,
        "value": prog.point_value * customer.loyalty_points,
        "point_value": prog.point_value,
        "points_per": prog.points_per,
        "expiry_months": prog.expiry_months,
        "earned": total(LoyaltyKind.EARNED) + total(LoyaltyKind.REVERSED),
        "redeemed": -(total(LoyaltyKind.REDEEMED) + total(LoyaltyKind.RESTORED)),
        "expired": -total(LoyaltyKind.EXPIRED),
        "adjusted": total(LoyaltyKind.MANUAL),
        "expiring_soon": lapsing_by(customer, soon_by + dt.timedelta(days=1)),
        "expiring_by": soon_by,
        "entries": list(rows.order_by("-id")[:200]),
        **tier_status(customer, on),
    }


# --- write-off ----------------------------------------------------------------------------------------


def expire_points(tenant: Any, on: dt.date) -> int:
    """Write off the points earned that expired before ``on`` and are not yet used: points leave the
    balance oldest first, so what expires is Σ earned expired − Σ everything taken out so far (redeemed,
    reversed, manual minus, expired before), when positive. Idempotent (a second run finds 0). Returns
    the number of customers whose points expired."""
    count = 0
    expired_by_customer = (
        LoyaltyEntry.objects.filter(tenant=tenant, kind=LoyaltyKind.EARNED, expires_on__lt=on)
        .values("customer_id")
        .annotate(s=Sum("points"))
    )
    for row in expired_by_customer:
        with transaction.atomic():
            customer = _lock_customer(row["customer_id"])
            lapse = min(row["s"] - _used(customer), customer.loyalty_points)
            if lapse > 0:
                _append(customer, LoyaltyKind.EXPIRED, -lapse, on, source="expiry")
                count += 1
    return count


def expire_points_all_tenants(on: dt.date | None = None) -> int:
    """The daily run over every tenant with CRM (``novasaas sales_expire_points``): each tenant's points
    that expired before ``on`` (today by default). Idempotent: a second run the same day writes nothing.
    Returns the number of customers whose points expired."""
    from novasaas.platform.models import Tenant
    from novasaas.platform.tenancy import platform_context, tenant_context

    day = on or timezone.localdate()
    with platform_context():
        tenants = [t for t in Tenant.objects.all() if t.has_module("CRM")]
    total = 0
    for tenant in tenants:
        with tenant_context(tenant):
            total += expire_points(tenant, day)
    return total


def points_value_text(customer: Customer, tenant: Any) -> str:
    prog = programme(tenant)
    return format_amount(prog.point_value * customer.loyalty_points, "VND")
