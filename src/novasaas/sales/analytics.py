"""Sales analytics on the house report table (one definition: page, Excel, PDF, API).

* ``order_margin``: per order dated in the period (confirmed or later): revenue = invoice lines' net
  less credit-note lines' net; cost of goods = the value of its deliveries' goods issues (INV, FEFO
  cost) less what came back (return lines' quantity × the cost they left at); margin and margin %.
  Deliveries not yet invoiced count their cost already (the margin then reads low until invoicing).
* ``abc_by_margin``: products ranked by margin of invoices dated in the period (revenue net of credit
  notes less the cost of the quantities invoiced less credited, at the delivery's issue cost): class A up
  to 80 % of the cumulative positive margin, B the next 15 %, C the rest and every product with a
  margin ≤ 0.
* ``rfm``: customers with an invoice dated up to ``as_of`` within ``days`` before it: R = days since the
  last invoice, F = invoices, M = net revenue (less credit notes); scores 1–5 (R: ≤ 30 days 5, ≤ 60 4,
  ≤ 90 3, ≤ 180 2, else 1; F: ≥ 10 5, ≥ 5 4, ≥ 3 3, 2 → 2, 1 → 1; M: quintile of the customer's rank
  among those listed, the largest 5) and a segment.

Right: ``crm.report.view``; rows are what the principal sees (``selectors.visible_*``: a Sales Staff
member holding the right sees their own customers' documents, a Sales Manager everything).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db.models import Count, Max, Sum
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from novasaas.identity.access import Principal
from novasaas.platform.money import round_money
from novasaas.platform.reports import Column, Report
from novasaas.platform.tenancy import current_tenant
from novasaas.sales import selectors
from novasaas.sales.models import (
    OrderStatus,
    SalesCreditNoteLine,
    SalesDelivery,
    SalesDeliveryLine,
    SalesInvoiceLine,
    SalesReturnLine,
)

ZERO = Decimal(0)
HUNDRED = Decimal(100)
REVENUE = Column("revenue", gettext_lazy("Revenue"), "money")
COST = Column("cost", gettext_lazy("Cost of goods"), "money")
MARGIN = Column("margin", gettext_lazy("Margin"), "money")
MARGIN_PCT = Column("margin_pct", gettext_lazy("Margin %"), "percent")


def _pct(part: Decimal, whole: Decimal) -> Decimal:
    return (part * HUNDRED / whole).quantize(Decimal("0.01")) if whole else ZERO


def _period(date_from: dt.date, date_to: dt.date) -> str:
    return f"{date_from:%d/%m/%Y} – {date_to:%d/%m/%Y}"


def _issue_values(issue_ids: list[int]) -> dict[int, dict[int, tuple[Decimal, Decimal]]]:
    """Issue id → product id → (quantity, value) of its stock moves (INV), read through inventory's selector."""
    out: dict[int, dict[int, tuple[Decimal, Decimal]]] = {}
    if not issue_ids or not current_tenant().has_module("INV"):
        return out
    from novasaas.inventory import selectors as inventory

    for issue_id in issue_ids:
        per: dict[int, tuple[Decimal, Decimal]] = {}
        for move in inventory.document_moves(current_tenant(), "inventory.issue", issue_id):
            q, v = per.get(move.product_id, (ZERO, ZERO))
            per[move.product_id] = (q + move.quantity, v + move.value)
        out[issue_id] = per
    return out


def order_margin(p: Principal, date_from: dt.date, date_to: dt.date) -> Report:
    """Revenue, cost of goods and margin per order dated in the period."""
    p.require("crm.report.view")
    orders = list(
        selectors.visible_orders(p)
        .filter(date__range=(date_from, date_to))
        .exclude(status__in=[OrderStatus.DRAFT, OrderStatus.TO_APPROVE, OrderStatus.CANCELLED])
        .select_related("customer__party")
        .order_by("date", "id")
    )
    ids = [o.pk for o in orders]
    revenue: dict[int, Decimal] = {
        r["order_line__order_id"]: r["n"]
        for r in SalesInvoiceLine.objects.filter(order_line__order_id__in=ids)
        .values("order_line__order_id")
        .annotate(n=Sum("net_amount"))
    }
    for r in (
        SalesCreditNoteLine.objects.filter(invoice_line__order_line__order_id__in=ids)
        .values("invoice_line__order_line__order_id")
        .annotate(n=Sum("net_amount"))
    ):
        key = r["invoice_line__order_line__order_id"]
        revenue[key] = revenue.get(key, ZERO) - r["n"]
    deliveries: list[Any] = list(
        SalesDelivery.objects.filter(order_id__in=ids, issue_id__isnull=False).values("order_id", "issue_id")
    )
    values = _issue_values([d["issue_id"] for d in deliveries])
    cost: dict[int, Decimal] = {}
    for d in deliveries:
        cost[d["order_id"]] = cost.get(d["order_id"], ZERO) + sum(
            (v for _q, v in values.get(d["issue_id"], {}).values()), ZERO
        )
    for rl in SalesReturnLine.objects.filter(delivery_line__delivery__order_id__in=ids).values(
        "delivery_line__delivery__order_id", "quantity", "unit_cost"
    ):
        key = rl["delivery_line__delivery__order_id"]
        cost[key] = cost.get(key, ZERO) - round_money(rl["quantity"] * rl["unit_cost"])
    rows: list[dict[str, Any]] = []
    for o in orders:
        rev, cst = revenue.get(o.pk, ZERO), cost.get(o.pk, ZERO)
        rows.append(
            {
                "number": o.number,
                "date": o.date,
                "customer": f"{o.customer.code} {o.customer.party.name}",
                "revenue": rev,
                "cost": cst,
                "margin": rev - cst,
                "margin_pct": _pct(rev - cst, rev),
                "_id": o.pk,
            }
        )
    totals: dict[str, Any] = {k: sum((r[k] for r in rows), ZERO) for k in ("revenue", "cost", "margin")}
    totals["margin_pct"] = _pct(totals["margin"], totals["revenue"])
    columns = [
        Column("number", _("Order")),
        Column("date", _("Date"), "date"),
        Column("customer", _("Customer")),
        REVENUE,
        COST,
        MARGIN,
        MARGIN_PCT,
    ]
    return Report(
        f"order-margin-{date_from:%Y%m%d}-{date_to:%Y%m%d}",
        _("Margin per order"),
        columns,
        rows,
        subtitle=_period(date_from, date_to),
        totals=totals,
    )


def abc_by_margin(p: Principal, date_from: dt.date, date_to: dt.date, *, a_cut: int = 80, b_cut: int = 15) -> Report:
    """Products by margin of the period's invoices: classes A / B / C."""
    p.require("crm.report.view")
    invoices = selectors.visible_invoices(p).filter(date__range=(date_from, date_to))
    lines: list[Any] = list(
        SalesInvoiceLine.objects.filter(invoice__in=invoices, product_id__isnull=False).values(
            "product_id", "net_amount", "quantity", "order_line_id"
        )
    )
    revenue: dict[int, Decimal] = {}
    for li in lines:
        revenue[li["product_id"]] = revenue.get(li["product_id"], ZERO) + li["net_amount"]
    credits: list[Any] = list(
        SalesCreditNoteLine.objects.filter(credit_note__invoice__in=invoices, product_id__isnull=False).values(
            "product_id", "net_amount", "quantity", "invoice_line__order_line_id"
        )
    )
    for cl in credits:
        revenue[cl["product_id"]] = revenue.get(cl["product_id"], ZERO) - cl["net_amount"]
    # unit cost per order line = its deliveries' issue value / quantity (FEFO cost of what left)
    order_lines = {li["order_line_id"] for li in lines}
    dlines: list[Any] = list(
        SalesDeliveryLine.objects.filter(order_line_id__in=order_lines, delivery__issue_id__isnull=False).values(
            "order_line_id", "order_line__product_id", "quantity", "delivery__issue_id"
        )
    )
    values = _issue_values(sorted({d["delivery__issue_id"] for d in dlines}))
    unit_cost: dict[int, Decimal] = {}
    for d in dlines:
        q, v = values.get(d["delivery__issue_id"], {}).get(d["order_line__product_id"], (ZERO, ZERO))
        if q:
            unit_cost[d["order_line_id"]] = v / q
    cost: dict[int, Decimal] = {}
    for li in lines:
        cost[li["product_id"]] = cost.get(li["product_id"], ZERO) + round_money(
            li["quantity"] * unit_cost.get(li["order_line_id"], ZERO)
        )
    for cl in credits:  # credited goods: their cost leaves the margin too (returned at the cost they left at)
        cost[cl["product_id"]] = cost.get(cl["product_id"], ZERO) - round_money(
            cl["quantity"] * unit_cost.get(cl["invoice_line__order_line_id"], ZERO)
        )
    names = _product_names(list(revenue))
    table: list[dict[str, Any]] = []
    for pid, rev in revenue.items():
        cst = cost.get(pid, ZERO)
        table.append({"key": names.get(pid, f"#{pid}"), "revenue": rev, "cost": cst, "margin": rev - cst, "_id": pid})
    table.sort(key=lambda r: (-r["margin"], r["key"]))
    positive = sum((r["margin"] for r in table if r["margin"] > 0), ZERO)
    running = ZERO
    for r in table:
        share = _pct(r["margin"], positive) if r["margin"] > 0 else ZERO
        before = running
        running += share
        r["share"], r["cumulative"] = share, running
        r["abc"] = "C" if r["margin"] <= 0 else "A" if before < a_cut else "B" if before < a_cut + b_cut else "C"
    columns = [
        Column("key", _("Product")),
        REVENUE,
        COST,
        MARGIN,
        Column("share", _("Share %"), "percent"),
        Column("cumulative", _("Cumulative %"), "percent"),
        Column("abc", _("Class")),
    ]
    totals = {k: sum((r[k] for r in table), ZERO) for k in ("revenue", "cost", "margin")}
    return Report(
        f"abc-margin-{date_from:%Y%m%d}-{date_to:%Y%m%d}",
        _("ABC by margin"),
        columns,
        table,
        subtitle=_period(date_from, date_to),
        totals=totals,
    )


def _product_names(ids: list[int]) -> dict[int, str]:
    if not ids or not current_tenant().has_module("INV"):
        return {}
    from novasaas.inventory.models import Product

    return {
        pid: f"{sku} {name}" for pid, sku, name in Product.objects.filter(pk__in=ids).values_list("pk", "sku", "name")
    }


def _r_score(days: int) -> int:
    return 5 if days <= 30 else 4 if days <= 60 else 3 if days <= 90 else 2 if days <= 180 else 1


def _f_score(count: int) -> int:
    return 5 if count >= 10 else 4 if count >= 5 else 3 if count >= 3 else 2 if count == 2 else 1


def _segment(r: int, f: int) -> str:
    if r >= 4 and f >= 4:
        return _("Champion")
    if r >= 4 and f == 1:
        return _("New")
    if r <= 2 and f >= 3:
        return _("At risk")
    if r == 1:
        return _("Lost")
    return _("Regular")


def rfm(p: Principal, as_of: dt.date, days: int = 365) -> Report:
    """Recency, frequency and monetary value per customer over the ``days`` before ``as_of``."""
    p.require("crm.report.view")
    start = as_of - dt.timedelta(days=days)
    invoices = selectors.visible_invoices(p).filter(date__gt=start, date__lte=as_of)
    stats = {
        r["customer_id"]: r
        for r in invoices.values("customer_id").annotate(last=Max("date"), n=Count("id"), net=Sum("untaxed"))
    }
    for r in (
        SalesCreditNoteLine.objects.filter(credit_note__invoice__in=invoices, credit_note__date__lte=as_of)
        .values("credit_note__invoice__customer_id")
        .annotate(n=Sum("net_amount"))
    ):
        stats[r["credit_note__invoice__customer_id"]]["net"] -= r["n"]
    customers = selectors.visible_customers(p).filter(pk__in=list(stats)).select_related("party").in_bulk()
    ranked = sorted(stats, key=lambda cid: (stats[cid]["net"], -cid))  # ascending: the largest last
    m_score = {cid: 1 + ((i + 1) * 5 - 1) // len(ranked) for i, cid in enumerate(ranked)}
    table: list[dict[str, Any]] = []
    for cid, s in stats.items():
        recency = (as_of - s["last"]).days
        r_s, f_s = _r_score(recency), _f_score(s["n"])
        c = customers[cid]
        table.append(
            {
                "key": f"{c.code} {c.party.name}",
                "last": s["last"],
                "recency": recency,
                "frequency": s["n"],
                "monetary": s["net"],
                "score": f"{r_s}{f_s}{m_score[cid]}",
                "segment": _segment(r_s, f_s),
                "_id": cid,
            }
        )
    table.sort(key=lambda r: (-int(r["score"][0]) - int(r["score"][1]) - int(r["score"][2]), r["key"]))
    columns = [
        Column("key", _("Customer")),
        Column("last", _("Last invoice"), "date"),
        Column("recency", _("Days since"), "qty"),
        Column("frequency", _("Invoices"), "qty"),
        Column("monetary", _("Revenue"), "money"),
        Column("score", _("RFM score")),
        Column("segment", _("Segment")),
    ]
    return Report(
        f"rfm-{as_of:%Y%m%d}",
        _("Customer RFM"),
        columns,
        table,
        subtitle=_("%(n)d days to %(d)s") % {"n": days, "d": f"{as_of:%d/%m/%Y}"},
        totals={"frequency": sum(r["frequency"] for r in table), "monetary": sum((r["monetary"] for r in table), ZERO)},
    )
