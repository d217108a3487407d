"""VAT: effective-dated rates (seeded as data, never constants in the posting code), one tax
transaction per taxed line at posting, and the rule of VAT Law 48/2024: input VAT on a purchase of
at least 5,000,000 VND (VAT included; same-day invoices of one seller are added up) paid in cash is
not deductible."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
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
VAT_ACCOUNT_PREFIXES = OUTPUT_VAT_PREFIXES + INPUT_VAT_PREFIXES
# A VAT line may differ from round(base × rate) by this much: invoices round the VAT of each item, so an
# invoice of up to 20 items can be 10 đồng away from its total base × rate. More is refused at entry.
VAT_TOLERANCE = Decimal(10)


def seed_rates() -> None:
    """The current tenant's default VAT rates, those it does not have yet (one read, one insert)."""
    from novasaas.platform.tenancy import current_tenant

    have = set(TaxRate.objects.values_list("code", "valid_from"))
    TaxRate.objects.bulk_create(
        [
            TaxRate(
                tenant=current_tenant(),
                code=code,
                valid_from=start,
                name=name,
                rate=Decimal(rate),  # type: ignore[misc]  # FixedPointField holds Decimal
                is_exempt=exempt,
                valid_to=end,
            )
            for code, name, rate, exempt, start, end in DEFAULT_RATES
            if (code, start) not in have
        ]
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


def _entry_partner(lines: list[JournalLine]) -> int | None:
    """The counterparty of an entry when its lines name exactly one (the seller of a purchase whose
    partner sits on the 331 line, not on the VAT line)."""
    partners = {line.partner_id for line in lines if line.partner_id}
    return partners.pop() if len(partners) == 1 else None


def record_tax_transactions(entry: JournalEntry, lines: list[JournalLine]) -> None:
    """Called inside the posting transaction (the tenant's chain lock is held, so postings of the
    tenant are serialised): a TaxTransaction per line that carries a tax rate, then the cash rule."""
    taxed = [line for line in lines if line.tax_rate_id]
    if not taxed:
        return
    entry_partner = _entry_partner(lines)
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
        rows.append(
            TaxTransaction(  # type: ignore[misc]  # MoneyField holds Decimal
                tenant_id=entry.tenant_id,
                line=line,
                entry=entry,
                rate_id=line.tax_rate_id,
                direction=direction,
                date=entry.date,
                partner_id=line.partner_id or entry_partner,
                base=base,
                tax=tax,
                paid_in_cash=line.paid_in_cash,
                deductible=True,
            )
        )
    if entry.reversal_of_id is not None:
        # a reversal mirrors the deductibility of the original line, so the pair nets to zero in
        # [24] and [25] whatever the original's group looks like now
        original = dict(
            TaxTransaction.objects.filter(entry_id=entry.reversal_of_id).values_list("line__line_no", "deductible")
        )
        for row in rows:
            row.deductible = original.get(row.line.line_no, True)
        TaxTransaction.objects.bulk_create(rows)
        original_groups = set(
            TaxTransaction.objects.filter(
                entry_id=entry.reversal_of_id, direction=TaxDirection.INPUT, partner_id__isnull=False
            ).values_list("partner_id", "date")
        )
        for partner_id, day in original_groups:
            if partner_id is not None:
                apply_cash_rule(partner_id, day)
        return
    inputs = [row for row in rows if row.direction == TaxDirection.INPUT]
    if any(row.partner_id is None for row in inputs):
        # no seller named: the entry is taken as one invoice
        invoice_total = sum((row.base + row.tax for row in inputs if row.partner_id is None), Decimal(0))
        for row in inputs:
            if row.partner_id is None and row.paid_in_cash:
                row.deductible = abs(invoice_total) < CASH_LIMIT
    TaxTransaction.objects.bulk_create(rows)
    for partner_id, day in {(row.partner_id, row.date) for row in inputs if row.partner_id is not None}:
        apply_cash_rule(partner_id, day)


def apply_cash_rule(partner_id: int, day: dt.date) -> None:
    """Law 48/2024: the input invoices of one seller on one day are added up (VAT included, whatever
    their payment); when the total reaches ``CASH_LIMIT``, the input VAT of those paid in cash is not
    deductible. Reversed invoices and reversals are left out of the total and keep their flag."""
    from django.db.models import Exists, OuterRef

    group = TaxTransaction.objects.filter(direction=TaxDirection.INPUT, partner_id=partner_id, date=day).filter(
        entry__reversal_of__isnull=True
    )
    group = group.exclude(Exists(JournalEntry.objects.filter(reversal_of=OuterRef("entry_id"))))
    live = list(group.values_list("pk", "base", "tax", "paid_in_cash", "deductible"))
    total: Decimal = sum((Decimal(base) + Decimal(tax) for _pk, base, tax, _cash, _ded in live), Decimal(0))
    deductible = abs(total) < CASH_LIMIT
    flip = [pk for pk, _b, _t, cash, ded in live if cash and ded != deductible]
    if flip:
        TaxTransaction.objects.filter(pk__in=flip).update(deductible=deductible)


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


def _filing_period_start(day: dt.date, months: int) -> dt.date:
    return dt.date(day.year, (day.month - 1) // months * months + 1, 1)


def _months(tenant: Any) -> int:
    from novasaas.accounting.models import AccountingSettings

    period = AccountingSettings.objects.filter(tenant=tenant).values_list("vat_period", flat=True).first()
    return 3 if period == "quarter" else 1


def filing_period(tenant: Any, day: dt.date) -> tuple[dt.date, dt.date]:
    """The filing period (month or quarter, per the tenant's settings) that contains ``day``."""
    from novasaas.accounting.scope import in_tenant

    with in_tenant(tenant):
        months = _months(tenant)
    start = _filing_period_start(day, months)
    month0 = start.month - 1 + months
    end = dt.date(start.year + month0 // 12, month0 % 12 + 1, 1) - dt.timedelta(days=1)
    return start, end


def carried_credit(tenant: Any, before: dt.date) -> Decimal:
    """[22] of a return starting on ``before``: the credit [43] of the previous filing period, which
    itself carried the one before it. Starts from the declared [43] of the last filed return
    (``VatFiling``) ending before ``before``, else from the tenant's first tax transaction; then one
    filing period (``AccountingSettings.vat_period``: month or quarter) at a time:
    ``[43] = [41] = max(0, [22] + [25] − [35])`` (no refund [42] or adjustment [37]/[38] outside a filed
    return). A partial period just before ``before`` counts as one period."""
    from django.db.models import Sum

    from novasaas.accounting.models import VatFiling
    from novasaas.accounting.scope import in_tenant

    with in_tenant(tenant):
        months = _months(tenant)
        filed = VatFiling.objects.filter(tenant=tenant, period_end__lt=before).order_by("-period_end").first()
        start_carried = Decimal(str(filed.figures.get("43", "0"))) if filed is not None else Decimal(0)
        rows = (
            TaxTransaction.objects.filter(tenant=tenant, date__lt=before)
            .filter(**({"date__gt": filed.period_end} if filed is not None else {}))
            .values("date", "direction", "deductible")
            .annotate(tax=Sum("tax"))
        )
        net: dict[dt.date, Decimal] = defaultdict(Decimal)  # deductible input − output, per filing period
        for r in rows:
            tax = r["tax"] or Decimal(0)
            key = _filing_period_start(r["date"], months)
            if r["direction"] == TaxDirection.OUTPUT:
                net[key] -= tax
            elif r["deductible"]:
                net[key] += tax
    carried = start_carried
    for key in sorted(net):
        carried = max(carried + net[key], Decimal(0))
    return carried


# accounts of a sale or purchase: an entry with one of them and a VAT line is an invoice
OPERATION_PREFIXES = ("5", "6", "7", "8", "15", "21", "24")


def untaxed_vat_lines(tenant: Any, date_from: dt.date, date_to: dt.date) -> list[dict[str, Any]]:
    """Lines on 3331x/133x without a tax rate in invoices (entries that also move revenue, expense,
    stock or fixed assets): they fall out of the listings and of 01/GTGT, so the VAT page lists them
    for correction. Settlements (33311 against 1331, payment of VAT) carry no rate and are not listed."""
    from django.db.models import Exists, OuterRef, Q

    from novasaas.accounting.models import EntryState
    from novasaas.accounting.scope import in_tenant

    operation = Q()
    for prefix in OPERATION_PREFIXES:
        operation |= Q(account__code__startswith=prefix)
    vat = Q()
    for prefix in VAT_ACCOUNT_PREFIXES:
        vat |= Q(account__code__startswith=prefix)
    with in_tenant(tenant):
        lines = (
            JournalLine.objects.filter(
                vat,
                tenant=tenant,
                tax_rate__isnull=True,
                entry__state=EntryState.POSTED,
                entry__date__gte=date_from,
                entry__date__lte=date_to,
            )
            .filter(Exists(JournalLine.objects.filter(operation, entry_id=OuterRef("entry_id"))))
            .select_related("entry", "account")
            .order_by("entry__date", "entry_id", "line_no")
        )
        return [
            {
                "entry_id": ln.entry_id,
                "reference": ln.entry.reference,
                "date": ln.entry.date,
                "account": ln.account.code,
                "amount": ln.debit + ln.credit,
            }
            for ln in lines[:200]
        ]


def vat_return(
    tenant: Any, date_from: dt.date, date_to: dt.date, *, refund_requested: Decimal | None = None
) -> dict[str, Decimal]:
    """Figures of the VAT return form 01/GTGT (deduction method) for the period. The 8% reduced rate
    (Decree 174/2025) is declared with the 10% goods in [32]/[33] at its actual tax; [22] is the credit
    [43] carried from the previous filing period (``carried_credit``)."""
    out = listing(tenant, date_from, date_to, TaxDirection.OUTPUT)
    inp = listing(tenant, date_from, date_to, TaxDirection.INPUT)

    def pick(rows: list[dict[str, Any]], pred: Any, key: str) -> Decimal:
        return sum((r[key] or Decimal(0) for r in rows if pred(r)), Decimal(0))

    rate = lambda r: r["rate__rate"]  # noqa: E731
    f: dict[str, Decimal] = {}
    f["22"] = carried_credit(tenant, date_from)
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
    f["41"] = max(f["22"] - f["36"], Decimal(0))
    if refund_requested is None:  # the refund of the return filed for exactly this period, if any
        from novasaas.accounting.models import VatFiling
        from novasaas.accounting.scope import in_tenant

        with in_tenant(tenant):
            filed = (
                VatFiling.objects.filter(tenant=tenant, period_start=date_from, period_end=date_to)
                .values_list("refund_requested", flat=True)
                .first()
            )
        refund_requested = Decimal(filed) if filed is not None else None
    f["42"] = min(refund_requested or Decimal(0), f["41"])
    f["43"] = f["41"] - f["42"]
    return f


def file_vat_return(principal: Any, date_from: dt.date, refund_requested: Any = 0) -> Any:
    """File (kê khai) the 01/GTGT return of the filing period starting on ``date_from``: the figures are
    stored as declared, with the refund requested [42] (at most [41]); from then on [22] of the next
    period is this return's [43]. A period is filed once, only after it has ended, and not before the
    previous filed period (returns are filed in order)."""
    from django.core.exceptions import ValidationError
    from django.utils import timezone
    from django.utils.translation import gettext as _

    from novasaas.accounting import actions
    from novasaas.accounting.models import VatFiling
    from novasaas.accounting.scope import atomic_in
    from novasaas.platform import audit
    from novasaas.platform.money import round_money, to_decimal

    principal.require("acc.tax.report")
    tenant = principal.tenant
    with atomic_in(tenant):
        actions.ensure_chart(tenant)
        start, end = filing_period(tenant, date_from)
        if start != date_from:
            raise ValidationError({"date_from": [_("A return starts on the first day of its filing period.")]})
        if end >= timezone.localdate():
            raise ValidationError({"date_from": [_("The filing period has not ended yet.")]})
        actions._chain_lock()  # no posting changes the figures while they are taken
        if VatFiling.objects.filter(period_start=start).exists():
            raise ValidationError({"date_from": [_("The return of this period is already filed.")]})
        if VatFiling.objects.filter(period_start__gt=start).exists():
            raise ValidationError({"date_from": [_("A later period is already filed: file returns in order.")]})
        try:
            refund = to_decimal(refund_requested or 0)
        except ValueError:
            refund = Decimal("NaN")
        if not refund.is_finite() or abs(refund) >= Decimal("1e15"):
            raise ValidationError({"refund_requested": [_("Enter an amount.")]})
        refund = round_money(refund, "VND")
        figures = vat_return(tenant, start, end, refund_requested=Decimal(0))
        if refund < 0 or refund > figures["41"]:
            raise ValidationError({"refund_requested": [_("The refund cannot exceed the credit [41].")]})
        figures = vat_return(tenant, start, end, refund_requested=refund)
        filing = VatFiling.objects.create(  # type: ignore[misc]  # MoneyField holds Decimal
            period_start=start,
            period_end=end,
            figures={k: str(v) for k, v in figures.items()},
            refund_requested=refund,
            filed_by=principal.user,
        )
        audit.record_created(filing, principal.user)
        return filing


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
    "42": "Thuế GTGT đề nghị hoàn",
    "43": "Thuế GTGT còn được khấu trừ chuyển kỳ sau",
}
