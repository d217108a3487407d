"""Financial statements — balance sheet (B01), income statement (B02) and cash-flow statement (B03,
indirect) — computed from the maintained per-period balances (O(accounts × periods)).

The lines of each form are data per accounting regime (``statement_forms``: Circular 133 B01a-DNN /
B02-DNN / B03-DNN, Circular 99 B01-DN / B02-DN / B03-DN; the tenant's chart template decides), with
their codes, captions, note references and account mapping. As the circulars require, balances on the
"wrong" side are shown gross: 131 and 331 per partner (a customer's credit balance is "Người mua trả
tiền trước", a vendor's debit balance "Trả trước cho người bán"), 333, 334, 138 and 338 per
sub-account (an overpaid tax is an asset, a debit balance of 3388 a receivable). A negative cash or
bank balance is not hidden: it stays in the cash line and the statement carries a warning. Until the
year is closed, the current result (revenue − expenses, and 911) is shown in undistributed profit so
that total assets = total sources at every date. The balance sheet reads 131/331 per partner from the
posted lines.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Sum
from django.utils.translation import gettext_lazy as _

from novasaas.accounting.models import Account, AccountBalance
from novasaas.accounting.scope import in_tenant
from novasaas.accounting.statement_forms import B03_MAP, DEFAULT_REGIME, REGIMES, FormLine, evaluate, regime_of
from novasaas.platform.models import Tenant

ZERO = Decimal(0)


@dataclass
class StatementLine:
    code: str
    label: str  # the form's Vietnamese caption (what is filed)
    current: Decimal
    previous: Decimal
    level: int = 2
    note: str = ""  # the form's "Thuyết minh" reference (V.01 …)
    label_en: str = ""


@dataclass
class Statement:
    form: str
    title: str
    date_from: dt.date
    date_to: dt.date
    lines: list[StatementLine]
    checks: dict[str, bool] = field(default_factory=dict)
    # what a reader must know about the figures (e.g. a negative cash balance), in the user's language
    warnings: list[str] = field(default_factory=list)
    regime: str = DEFAULT_REGIME  # the tenant's chart template (tt133, tt99): which form the lines are


# accounts a balance sheet shows gross per partner (Circular 133: receivables and payables by customer
# and vendor, never netted across partners)
BY_PARTNER = ("131", "331")


def _partner_split(tenant: Tenant, balances: dict[str, tuple[Decimal, Decimal]], end: dt.date) -> None:
    """Replace the 131/331 account balances by one balance per (account, partner) — keyed
    ``"<code>#<partner>"``, which still matches the account's prefixes — from the posted lines up to
    ``end`` (the ledger keeps no per-partner period balances)."""
    from django.db.models import Q

    from novasaas.accounting.models import EntryState, JournalLine

    with in_tenant(tenant):
        q = Q()
        for prefix in BY_PARTNER:
            q |= Q(account__code__startswith=prefix)
        rows = (
            JournalLine.objects.filter(q, tenant=tenant, entry__state=EntryState.POSTED, entry__date__lte=end)
            .values("account__code", "partner_id")
            .annotate(d=Sum("debit"), c=Sum("credit"))
        )
        split = {f"{r['account__code']}#{r['partner_id']}": (r["d"] or ZERO, r["c"] or ZERO) for r in rows}
    for code in [c for c in balances if c.startswith(BY_PARTNER)]:
        del balances[code]
    balances.update(split)


def _cash_warnings(balances: dict[str, tuple[Decimal, Decimal]], end: dt.date) -> list[str]:
    """A cash or bank account below zero cannot be true: say so rather than net it away."""
    negative = sorted(code for code, (d, c) in balances.items() if code.startswith(("111", "112")) and d < c)
    if not negative:
        return []
    return [
        str(_("Cash or bank below zero on %(d)s: account %(a)s. Check the receipts and payments."))
        % {"d": end.strftime("%d/%m/%Y"), "a": ", ".join(negative)}
    ]


def _leaf_balances(
    tenant: Tenant, *, end: dt.date, start: dt.date | None = None, include_closing: bool = True
) -> dict[str, tuple[Decimal, Decimal]]:
    """Σ debit, Σ credit per account code of the postings dated ``start``–``end`` inclusive (from the
    beginning when ``start`` is None). Whole periods inside the range come from the maintained
    balances; a period the range cuts (the current month when ``end`` is today) is read from its
    posted lines up to the day, so a balance "as of today" includes today's postings and nothing later.
    """
    from novasaas.accounting.models import EntryState, FiscalPeriod, JournalKind, JournalLine

    with in_tenant(tenant):
        qs = AccountBalance.objects.filter(tenant=tenant, period__end_date__lte=end)
        if start is not None:
            qs = qs.filter(period__start_date__gte=start)
        if not include_closing:
            qs = qs.filter(closing=False)
        sums: dict[int, list[Decimal]] = defaultdict(lambda: [ZERO, ZERO])
        for r in qs.values("account_id").annotate(d=Sum("debit"), c=Sum("credit")):
            sums[r["account_id"]][0] += r["d"] or ZERO
            sums[r["account_id"]][1] += r["c"] or ZERO
        # periods only partly inside the range: their lines within the range
        cut = FiscalPeriod.objects.filter(tenant=tenant, start_date__lte=end, end_date__gt=end)
        if start is not None:
            cut = cut | FiscalPeriod.objects.filter(
                tenant=tenant, start_date__lt=start, end_date__gte=start, start_date__lte=end
            )
        partial = list(cut.values_list("pk", flat=True).distinct())
        if partial:
            lines = JournalLine.objects.filter(
                tenant=tenant, entry__state=EntryState.POSTED, entry__period_id__in=partial, entry__date__lte=end
            )
            if start is not None:
                lines = lines.filter(entry__date__gte=start)
            if not include_closing:
                lines = lines.exclude(entry__journal__kind=JournalKind.CLOSING)
            for r in lines.values("account_id").annotate(d=Sum("debit"), c=Sum("credit")):
                sums[r["account_id"]][0] += r["d"] or ZERO
                sums[r["account_id"]][1] += r["c"] or ZERO
        codes = dict(Account.objects.filter(tenant=tenant).values_list("pk", "code"))
        return {codes[aid]: (d, c) for aid, (d, c) in sums.items()}


_RULES = {
    "dr": lambda d, c: d - c,
    "cr": lambda d, c: c - d,
    "dr+": lambda d, c: max(d - c, ZERO),
    "cr+": lambda d, c: max(c - d, ZERO),
    "-cr": lambda d, c: d - c,
    "-dr": lambda d, c: c - d,
    "debit": lambda d, c: d,
    "credit": lambda d, c: c,
}


def _compute(
    balances: dict[str, tuple[Decimal, Decimal]], table: list[tuple[str, list[tuple[str, str]]]]
) -> dict[str, Decimal]:
    """Amount per statement line. Each account goes to the line(s) of its *longest* listed prefix, so
    an account is never counted twice (3361 goes to 317 even though 336 is listed elsewhere)."""
    index: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for line, sources in table:
        for prefix, rule in sources:
            index[prefix].append((line, rule))
    out: dict[str, Decimal] = {line: ZERO for line, _s in table}
    for code, (d, c) in balances.items():
        match = next((code[:n] for n in range(len(code), 0, -1) if code[:n] in index), None)
        if match is None:
            continue
        for line, rule in index[match]:
            out[line] += _RULES[rule](d, c)
    return out


def _period_edge(tenant: Tenant, day: dt.date, *, end: bool) -> dt.date:
    from novasaas.accounting.selectors import period_bounds

    start, stop = period_bounds(tenant, day, day)
    return stop if end else start


def _lines(form: list[FormLine], cur: dict[str, Decimal], prev: dict[str, Decimal]) -> list[StatementLine]:
    return [
        StatementLine(line.code, line.vi, cur[line.code], prev[line.code], line.level, line.note, line.en)
        for line in form
    ]


def _figures(form: list[FormLine], balances: dict[str, tuple[Decimal, Decimal]]) -> dict[str, Decimal]:
    """Every line of ``form``: the sourced ones from ``balances``, then the formulas."""
    sourced = _compute(balances, [(line.code, list(line.sources)) for line in form if not line.formula])
    return evaluate(form, sourced)


def balance_sheet(tenant: Tenant, as_of: dt.date, previous: dt.date | None = None) -> Statement:
    """B01 of the tenant's regime (B01a-DNN, or B01-DN on the Circular 99 chart) at the end of the
    period containing ``as_of``; the comparative column at ``previous`` (default: the day before the
    start of ``as_of``'s calendar year)."""
    regime = regime_of(tenant)
    form = REGIMES[regime]
    end = _period_edge(tenant, as_of, end=True)
    prev_end = previous or dt.date(end.year, 1, 1) - dt.timedelta(days=1)
    cur_bal, prev_bal = _leaf_balances(tenant, end=end), _leaf_balances(tenant, end=prev_end)
    warnings = _cash_warnings(cur_bal, end)
    _partner_split(tenant, cur_bal, end)
    _partner_split(tenant, prev_bal, prev_end)
    cur, prev = _figures(form.b01, cur_bal), _figures(form.b01, prev_bal)
    checks = {
        "assets_equal_sources": cur[form.total_assets] == cur[form.total_sources],
        "previous_assets_equal_sources": prev[form.total_assets] == prev[form.total_sources],
    }
    return Statement(
        "B01-DNN",
        str(_("Balance sheet")),
        dt.date(end.year, 1, 1),
        end,
        _lines(form.b01, cur, prev),
        checks,
        warnings,
        regime,
    )


def income_statement(tenant: Tenant, date_from: dt.date, date_to: dt.date) -> Statement:
    """B02 of the tenant's regime for the periods covering ``date_from``–``date_to``; the comparative
    column is the same range one year earlier. Year-end closing entries are excluded (they would zero
    the accounts)."""
    regime = regime_of(tenant)
    start, end = _period_edge(tenant, date_from, end=False), _period_edge(tenant, date_to, end=True)
    try:
        p_start, p_end = start.replace(year=start.year - 1), end.replace(year=end.year - 1)
    except ValueError:  # 29 February
        p_start, p_end = start.replace(year=start.year - 1, day=28), end.replace(year=end.year - 1, day=28)
    cur = _net_reversals(
        _leaf_balances(tenant, start=start, end=end, include_closing=False), _reversal_moves(tenant, start, end)
    )
    prev = _net_reversals(
        _leaf_balances(tenant, start=p_start, end=p_end, include_closing=False),
        _reversal_moves(tenant, p_start, p_end),
    )
    form = REGIMES[regime].b02
    lines = _lines(form, _figures(form, cur), _figures(form, prev))
    return Statement("B02-DNN", str(_("Income statement")), start, end, lines, {}, [], regime)


def _reversal_moves(tenant: Tenant, start: dt.date, end: dt.date) -> dict[str, tuple[Decimal, Decimal]]:
    """Σ debit, Σ credit per account code of the posted reversing entries dated ``start``–``end``."""
    from novasaas.accounting.models import EntryState, JournalKind, JournalLine

    with in_tenant(tenant):
        rows = (
            JournalLine.objects.filter(
                tenant=tenant,
                entry__state=EntryState.POSTED,
                entry__reversal_of__isnull=False,
                entry__date__gte=start,
                entry__date__lte=end,
            )
            .exclude(entry__journal__kind=JournalKind.CLOSING)
            .values("account__code")
            .annotate(d=Sum("debit"), c=Sum("credit"))
        )
        return {r["account__code"]: (r["d"] or ZERO, r["c"] or ZERO) for r in rows}


def _net_reversals(
    balances: dict[str, tuple[Decimal, Decimal]], reversals: dict[str, tuple[Decimal, Decimal]]
) -> dict[str, tuple[Decimal, Decimal]]:
    """Movements with each reversal taken off the side it cancels: a reversal's debit on 511 removes
    revenue (line 01), it is not a revenue deduction (line 02). Net balances do not change."""
    out = dict(balances)
    for code, (rd, rc) in reversals.items():
        d, c = out.get(code, (ZERO, ZERO))
        out[code] = (d - rd - rc, c - rd - rc)
    return out


def current_result(tenant: Tenant, as_of: dt.date) -> Decimal:
    """Revenue − expenses not yet closed to 421, at the end of ``as_of``'s period."""
    end = _period_edge(tenant, as_of, end=True)
    bal = _leaf_balances(tenant, end=end)
    return _compute(bal, [("r", [("5", "cr"), ("6", "cr"), ("7", "cr"), ("8", "cr"), ("911", "cr")])])["r"]


def totals_by_prefix(
    tenant: Tenant, prefixes: list[str], *, end: dt.date, start: dt.date | None = None
) -> dict[str, Decimal]:
    """Net debit balance per prefix (dashboard figures)."""
    bal = _leaf_balances(tenant, end=end, start=start, include_closing=False)
    out: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for code, (d, c) in bal.items():
        for p in prefixes:
            if code.startswith(p):
                out[p] += d - c
    return dict(out)


# --- cash-flow statement B03-DNN (indirect method; the map is statement_forms.B03_MAP) ----------------------


def cash_flow(tenant: Tenant, date_from: dt.date, date_to: dt.date) -> Statement:
    """B03 of the tenant's regime, indirect method, for the periods covering the range (closing entries
    excluded)."""
    regime = regime_of(tenant)
    start, end = _period_edge(tenant, date_from, end=False), _period_edge(tenant, date_to, end=True)
    moves = _leaf_balances(tenant, start=start, end=end, include_closing=False)
    before = _leaf_balances(tenant, end=start - dt.timedelta(days=1))
    index = {p: line for line, prefixes in B03_MAP for p in prefixes}
    v: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for code, (d, c) in moves.items():
        if code.startswith(("111", "112", "113")):
            continue
        match = next((code[:n] for n in range(len(code), 0, -1) if code[:n] in index), None)
        v[index[match] if match else "17"] += c - d
    v["60"] = sum((d - c for code, (d, c) in before.items() if code.startswith(("111", "112", "113"))), ZERO)
    form = REGIMES[regime].b03
    v.update(evaluate(form, {line.code: v[line.code] for line in form if not line.formula}))
    closing_cash = _leaf_balances(tenant, end=end)
    actual = sum((d - c for code, (d, c) in closing_cash.items() if code.startswith(("111", "112", "113"))), ZERO)
    lines = _lines(form, v, defaultdict(lambda: ZERO))
    return Statement(
        "B03-DNN", str(_("Cash flow statement")), start, end, lines, {"ties_to_cash": v["70"] == actual}, [], regime
    )
