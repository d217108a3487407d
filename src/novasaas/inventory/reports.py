"""Inventory reports, each defined once as a table (title, columns, rows, totals).

The pages render a table's cells, the Excel and PDF exports write its values, and the API answers it
as JSON or as the same files (``?format=xlsx|pdf``). A builder takes the tenant explicitly and reads
through ``selectors``; labels are translated in the active language (the request's).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db.models import Q, Sum
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from novasaas.inventory import selectors
from novasaas.inventory.models import (
    InventoryCount,
    Location,
    LocationUsage,
    Product,
    StockMove,
    Tracking,
    ValueEntry,
    Warehouse,
    unit_label,
)
from novasaas.platform.models import Tenant
from novasaas.platform.reports import FORMATS as FORMATS
from novasaas.platform.reports import Column, Report
from novasaas.platform.reports import file_response as file_response

ZERO = Decimal(0)


# columns that several reports share
SKU = Column("sku", gettext_lazy("SKU"))
PRODUCT = Column("name", gettext_lazy("Product"))
WAREHOUSE = Column("warehouse", gettext_lazy("Warehouse"))
LOT = Column("lot", gettext_lazy("Lot"))
ON_HAND = Column("on_hand", gettext_lazy("On hand"), "qty")
RESERVED = Column("reserved", gettext_lazy("Reserved"), "qty")
AVAILABLE = Column("available", gettext_lazy("Available"), "qty")
UNIT = Column("unit", gettext_lazy("Unit"))
QUANTITY = Column("quantity", gettext_lazy("Quantity"), "qty")
VALUE = Column("value", gettext_lazy("Value"), "money")
DATE = Column("date", gettext_lazy("Date"), "date")
REFERENCE = Column("reference", gettext_lazy("Reference"))


def _product(product: Any) -> dict[str, Any]:
    return {"product_id": product.pk, "sku": product.sku, "name": product.name}


def _period(date_from: dt.date, date_to: dt.date) -> str:
    return f"{date_from:%d/%m/%Y} – {date_to:%d/%m/%Y}"


# --- the reports -----------------------------------------------------------------------------------


def stock_on_hand_values(levels: Any) -> Any:
    """The columns of the stock-on-hand report from ``selectors.stock_levels`` (plain values, no model
    instances: the export of 50,000 rows stays fast); a page of the stock list paginates this."""
    return levels.values(
        "product_id",
        "variant_id",
        "warehouse_id",
        "product__sku",
        "product__name",
        "variant__sku",
        "variant__attributes",
        "warehouse__code",
        "on_hand",
        "reserved",
        "value",
        "product__stock_unit__name",
        "product__stock_unit__name_en",
        "reorder_alerted",
    )


def stock_on_hand(
    tenant: Tenant,
    *,
    q: str = "",
    warehouse_id: int | None = None,
    show_value: bool = True,
    page: Iterable[Any] | None = None,
) -> Report:
    """Per product × variant × warehouse: on hand, reserved, available, unit and (for report viewers)
    value. ``page`` limits the rows to one page of ``stock_on_hand_values`` (the totals stay whole)."""
    columns = [
        SKU,
        PRODUCT,
        WAREHOUSE,
        ON_HAND,
        RESERVED,
        AVAILABLE,
        UNIT,
    ]
    if show_value:
        columns.append(VALUE)
    levels = selectors.stock_levels(tenant, q=q, warehouse_id=warehouse_id)
    stocks = page if page is not None else stock_on_hand_values(levels)
    rows = []
    for st in stocks:
        attrs = ", ".join(str(v) for v in (st["variant__attributes"] or {}).values())
        variant = f"{st['variant__sku']} ({attrs})" if attrs else st["variant__sku"]
        row = {
            "product_id": st["product_id"],
            "variant_id": st["variant_id"],
            "sku": st["product__sku"],
            "name": st["product__name"] + (f" ({variant})" if st["variant_id"] else ""),
            "warehouse_id": st["warehouse_id"],
            "warehouse": st["warehouse__code"],
            "on_hand": st["on_hand"],
            "reserved": st["reserved"],
            "available": st["on_hand"] - st["reserved"],
            "unit": unit_label(st["product__stock_unit__name"], st["product__stock_unit__name_en"]),
            "_warn": st["reorder_alerted"],
        }
        if show_value:
            row["value"] = st["value"]
        rows.append(row)
    totals = {"value": levels.aggregate(v=Sum("value"))["v"] or ZERO} if show_value else {}
    return Report("stock", _("Stock"), columns, rows, totals=totals)


def movement_history(tenant: Tenant, *, product_id: int | None = None, limit: int = 2000) -> Report:
    """The latest moves of the ledger (of one product, or all), newest first."""
    moves = selectors.movement_history(tenant, product_id=product_id)[:limit]
    columns = [
        DATE,
        REFERENCE,
        SKU,
        Column("from_location", pgettext("stock move", "From")),
        Column("to_location", pgettext("stock move", "To")),
        QUANTITY,
        VALUE,
    ]
    rows = [
        {
            "id": m.pk,
            "date": m.date,
            "reference": m.reference,
            "product_id": m.product_id,
            "sku": m.product.sku,
            "from_location": m.from_location.code,
            "to_location": m.to_location.code,
            "lot": m.lot.code if m.lot else "",
            "serial": m.serial.code if m.serial else "",
            "quantity": m.quantity,
            "value": m.value,
        }
        for m in moves
    ]
    return Report("movements", _("Movement history"), columns, rows)


def movement_summary(tenant: Tenant, date_from: dt.date, date_to: dt.date, warehouse_id: int | None = None) -> Report:
    """In, out and balance by period ("nhập – xuất – tồn") per product × warehouse: the opening balance
    at the start of ``date_from``, what came in and went out until the end of ``date_to``, and the closing
    balance. Value-only entries (landed costs, revaluations) count as value in (or out when negative), so
    opening + in − out = closing for quantity and value."""
    opening = {
        (r.product.pk, r.warehouse.pk): r
        for r in selectors.valuation(tenant, date_from - dt.timedelta(days=1), warehouse_id)
    }
    closing = {(r.product.pk, r.warehouse.pk): r for r in selectors.valuation(tenant, date_to, warehouse_id)}
    internal = Location.objects.filter(tenant=tenant, usage=LocationUsage.INTERNAL)
    if warehouse_id:
        internal = internal.filter(warehouse_id=warehouse_id)
    wh_of = dict(internal.values_list("pk", "warehouse_id"))
    flows: dict[tuple[int, int], list[Decimal]] = {}  # in qty, in value, out qty, out value

    def acc(key: tuple[int, int]) -> list[Decimal]:
        return flows.setdefault(key, [ZERO, ZERO, ZERO, ZERO])

    moves = (
        StockMove.objects.filter(tenant=tenant, date__gte=date_from, date__lte=date_to)
        .filter(Q(from_location_id__in=list(wh_of)) | Q(to_location_id__in=list(wh_of)))
        .values("product_id", "from_location_id", "to_location_id")
        .annotate(q=Sum("quantity"), v=Sum("value"))
    )
    for m in moves:
        src, dst = wh_of.get(m["from_location_id"]), wh_of.get(m["to_location_id"])
        if src == dst:
            continue  # inside one warehouse (put-away)
        if dst is not None:
            a = acc((m["product_id"], dst))
            a[0] += m["q"]
            a[1] += m["v"]
        if src is not None:
            a = acc((m["product_id"], src))
            a[2] += m["q"]
            a[3] += m["v"]
    entries = ValueEntry.objects.filter(tenant=tenant, date__gte=date_from, date__lte=date_to)
    if warehouse_id:
        entries = entries.filter(warehouse_id=warehouse_id)
    for p, w, v in (
        entries.values("product_id", "warehouse_id")
        .annotate(v=Sum("value"))
        .values_list("product_id", "warehouse_id", "v")
    ):
        a = acc((p, w))
        if v >= 0:
            a[1] += v
        else:
            a[3] -= v
    keys = set(opening) | set(closing) | set(flows)
    products = dict(Product.objects.filter(tenant=tenant, pk__in={k[0] for k in keys}).values_list("pk", "sku"))
    names = dict(Product.objects.filter(tenant=tenant, pk__in={k[0] for k in keys}).values_list("pk", "name"))
    codes = dict(Warehouse.objects.filter(tenant=tenant).values_list("pk", "code"))
    rows: list[dict[str, Any]] = []
    for key in keys:
        o, c, f = opening.get(key), closing.get(key), flows.get(key, [ZERO] * 4)
        rows.append(
            {
                "product_id": key[0],
                "sku": products[key[0]],
                "name": names[key[0]],
                "warehouse_id": key[1],
                "warehouse": codes[key[1]],
                "opening_quantity": o.quantity if o else ZERO,
                "opening_value": o.value if o else ZERO,
                "in_quantity": f[0],
                "in_value": f[1],
                "out_quantity": f[2],
                "out_value": f[3],
                "closing_quantity": c.quantity if c else ZERO,
                "closing_value": c.value if c else ZERO,
            }
        )
    rows.sort(key=lambda r: (r["warehouse"], r["name"], r["sku"]))
    value_keys = ("opening_value", "in_value", "out_value", "closing_value")
    columns = [
        SKU,
        PRODUCT,
        WAREHOUSE,
        Column("opening_quantity", _("Opening qty"), "qty"),
        Column("opening_value", _("Opening value"), "money"),
        Column("in_quantity", _("In"), "qty"),
        Column("in_value", _("Value in"), "money"),
        Column("out_quantity", _("Out"), "qty"),
        Column("out_value", _("Value out"), "money"),
        Column("closing_quantity", _("Closing qty"), "qty"),
        Column("closing_value", _("Closing value"), "money"),
    ]
    return Report(
        f"nhap-xuat-ton-{date_from.isoformat()}-{date_to.isoformat()}",
        _("Stock in, out and balance"),
        columns,
        rows,
        subtitle=_period(date_from, date_to),
        totals={k: sum((r[k] for r in rows), ZERO) for k in value_keys},
    )


def stock_card(tenant: Tenant, product: Product, warehouse: Warehouse, date_from: dt.date, date_to: dt.date) -> Report:
    """The stock card ("thẻ kho") of a product in a warehouse: the opening balance row, then each move
    with the running balance; totals of what came in and went out."""
    (oq, ov), lines = selectors.stock_card(tenant, product.pk, warehouse.pk, date_from, date_to)
    columns = [
        DATE,
        REFERENCE,
        Column("qty_in", _("In"), "qty", blank_zero=True),
        Column("qty_out", _("Out"), "qty", blank_zero=True),
        Column("balance", pgettext("stock", "Balance"), "qty"),
        Column("value_in", _("Value in"), "money", blank_zero=True),
        Column("value_out", _("Value out"), "money", blank_zero=True),
        Column("balance_value", _("Balance value"), "money"),
    ]
    # "Balance"/"Opening balance" alone are the accounting "số dư": on a stock card they are "tồn".
    opening = {
        "date": None,
        "reference": pgettext("stock", "Opening balance"),
        "balance": oq,
        "balance_value": ov,
        "_opening": True,
    }
    rows: list[dict[str, Any]] = [opening] + [
        {
            "date": ln.date,
            "reference": ln.reference,
            "qty_in": ln.qty_in,
            "qty_out": ln.qty_out,
            "balance": ln.balance,
            "value_in": ln.value_in,
            "value_out": ln.value_out,
            "balance_value": ln.balance_value,
        }
        for ln in lines
    ]
    totals = {k: sum((ln[k] for ln in rows[1:]), ZERO) for k in ("qty_in", "qty_out", "value_in", "value_out")}
    totals["balance"] = rows[-1]["balance"]
    totals["balance_value"] = rows[-1]["balance_value"]
    return Report(
        f"the-kho-{product.sku}",
        _("Stock card"),
        columns,
        rows,
        subtitle=f"{product.sku} {product.name} · {warehouse.code} · {_period(date_from, date_to)}",
        totals=totals,
        summary={"opening_quantity": oq, "opening_value": ov},
    )


def count_variance(tenant: Tenant, count: InventoryCount) -> Report:
    """The variance report of an inventory count: expected, counted, variance and its value (before
    approval estimated at the current average cost)."""
    lines = selectors.count_lines(tenant, count)
    columns = [
        Column("location", _("Location")),
        SKU,
        PRODUCT,
        LOT,
        Column("expected", _("Expected"), "qty"),
        Column("counted", _("Counted"), "qty"),
        Column("variance", _("Variance"), "qty"),
        Column("variance_value", _("Variance value"), "money"),
    ]
    serials = any(ln.product.tracking == Tracking.SERIAL for ln in lines)
    if serials:  # which units are missing (expected, not counted) and found (counted, not expected)
        columns += [Column("missing_serials", _("Missing serials")), Column("found_serials", _("Found serials"))]
    rows = [
        {
            "line_id": ln.pk,
            **_product(ln.product),
            "location": ln.location.code,
            "lot": ln.lot.code if ln.lot_id else "",
            "expected": ln.expected,
            "counted": ln.counted,
            "variance": ln.variance,
            "variance_value": ln.shown_value,
            "_warn": bool(ln.variance) or bool(ln.missing_serials) or bool(ln.found_serials),
            **(
                {"missing_serials": ", ".join(ln.missing_serials), "found_serials": ", ".join(ln.found_serials)}
                if serials
                else {}
            ),
        }
        for ln in lines
    ]
    return Report(
        count.number,
        _("Variance"),
        columns,
        rows,
        subtitle=f"{count.number} · {count.warehouse.code} · {count.date:%d/%m/%Y} · {count.get_status_display()}",
        totals={"variance_value": sum((r["variance_value"] for r in rows), ZERO)},
        summary={"status": count.status, "estimated": count.status != "done"},
    )


def valuation(tenant: Tenant, as_of: dt.date, warehouse: Warehouse | None = None) -> Report:
    """Quantity, average cost and value per product × warehouse at the end of ``as_of`` (from the plain
    tuples of ``selectors.valuation_table``: no object per row)."""
    data = selectors.valuation_table(tenant, as_of, warehouse.pk if warehouse else None)
    columns = [
        WAREHOUSE,
        SKU,
        PRODUCT,
        QUANTITY,
        Column("average_cost", _("Average cost"), "money"),
        VALUE,
    ]
    cent = Decimal("0.01")
    rows = [
        {
            "product_id": pid,
            "sku": sku,
            "name": name,
            "warehouse_id": wid,
            "warehouse": code,
            "quantity": q,
            "average_cost": (v / q).quantize(cent) if q else ZERO,
            "value": v,
        }
        for pid, sku, name, wid, code, _wh_name, q, v in data
    ]
    return Report(
        f"valuation-{as_of.isoformat()}",
        _("Valuation"),
        columns,
        rows,
        subtitle=f"{as_of:%d/%m/%Y}" + (f" · {warehouse.code}" if warehouse else ""),
        totals={"value": sum((r[7] for r in data), ZERO)},
        summary={"as_of": as_of, "in_transit_value": selectors.in_transit_value(tenant, as_of)},
    )


def abc(tenant: Tenant, date_from: dt.date, date_to: dt.date, a_cut: int = 80, b_cut: int = 15) -> Report:
    data = selectors.abc_analysis(tenant, date_from, date_to, a_cut=a_cut, b_cut=b_cut)
    columns = [
        Column("klass", _("Class")),
        SKU,
        PRODUCT,
        QUANTITY,
        Column("value", _("Consumption value"), "money"),
        Column("share", _("Share %"), "percent"),
        Column("cumulative", _("Cumulative %"), "percent"),
    ]
    rows = [
        {
            "product_id": r.product.pk,
            "klass": r.klass,
            "sku": r.product.sku,
            "name": r.product.name,
            "quantity": r.quantity,
            "value": r.value,
            "share": r.share,
            "cumulative": r.cumulative,
        }
        for r in data
    ]
    return Report(
        "abc",
        _("ABC analysis"),
        columns,
        rows,
        subtitle=f"{_period(date_from, date_to)} · A {a_cut}% · B {b_cut}%",
        totals={"value": sum((r.value for r in data), ZERO)},
    )


def slow_moving(tenant: Tenant, days: int, today: dt.date) -> Report:
    data = selectors.slow_moving(tenant, today - dt.timedelta(days=days))
    columns = [
        SKU,
        PRODUCT,
        ON_HAND,
        Column("last_issue", _("Last issue"), "date"),
    ]
    rows = [{**_product(p), "on_hand": q, "last_issue": d} for p, q, d in data]
    title = _("Slow-moving stock (no issue for %(d)s days)") % {"d": days}
    return Report("slow-moving", title, columns, rows, subtitle=title)


def expiring(tenant: Tenant, days: int, today: dt.date) -> Report:
    """Lots in stock expiring from ``today`` to ``today`` + ``days`` (expired ones: ``expired``)."""
    data = selectors.expiring_lots(tenant, today + dt.timedelta(days=days), after=today)
    return _lot_report(data, today, "expiring", _("Lots expiring within %(d)s days") % {"d": days})


def expired(tenant: Tenant, today: dt.date) -> Report:
    """Lots still in stock whose expiry date has passed."""
    return _lot_report(selectors.expired_lots(tenant, today), today, "expired", _("Expired lots still in stock"))


def _lot_report(data: list[Any], today: dt.date, key: str, title: str) -> Report:
    columns = [
        SKU,
        PRODUCT,
        LOT,
        Column("expires_on", _("Expiry date"), "date"),
        ON_HAND,
    ]
    rows = [
        {
            **_product(lot.product),
            "lot_id": lot.pk,
            "lot": lot.code,
            "expires_on": lot.expires_on,
            "on_hand": q,
            "_warn": bool(lot.expires_on and lot.expires_on < today),
        }
        for lot, q in data
    ]
    return Report(key, title, columns, rows, subtitle=title)


def below_reorder(tenant: Tenant, warehouse_id: int | None = None) -> Report:
    """Products whose available stock in a warehouse is below their reorder level (the warehouse's rule,
    else the product's own level), once per product × warehouse, as they stand now."""
    data = selectors.below_reorder_level(tenant, warehouse_id=warehouse_id)
    columns = [
        SKU,
        PRODUCT,
        WAREHOUSE,
        ON_HAND,
        RESERVED,
        AVAILABLE,
        Column("reorder_level", _("Reorder level"), "qty"),
        Column("reorder_quantity", _("Reorder quantity"), "qty"),
        UNIT,
    ]
    rows = [
        {
            "product_id": r.product_id,
            "sku": r.sku,
            "name": r.name,
            "warehouse_id": r.warehouse_id,
            "warehouse": r.warehouse_code,
            "on_hand": r.on_hand,
            "reserved": r.reserved,
            "available": r.available,
            "reorder_level": r.reorder_level,
            "reorder_quantity": r.reorder_quantity,
            "unit": r.unit,
        }
        for r in data
    ]
    return Report("below-reorder-level", _("Below reorder level"), columns, rows)
