"""Vendor bills (purchase invoices) with the three-way match, and vendor payments.

A bill with a purchase order has one line per order line it bills; its quantity is matched with the
quantity received and not yet billed, its net unit price with the order's, within the company's
tolerances. A mismatch blocks posting until a Purchase Manager approves it. Posting (one transaction,
the order's lines locked, the match checked again) clears goods received not invoiced (3388) by the
value the receipts credited to it; a higher bill price goes to the stock (or, for goods already sold,
COGS) through inventory's landed cost, a lower one to COGS; VAT goes to 1331 (accounting moves it to the
cost when the ≥ 5,000,000 đ cash rule makes it non-deductible). A bill without an order is a service or
expense bill: Dr the chosen expense role, on the project's ledger dimension ``project:<code>`` when a line
names a project (Projects' costing reads it).
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

from novasaas.identity.access import Principal
from novasaas.platform import audit
from novasaas.platform.events import publish
from novasaas.platform.money import format_amount, quantize, round_money
from novasaas.platform.numbering import next_number
from novasaas.purchasing import _common as c
from novasaas.purchasing import events
from novasaas.purchasing.models import (
    BillKind,
    BillStatus,
    CostKind,
    ExpenseRole,
    MatchStatus,
    OrderStatus,
    PaymentMethod,
    PurchaseOrder,
    PurchaseOrderLine,
    PurchaseReceipt,
    Vendor,
    VendorBill,
    VendorBillLine,
    VendorPayment,
)
from novasaas.sales.totals import VAT_RATES, document_totals, vat_code_valid_on

ZERO = Decimal(0)
HUNDRED = Decimal(100)
BILL_PREFIX = "HDM"
Rows = Sequence[Mapping[str, Any]]
BILLABLE = (OrderStatus.PARTIAL, OrderStatus.RECEIVED, OrderStatus.CLOSED)


def _net_unit(price: Decimal, discount: Decimal) -> Decimal:
    return price * (HUNDRED - discount) / HUNDRED


def _vat_code(value: Any, key: str, on: dt.date, default: str) -> str:
    code = str(value or default).strip().upper()
    if code not in VAT_RATES:
        raise ValidationError({f"{key}.vat_code": [_("Unknown VAT rate.")]})
    if not vat_code_valid_on(code, on):
        raise ValidationError({f"{key}.vat_code": [_("This VAT rate is not valid on the bill's date.")]})
    return code


def _project(tenant: Any, value: Any, key: str) -> Any:
    """The project an expense line is charged to (Projects' selector), or None when none is named.
    Refused clearly: a project while the company has no Projects module, an unknown or closed one."""
    if value in (None, "", 0, "0"):
        return None
    if not tenant.has_module("PM"):
        raise ValidationError({key: [_("The Projects module is not enabled: a bill line cannot name a project.")]})
    from novasaas.projects.selectors import chargeable_project

    project = chargeable_project(tenant, value)
    if project is None:
        raise ValidationError({key: [_("Choose an open project of the company.")]})
    return project


def _build_lines(rows: Rows, on: dt.date, order: PurchaseOrder | None, tenant: Any) -> list[VendorBillLine]:
    if not rows:
        raise ValidationError({"lines": [_("Add at least one line.")]})
    if len(rows) > c.MAX_LINES:
        raise ValidationError({"lines": [_("At most %(n)d lines.") % {"n": c.MAX_LINES}]})
    order_lines = {li.pk: li for li in order.lines.all()} if order is not None else {}
    built: list[VendorBillLine] = []
    seen: set[int] = set()
    for i, row in enumerate(rows):
        key = f"lines[{i}]"
        line = VendorBillLine(position=i + 1)
        if order is not None:
            try:
                po_line = order_lines.get(int(row.get("order_line_id") or 0))
            except (TypeError, ValueError, OverflowError):
                po_line = None
            if po_line is None or po_line.pk in seen:
                raise ValidationError({f"{key}.order_line_id": [_("Choose a line of the order (once).")]})
            seen.add(po_line.pk)
            if row.get("project_id") not in (None, "", 0, "0"):
                raise ValidationError(
                    {
                        f"{key}.project_id": [
                            _(
                                "Goods of a purchase order go into stock: a project can be named on the "
                                "lines of a bill without an order (services, expenses)."
                            )
                        ]
                    }
                )
            line.order_line = po_line
            line.description = po_line.description
            q = row.get("quantity")
            line.quantity = c.qty(q if q not in (None, "") else po_line.unbilled_quantity, f"{key}.quantity")
            price = row.get("unit_price")
            line.unit_price = c.money(price if price not in (None, "") else po_line.unit_price, f"{key}.unit_price")
            disc = row.get("discount_percent")
            line.discount_percent = c.percent(disc if disc not in (None, "") else po_line.discount_percent, key)
            line.vat_code = _vat_code(row.get("vat_code"), key, on, po_line.vat_code)
        else:
            line.description = c.text(row.get("description"), f"{key}.description", 300, required=True)
            role = str(row.get("expense_role") or ExpenseRole.ADMIN)
            if role not in ExpenseRole.values:
                raise ValidationError({f"{key}.expense_role": [_("Choose an expense.")]})
            line.expense_role = role
            project = _project(tenant, row.get("project_id"), f"{key}.project_id")
            if project is not None:
                line.project_id, line.project_code = project.pk, project.code
            line.quantity = c.qty(row.get("quantity") or 1, f"{key}.quantity")
            line.unit_price = c.money(row.get("unit_price"), f"{key}.unit_price")
            line.discount_percent = c.percent(row.get("discount_percent"), f"{key}.discount_percent")
            line.vat_code = _vat_code(row.get("vat_code"), key, on, "VAT10")
        built.append(line)
    totals = document_totals([(li.quantity, li.unit_price, li.discount_percent, li.vat_code) for li in built])
    for line, amounts in zip(built, totals.lines, strict=True):
        line.net_amount, line.vat_amount, line.total = amounts.net, amounts.vat, amounts.total
    return built


def match(p: Principal, lines: Sequence[VendorBillLine]) -> list[str]:
    """The three-way match of bill lines against their order lines as they stand: a list of the
    differences beyond the company's tolerances (empty: matched)."""
    from novasaas.purchasing.selectors import get_settings

    settings = get_settings(p.tenant)
    problems: list[str] = []
    for line in lines:
        po = line.order_line
        if po is None:
            continue
        open_qty = po.received_quantity - po.billed_quantity
        if line.quantity > open_qty * (HUNDRED + settings.quantity_tolerance_percent) / HUNDRED:
            problems.append(
                _("%(d)s: billed %(b)s, received and not yet billed %(r)s.")
                % {"d": po.description, "b": format_amount(line.quantity), "r": format_amount(max(open_qty, ZERO))}
            )
        ordered = _net_unit(po.unit_price, po.discount_percent)
        billed = _net_unit(line.unit_price, line.discount_percent)
        if abs(billed - ordered) > ordered * settings.price_tolerance_percent / HUNDRED:
            problems.append(
                _("%(d)s: billed price %(b)s, ordered %(o)s.")
                % {
                    "d": po.description,
                    "b": format_amount(round_money(billed)),
                    "o": format_amount(round_money(ordered)),
                }
            )
    return problems


@transaction.atomic
def create_bill(
    p: Principal,
    *,
    vendor_id: int | None = None,
    order_id: int | None = None,
    vendor_invoice_no: str,
    lines: Rows | None = None,
    date: Any = None,
    due_date: Any = None,
    payment_method: str = PaymentMethod.BANK,
) -> VendorBill:
    """A draft bill. With ``order_id`` its lines bill the order's lines (default: every line's
    received and not yet billed quantity at the order's price) and the three-way match is recorded;
    without, a service or expense bill of ``vendor_id``."""
    p.require("scm.po.create")
    on = c.date(date)
    assert on is not None
    order = None
    vendor: Vendor | None
    if order_id not in (None, ""):
        try:
            order = PurchaseOrder.objects.select_related("vendor").filter(pk=int(order_id)).first()  # type: ignore[arg-type]
        except (TypeError, ValueError, OverflowError):
            order = None
        if order is None:
            raise ValidationError({"order_id": [_("Choose a purchase order.")]})
        if order.status not in BILLABLE:
            raise ValidationError({"order_id": [_("Order %(n)s has nothing received to bill.") % {"n": order.number}]})
        if vendor_id not in (None, "") and int(vendor_id) != order.vendor_id:  # type: ignore[arg-type]
            raise ValidationError({"vendor_id": [_("The bill's vendor is the order's vendor.")]})
        vendor = order.vendor
        if lines is None:
            lines = [{"order_line_id": li.pk} for li in order.lines.all() if li.unbilled_quantity > 0]
    else:
        try:
            vendor = Vendor.objects.filter(pk=int(vendor_id or 0), is_active=True).first()
        except (TypeError, ValueError, OverflowError):
            vendor = None
    if vendor is None:
        raise ValidationError({"vendor_id": [_("Choose an active vendor.")]})
    if payment_method not in PaymentMethod.values:
        raise ValidationError({"payment_method": [_("Choose bank or cash.")]})
    due = c.date(due_date, "due_date", default_today=False) or on + dt.timedelta(days=vendor.payment_terms_days)
    if due < on:
        raise ValidationError({"due_date": [_("The due date comes before the bill date.")]})
    bill = VendorBill(
        vendor=vendor,
        order=order,
        vendor_invoice_no=c.text(vendor_invoice_no, "vendor_invoice_no", 40, required=True),
        date=on,
        due_date=due,
        payment_method=payment_method,
        created_by=p.user,
    )
    built = _build_lines(lines or [], on, order, p.tenant)
    bill.untaxed = sum((li.net_amount for li in built), ZERO)
    bill.vat = sum((li.vat_amount for li in built), ZERO)
    bill.total = bill.untaxed + bill.vat
    if order is not None:
        problems = match(p, built)
        bill.match_status = MatchStatus.MISMATCH if problems else MatchStatus.MATCHED
        bill.match_notes = "\n".join(problems)
    bill.number = f"{BILL_PREFIX}-{on.year}-{next_number('purchasing.bill', str(on.year)):05d}"
    bill.save()
    for line in built:
        line.bill = bill
        line.tenant_id = bill.tenant_id
    VendorBillLine.objects.bulk_create(built)
    audit.record_created(bill, p.user)
    return bill


def _lock(bill_id: int) -> VendorBill:
    return VendorBill.objects.select_for_update(of=("self",)).select_related("vendor", "order").get(pk=bill_id)  # type: ignore[no-any-return]


@transaction.atomic
def approve_match(p: Principal, bill_id: int) -> VendorBill:
    """A Purchase Manager accepts a draft bill's differences from the order and receipts."""
    p.require("scm.po.approve")
    bill = _lock(bill_id)
    if bill.status != BillStatus.DRAFT or bill.match_status != MatchStatus.MISMATCH:
        raise ValidationError({"match_status": [_("Only a draft bill with a mismatch can be approved.")]})
    before = audit.snapshot(bill)
    bill.match_status = MatchStatus.APPROVED
    bill.match_approved_by = p.user
    bill.save(update_fields=["match_status", "match_approved_by"])
    audit.record_updated(bill, p.user, before)
    return bill


@transaction.atomic
def delete_bill(p: Principal, bill_id: int) -> None:
    p.require("scm.po.create")
    bill = _lock(bill_id)
    if bill.status != BillStatus.DRAFT:
        raise ValidationError({"status": [_("Only a draft bill can be deleted.")]})
    audit.record_deleted(bill, p.user)
    bill.lines.all().delete()
    bill.delete()


def _latest_receipt(order: PurchaseOrder) -> PurchaseReceipt | None:
    return PurchaseReceipt.objects.filter(order=order, movement_id__isnull=False).order_by("-date", "-id").first()


@transaction.atomic
def post_bill(p: Principal, bill_id: int) -> VendorBill:
    """Post a draft bill (see the module docstring). Two users posting bills of the same receipt at
    once queue on the order lines' locks; the second sees the quantity already billed and is refused
    as a mismatch unless a Purchase Manager approved it."""
    p.require("scm.po.create")
    bill = _lock(bill_id)
    if bill.status != BillStatus.DRAFT:
        raise ValidationError({"status": [_("Bill %(n)s is already posted.") % {"n": bill.number}]})
    lines = list(bill.lines.all())
    po_ids = [li.order_line_id for li in lines if li.order_line_id]
    po_lines = {li.pk: li for li in PurchaseOrderLine.objects.select_for_update().filter(pk__in=po_ids).order_by("pk")}
    for line in lines:
        if line.order_line_id:
            line.order_line = po_lines[line.order_line_id]
    if bill.order_id is not None:
        problems = match(p, lines)
        if problems and bill.match_status != MatchStatus.APPROVED:
            raise ValidationError(
                {
                    "match_status": [
                        _("The bill does not match the order and receipts: %(p)s") % {"p": " ".join(problems)}
                    ]
                }
            )
    grni = ZERO
    cogs_difference = ZERO
    expenses: dict[tuple[str, str], Decimal] = {}  # (role, project code) → net
    landed: list[tuple[PurchaseOrderLine, Decimal]] = []
    import_vat: list[list[str]] = []
    if bill.kind == BillKind.LANDED_COST:
        from novasaas.purchasing.landed import allocate

        grni, import_vat = allocate(p, bill, lines)
    for line in lines:
        po = line.order_line
        if line.cost_kind:
            continue
        if po is None:
            key = (line.expense_role, line.project_code)
            expenses[key] = expenses.get(key, ZERO) + line.net_amount
            continue
        unbilled_q = po.received_quantity - po.billed_quantity
        unbilled_v = po.received_value - po.billed_value
        if unbilled_q <= 0:
            cleared = ZERO
        elif line.quantity >= unbilled_q:
            cleared = unbilled_v
        else:
            cleared = round_money(unbilled_v * line.quantity / unbilled_q)
        po.billed_quantity += line.quantity
        po.billed_value += cleared
        po.save(update_fields=["billed_quantity", "billed_value"])
        line.grni_value = cleared
        line.save(update_fields=["grni_value"])
        difference = line.net_amount - cleared
        grni += cleared
        if difference > 0:
            landed.append((po, difference))
        elif difference < 0:
            cogs_difference += difference
    if landed:
        from novasaas.inventory.actions import add_landed_cost

        receipt = _latest_receipt(bill.order)  # type: ignore[arg-type]
        assert receipt is not None and receipt.movement_id is not None  # a billable order has a goods receipt
        for po, difference in landed:
            add_landed_cost(
                c.delegate(p.user, "inv.adjustment.create"),
                receipt.movement_id,
                amount=str(difference),
                description=_("Price difference of bill %(n)s: %(d)s") % {"n": bill.number, "d": po.description},
                split="value",
                date=bill.date,
            )
            grni += difference  # the landed cost credits 3388 (no partner), the bill debits it
    vat_by_code: dict[str, list[Decimal]] = {}
    for line in lines:
        if line.cost_kind == CostKind.IMPORT_VAT:
            continue
        base_tax = vat_by_code.setdefault(line.vat_code, [ZERO, ZERO])
        base_tax[0] += line.net_amount
        base_tax[1] += line.vat_amount
    before = audit.snapshot(bill)
    bill.status = BillStatus.UNPAID
    bill.posted_at = timezone.now()
    bill.save(update_fields=["status", "posted_at"])
    audit.record_updated(bill, p.user, before)
    publish(
        events.VendorBillPosted(
            tenant_id=p.tenant.pk,
            bill_id=bill.pk,
            number=bill.number,
            vendor_invoice_no=bill.vendor_invoice_no,
            date=bill.date.isoformat(),
            due_date=bill.due_date.isoformat(),
            partner_id=bill.vendor.party_id,
            total=str(bill.total),
            grni=str(grni),
            cogs_difference=str(cogs_difference),
            expenses=[
                [role, str(amount), f"project:{code}"] if code else [role, str(amount)]
                for (role, code), amount in sorted(expenses.items())
                if amount
            ],
            vat_lines=[[code, str(b), str(t)] for code, (b, t) in sorted(vat_by_code.items()) if t] + import_vat,
            paid_in_cash=bill.payment_method == PaymentMethod.CASH,
        )
    )
    return bill


@transaction.atomic
def pay_bill(p: Principal, bill_id: int, *, amount: Any = None, date: Any = None, method: str = "") -> VendorPayment:
    """Pay (part of) a posted bill: with ACC through accounting's supplier payment
    (``record_payment(kind="payment")``, allocated to the bill's 331 line; it waits for a Finance
    Manager unless the payer may approve payments). The bill becomes partially paid or paid."""
    p.require("acc.payment.record" if p.tenant.has_module("ACC") else "scm.po.approve")
    bill = _lock(bill_id)
    if bill.status not in (BillStatus.UNPAID, BillStatus.PARTIAL):
        raise ValidationError(
            {"status": [_("Bill %(n)s is %(s)s.") % {"n": bill.number, "s": bill.get_status_display()}]}
        )
    left = bill.total - bill.paid - bill.credited
    value = c.money(amount if amount not in (None, "") else left, "amount")
    if value <= 0 or value > left:
        raise ValidationError(
            {"amount": [_("Enter an amount greater than zero and at most %(l)s.") % {"l": format_amount(left)}]}
        )
    on = c.date(date)
    assert on is not None
    if on < bill.date:
        raise ValidationError({"date": [_("The payment date comes before the bill date.")]})
    how = method or (bill.payment_method)
    if how not in PaymentMethod.values:
        raise ValidationError({"method": [_("Choose bank or cash.")]})
    payment = VendorPayment.objects.create(  # type: ignore[misc]  # MoneyField holds Decimal
        bill=bill, date=on, amount=value, method=how, created_by=p.user
    )
    before = audit.snapshot(bill)
    bill.paid += value
    bill.status = BillStatus.PAID if bill.paid + bill.credited == bill.total else BillStatus.PARTIAL
    bill.save(update_fields=["paid", "status"])
    audit.record_updated(bill, p.user, before)
    audit.record_created(payment, p.user)
    publish(
        events.VendorBillPaid(
            tenant_id=p.tenant.pk,
            payment_id=payment.pk,
            bill_id=bill.pk,
            partner_id=bill.vendor.party_id,
            date=on.isoformat(),
            amount=str(quantize(value, 0)),
            method=how,
            actor_id=p.user.pk if p.user else None,
            approve=p.has("acc.payment.approve"),
        )
    )
    return payment
