"""Sales actions: customers, groups, orders (create, confirm with approval, cancel) and payments;
deliveries and invoices are in ``deliveries.py``.

Each action runs in one transaction, takes the principal explicitly, checks its permission, locks the
document it changes (``select_for_update``) and publishes a domain event. Stock and ledger effects are
the subscribers' (``subscribers.py``), which run only for tenants with INV / ACC: a refusal there
(not enough stock, a closed period) rolls the whole action back, so a refused step changes nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from novasaas.billing import limits as billing_limits
from novasaas.identity.access import Principal
from novasaas.platform import audit
from novasaas.platform.events import publish
from novasaas.platform.money import decimals_error, format_amount, quantize, to_decimal
from novasaas.platform.numbering import next_number
from novasaas.sales import events, selectors
from novasaas.sales.models import (
    Customer,
    CustomerGroup,
    InvoiceStatus,
    OrderStatus,
    PaymentMethod,
    SalesOrder,
    SalesOrderLine,
    SalesPayment,
)
from novasaas.sales.totals import VAT_RATES, document_totals, vat_code_valid_on

ZERO = Decimal(0)
HUNDRED = Decimal(100)
CUSTOMER_PREFIX = "KH-"  # customer series of Sales; the party keeps its directory code (KH00001 / NCC00001)
ORDER_PREFIX = "DH"
INVOICE_SYMBOL = "1C{yy}TAA"  # template 1 (VAT invoice), C = with tax authority code, T = registered, AA
MAX_LINES = 500
Rows = Sequence[Mapping[str, Any]]


def _dec(value: Any, field: str, *, allow_none: bool = False) -> Decimal | None:
    if value is None or value == "":
        if allow_none:
            return None
        raise ValidationError({field: [_("This field is required.")]})
    try:
        number = to_decimal(value)
    except (TypeError, ValueError) as exc:
        raise ValidationError({field: [_("Enter a number.")]}) from exc
    if not number.is_finite() or abs(number) >= Decimal("1e14"):
        raise ValidationError({field: [_("Enter a number.")]})
    return number


def _money(value: Any, field: str, currency: str = "VND", *, allow_none: bool = False) -> Decimal | None:
    amount = _dec(value, field, allow_none=allow_none)
    if amount is None:
        return None
    if amount < 0:
        raise ValidationError({field: [_("Enter an amount of zero or more.")]})
    error = decimals_error(amount, currency)
    if error:
        raise ValidationError({field: [error]})
    return amount


def _percent(value: Any, field: str) -> Decimal:
    pct = _dec(value if value not in (None, "") else "0", field)
    assert pct is not None
    if pct < 0 or pct > HUNDRED or pct != quantize(pct, 2):
        raise ValidationError({field: [_("Enter a percentage from 0 to 100 with at most 2 decimals.")]})
    return pct


def _member(p: Principal, user_id: Any, field: str) -> Any:
    user = selectors.active_member_user(p.tenant, user_id) if user_id else None
    if user is None:
        raise ValidationError({field: [_("Choose an active member of the company.")]})
    return user


_KEEP: Any = object()


# --- customer groups -------------------------------------------------------------------------------


@transaction.atomic
def save_group(
    p: Principal,
    group_id: int | None = None,
    *,
    code: str | None = None,
    name: str | None = None,
    discount_percent: Any = None,
    is_active: bool | None = None,
    price_list_id: Any = _KEEP,
) -> CustomerGroup:
    """Create or change a customer group (VIP, Regular, …), its default discount and price list."""
    p.require("crm.customer.segment")
    group = CustomerGroup() if group_id is None else CustomerGroup.objects.select_for_update().get(pk=group_id)
    before = audit.snapshot(group) if group.pk else None
    if code is not None:
        code = code.strip().upper()
        if not code:
            raise ValidationError({"code": [_("This field is required.")]})
        if CustomerGroup.objects.filter(code=code).exclude(pk=group.pk).exists():
            raise ValidationError({"code": [_("This code is already used.")]})
        group.code = code[:20]
    elif group.pk is None:
        raise ValidationError({"code": [_("This field is required.")]})
    if name is not None:
        if not name.strip():
            raise ValidationError({"name": [_("This field is required.")]})
        group.name = name.strip()[:100]
    elif group.pk is None:
        raise ValidationError({"name": [_("This field is required.")]})
    if discount_percent is not None or group.pk is None:
        group.discount_percent = _percent(discount_percent, "discount_percent")
    if is_active is not None:
        group.is_active = is_active
    if price_list_id is not _KEEP:
        from novasaas.sales.models import PriceList

        if price_list_id in (None, "", 0):
            group.price_list = None
        else:
            found = PriceList.objects.filter(pk=price_list_id, is_active=True).first()
            if found is None:
                raise ValidationError({"price_list_id": [_("Choose an active price list.")]})
            group.price_list = found
    group.save()
    if before is None:
        audit.record_created(group, p.user)
    else:
        audit.record_updated(group, p.user, before)
    return group


# --- customers -------------------------------------------------------------------------------------


def _group(group_id: Any) -> CustomerGroup | None:
    if group_id in (None, ""):
        return None
    group = CustomerGroup.objects.filter(pk=group_id, is_active=True).first()
    if group is None:
        raise ValidationError({"group_id": [_("Choose an active customer group.")]})
    return group


@transaction.atomic
def create_customer(
    p: Principal,
    *,
    party_id: int,
    group_id: int | None = None,
    credit_limit: Any = None,
    payment_terms_days: int = 0,
    salesperson_id: int | None = None,
) -> Customer:
    """Give the customer role to a party of the directory. Sales Staff become the customer's
    salesperson; choosing another one needs ``crm.customer.assign``, a group ``crm.customer.segment``
    and a credit limit ``crm.customer.credit_limit``."""
    p.require("crm.customer.create")
    from novasaas.parties.selectors import resolve_party_id

    resolved = resolve_party_id(p.tenant, party_id) if party_id else None
    if resolved is None or resolved != party_id:
        raise ValidationError({"party_id": [_("Choose an active party of the directory.")]})
    if Customer.objects.filter(party_id=party_id).exists():
        raise ValidationError({"party_id": [_("This party is already a customer.")]})
    billing_limits.check(p.tenant, "customers")
    customer = Customer(party_id=party_id)
    _apply_customer(
        p,
        customer,
        group_id=group_id,
        credit_limit=credit_limit,
        payment_terms_days=payment_terms_days,
        salesperson_id=salesperson_id,
        creating=True,
    )
    customer.code = f"{CUSTOMER_PREFIX}{next_number('sales.customer'):05d}"
    customer.save()
    audit.record_created(customer, p.user)
    return customer


_UNSET: Any = object()


def _apply_customer(
    p: Principal,
    customer: Customer,
    *,
    group_id: Any = _UNSET,
    credit_limit: Any = _UNSET,
    payment_terms_days: Any = _UNSET,
    salesperson_id: Any = _UNSET,
    creating: bool = False,
) -> None:
    if group_id is not _UNSET and (group_id or None) != customer.group_id:
        p.require("crm.customer.segment")
        customer.group = _group(group_id)
    if credit_limit is not _UNSET:
        limit = _money(credit_limit, "credit_limit", allow_none=True)
        if limit != customer.credit_limit:
            p.require("crm.customer.credit_limit")
            customer.credit_limit = limit
    if payment_terms_days is not _UNSET:
        days = int(_dec(payment_terms_days if payment_terms_days is not None else 0, "payment_terms_days") or 0)
        if days < 0 or days > 3650:
            raise ValidationError({"payment_terms_days": [_("Enter a number of days from 0 to 3650.")]})
        customer.payment_terms_days = days
    if salesperson_id is not _UNSET and salesperson_id not in (None, ""):
        if int(salesperson_id) != (p.user.pk if p.user else None):
            p.require("crm.customer.assign")
        if int(salesperson_id) != customer.salesperson_id:
            if not creating:
                p.require("crm.customer.assign")
            customer.salesperson = _member(p, salesperson_id, "salesperson_id")
    elif salesperson_id is not _UNSET and not creating and customer.salesperson_id is not None:
        p.require("crm.customer.assign")
        customer.salesperson = None
    if creating and customer.salesperson_id is None and not p.has("crm.order.view_all") and p.user is not None:
        customer.salesperson = p.user  # Sales Staff's own customer, so they keep seeing it


@transaction.atomic
def update_customer(p: Principal, customer_id: int, **fields: Any) -> Customer:
    """Change a customer's group, credit limit, payment terms or salesperson (each with its right)."""
    p.require("crm.customer.edit")
    customer = selectors.visible_customers(p).select_for_update().get(pk=customer_id)
    unknown = set(fields) - {"group_id", "credit_limit", "payment_terms_days", "salesperson_id", "is_active"}
    if unknown:
        raise ValidationError({sorted(unknown)[0]: [_("Unknown field.")]})
    before = audit.snapshot(customer)
    is_active = fields.pop("is_active", None)
    _apply_customer(p, customer, **fields)
    if is_active is not None and is_active != customer.is_active:
        p.require("crm.customer.delete")
        customer.is_active = bool(is_active)
    customer.save()
    audit.record_updated(customer, p.user, before)
    return customer


@transaction.atomic
def deactivate_customer(p: Principal, customer_id: int) -> Customer:
    """Customers are deactivated, never deleted: their documents keep pointing at them."""
    p.require("crm.customer.delete")
    customer = selectors.visible_customers(p).select_for_update().get(pk=customer_id)
    before = audit.snapshot(customer)
    customer.is_active = False
    customer.save(update_fields=["is_active"])
    audit.record_updated(customer, p.user, before)
    return customer


# --- sales orders ----------------------------------------------------------------------------------


def _build_lines(
    p: Principal, rows: Rows, on: dt.date, customer: Customer, line_class: Any = SalesOrderLine
) -> list[Any]:
    """Validate and price the lines of a sales document (order or quotation: ``line_class``); the one
    path for both, totals from ``totals.document_totals``."""
    if not rows:
        raise ValidationError({"lines": [_("Add at least one line.")]})
    if len(rows) > MAX_LINES:
        raise ValidationError({"lines": [_("At most %(n)d lines.") % {"n": MAX_LINES}]})
    from novasaas.sales import pricing

    default_discount = customer.group.discount_percent if customer.group_id else ZERO  # type: ignore[union-attr]
    price_list = pricing.price_list_for(customer, on)
    built = []
    for i, row in enumerate(rows):
        key = f"lines[{i}]"
        line = line_class(position=i + 1)
        product_id = row.get("product_id")
        vat_default = "VAT10"
        if product_id not in (None, ""):
            if not p.tenant.has_module("INV"):
                raise ValidationError({f"{key}.product_id": [_("Products need the Inventory module.")]})
            product = selectors.product_for_sale(p.tenant, product_id)
            if product is None:
                raise ValidationError({f"{key}.product_id": [_("Choose an active product.")]})
            line.product_id = product.pk
            line.description = str(row.get("description") or "").strip()[:300] or product.name[:300]
            line.unit = product.stock_unit.name[:30]
            line.is_stocked = product.is_stocked
            line.is_service = not product.is_stocked
            vat_default = product.tax_category.upper()
            price_default: Any = product.sale_price
        else:
            line.description = str(row.get("description") or "").strip()[:300]
            if not line.description:
                raise ValidationError({f"{key}.description": [_("Describe the line or choose a product.")]})
            line.unit = str(row.get("unit") or "").strip()[:30]
            line.is_service = True
            price_default = None
        qty = _dec(row.get("quantity"), f"{key}.quantity")
        assert qty is not None
        if qty <= 0 or qty != quantize(qty, 4):
            raise ValidationError({f"{key}.quantity": [_("Enter a quantity greater than zero (at most 4 decimals).")]})
        line.quantity = qty
        if line.product_id is not None and price_list is not None:
            listed = pricing.list_price(price_list, line.product_id, qty)
            price_default = listed if listed is not None else price_default
        price = row.get("unit_price")
        line.unit_price = _money(price if price not in (None, "") else price_default, f"{key}.unit_price")  # type: ignore[assignment]
        if (
            price not in (None, "")
            and price_list is not None
            and not price_list.allow_override
            and line.product_id is not None
            and line.unit_price != price_default
            and not p.has("crm.order.approve")
        ):
            raise ValidationError(
                {
                    f"{key}.unit_price": [
                        _("Price list %(c)s fixes this price at %(a)s; a Sales Manager may change it.")
                        % {"c": price_list.code, "a": format_amount(price_default, "VND")}
                    ]
                }
            )
        discount = row.get("discount_percent")
        line.discount_percent = (
            _percent(discount, f"{key}.discount_percent") if discount not in (None, "") else default_discount
        )
        code = str(row.get("vat_code") or vat_default).strip().upper()
        if code not in VAT_RATES:
            raise ValidationError({f"{key}.vat_code": [_("Unknown VAT rate.")]})
        if not vat_code_valid_on(code, on):
            raise ValidationError(
                {
                    f"{key}.vat_code": [
                        _("The reduced VAT rate 8%% is not valid on %(d)s.") % {"d": on.strftime("%d/%m/%Y")}
                    ]
                }
            )
        line.vat_code = code
        built.append(line)
    totals = document_totals([(li.quantity, li.unit_price, li.discount_percent, li.vat_code) for li in built])
    for line, amounts in zip(built, totals.lines, strict=True):
        line.net_amount, line.vat_amount, line.total = amounts.net, amounts.vat, amounts.total
    return built


def _set_totals(order: Any, lines: list[Any]) -> None:
    order.untaxed = sum((li.net_amount for li in lines), ZERO)
    order.vat = sum((li.vat_amount for li in lines), ZERO)
    order.total = order.untaxed + order.vat


def _warehouse(p: Principal, warehouse_id: Any) -> int | None:
    if warehouse_id in (None, ""):
        return None
    if not p.tenant.has_module("INV") or not selectors.warehouse_exists(p.tenant, warehouse_id):
        raise ValidationError({"warehouse_id": [_("Choose an active warehouse.")]})
    return int(warehouse_id)


def _date(value: Any) -> dt.date:
    if value in (None, ""):
        return timezone.localdate()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError as exc:
        raise ValidationError({"date": [_("Enter a valid date.")]}) from exc


@transaction.atomic
def create_order(
    p: Principal, *, customer_id: int, lines: Rows, date: Any = None, warehouse_id: Any = None, note: str = ""
) -> SalesOrder:
    """A draft sales order with its lines and totals (``totals.document_totals``); gapless number
    DH-<year>-<n>. Nothing is reserved before confirmation."""
    p.require("crm.order.create")
    customer = selectors.visible_customers(p).filter(is_active=True, pk=customer_id).select_related("group").first()
    if customer is None:
        raise ValidationError({"customer_id": [_("Choose an active customer.")]})
    on = _date(date)
    billing_limits.check(p.tenant, "orders_per_month")
    order = SalesOrder(
        customer=customer,
        date=on,
        warehouse_id=_warehouse(p, warehouse_id),
        salesperson_id=customer.salesperson_id or (p.user.pk if p.user else None),
        note=(note or "")[:2000],
        created_by=p.user,
    )
    built = _build_lines(p, lines, on, customer)
    _set_totals(order, built)
    order.number = f"{ORDER_PREFIX}-{on.year}-{next_number('sales.order', str(on.year)):05d}"
    order.save()
    for line in built:
        line.order = order
        line.tenant_id = order.tenant_id
    SalesOrderLine.objects.bulk_create(built)
    audit.record_created(order, p.user)
    return order


def _lock_order(p: Principal, order_id: int) -> SalesOrder:
    return selectors.visible_orders(p).select_for_update().select_related("customer").get(pk=order_id)  # type: ignore[no-any-return]


def refuse_unless(document: Any, message: str, *allowed: str) -> None:
    """400 unless the document (order, quotation, …) is in one of the ``allowed`` states; ``message``
    is the translated "<Document> %(n)s is %(s)s." text."""
    if document.status not in allowed:
        raise ValidationError({"status": [message % {"n": document.number, "s": document.get_status_display()}]})


def move_to(p: Principal, document: Any, status: str, **changes: Any) -> None:
    """Store a document's new state (and the other ``changes``) with its audit record: the one shape of
    every state transition of Sales."""
    before = audit.snapshot(document)
    document.status = status
    for field, value in changes.items():
        setattr(document, field, value)
    document.save(update_fields=["status", *changes])
    audit.record_updated(document, p.user, before)


def _refuse_status(order: SalesOrder, *allowed: str) -> None:
    refuse_unless(order, _("Order %(n)s is %(s)s."), *allowed)


@transaction.atomic
def update_order(
    p: Principal,
    order_id: int,
    *,
    lines: Rows | None = None,
    date: Any = None,
    warehouse_id: Any = _UNSET,
    note: str | None = None,
) -> SalesOrder:
    """Change a draft order (its lines are replaced when ``lines`` is given)."""
    p.require("crm.order.create")
    order = _lock_order(p, order_id)
    _refuse_status(order, OrderStatus.DRAFT)
    before = audit.snapshot(order)
    if date not in (None, ""):
        order.date = _date(date)
    if warehouse_id is not _UNSET:
        order.warehouse_id = _warehouse(p, warehouse_id)
    if note is not None:
        order.note = note[:2000]
    if lines is not None or date not in (None, ""):
        rows = lines if lines is not None else [_line_row(li) for li in order.lines.all()]
        built = _build_lines(p, rows, order.date, order.customer)
        if order.coupon_id or order.points_redeemed:
            from novasaas.sales import promotions

            promotions.reprice(order, built, order_id=order.pk)  # the promotion follows the new lines
        order.lines.all().delete()
        for line in built:
            line.order = order
            line.tenant_id = order.tenant_id
        SalesOrderLine.objects.bulk_create(built)
        _set_totals(order, built)
    order.save()
    audit.record_updated(order, p.user, before)
    return order


def _line_row(line: Any) -> dict[str, Any]:
    return {
        "product_id": line.product_id,
        "description": line.description,
        "unit": line.unit,
        "quantity": line.quantity,
        "unit_price": line.unit_price,
        "discount_percent": line.discount_percent,
        "vat_code": line.vat_code,
    }


def _stock_lines(order: SalesOrder) -> list[list[str | int]]:
    """``[product_id, quantity]`` of the stocked lines, added up per product."""
    totals: dict[int, Decimal] = {}
    for line in order.lines.filter(is_stocked=True, product_id__isnull=False):
        pid = int(line.product_id or 0)
        totals[pid] = totals.get(pid, ZERO) + line.quantity
    return [[pid, str(qty)] for pid, qty in sorted(totals.items())]


@transaction.atomic
def confirm_order(p: Principal, order_id: int, *, approve_over_credit_limit: bool = False) -> SalesOrder:
    """Confirm a draft order (or approve one awaiting approval): checks the customer's credit limit
    (open receivable + open orders + this order; a Sales Manager may approve over it) and the company's
    approval limit (``SalesSettings.approval_limit``: above it, a confirmation by someone without
    ``crm.order.approve`` puts the order in "awaiting approval", a Sales Manager's confirmation approves
    it). With INV the stocked lines are reserved in the order's warehouse: with the stock check "refuse"
    all or nothing (``InsufficientStock`` refuses the confirmation), with "warn" what is available, the
    shortage listed in ``order.warnings``. Two users confirming the same order at once: the row lock lets
    one through, the other sees it confirmed (400)."""
    from novasaas.sales.models import StockCheck
    from novasaas.sales.policy import get_settings

    p.require("crm.order.create")
    order = _lock_order(p, order_id)
    _refuse_status(order, OrderStatus.DRAFT, OrderStatus.TO_APPROVE)
    customer = Customer.objects.select_for_update().get(pk=order.customer_id)  # serialise credit checks
    if not customer.is_active:
        raise ValidationError({"customer_id": [_("Customer %(c)s is inactive.") % {"c": customer.code}]})
    if customer.credit_limit is not None:
        exposure = selectors.credit_exposure(p.tenant, customer) + order.total
        if exposure > customer.credit_limit:
            if not approve_over_credit_limit or not p.has("crm.order.approve"):
                raise ValidationError(
                    {
                        "credit_limit": [
                            _(
                                "Credit limit exceeded: open receivable and orders with this one come to "
                                "%(e)s, the limit of %(c)s is %(l)s. A Sales Manager may approve it."
                            )
                            % {
                                "e": format_amount(exposure),
                                "c": customer.code,
                                "l": format_amount(customer.credit_limit),
                            }
                        ]
                    }
                )
    policy = get_settings(p.tenant)
    if policy.approval_limit is not None and order.total > policy.approval_limit and not p.has("crm.order.approve"):
        if order.status == OrderStatus.TO_APPROVE:
            raise ValidationError(
                {"status": [_("Order %(n)s awaits a Sales Manager's approval.") % {"n": order.number}]}
            )
        move_to(p, order, OrderStatus.TO_APPROVE)
        return order
    stock_lines = _stock_lines(order)
    warnings: list[str] = []
    if stock_lines and p.tenant.has_module("INV"):
        if order.warehouse_id is None:
            raise ValidationError({"warehouse_id": [_("Choose the warehouse the goods leave from.")]})
        if policy.stock_check == StockCheck.WARN:
            warnings = _shortages(p, order, stock_lines)
    if order.coupon_id or order.points_redeemed:
        from novasaas.sales import promotions

        promotions.on_confirm(p, order, customer)  # coupon use counted, points taken (locked rows)
    move_to(p, order, OrderStatus.CONFIRMED)
    publish(
        events.SalesOrderConfirmed(
            tenant_id=p.tenant.pk,
            order_id=order.pk,
            document=order.document,
            warehouse_id=order.warehouse_id,
            lines=stock_lines,
            partial_ok=policy.stock_check == StockCheck.WARN,
        )
    )
    order.warnings = warnings  # type: ignore[attr-defined]
    return order


def _shortages(p: Principal, order: SalesOrder, stock_lines: list[list[str | int]]) -> list[str]:
    out = []
    for pid, qty in stock_lines:
        available = selectors.available_stock(p.tenant, int(pid), int(order.warehouse_id or 0))
        if available < Decimal(str(qty)):
            product = selectors.product_for_sale(p.tenant, pid)
            out.append(
                _("%(p)s: %(a)s available of %(q)s ordered; the rest is back-ordered.")
                % {
                    "p": product.name if product else pid,
                    "a": f"{max(available, ZERO).normalize():f}",
                    "q": f"{Decimal(str(qty)).normalize():f}",
                }
            )
    return out


@transaction.atomic
def cancel_order(p: Principal, order_id: int) -> SalesOrder:
    """Cancel a draft, awaiting or confirmed order; with INV what it had reserved is released."""
    p.require("crm.order.create")
    order = _lock_order(p, order_id)
    _refuse_status(order, OrderStatus.DRAFT, OrderStatus.TO_APPROVE, OrderStatus.CONFIRMED)
    was_confirmed = order.status == OrderStatus.CONFIRMED
    move_to(p, order, OrderStatus.CANCELLED)
    if was_confirmed and (order.coupon_id or order.points_redeemed):
        from novasaas.sales import promotions

        promotions.on_cancel(p, order)
    if was_confirmed:
        publish(
            events.SalesOrderCancelled(
                tenant_id=p.tenant.pk,
                order_id=order.pk,
                document=order.document,
                warehouse_id=order.warehouse_id,
                lines=_stock_lines(order),
            )
        )
    return order


@transaction.atomic
def receive_payment(
    p: Principal, invoice_id: int, *, amount: Any, method: str = "bank", date: Any = None
) -> SalesPayment:
    """Money received against an invoice. What exceeds the open amount (total − credited − paid) is
    kept as the customer's credit (``CustomerCreditEntry``), usable on a next invoice
    (``returns.apply_credit``). With ACC it is a receipt in accounting's receivables, allocated to this
    invoice for the open part (the rest stays a credit on 131)."""
    from novasaas.sales.models import CustomerCreditEntry

    p.require("crm.payment.receive")
    invoice = (
        selectors.visible_invoices(p).select_for_update(of=("self",)).select_related("customer").get(pk=invoice_id)
    )
    if invoice.status == InvoiceStatus.PAID:
        raise ValidationError({"invoice": [_("Invoice %(n)s is already paid.") % {"n": invoice.number}]})
    value = _money(amount, "amount")
    assert value is not None
    if value <= 0:
        raise ValidationError({"amount": [_("Enter an amount greater than zero.")]})
    if method not in (PaymentMethod.BANK, PaymentMethod.CASH):
        raise ValidationError({"method": [_("Choose bank or cash.")]})
    on = _date(date)
    if on < invoice.date:
        raise ValidationError({"date": [_("The payment cannot be dated before the invoice.")]})
    open_amount = invoice.total - invoice.credited - invoice.paid
    applied = min(value, open_amount)
    payment = SalesPayment.objects.create(  # type: ignore[misc]  # MoneyField holds Decimal
        invoice=invoice, date=on, amount=value, method=method, created_by=p.user
    )
    audit.record_created(payment, p.user)
    if value > applied:
        CustomerCreditEntry.objects.create(  # type: ignore[misc]
            customer=invoice.customer, date=on, amount=value - applied, source=f"payment:{payment.pk}"
        )
    before = audit.snapshot(invoice)
    invoice.paid = invoice.paid + applied
    if invoice.paid == invoice.total - invoice.credited:
        invoice.status = InvoiceStatus.PAID
    invoice.save(update_fields=["paid", "status"])
    audit.record_updated(invoice, p.user, before)
    publish(
        events.SalesPaymentReceived(
            tenant_id=p.tenant.pk,
            payment_id=payment.pk,
            invoice_id=invoice.pk,
            partner_id=invoice.customer.party_id,
            date=on.isoformat(),
            amount=str(value),
            applied=str(applied),
            method=method,
            actor_id=p.user.pk if p.user else None,
        )
    )
    return payment
