"""VAT: effective-dated rates (seeded as data, never constants in the posting code), one tax
transaction per taxed line at posting, and the rule of VAT Law 48/2024: input VAT on a purchase of
at least 5,000,000 VND (VAT included) paid in cash is not deductible."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from novasaas.accounting.models import AccountType, JournalEntry, JournalLine, TaxDirection, TaxRate, TaxTransaction

# (code, name, rate %, exempt, valid_from, valid_to)
DEFAULT_RATES: list[tuple[str, str, str, bool, dt.date, dt.date | None]] = [
    ("VAT0", "GTGT 0%", "0", False, dt.date(2000, 1, 1), None),
    ("VAT5", "GTGT 5%", "5", False, dt.date(2000, 1, 1), None),
    ("VAT8", "GTGT 8% (NĐ 174/2025)", "8", False, dt.date(2025, 7, 1), dt.date(2026, 12, 31)),
    ("VAT10", "GTGT 10%", "10", False, dt.date(2000, 1, 1), None),
    ("EXEMPT", "Không chịu thuế GTGT", "0", True, dt.date(2000, 1, 1), None),
]
CASH_LIMIT = Decimal("5000000")  # VAT included, Law 48/2024 (data: change here or per tenant later)
OUTPUT_VAT_PREFIXES = ("3331",)
INPUT_VAT_PREFIXES = ("133",)


def seed_rates() -> None:
    for code, name, rate, exempt, start, end in DEFAULT_RATES:
        TaxRate.objects.get_or_create(
            code=code,
            valid_from=start,
            defaults={"name": name, "rate": Decimal(rate), "is_exempt": exempt, "valid_to": end},
        )


def rate_for(code_or_id: Any, day: dt.date) -> TaxRate | None:
    """The rate with this code (or id) valid on ``day``."""
    if isinstance(code_or_id, TaxRate):
        return code_or_id if code_or_id.valid_on(day) else None
    qs = (
        TaxRate.objects.filter(pk=code_or_id)
        if isinstance(code_or_id, int)
        else TaxRate.objects.filter(code=str(code_or_id).upper())
    )
    for rate in qs.order_by("-valid_from"):
        if rate.valid_on(day):
            return rate
    return None


def record_tax_transactions(entry: JournalEntry, lines: list[JournalLine]) -> None:
    """Called inside the posting transaction: a TaxTransaction per line that carries a tax rate."""
    taxed = [line for line in lines if line.tax_rate_id]
    if not taxed:
        return
    rows = []
    for line in taxed:
        code = line.account.code
        is_output_vat = code.startswith(OUTPUT_VAT_PREFIXES)
        is_input_vat = code.startswith(INPUT_VAT_PREFIXES)
        if is_output_vat or is_input_vat:
            direction = TaxDirection.OUTPUT if is_output_vat else TaxDirection.INPUT
            tax = (line.credit - line.debit) if is_output_vat else (line.debit - line.credit)
            base = line.tax_base
        else:  # the revenue/cost line of an exempt or 0% operation: base only
            direction = TaxDirection.OUTPUT if line.account.type == AccountType.REVENUE else TaxDirection.INPUT
            tax = Decimal(0)
            amount = line.credit - line.debit
            base = line.tax_base or (amount if direction == TaxDirection.OUTPUT else -amount)
        deductible = True
        if direction == TaxDirection.INPUT and line.paid_in_cash and abs(base + tax) >= CASH_LIMIT:
            deductible = False
        rows.append(
            TaxTransaction(  # type: ignore[misc]  # MoneyField holds Decimal
                tenant_id=entry.tenant_id,
                line=line,
                entry=entry,
                rate_id=line.tax_rate_id,
                direction=direction,
                date=entry.date,
                partner_id=line.partner_id,
                base=base,
                tax=tax,
                paid_in_cash=line.paid_in_cash,
                deductible=deductible,
            )
        )
    TaxTransaction.objects.bulk_create(rows)


# --- reports -------------------------------------------------------------------------------------------


def listing(tenant: Any, date_from: dt.date, date_to: dt.date, direction: str) -> dict[str, Any]:
    """Sales (output) or purchase (input) VAT listing: the transactions and the totals per rate."""
    from django.db.models import Count, Sum

    from novasaas.accounting.scope import in_tenant

    with in_tenant(tenant):
        qs = TaxTransaction.objects.filter(
            tenant=tenant, direction=direction, date__gte=date_from, date__lte=date_to
        ).select_related("rate", "entry")
        by_rate = list(
            qs.values("rate__code", "rate__name", "rate__rate", "rate__is_exempt")
            .annotate(n=Count("id"), base=Sum("base"), tax=Sum("tax"))
            .order_by("rate__code")
        )
        non_deductible = qs.filter(deductible=False).aggregate(base=Sum("base"), tax=Sum("tax"))
        return {
            "rows": list(qs.order_by("date", "id")[:5000]),
            "by_rate": by_rate,
            "total_base": sum((r["base"] or Decimal(0) for r in by_rate), Decimal(0)),
            "total_tax": sum((r["tax"] or Decimal(0) for r in by_rate), Decimal(0)),
            "non_deductible_tax": non_deductible["tax"] or Decimal(0),
        }


def vat_return(tenant: Any, date_from: dt.date, date_to: dt.date) -> dict[str, Decimal]:
    """Figures of the VAT return form 01/GTGT (deduction method) for the period. The 8% reduced rate
    (Decree 174/2025) is declared with the 10% goods in [32]/[33] at its actual tax; [22] (credit
    carried from the previous period) is not tracked yet and is 0."""
    out = listing(tenant, date_from, date_to, TaxDirection.OUTPUT)
    inp = listing(tenant, date_from, date_to, TaxDirection.INPUT)

    def pick(rows: list[dict[str, Any]], pred: Any, key: str) -> Decimal:
        return sum((r[key] or Decimal(0) for r in rows if pred(r)), Decimal(0))

    rate = lambda r: r["rate__rate"]  # noqa: E731
    f: dict[str, Decimal] = {}
    f["22"] = Decimal(0)
    f["23"] = inp["total_base"]
    f["24"] = inp["total_tax"]
    f["25"] = inp["total_tax"] - inp["non_deductible_tax"]
    f["26"] = pick(out["by_rate"], lambda r: r["rate__is_exempt"], "base")
    f["29"] = pick(out["by_rate"], lambda r: not r["rate__is_exempt"] and rate(r) == 0, "base")
    f["30"] = pick(out["by_rate"], lambda r: rate(r) == 5, "base")
    f["31"] = pick(out["by_rate"], lambda r: rate(r) == 5, "tax")
    f["32"] = pick(out["by_rate"], lambda r: rate(r) in (8, 10), "base")
    f["33"] = pick(out["by_rate"], lambda r: rate(r) in (8, 10), "tax")
    f["27"] = f["29"] + f["30"] + f["32"]
    f["28"] = f["31"] + f["33"]
    f["34"] = f["26"] + f["27"]
    f["35"] = f["28"]
    f["36"] = f["35"] - f["25"]
    f["40a"] = max(f["36"] - f["22"], Decimal(0))
    f["41"] = max(f["22"] + f["25"] - f["35"], Decimal(0))
    return f


VAT_RETURN_LABELS = {
    "22": "Thuế GTGT còn được khấu trừ kỳ trước chuyển sang",
    "23": "Giá trị hàng hóa, dịch vụ mua vào",
    "24": "Thuế GTGT của hàng hóa, dịch vụ mua vào",
    "25": "Tổng số thuế GTGT được khấu trừ kỳ này",
    "26": "Hàng hóa, dịch vụ bán ra không chịu thuế GTGT",
    "27": "Hàng hóa, dịch vụ bán ra chịu thuế GTGT",
    "28": "Thuế GTGT của hàng hóa, dịch vụ bán ra",
    "29": "Hàng hóa, dịch vụ bán ra chịu thuế suất 0%",
    "30": "Hàng hóa, dịch vụ bán ra chịu thuế suất 5%",
    "31": "Thuế GTGT 5%",
    "32": "Hàng hóa, dịch vụ bán ra chịu thuế suất 10% (gồm 8%)",
    "33": "Thuế GTGT 10% (gồm 8%)",
    "34": "Tổng doanh thu hàng hóa, dịch vụ bán ra",
    "35": "Tổng số thuế GTGT của hàng hóa, dịch vụ bán ra",
    "36": "Thuế GTGT phát sinh trong kỳ",
    "40a": "Thuế GTGT phải nộp",
    "41": "Thuế GTGT chưa khấu trừ hết kỳ này",
}
