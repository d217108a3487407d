"""Purchasing reports on the house report table (``platform/reports.py``): one definition each serves
the page, Excel, PDF and the API.

- ``spend_vendor``: posted bills of the period per vendor, less the credit notes of the period.
- ``spend_product``: goods billed in the period per product (bill lines of purchase orders), less the
  credit notes of the period on those lines; average net price.
- ``spend_month``: posted bills and credit notes per month of the period.
- ``price_history``: every purchase order line of one product (not drafts, not cancelled): date,
  vendor, quantity, price, discount, net unit price.
- ``ap_aging``: what posted bills left open on the period's last day (total − payments and credit notes
  dated up to that day), per vendor, by days past the due date (not due, 1–30, 31–60, 61–90, over 90).
- ``open_orders`` / ``late_deliveries``: orders waiting, approved or partially received, dated up to the
  period's last day, with the quantity and value still to receive and the days late against the expected
  date (late deliveries: only those past it). Purchase Staff read these two (``scm.po.track``).
- ``best_vendor``: per vendor, orders of the period, on-time rate (orders received in full whose last
  receipt is on or before the expected date, among received orders with an expected date), quality
  (quantity rejected at the receipts' quality check over the quantity delivered) and, for one product,
  the average net unit price; cheapest first, then the better on-time rate.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Max, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from novasaas.platform.money import round_money
from novasaas.platform.reports import Column, Report
from novasaas.purchasing.models import (
    BillStatus,
    OrderStatus,
    PurchaseOrder,
    PurchaseOrderLine,
    PurchaseReceipt,
    Vendor,
    VendorBill,
    VendorBillLine,
    VendorCreditNote,
    VendorCreditNoteLine,
)

ZERO = Decimal(0)
HUNDRED = Decimal(100)
NAMES = {
    "spend_vendor": gettext_lazy("Spend by vendor"),
    "spend_product": gettext_lazy("Spend by product"),
    "spend_month": gettext_lazy("Spend by month"),
    "price_history": gettext_lazy("Price history"),
    "best_vendor": gettext_lazy("Best vendor"),
    "ap_aging": gettext_lazy("Payables aging"),
    "open_orders": gettext_lazy("Open purchase orders"),
    "late_deliveries": gettext_lazy("Late deliveries"),
}
# who may read a report (default ``scm.report.view``: Purchase Manager); the order lists are the
# buyers' daily work (Purchase Staff and Manager track orders)
PERMISSIONS = {"open_orders": "scm.po.track", "late_deliveries": "scm.po.track"}
AGING_BUCKETS = (("current", 0), ("d1_30", 30), ("d31_60", 60), ("d61_90", 90), ("over_90", None))


def permission(name: str) -> str:
    return PERMISSIONS.get(name, "scm.report.view")


def period(date_from: dt.date | None, date_to: dt.date | None) -> tuple[dt.date, dt.date]:
    """Default: 1 January of the current year to today."""
    today = timezone.localdate()
    end = date_to or today
    start = date_from or end.replace(month=1, day=1)
    return start, end


def _posted_bills(tenant: Any, start: dt.date, end: dt.date) -> Any:
    return VendorBill.objects.filter(tenant=tenant, date__range=(start, end)).exclude(status=BillStatus.DRAFT)


def _subtitle(start: dt.date, end: dt.date) -> str:
    return _("%(a)s to %(b)s") % {"a": f"{start:%d/%m/%Y}", "b": f"{end:%d/%m/%Y}"}


def spend_vendor(tenant: Any, start: dt.date, end: dt.date) -> Report:
    rows: dict[int, dict[str, Any]] = {}
    vendors = {v.pk: v for v in Vendor.objects.filter(tenant=tenant).select_related("party")}

    def row(vendor_id: int) -> dict[str, Any]:
        v = vendors[vendor_id]
        return rows.setdefault(
            vendor_id,
            {"code": v.code, "name": v.party.name, "bills": 0, "untaxed": ZERO, "credited": ZERO, "_id": v.pk},
        )

    for bill in _posted_bills(tenant, start, end).only("vendor_id", "untaxed"):
        r = row(bill.vendor_id)
        r["bills"] += 1
        r["untaxed"] += bill.untaxed
    for note in VendorCreditNote.objects.filter(tenant=tenant, date__range=(start, end)).select_related("bill"):
        row(note.bill.vendor_id)["credited"] += note.untaxed
    out = sorted(rows.values(), key=lambda r: (-(r["untaxed"] - r["credited"]), r["code"]))
    for r in out:
        r["spend"] = r["untaxed"] - r["credited"]
    return Report(
        "spend-by-vendor",
        str(NAMES["spend_vendor"]),
        [
            Column("code", _("Code")),
            Column("name", _("Vendor")),
            Column("bills", _("Bills"), "qty"),
            Column("untaxed", _("Billed before VAT"), "money"),
            Column("credited", _("Credit notes before VAT"), "money"),
            Column("spend", _("Spend"), "money"),
        ],
        out,
        subtitle=_subtitle(start, end),
        totals={k: sum((r[k] for r in out), ZERO) for k in ("bills", "untaxed", "credited", "spend")},
    )


def spend_product(tenant: Any, start: dt.date, end: dt.date) -> Report:
    rows: dict[int, dict[str, Any]] = {}
    lines = VendorBillLine.objects.filter(
        tenant=tenant, bill__date__range=(start, end), order_line__isnull=False
    ).exclude(bill__status=BillStatus.DRAFT)
    for li in lines.select_related("order_line"):
        po = li.order_line
        assert po is not None
        r = rows.setdefault(
            po.product_id,
            {"product": po.description, "unit": po.unit, "quantity": ZERO, "net": ZERO, "_id": po.product_id},
        )
        r["quantity"] += li.quantity
        r["net"] += li.net_amount
    credits = VendorCreditNoteLine.objects.filter(
        tenant=tenant, credit_note__date__range=(start, end), bill_line__order_line__isnull=False
    ).select_related("credit_note", "bill_line__order_line")
    for cl in credits:
        po = cl.bill_line.order_line
        assert po is not None
        r = rows.setdefault(
            po.product_id,
            {"product": po.description, "unit": po.unit, "quantity": ZERO, "net": ZERO, "_id": po.product_id},
        )
        if cl.credit_note.kind == "return":
            r["quantity"] -= cl.quantity
        r["net"] -= cl.net_amount
    out = sorted(rows.values(), key=lambda r: (-r["net"], r["product"]))
    for r in out:
        r["average"] = (r["net"] / r["quantity"]).quantize(Decimal(1)) if r["quantity"] > 0 else None
    return Report(
        "spend-by-product",
        str(NAMES["spend_product"]),
        [
            Column("product", _("Product")),
            Column("unit", _("Unit")),
            Column("quantity", _("Quantity"), "qty"),
            Column("net", _("Spend"), "money"),
            Column("average", _("Average net price"), "money"),
        ],
        out,
        subtitle=_subtitle(start, end),
        totals={"net": sum((r["net"] for r in out), ZERO)},
    )


def spend_month(tenant: Any, start: dt.date, end: dt.date) -> Report:
    rows: dict[str, dict[str, Any]] = defaultdict(lambda: {"bills": 0, "untaxed": ZERO, "vat": ZERO, "credited": ZERO})
    for bill in _posted_bills(tenant, start, end).only("date", "untaxed", "vat"):
        r = rows[f"{bill.date:%Y-%m}"]
        r["bills"] += 1
        r["untaxed"] += bill.untaxed
        r["vat"] += bill.vat
    for note in VendorCreditNote.objects.filter(tenant=tenant, date__range=(start, end)).only("date", "untaxed"):
        rows[f"{note.date:%Y-%m}"]["credited"] += note.untaxed
    out = []
    for month in sorted(rows):
        r = rows[month]
        out.append({"month": f"{month[5:]}/{month[:4]}", **r, "spend": r["untaxed"] - r["credited"]})
    return Report(
        "spend-by-month",
        str(NAMES["spend_month"]),
        [
            Column("month", _("Month")),
            Column("bills", _("Bills"), "qty"),
            Column("untaxed", _("Billed before VAT"), "money"),
            Column("vat", _("VAT"), "money"),
            Column("credited", _("Credit notes before VAT"), "money"),
            Column("spend", _("Spend"), "money"),
        ],
        out,
        subtitle=_subtitle(start, end),
        totals={k: sum((r[k] for r in out), ZERO) for k in ("bills", "untaxed", "vat", "credited", "spend")},
    )


def _net_unit(line: PurchaseOrderLine) -> Decimal:
    return (line.unit_price * (HUNDRED - line.discount_percent) / HUNDRED).quantize(Decimal(1))


def _order_lines(tenant: Any, product_id: int | None, start: dt.date, end: dt.date) -> Any:
    qs = PurchaseOrderLine.objects.filter(tenant=tenant, order__date__range=(start, end)).exclude(
        order__status__in=(OrderStatus.DRAFT, OrderStatus.CANCELLED)
    )
    return qs.filter(product_id=product_id) if product_id else qs


def price_history(tenant: Any, start: dt.date, end: dt.date, product_id: int | None) -> Report:
    out = []
    if product_id:
        lines = _order_lines(tenant, product_id, start, end).select_related("order", "order__vendor__party")
        for li in lines.order_by("order__date", "order_id", "position"):
            out.append(
                {
                    "date": li.order.date,
                    "order": li.order.number,
                    "vendor": f"{li.order.vendor.code} {li.order.vendor.party.name}",
                    "quantity": li.quantity,
                    "unit_price": li.unit_price,
                    "discount": li.discount_percent,
                    "net_price": _net_unit(li),
                    "_id": li.order_id,
                }
            )
    title = str(NAMES["price_history"])
    if out:
        title = f"{title}: {lines.first().description}"  # type: ignore[union-attr]
    return Report(
        "price-history",
        title,
        [
            Column("date", _("Date"), "date"),
            Column("order", _("Purchase order")),
            Column("vendor", _("Vendor")),
            Column("quantity", _("Quantity"), "qty"),
            Column("unit_price", _("Unit price"), "money"),
            Column("discount", _("Discount %"), "percent"),
            Column("net_price", _("Net unit price"), "money"),
        ],
        out,
        subtitle=_subtitle(start, end) if product_id else _("Choose a product."),
    )


def best_vendor(tenant: Any, start: dt.date, end: dt.date, product_id: int | None) -> Report:
    vendors = {v.pk: v for v in Vendor.objects.filter(tenant=tenant).select_related("party")}
    rows: dict[int, dict[str, Any]] = {}

    def row(vendor_id: int) -> dict[str, Any]:
        v = vendors[vendor_id]
        return rows.setdefault(
            vendor_id,
            {
                "code": v.code,
                "name": v.party.name,
                "orders": 0,
                "measured": 0,
                "on_time": 0,
                "_qty": ZERO,
                "_net": ZERO,
                "_accepted": ZERO,
                "_rejected": ZERO,
                "_id": v.pk,
            },
        )

    orders = (
        PurchaseReceipt.objects.filter(tenant=tenant, order__date__range=(start, end))
        .values("order_id", "order__vendor_id")
        .annotate(last=Max("date"), accepted=Sum("quantity"), rejected=Sum("rejected_quantity"))
    )
    last_receipt = {}
    for rec in orders:
        last_receipt[rec["order_id"]] = rec["last"]
        r = row(rec["order__vendor_id"])
        r["_accepted"] += rec["accepted"] or ZERO
        r["_rejected"] += rec["rejected"] or ZERO
    qs = PurchaseOrder.objects.filter(tenant=tenant, date__range=(start, end)).exclude(
        status__in=(OrderStatus.DRAFT, OrderStatus.CANCELLED)
    )
    for order in qs.only("pk", "vendor_id", "status", "expected_date"):
        r = row(order.vendor_id)
        r["orders"] += 1
        if order.expected_date and order.status in (OrderStatus.RECEIVED, OrderStatus.CLOSED):
            last = last_receipt.get(order.pk)
            if last is not None:
                r["measured"] += 1
                r["on_time"] += int(last <= order.expected_date)
    if product_id:
        for li in _order_lines(tenant, product_id, start, end).select_related("order"):
            r = row(li.order.vendor_id)
            r["_qty"] += li.quantity
            r["_net"] += li.net_amount
    out = list(rows.values())
    for r in out:
        r["on_time_rate"] = (
            (Decimal(r["on_time"]) * HUNDRED / r["measured"]).quantize(Decimal("0.1")) if r["measured"] else None
        )
        r["average_price"] = (r["_net"] / r["_qty"]).quantize(Decimal(1)) if r["_qty"] > 0 else None
        delivered = r["_accepted"] + r["_rejected"]
        r["rejected_rate"] = (r["_rejected"] * HUNDRED / delivered).quantize(Decimal("0.1")) if delivered else None
    out.sort(
        key=lambda r: (
            r["average_price"] is None if product_id else False,
            r["average_price"] or ZERO,
            -(r["on_time_rate"] or ZERO),
            r["code"],
        )
    )
    columns = [
        Column("code", _("Code")),
        Column("name", _("Vendor")),
        Column("orders", _("Orders"), "qty"),
        Column("measured", _("Received orders with an expected date"), "qty"),
        Column("on_time_rate", _("On time %"), "percent"),
        Column("rejected_rate", _("Rejected at receipt %"), "percent"),
    ]
    if product_id:
        columns.append(Column("average_price", _("Average net price"), "money"))
    return Report("best-vendor", str(NAMES["best_vendor"]), columns, out, subtitle=_subtitle(start, end))


def ap_aging(tenant: Any, as_of: dt.date) -> Report:
    """What each posted bill dated up to ``as_of`` left open **on that day**: total − the payments dated
    up to it − the credit notes dated up to it (a payment made later still shows the bill open)."""
    from novasaas.purchasing.models import VendorPayment

    vendors = {v.pk: v for v in Vendor.objects.filter(tenant=tenant).select_related("party")}
    rows: dict[int, dict[str, Any]] = {}
    bills = VendorBill.objects.filter(tenant=tenant, date__lte=as_of).exclude(status=BillStatus.DRAFT)
    paid = dict(
        VendorPayment.objects.filter(tenant=tenant, date__lte=as_of, bill__date__lte=as_of)
        .values("bill_id")
        .annotate(s=Sum("amount"))
        .values_list("bill_id", "s")
    )
    credited = dict(
        VendorCreditNote.objects.filter(tenant=tenant, date__lte=as_of, bill__date__lte=as_of)
        .values("bill_id")
        .annotate(s=Sum("total"))
        .values_list("bill_id", "s")
    )
    for bill in bills.only("vendor_id", "due_date", "total"):
        open_amount = bill.total - (paid.get(bill.pk) or ZERO) - (credited.get(bill.pk) or ZERO)
        if open_amount <= 0:
            continue
        v = vendors[bill.vendor_id]
        r = rows.setdefault(
            bill.vendor_id,
            {"code": v.code, "name": v.party.name, **{k: ZERO for k, _d in AGING_BUCKETS}, "_id": v.pk},
        )
        late = (as_of - bill.due_date).days
        for key, limit in AGING_BUCKETS:
            if limit is None or late <= limit:
                r[key] += open_amount
                break
    out = sorted(rows.values(), key=lambda r: r["code"])
    keys = [k for k, _d in AGING_BUCKETS]
    for r in out:
        r["total"] = sum((r[k] for k in keys), ZERO)
    return Report(
        "payables-aging",
        str(NAMES["ap_aging"]),
        [
            Column("code", _("Code")),
            Column("name", _("Vendor")),
            Column("current", _("Not due"), "money"),
            Column("d1_30", _("1–30 days overdue"), "money"),
            Column("d31_60", _("31–60 days overdue"), "money"),
            Column("d61_90", _("61–90 days overdue"), "money"),
            Column("over_90", _("Over 90 days overdue"), "money"),
            Column("total", _("Open amount"), "money"),
        ],
        out,
        subtitle=_("on %(d)s") % {"d": f"{as_of:%d/%m/%Y}"},
        totals={k: sum((r[k] for r in out), ZERO) for k in (*keys, "total")},
    )


def open_orders(tenant: Any, as_of: dt.date, late_only: bool) -> Report:
    from novasaas.purchasing.selectors import late_orders, tracked_orders

    qs = late_orders(tenant, as_of) if late_only else tracked_orders(tenant, as_of)
    out: list[dict[str, Any]] = []
    for order in qs.select_related("vendor__party").prefetch_related("lines").order_by("expected_date", "number"):
        lines = list(order.lines.all())
        ordered = sum((li.quantity for li in lines), ZERO)
        received = sum((li.received_quantity for li in lines), ZERO)
        to_receive = sum((li.open_quantity for li in lines), ZERO)
        value = sum(
            (round_money(li.net_amount * li.open_quantity / li.quantity) for li in lines if li.open_quantity > 0), ZERO
        )
        late = (as_of - order.expected_date).days if order.expected_date and order.expected_date < as_of else 0
        out.append(
            {
                "order": order.number,
                "vendor": f"{order.vendor.code} {order.vendor.party.name}",
                "status": order.get_status_display(),
                "date": order.date,
                "expected_date": order.expected_date,
                "ordered": ordered,
                "received": received,
                "to_receive": to_receive,
                "value": value,
                "days_late": late,
                "_id": order.pk,
            }
        )
    if late_only:
        out.sort(key=lambda r: (-r["days_late"], r["order"]))
    return Report(
        "late-deliveries" if late_only else "open-purchase-orders",
        str(NAMES["late_deliveries" if late_only else "open_orders"]),
        [
            Column("order", _("Purchase order")),
            Column("vendor", _("Vendor")),
            Column("status", _("Status")),
            Column("date", _("Date"), "date"),
            Column("expected_date", _("Expected date"), "date"),
            Column("ordered", _("Ordered quantity"), "qty"),
            Column("received", _("Received"), "qty"),
            Column("to_receive", _("To receive"), "qty"),
            Column("value", _("Value to receive before VAT"), "money"),
            Column("days_late", _("Days late"), "qty"),
        ],
        out,
        subtitle=_("on %(d)s") % {"d": f"{as_of:%d/%m/%Y}"},
        totals={"value": sum((r["value"] for r in out), ZERO)},
    )


def grni(tenant: Any) -> Report:
    """Goods received not invoiced per vendor (``selectors.grni_by_vendor``) as a report table: the
    GRNI page's Excel and PDF and the API's ``format=xlsx|pdf``."""
    from novasaas.purchasing.selectors import grni_by_vendor

    rows = [{**r, "_id": r["vendor_id"]} for r in grni_by_vendor(tenant)]
    return Report(
        "goods-received-not-invoiced",
        _("Goods received not invoiced, by vendor"),
        [
            Column("code", _("Code")),
            Column("name", _("Vendor")),
            Column("received", _("Received value"), "money"),
            Column("billed", _("Billed"), "money"),
            Column("open", _("Not invoiced"), "money"),
        ],
        rows,
        subtitle=_("on %(d)s") % {"d": f"{timezone.localdate():%d/%m/%Y}"},
        totals={"open": sum((r["open"] for r in rows), ZERO)},
    )


def build(tenant: Any, name: str, date_from: Any = None, date_to: Any = None, product_id: Any = None) -> Report:
    """The report ``name`` (a key of ``NAMES``; anything else: ObjectDoesNotExist → 404)."""
    if name not in NAMES:
        raise ObjectDoesNotExist(name)
    start, end = period(date_from, date_to)
    try:
        product = int(product_id) if product_id not in (None, "") else None
    except (TypeError, ValueError):
        product = None
    if name == "spend_vendor":
        return spend_vendor(tenant, start, end)
    if name == "spend_product":
        return spend_product(tenant, start, end)
    if name == "spend_month":
        return spend_month(tenant, start, end)
    if name == "price_history":
        return price_history(tenant, start, end, product)
    if name == "ap_aging":
        return ap_aging(tenant, end)
    if name in ("open_orders", "late_deliveries"):
        return open_orders(tenant, end, name == "late_deliveries")
    return best_vendor(tenant, start, end, product)
