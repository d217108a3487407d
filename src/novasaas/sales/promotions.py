"""Coupons and campaigns (spec §5.2.1 / §5.2.2): the Sales Manager manages coupons (``crm.coupon.manage``)
and campaigns (``crm.campaign.manage``); Sales Staff apply a coupon to a draft order or quotation
(``crm.coupon.apply``).

How a discount flows (docs/sales.md, "Promotions and loyalty"): a document's promotion discount (the
coupon's, plus on an order the loyalty points redeemed, ``loyalty.py``) is spread over its lines in
proportion to their amounts before VAT (largest remainder, whole đồng) as each line's ``allowance``;
``totals.line_amounts`` takes the allowance off the line's amount before VAT and computes the VAT on what
is left. So the discount is before VAT, goes through the one totals function, reaches the invoice lines
(``deliveries._invoice_lines`` takes each line's share of it) and the books (revenue is booked net of
it), and credit notes give back the share of the lines they credit.

A coupon's use is counted when the order is confirmed (``on_confirm``: the coupon row is locked, so
concurrent confirmations never overspend its limits) and released when the order is cancelled.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, F, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from novasaas.identity.access import Principal
from novasaas.platform import audit
from novasaas.platform.money import decimals_error, format_amount, quantize, round_money
from novasaas.sales import actions
from novasaas.sales.models import (
    Campaign,
    Coupon,
    CouponKind,
    CouponRedemption,
    Customer,
    CustomerGroup,
    OrderStatus,
    SalesOrder,
)
from novasaas.sales.totals import document_totals

ZERO = Decimal(0)
HUNDRED = Decimal(100)
_KEEP: Any = object()

# --- coupons: management -----------------------------------------------------------------------------


def list_coupons(tenant: Any) -> QuerySet[Coupon]:
    return Coupon.objects.filter(tenant=tenant).select_related("customer_group", "campaign")


def get_coupon(tenant: Any, coupon_id: int) -> Coupon:
    return list_coupons(tenant).get(pk=coupon_id)  # type: ignore[no-any-return]


def _opt_date(value: Any, field: str) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError as exc:
        raise ValidationError({field: [_("Enter a valid date.")]}) from exc


def _opt_count(value: Any, field: str) -> int | None:
    if value in (None, ""):
        return None
    try:
        number = int(value)
    except (TypeError, ValueError) as exc:
        raise ValidationError({field: [_("Enter a whole number.")]}) from exc
    if number < 1 or number > 1_000_000_000:
        raise ValidationError({field: [_("Enter a whole number from 1 (empty: no limit).")]})
    return number


@transaction.atomic
def save_coupon(p: Principal, coupon_id: int | None = None, **fields: Any) -> Coupon:
    """Create or change a coupon: code (unique in the company, kept upper case), percent or amount off,
    minimum amount before VAT, validity dates, limits in all and per customer, customer group, campaign."""
    p.require("crm.coupon.manage")
    coupon = Coupon() if coupon_id is None else Coupon.objects.select_for_update().get(pk=coupon_id)
    creating = coupon.pk is None
    before = None if creating else audit.snapshot(coupon)
    known = {
        "code",
        "name",
        "kind",
        "value",
        "min_order_amount",
        "valid_from",
        "valid_to",
        "usage_limit",
        "per_customer_limit",
        "customer_group_id",
        "campaign_id",
        "is_active",
        "product_ids",
        "category_ids",
        "product_skus",
    }
    unknown = set(fields) - known
    if unknown:
        raise ValidationError({sorted(unknown)[0]: [_("Unknown field.")]})
    if "code" in fields or creating:
        code = str(fields.get("code") or "").strip().upper()
        if not code or len(code) > 30 or not all(c.isalnum() or c in "-_" for c in code):
            raise ValidationError({"code": [_("Enter a code of letters, digits, - or _ (at most 30).")]})
        if Coupon.objects.filter(code=code).exclude(pk=coupon.pk).exists():
            raise ValidationError({"code": [_("This code is already used.")]})
        coupon.code = code
    if "name" in fields:
        coupon.name = str(fields["name"] or "").strip()[:200]
    if "kind" in fields or creating:
        kind = fields.get("kind") or CouponKind.PERCENT
        if kind not in CouponKind.values:
            raise ValidationError({"kind": [_("Choose percent or amount.")]})
        coupon.kind = kind
    if "value" in fields or creating:
        value = actions._dec(fields.get("value"), "value")
        assert value is not None
        if value <= 0:
            raise ValidationError({"value": [_("Enter a value greater than zero.")]})
        coupon.value = value
    if coupon.kind == CouponKind.PERCENT and (coupon.value > HUNDRED or coupon.value != quantize(coupon.value, 2)):
        raise ValidationError({"value": [_("Enter a percentage from 0 to 100 with at most 2 decimals.")]})
    if coupon.kind == CouponKind.AMOUNT and decimals_error(coupon.value, "VND"):
        raise ValidationError({"value": [decimals_error(coupon.value, "VND")]})
    if "min_order_amount" in fields:
        coupon.min_order_amount = actions._money(fields["min_order_amount"] or 0, "min_order_amount")  # type: ignore[assignment]
    if "valid_from" in fields:
        coupon.valid_from = _opt_date(fields["valid_from"], "valid_from")
    if "valid_to" in fields:
        coupon.valid_to = _opt_date(fields["valid_to"], "valid_to")
    if coupon.valid_from and coupon.valid_to and coupon.valid_to < coupon.valid_from:
        raise ValidationError({"valid_to": [_("The end date cannot be before the start date.")]})
    if "usage_limit" in fields:
        coupon.usage_limit = _opt_count(fields["usage_limit"], "usage_limit")
        if coupon.usage_limit is not None and coupon.usage_limit < coupon.used_count:
            raise ValidationError(
                {"usage_limit": [_("The coupon was already used %(n)d times.") % {"n": coupon.used_count}]}
            )
    if "per_customer_limit" in fields:
        coupon.per_customer_limit = _opt_count(fields["per_customer_limit"], "per_customer_limit")
    if "customer_group_id" in fields:
        gid = fields["customer_group_id"]
        if gid in (None, "", 0):
            coupon.customer_group = None
        else:
            group = CustomerGroup.objects.filter(pk=gid, is_active=True).first()
            if group is None:
                raise ValidationError({"customer_group_id": [_("Choose an active customer group.")]})
            coupon.customer_group = group
    if "campaign_id" in fields:
        cid = fields["campaign_id"]
        if cid in (None, "", 0):
            coupon.campaign = None
        else:
            campaign = Campaign.objects.filter(pk=cid).first()
            if campaign is None:
                raise ValidationError({"campaign_id": [_("Choose a campaign.")]})
            coupon.campaign = campaign
    if "is_active" in fields and fields["is_active"] is not None:
        coupon.is_active = bool(fields["is_active"])
    _set_restriction(p, coupon, fields)
    coupon.save()
    if before is None:
        audit.record_created(coupon, p.user)
    else:
        audit.record_updated(coupon, p.user, before)
    return coupon


MAX_RESTRICTED = 200


def _ids(value: Any, field: str) -> list[int]:
    if value in (None, ""):
        return []
    try:
        ids = sorted({int(v) for v in value})
    except (TypeError, ValueError) as exc:
        raise ValidationError({field: [_("Enter a list of ids.")]}) from exc
    if len(ids) > MAX_RESTRICTED:
        raise ValidationError({field: [_("At most %(n)d.") % {"n": MAX_RESTRICTED}]})
    return ids


def _set_restriction(p: Principal, coupon: Coupon, fields: dict[str, Any]) -> None:
    """``product_ids`` / ``category_ids`` (Inventory's ids) or, from the page, ``product_skus`` (SKUs
    separated by commas or spaces): each must exist in the company, else 400."""
    from novasaas.inventory import selectors as inventory

    if fields.get("product_skus") is not None:
        skus = [x for x in str(fields["product_skus"]).replace(",", " ").split() if x]
        found = inventory.products_by_sku(p.tenant, skus)
        unknown = [x for x in skus if x not in found]
        if unknown:
            raise ValidationError({"product_skus": [_("There is no product %(s)s.") % {"s": ", ".join(unknown[:5])}]})
        fields = {**fields, "product_ids": [found[x] for x in skus]}
    if "product_ids" in fields:
        ids = _ids(fields["product_ids"], "product_ids")
        missing = set(ids) - set(inventory.product_skus(p.tenant, ids))
        if missing:
            raise ValidationError({"product_ids": [_("There is no product with id %(i)s.") % {"i": min(missing)}]})
        coupon.product_ids = ids
    if "category_ids" in fields:
        ids = _ids(fields["category_ids"], "category_ids")
        missing = set(ids) - inventory.existing_category_ids(p.tenant, ids)
        if missing:
            raise ValidationError(
                {"category_ids": [_("There is no product category with id %(i)s.") % {"i": min(missing)}]}
            )
        coupon.category_ids = ids


def eligible_lines(coupon: Coupon, lines: list[Any]) -> list[bool]:
    """Which lines the coupon's discount applies to: all without a restriction, else the product lines
    whose product is listed or whose category (or a parent category) is listed."""
    if not coupon.is_restricted:
        return [True for _li in lines]
    from novasaas.inventory import selectors as inventory

    products = set(coupon.product_ids)
    categories = set(coupon.category_ids)
    ids = [li.product_id for li in lines if li.product_id]
    cats = inventory.product_categories(coupon.tenant, ids) if categories and ids else {}
    return [
        bool(li.product_id) and (li.product_id in products or bool(cats.get(li.product_id, set()) & categories))
        for li in lines
    ]


def no_line_refusal(coupon: Coupon) -> str:
    return _(
        "Coupon %(c)s applies only to some products or categories, and no line of this document is one of them."
    ) % {"c": coupon.code}


# --- coupons: the rule ---------------------------------------------------------------------------------


def coupon_refusal(
    coupon: Coupon, customer: Customer, on: dt.date, base: Decimal, *, order_id: int | None = None
) -> str | None:
    """Why ``coupon`` cannot be used by ``customer`` on a document dated ``on`` whose amount before VAT
    (after line discounts, before promotions) is ``base``; None when it can."""
    if not coupon.is_active:
        return _("Coupon %(c)s is no longer active.") % {"c": coupon.code}
    if coupon.valid_from and on < coupon.valid_from:
        return _("Coupon %(c)s is valid from %(d)s.") % {"c": coupon.code, "d": coupon.valid_from.strftime("%d/%m/%Y")}
    if coupon.valid_to and on > coupon.valid_to:
        return _("Coupon %(c)s expired on %(d)s.") % {"c": coupon.code, "d": coupon.valid_to.strftime("%d/%m/%Y")}
    if coupon.customer_group_id and customer.group_id != coupon.customer_group_id:
        return _("Coupon %(c)s is only for customers of the group %(g)s.") % {
            "c": coupon.code,
            "g": coupon.customer_group.name if coupon.customer_group else "",
        }
    if base < coupon.min_order_amount:
        return _("Coupon %(c)s needs an amount before VAT of at least %(m)s (this one: %(a)s).") % {
            "c": coupon.code,
            "m": format_amount(coupon.min_order_amount, "VND"),
            "a": format_amount(base, "VND"),
        }
    if coupon.usage_limit is not None and coupon.used_count >= coupon.usage_limit:
        return _("Coupon %(c)s has reached its limit of %(n)d uses.") % {"c": coupon.code, "n": coupon.usage_limit}
    if coupon.per_customer_limit is not None:
        used = (
            CouponRedemption.objects.filter(coupon=coupon, customer=customer, released_at__isnull=True)
            .exclude(order_id=order_id)
            .count()
        )
        if used >= coupon.per_customer_limit:
            return _("Customer %(k)s has already used coupon %(c)s %(n)d times (the limit).") % {
                "k": customer.code,
                "c": coupon.code,
                "n": used,
            }
    return None


def coupon_discount(coupon: Coupon, base: Decimal) -> Decimal:
    """Percent: ``base`` × percent rounded half up to the đồng; amount: the amount, at most ``base``."""
    if coupon.kind == CouponKind.PERCENT:
        return round_money(base * coupon.value / HUNDRED, "VND")
    return min(coupon.value, base)


def allocate(bases: list[Decimal], discount: Decimal) -> list[Decimal]:
    """Spread ``discount`` (whole đồng, ≤ Σ bases) over lines in proportion to ``bases`` (their amounts
    before VAT): each share rounded down, the đồng left over given to the largest remainders (ties: the
    first line). Σ shares = discount, each share ≤ its base."""
    total = sum(bases, ZERO)
    if not discount or total <= 0:
        return [ZERO for _b in bases]
    exact = [discount * b / total if b > 0 else ZERO for b in bases]
    shares = [e.to_integral_value(rounding="ROUND_FLOOR") for e in exact]
    left = int(discount - sum(shares, ZERO))
    order = sorted(range(len(bases)), key=lambda i: (-(exact[i] - shares[i]), i))
    for i in order[:left]:
        shares[i] += 1
    return shares


def reprice(document: Any, lines: list[Any], *, order_id: int | None = None) -> None:
    """Recompute the promotion discount of a draft order or quotation and its lines' allowances and
    amounts (not saved). Refuses (400) when its coupon no longer applies or the points are worth more
    than what is left to pay before VAT."""
    bases = [
        a.net
        for a in document_totals([(li.quantity, li.unit_price, li.discount_percent, li.vat_code) for li in lines]).lines
    ]
    base = sum(bases, ZERO)
    discount = ZERO
    document.coupon_discount = ZERO
    mask: list[bool] | None = None  # the lines a restricted coupon applies to
    if document.coupon_id:
        coupon = document.coupon
        reason = coupon_refusal(coupon, document.customer, document.date, base, order_id=order_id)
        if reason:
            raise ValidationError({"coupon": [reason]})
        eligible_base = base
        if coupon.is_restricted:
            mask = eligible_lines(coupon, lines)
            eligible_base = sum((b for b, m in zip(bases, mask, strict=True) if m), ZERO)
            if eligible_base <= 0:
                raise ValidationError({"coupon": [no_line_refusal(coupon)]})
        document.coupon_discount = coupon_discount(coupon, eligible_base)
        discount += document.coupon_discount
    points_discount = getattr(document, "points_discount", ZERO) or ZERO
    if points_discount > base - discount:
        raise ValidationError(
            {
                "points": [
                    _("The points are worth %(v)s, more than the %(a)s left to pay before VAT.")
                    % {"v": format_amount(points_discount, "VND"), "a": format_amount(base - discount, "VND")}
                ]
            }
        )
    discount += points_discount
    if mask is None:
        shares = allocate(bases, discount)
    else:  # the coupon's discount over its lines only, then the points over what is left of every line
        coupon_shares = allocate([b if m else ZERO for b, m in zip(bases, mask, strict=True)], document.coupon_discount)
        rest = allocate([b - c for b, c in zip(bases, coupon_shares, strict=True)], points_discount)
        shares = [c + r for c, r in zip(coupon_shares, rest, strict=True)]
    priced = document_totals(
        [(li.quantity, li.unit_price, li.discount_percent, li.vat_code, s) for li, s in zip(lines, shares, strict=True)]
    )
    for line, share, amounts in zip(lines, shares, priced.lines, strict=True):
        line.allowance = share
        line.net_amount, line.vat_amount, line.total = amounts.net, amounts.vat, amounts.total
    actions._set_totals(document, lines)


def save_repriced(document: Any, lines: list[Any]) -> None:
    type(lines[0]).objects.bulk_update(lines, ["allowance", "net_amount", "vat_amount", "total"])
    document.save()


def _lock_document(p: Principal, kind: str, document_id: int) -> Any:
    document: Any
    if kind == "order":
        document = actions._lock_order(p, document_id)
        actions._refuse_status(document, OrderStatus.DRAFT)
        return document
    from novasaas.sales import quotations
    from novasaas.sales.models import QuotationStatus

    document = quotations._lock(p, document_id)
    quotations._refuse(document, QuotationStatus.DRAFT)
    return document


@transaction.atomic
def apply_coupon(p: Principal, kind: str, document_id: int, code: str) -> Any:
    """Put a coupon on a draft order (``kind`` "order") or quotation ("quotation"); refused with the
    reason (400, nothing changed) when it does not apply. The use is counted on confirmation."""
    p.require("crm.coupon.apply")
    document = _lock_document(p, kind, document_id)
    before = audit.snapshot(document)
    coupon = Coupon.objects.filter(code=str(code or "").strip().upper()).first()
    if coupon is None:
        raise ValidationError({"code": [_("There is no coupon %(c)s.") % {"c": str(code or "").strip()[:30]}]})
    document.coupon = coupon
    lines = list(document.lines.all())
    try:
        reprice(document, lines, order_id=document.pk if kind == "order" else None)
    except ValidationError as exc:
        raise ValidationError({"code": [m for ms in exc.message_dict.values() for m in ms]}) from exc
    save_repriced(document, lines)
    audit.record_updated(document, p.user, before)
    return document


@transaction.atomic
def remove_coupon(p: Principal, kind: str, document_id: int) -> Any:
    p.require("crm.coupon.apply")
    document = _lock_document(p, kind, document_id)
    before = audit.snapshot(document)
    document.coupon = None
    lines = list(document.lines.all())
    reprice(document, lines)
    save_repriced(document, lines)
    audit.record_updated(document, p.user, before)
    return document


# --- hooks of the order's life (called by actions.confirm_order / cancel_order) ------------------------


def on_confirm(p: Principal, order: SalesOrder, customer: Customer) -> None:
    """Count the coupon's use and take the points redeemed (``customer`` is locked by the caller). The
    coupon row is locked first, so the limits hold under concurrent confirmations."""
    if order.coupon_id:
        coupon = Coupon.objects.select_for_update().get(pk=order.coupon_id)
        base = order.untaxed + order.coupon_discount + order.points_discount
        reason = coupon_refusal(coupon, customer, order.date, base, order_id=order.pk)
        if not reason and coupon.is_restricted:
            lines = list(order.lines.all())
            if not any(eligible_lines(coupon, lines)):
                reason = no_line_refusal(coupon)
        if reason:
            raise ValidationError({"coupon": [reason]})
        CouponRedemption.objects.create(  # type: ignore[misc]
            coupon=coupon, order=order, customer=customer, discount=order.coupon_discount
        )
        Coupon.objects.filter(pk=coupon.pk).update(used_count=F("used_count") + 1)
    if order.points_redeemed:
        from novasaas.sales import loyalty

        loyalty.redeem_for_order(p, order, customer)


def on_cancel(p: Principal, order: SalesOrder) -> None:
    """Give back the coupon's use and the points of a confirmed order being cancelled."""
    redemption = CouponRedemption.objects.filter(order=order, released_at__isnull=True).first()
    if redemption is not None:
        Coupon.objects.select_for_update().filter(pk=redemption.coupon_id).update(used_count=F("used_count") - 1)
        redemption.released_at = timezone.now()
        redemption.save(update_fields=["released_at"])
    if order.points_redeemed:
        from novasaas.sales import loyalty

        loyalty.restore_for_order(p, order)


# --- campaigns ---------------------------------------------------------------------------------------

_COUNTED = (OrderStatus.CONFIRMED, OrderStatus.PARTIAL, OrderStatus.DELIVERED, OrderStatus.INVOICED)


def list_campaigns(tenant: Any) -> QuerySet[Campaign]:
    """Campaigns with their results: ``order_count`` and ``revenue`` (Σ amount before VAT) of the
    confirmed (or later, not cancelled) orders using their coupons."""
    counted = Q(coupons__orders__status__in=_COUNTED)
    return (
        Campaign.objects.filter(tenant=tenant)
        .select_related("customer_group")
        .annotate(
            order_count=Count("coupons__orders", filter=counted, distinct=True),
            revenue=Sum("coupons__orders__untaxed", filter=counted),
        )
    )


def get_campaign(tenant: Any, campaign_id: int) -> Campaign:
    return list_campaigns(tenant).get(pk=campaign_id)  # type: ignore[no-any-return]


@transaction.atomic
def save_campaign(p: Principal, campaign_id: int | None = None, **fields: Any) -> Campaign:
    p.require("crm.campaign.manage")
    campaign = Campaign() if campaign_id is None else Campaign.objects.select_for_update().get(pk=campaign_id)
    creating = campaign.pk is None
    before = None if creating else audit.snapshot(campaign)
    unknown = set(fields) - {"name", "starts_on", "ends_on", "customer_group_id", "target_tag", "note"}
    if unknown:
        raise ValidationError({sorted(unknown)[0]: [_("Unknown field.")]})
    if "name" in fields or creating:
        name = str(fields.get("name") or "").strip()
        if not name:
            raise ValidationError({"name": [_("This field is required.")]})
        campaign.name = name[:200]
    for field in ("starts_on", "ends_on"):
        if field in fields or creating:
            value = _opt_date(fields.get(field), field)
            if value is None:
                raise ValidationError({field: [_("This field is required.")]})
            setattr(campaign, field, value)
    if campaign.ends_on < campaign.starts_on:
        raise ValidationError({"ends_on": [_("The end date cannot be before the start date.")]})
    if "customer_group_id" in fields:
        gid = fields["customer_group_id"]
        campaign.customer_group = None
        if gid not in (None, "", 0):
            group = CustomerGroup.objects.filter(pk=gid, is_active=True).first()
            if group is None:
                raise ValidationError({"customer_group_id": [_("Choose an active customer group.")]})
            campaign.customer_group = group
    if "target_tag" in fields:
        campaign.target_tag = str(fields["target_tag"] or "").strip()[:50]
    if "note" in fields:
        campaign.note = str(fields["note"] or "")[:2000]
    campaign.save()
    if before is None:
        audit.record_created(campaign, p.user)
    else:
        audit.record_updated(campaign, p.user, before)
    return campaign
