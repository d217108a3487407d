"""Financial statements of the SME regime (Circular 133): balance sheet B01-DNN and income statement
B02-DNN, computed from the maintained per-period balances (O(accounts × periods)).

Line mapping: each statement line lists account code prefixes with a rule (net debit, net credit, or
a debit/credit balance only). As Circular 133 requires, balances on the "wrong" side are shown gross:
131 and 331 per partner (a customer's credit balance is "Người mua trả tiền trước" 312, a vendor's
debit balance "Trả trước cho người bán" 132), 333, 334, 138 and 338 per sub-account (an overpaid tax is
"Tài sản khác" 182, a debit balance of 3388 "Phải thu khác" 134). A negative cash or bank balance is
not hidden: it stays in line 110 and the statement carries a warning. Until the year is closed, the
current result (revenue − expenses, and 911) is shown in line 417 so that total assets = total equity
and liabilities at every date. The balance sheet reads 131/331 per partner from the posted lines.
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
from novasaas.platform.models import Tenant

ZERO = Decimal(0)

# rule: "dr" net debit (debit − credit), "cr" net credit, "dr+" debit balances only, "cr+" credit
# balances only, "-cr" minus net credit (contra accounts shown negative).
B01: list[tuple[str, str, int, list[tuple[str, str]]]] = [
    ("110", "I. Tiền và các khoản tương đương tiền", 1, [("111", "dr"), ("112", "dr")]),
    ("120", "II. Đầu tư tài chính", 1, []),
    ("121", "1. Chứng khoán kinh doanh", 2, [("121", "dr")]),
    ("122", "2. Đầu tư nắm giữ đến ngày đáo hạn", 2, [("128", "dr")]),
    ("123", "3. Đầu tư góp vốn vào đơn vị khác", 2, [("228", "dr"), ("221", "dr"), ("222", "dr")]),
    ("124", "4. Dự phòng tổn thất đầu tư tài chính", 2, [("229", "-cr"), ("2291", "-cr"), ("2292", "-cr")]),
    ("130", "III. Các khoản phải thu", 1, []),
    ("131", "1. Phải thu của khách hàng", 2, [("131", "dr+")]),
    ("132", "2. Trả trước cho người bán", 2, [("331", "dr+")]),
    ("133", "3. Vốn kinh doanh ở đơn vị trực thuộc", 2, [("1361", "dr")]),
    (
        "134",
        "4. Phải thu khác",
        2,
        [("136", "dr"), ("138", "dr+"), ("141", "dr"), ("244", "dr"), ("171", "dr"), ("334", "dr+"), ("338", "dr+")],
    ),
    ("135", "5. Tài sản thiếu chờ xử lý", 2, [("1381", "dr")]),
    ("136", "6. Dự phòng phải thu khó đòi", 2, [("2293", "-cr")]),
    ("140", "IV. Hàng tồn kho", 1, []),
    ("141", "1. Hàng tồn kho", 2, [(c, "dr") for c in ("151", "152", "153", "154", "155", "156", "157", "158")]),
    ("142", "2. Dự phòng giảm giá hàng tồn kho", 2, [("2294", "-cr")]),
    ("150", "V. Tài sản cố định", 1, []),
    ("151", "- Nguyên giá", 2, [("211", "dr"), ("212", "dr"), ("213", "dr"), ("215", "dr")]),
    ("152", "- Giá trị hao mòn lũy kế", 2, [("214", "-cr")]),
    ("160", "VI. Bất động sản đầu tư", 1, []),
    ("161", "- Nguyên giá", 2, [("217", "dr")]),
    ("162", "- Giá trị hao mòn lũy kế", 2, [("2147", "-cr")]),
    ("170", "VII. Xây dựng cơ bản dở dang", 1, [("241", "dr")]),
    ("180", "VIII. Tài sản khác", 1, []),
    ("181", "1. Thuế GTGT được khấu trừ", 2, [("133", "dr")]),
    ("182", "2. Tài sản khác", 2, [("242", "dr"), ("243", "dr"), ("333", "dr+")]),
    ("200", "TỔNG CỘNG TÀI SẢN", 0, []),
    ("300", "I. Nợ phải trả", 1, []),
    ("311", "1. Phải trả người bán", 2, [("331", "cr+")]),
    ("312", "2. Người mua trả tiền trước", 2, [("131", "cr+")]),
    ("313", "3. Thuế và các khoản phải nộp Nhà nước", 2, [("333", "cr+")]),
    ("314", "4. Phải trả người lao động", 2, [("334", "cr+")]),
    (
        "315",
        "5. Phải trả khác",
        2,
        [
            ("335", "cr"),
            ("336", "cr"),
            ("3368", "cr"),
            ("338", "cr+"),
            ("138", "cr+"),
            ("332", "cr"),
            ("344", "cr"),
            ("337", "cr"),
        ],
    ),
    ("316", "6. Vay và nợ thuê tài chính", 2, [("341", "cr"), ("343", "cr")]),
    ("317", "7. Phải trả nội bộ về vốn kinh doanh", 2, [("3361", "cr")]),
    ("318", "8. Dự phòng phải trả", 2, [("352", "cr"), ("347", "cr")]),
    ("319", "9. Quỹ khen thưởng, phúc lợi", 2, [("353", "cr")]),
    ("320", "10. Quỹ phát triển khoa học và công nghệ", 2, [("356", "cr"), ("357", "cr")]),
    ("400", "II. Vốn chủ sở hữu", 1, []),
    ("411", "1. Vốn góp của chủ sở hữu", 2, [("411", "cr")]),
    ("412", "2. Thặng dư vốn cổ phần", 2, [("4112", "cr")]),
    ("413", "3. Vốn khác của chủ sở hữu", 2, [("4118", "cr"), ("412", "cr"), ("414", "cr")]),
    ("414", "4. Cổ phiếu quỹ", 2, [("419", "-dr")]),
    ("415", "5. Chênh lệch tỷ giá hối đoái", 2, [("413", "cr")]),
    ("416", "6. Các quỹ thuộc vốn chủ sở hữu", 2, [("418", "cr")]),
    (
        "417",
        "7. Lợi nhuận sau thuế chưa phân phối",
        2,
        [("421", "cr"), ("5", "cr"), ("6", "cr"), ("7", "cr"), ("8", "cr"), ("911", "cr")],
    ),
    ("500", "TỔNG CỘNG NGUỒN VỐN", 0, []),
]
B01_GROUPS = {
    "120": ["121", "122", "123", "124"],
    "130": ["131", "132", "133", "134", "135", "136"],
    "140": ["141", "142"],
    "150": ["151", "152"],
    "160": ["161", "162"],
    "180": ["181", "182"],
    "200": ["110", "120", "130", "140", "150", "160", "170", "180"],
    "300": ["311", "312", "313", "314", "315", "316", "317", "318", "319", "320"],
    "400": ["411", "412", "413", "414", "415", "416", "417"],
    "500": ["300", "400"],
}
# B02: (code, label, source) where source is a list of (prefix, "credit"/"debit" movement or "cr"/"dr"
# net), or a formula over earlier lines. Circular 133 has no 521: revenue deductions (trade discounts,
# price reductions, returns) are debits of 511; a reversal is not a deduction (see ``_net_reversals``).
# Interest expense (line 23) is what is posted on sub-account 6351 "Chi phí lãi vay" — the chart keeps
# 635 as one account until the company opens 6351 for its loans (see docs/accounting.md).
B02: list[tuple[str, str, list[tuple[str, str]] | str]] = [
    ("01", "1. Doanh thu bán hàng và cung cấp dịch vụ", [("511", "credit")]),
    ("02", "2. Các khoản giảm trừ doanh thu", [("511", "debit"), ("521", "dr")]),
    ("10", "3. Doanh thu thuần về bán hàng và cung cấp dịch vụ", "01-02"),
    ("11", "4. Giá vốn hàng bán", [("632", "dr")]),
    ("20", "5. Lợi nhuận gộp về bán hàng và cung cấp dịch vụ", "10-11"),
    ("21", "6. Doanh thu hoạt động tài chính", [("515", "cr")]),
    ("22", "7. Chi phí tài chính", [("635", "dr"), ("6351", "dr")]),
    ("23", "- Trong đó: Chi phí lãi vay", [("6351", "dr")]),
    ("24", "8. Chi phí quản lý kinh doanh", [("641", "dr"), ("642", "dr")]),
    ("30", "9. Lợi nhuận thuần từ hoạt động kinh doanh", "20+21-22-24"),
    ("31", "10. Thu nhập khác", [("711", "cr")]),
    ("32", "11. Chi phí khác", [("811", "dr")]),
    ("40", "12. Lợi nhuận khác", "31-32"),
    ("50", "13. Tổng lợi nhuận kế toán trước thuế", "30+40"),
    ("51", "14. Chi phí thuế thu nhập doanh nghiệp", [("821", "dr")]),
    ("60", "15. Lợi nhuận sau thuế thu nhập doanh nghiệp", "50-51"),
]


@dataclass
class StatementLine:
    code: str
    label: str
    current: Decimal
    previous: Decimal
    level: int = 2


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


def balance_sheet(tenant: Tenant, as_of: dt.date, previous: dt.date | None = None) -> Statement:
    """B01-DNN at the end of the period containing ``as_of``; the comparative column at ``previous``
    (default: the day before the start of ``as_of``'s calendar year)."""
    end = _period_edge(tenant, as_of, end=True)
    prev_end = previous or dt.date(end.year, 1, 1) - dt.timedelta(days=1)
    cur_bal, prev_bal = _leaf_balances(tenant, end=end), _leaf_balances(tenant, end=prev_end)
    warnings = _cash_warnings(cur_bal, end)
    _partner_split(tenant, cur_bal, end)
    _partner_split(tenant, prev_bal, prev_end)
    table = [(code, sources) for code, _label, _level, sources in B01]
    cur, prev = _compute(cur_bal, table), _compute(prev_bal, table)
    values = {code: (cur[code], prev[code]) for code, _src in table}
    lines: list[StatementLine] = []
    for group in ("120", "130", "140", "150", "160", "180", "200", "300", "400", "500"):
        members = B01_GROUPS[group]
        values[group] = (sum((values[m][0] for m in members), ZERO), sum((values[m][1] for m in members), ZERO))
    for code, label, level, _src in B01:
        lines.append(StatementLine(code, label, values[code][0], values[code][1], level))
    checks = {
        "assets_equal_sources": values["200"][0] == values["500"][0],
        "previous_assets_equal_sources": values["200"][1] == values["500"][1],
    }
    return Statement("B01-DNN", str(_("Balance sheet")), dt.date(end.year, 1, 1), end, lines, checks, warnings)


def income_statement(tenant: Tenant, date_from: dt.date, date_to: dt.date) -> Statement:
    """B02-DNN for the periods covering ``date_from``–``date_to``; the comparative column is the same
    range one year earlier. Year-end closing entries are excluded (they would zero the accounts)."""
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
    table = [(code, source) for code, _label, source in B02 if not isinstance(source, str)]
    cur_v, prev_v = _compute(cur, table), _compute(prev, table)
    values: dict[str, tuple[Decimal, Decimal]] = {}
    lines = []
    for code, label, source in B02:
        if isinstance(source, str):
            pair = [ZERO, ZERO]
            for i in (0, 1):
                expr = source.replace("-", " - ").replace("+", " + ").split()
                total, sign = ZERO, 1
                for tok in expr:
                    if tok in "+-":
                        sign = 1 if tok == "+" else -1
                    else:
                        total += sign * values[tok][i]
                pair[i] = total
            values[code] = (pair[0], pair[1])
        else:
            values[code] = (cur_v[code], prev_v[code])
        lines.append(StatementLine(code, label, values[code][0], values[code][1], 1 if isinstance(source, str) else 2))
    return Statement("B02-DNN", str(_("Income statement")), start, end, lines, {})


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


# --- cash-flow statement B03-DNN (indirect method) ----------------------------------------------------------

# Every non-cash account's movement, with the sign of its effect on cash (credit − debit), goes to the
# line of its longest listed prefix; what is left unlisted lands in line 17 ("other"), so the sections
# always add up exactly to the change in cash (111, 112) — nothing is silently dropped.
B03_MAP: list[tuple[str, list[str]]] = [
    ("01", ["5", "6", "7", "8", "911"]),  # profit before tax (821 moved to 15 below)
    ("02", ["214"]),
    ("03", ["229", "352"]),
    ("09", ["131", "133", "136", "138", "141", "244"]),
    ("10", ["151", "152", "153", "154", "155", "156", "157", "158"]),
    ("11", ["331", "332", "333", "334", "335", "336", "337", "338", "344", "347", "353", "356", "357", "3387"]),
    ("12", ["242", "243"]),
    ("13", ["121"]),
    ("15", ["821", "3334"]),
    ("21", ["211", "212", "213", "215", "217", "241"]),
    ("23", ["128", "171"]),
    ("25", ["221", "222", "228"]),
    ("31", ["411", "412", "414", "418", "419", "413"]),
    ("33", ["341", "343"]),
    ("36", ["421"]),
]
B03_LABELS = [
    ("01", "1. Lợi nhuận trước thuế", 2),
    ("02", "- Khấu hao TSCĐ", 2),
    ("03", "- Các khoản dự phòng", 2),
    ("08", "2. Lợi nhuận từ hoạt động kinh doanh trước thay đổi vốn lưu động", 1),
    ("09", "- Tăng, giảm các khoản phải thu", 2),
    ("10", "- Tăng, giảm hàng tồn kho", 2),
    ("11", "- Tăng, giảm các khoản phải trả (không kể lãi vay, thuế TNDN)", 2),
    ("12", "- Tăng, giảm chi phí trả trước", 2),
    ("13", "- Tăng, giảm chứng khoán kinh doanh", 2),
    ("15", "- Thuế thu nhập doanh nghiệp", 2),
    ("17", "- Tiền chi khác cho hoạt động kinh doanh", 2),
    ("20", "Lưu chuyển tiền thuần từ hoạt động kinh doanh", 1),
    ("21", "1. Tiền chi mua sắm, xây dựng TSCĐ, BĐSĐT và tài sản dài hạn khác", 2),
    ("23", "2. Tiền cho vay, đầu tư nắm giữ đến ngày đáo hạn (thuần)", 2),
    ("25", "3. Tiền đầu tư góp vốn vào đơn vị khác (thuần)", 2),
    ("30", "Lưu chuyển tiền thuần từ hoạt động đầu tư", 1),
    ("31", "1. Tiền thu từ phát hành cổ phiếu, nhận vốn góp của chủ sở hữu (thuần)", 2),
    ("33", "2. Tiền vay nhận được, trả nợ gốc vay (thuần)", 2),
    ("36", "3. Cổ tức, lợi nhuận đã trả cho chủ sở hữu", 2),
    ("40", "Lưu chuyển tiền thuần từ hoạt động tài chính", 1),
    ("50", "Lưu chuyển tiền thuần trong kỳ", 0),
    ("60", "Tiền và tương đương tiền đầu kỳ", 0),
    ("70", "Tiền và tương đương tiền cuối kỳ", 0),
]


def cash_flow(tenant: Tenant, date_from: dt.date, date_to: dt.date) -> Statement:
    """B03-DNN, indirect method, for the periods covering the range (closing entries excluded)."""
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
    v["08"] = v["01"] + v["02"] + v["03"]
    v["20"] = v["08"] + sum((v[k] for k in ("09", "10", "11", "12", "13", "15", "17")), ZERO)
    v["30"] = v["21"] + v["23"] + v["25"]
    v["40"] = v["31"] + v["33"] + v["36"]
    v["50"] = v["20"] + v["30"] + v["40"]
    v["60"] = sum((d - c for code, (d, c) in before.items() if code.startswith(("111", "112", "113"))), ZERO)
    v["70"] = v["60"] + v["50"]
    closing_cash = _leaf_balances(tenant, end=end)
    actual = sum((d - c for code, (d, c) in closing_cash.items() if code.startswith(("111", "112", "113"))), ZERO)
    lines = [StatementLine(code, label, v[code], ZERO, level) for code, label, level in B03_LABELS]
    return Statement("B03-DNN", str(_("Cash flow statement")), start, end, lines, {"ties_to_cash": v["70"] == actual})
