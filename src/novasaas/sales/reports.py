"""Sales reports, each defined once as a table (inventory's ``Report``: the page renders its cells, the
Excel and PDF exports write its values, the API answers it as JSON or as the same files).

* ``sales_by``: revenue of a period by customer, product, salesperson or month — invoice lines dated in
  the period less credit-note lines dated in it (net, VAT, total; invoices counted).
* ``ar_aging``: open receivable per customer in buckets of days past due (current, 1–30, 31–60, 61–90,
  > 90) and unapplied credit — from accounting's ``receivables.aging`` when the company has ACC, else
  from Sales' own invoices (total − credited − paid by due date) and customer credit.

Right: ``crm.report.view`` (Sales Manager); rows follow what the principal sees.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db.models import Count, F, Sum
from django.db.models.functions import TruncMonth
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from novasaas.identity.access import Principal
from novasaas.platform.reports import Column, Report, file_response
from novasaas.sales import selectors
from novasaas.sales.models import CustomerCreditEntry, SalesCreditNoteLine, SalesInvoice, SalesInvoiceLine

ZERO = Decimal(0)
DIMENSIONS = ("customer", "product", "salesperson", "month")
BUCKETS = ("current", "1_30", "31_60", "61_90", "over_90")

__all__ = ["DIMENSIONS", "Report", "ar_aging", "file_response", "sales_by"]

NET = Column("net", gettext_lazy("Amount before VAT"), "money")
VAT = Column("vat", gettext_lazy("VAT"), "money")
TOTAL = Column("total", gettext_lazy("Total"), "money")


def _period(date_from: dt.date, date_to: dt.date) -> str:
    return f"{date_from:%d/%m/%Y} – {date_to:%d/%m/%Y}"


def sales_by(p: Principal, by: str, date_from: dt.date, date_to: dt.date) -> Report:
    """Revenue of the period grouped ``by`` customer | product | salesperson | month."""
    p.require("crm.report.view")
    if by not in DIMENSIONS:
        by = "customer"
    invoices = selectors.visible_invoices(p)
    field = {
        "customer": "invoice__customer_id",
        "product": "product_id",
        "salesperson": "invoice__customer__salesperson__email",
        "month": "month",
    }[by]
    lines = SalesInvoiceLine.objects.filter(invoice__in=invoices, invoice__date__range=(date_from, date_to))
    credits = SalesCreditNoteLine.objects.filter(
        credit_note__invoice__in=invoices, credit_note__date__range=(date_from, date_to)
    )
    if by == "month":
        lines = lines.annotate(month=TruncMonth("invoice__date"))
        credits = credits.annotate(month=TruncMonth("credit_note__date"))
    if by == "customer":
        credit_field = "credit_note__customer_id"
    elif by == "salesperson":
        credit_field = "credit_note__customer__salesperson__email"
    else:
        credit_field = field
    rows: dict[Any, dict[str, Any]] = {}
    for row in lines.values(field).annotate(
        n=Sum("net_amount"), v=Sum("vat_amount"), count=Count("invoice_id", distinct=True)
    ):
        rows[row[field]] = {"net": row["n"], "vat": row["v"], "invoices": row["count"]}
    for row in credits.values(credit_field).annotate(n=Sum("net_amount"), v=Sum("vat_amount")):
        entry = rows.setdefault(row[credit_field], {"net": ZERO, "vat": ZERO, "invoices": 0})
        entry["net"] -= row["n"]
        entry["vat"] -= row["v"]
    names = _names(p, by, list(rows))
    table = []
    for key, figures in rows.items():
        table.append(
            {
                "key": names.get(key, str(key) if key is not None else "—"),
                "invoices": figures["invoices"],
                "net": figures["net"],
                "vat": figures["vat"],
                "total": figures["net"] + figures["vat"],
                "_id": key.isoformat() if isinstance(key, dt.date) else key,
            }
        )
    table.sort(key=lambda r: (-r["net"], r["key"]) if by != "month" else (r["key"],))
    labels = {
        "customer": _("Customer"),
        "product": _("Product"),
        "salesperson": _("Salesperson"),
        "month": _("Month"),
    }
    columns = [Column("key", labels[by]), Column("invoices", _("Invoices"), "qty"), NET, VAT, TOTAL]
    totals = {
        "invoices": sum(r["invoices"] for r in table),
        "net": sum((r["net"] for r in table), ZERO),
        "vat": sum((r["vat"] for r in table), ZERO),
        "total": sum((r["total"] for r in table), ZERO),
    }
    return Report(
        f"sales-by-{by}-{date_from:%Y%m%d}-{date_to:%Y%m%d}",
        _("Sales by %(d)s") % {"d": labels[by].lower()},
        columns,
        table,
        subtitle=_period(date_from, date_to),
        totals=totals,
    )


def _names(p: Principal, by: str, keys: list[Any]) -> dict[Any, str]:
    if by == "customer":
        found = selectors.visible_customers(p).filter(pk__in=keys).select_related("party")
        return {c.pk: f"{c.code} {c.party.name}" for c in found}
    if by == "product":
        out: dict[Any, str] = {None: _("(no product)")}
        if p.tenant.has_module("INV"):
            from novasaas.inventory.models import Product

            products = Product.objects.filter(pk__in=[k for k in keys if k]).values_list("pk", "sku", "name")
            out.update({pid: f"{sku} {name}" for pid, sku, name in products})
        return out
    if by == "month":
        return {k: f"{k:%m/%Y}" for k in keys if k}
    return {None: _("(none)")}


def aging_by_party(p: Principal, customers: dict[int, Any], as_of: dt.date) -> dict[int, dict[str, Any]]:
    """Open receivable of ``customers`` (party id → Customer) by days past due, and unapplied credit
    (``unapplied``, positive): accounting's aging with ACC, else Sales' own invoices and customer credit."""
    rows: dict[int, dict[str, Any]] = {}
    if p.tenant.has_module("ACC"):
        from novasaas.accounting.receivables import aging

        for row in aging(p.tenant, "receivable", as_of)[0]:
            if row.party_id in customers:
                rows[row.party_id] = {**row.buckets, "unapplied": -row.unapplied}
    else:
        for inv in SalesInvoice.objects.filter(
            customer__in=customers.values(), date__lte=as_of, paid__lt=F("total") - F("credited")
        ).select_related("customer"):
            entry = rows.setdefault(inv.customer.party_id, {**dict.fromkeys(BUCKETS, ZERO), "unapplied": ZERO})
            days = (as_of - inv.due_date).days
            bucket = BUCKETS[0 if days <= 0 else 1 if days <= 30 else 2 if days <= 60 else 3 if days <= 90 else 4]
            entry[bucket] += inv.total - inv.credited - inv.paid
        credit = (
            CustomerCreditEntry.objects.filter(customer__in=customers.values(), date__lte=as_of)
            .values("customer__party_id")
            .annotate(t=Sum("amount"))
        )
        for crow in credit:
            if crow["t"]:
                entry = rows.setdefault(crow["customer__party_id"], {**dict.fromkeys(BUCKETS, ZERO), "unapplied": ZERO})
                entry["unapplied"] += crow["t"]
    return rows


def customer_aging(p: Principal, customer: Any, as_of: dt.date) -> dict[str, Decimal]:
    """One customer's aging (shown on the customer page with ``crm.customer.view``): the five buckets,
    ``unapplied`` credit and ``total`` = buckets − credit."""
    figures = aging_by_party(p, {customer.party_id: customer}, as_of).get(customer.party_id)
    figures = figures or {**dict.fromkeys(BUCKETS, ZERO), "unapplied": ZERO}
    return {**figures, "total": sum((figures[b] for b in BUCKETS), ZERO) - figures["unapplied"]}


def ar_aging(p: Principal, as_of: dt.date) -> Report:
    """Open receivable per customer by days past due, with unapplied credit."""
    p.require("crm.report.view")
    customers = {c.party_id: c for c in selectors.visible_customers(p).select_related("party")}
    rows = aging_by_party(p, customers, as_of)
    table = []
    for party_id, figures in rows.items():
        customer = customers[party_id]
        total = sum((figures[b] for b in BUCKETS), ZERO) - figures["unapplied"]
        if not total and not figures["unapplied"]:
            continue
        table.append({"key": f"{customer.code} {customer.party.name}", **figures, "total": total, "_id": customer.pk})
    table.sort(key=lambda r: r["key"])
    columns = [
        Column("key", _("Customer")),
        Column("current", _("Not yet due"), "money"),
        Column("1_30", _("1–30 days"), "money"),
        Column("31_60", _("31–60 days"), "money"),
        Column("61_90", _("61–90 days"), "money"),
        Column("over_90", _("Over 90 days"), "money"),
        Column("unapplied", pgettext("customer credit", "Credit"), "money"),
        Column("total", _("Total"), "money"),
    ]
    totals = {c.key: sum((r[c.key] for r in table), ZERO) for c in columns[1:]}
    return Report(
        f"ar-aging-{as_of:%Y%m%d}",
        _("Receivables aging"),
        columns,
        table,
        subtitle=_("As of %(d)s") % {"d": f"{as_of:%d/%m/%Y}"},
        totals=totals,
    )
