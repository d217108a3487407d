"""Purchasing reports on the house report table (``platform/reports.py``): one definition each serves
the page, Excel, PDF and the API.

- ``spend_vendor``: posted bills of the period per vendor, less the credit notes of the period.
- ``spend_product``: goods billed in the period per product (bill lines of purchase orders), less the
  credit notes of the period on those lines; average net price.
- ``spend_month``: posted bills and credit notes per month of the period.
- ``price_history``: every purchase order line of one product (not drafts, not cancelled): date,
  vendor, quantity, price, discount, net unit price.
- ``best_vendor``: per vendor, orders of the period, on-time rate (orders received in full whose last
  receipt is on or before the expected date, among received orders with an expected date) and, for one
  product, the average net unit price; cheapest first, then the better on-time rate.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from novasaas.platform.reports import Column, Report
from novasaas.purchasing.models import (
    BillStatus,
    OrderStatus,
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
}


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
                "_id": v.pk,
            },
        )

    orders = (
        PurchaseReceipt.objects.filter(tenant=tenant, order__date__range=(start, end))
        .values("order_id")
        .annotate(last=Max("date"))
    )
    last_receipt = {r["order_id"]: r["last"] for r in orders}
    from novasaas.purchasing.models import PurchaseOrder

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
    ]
    if product_id:
        columns.append(Column("average_price", _("Average net price"), "money"))
    return Report("best-vendor", str(NAMES["best_vendor"]), columns, out, subtitle=_subtitle(start, end))


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
    return best_vendor(tenant, start, end, product)
