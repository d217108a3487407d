"""The posting core: how a ledger entry becomes posted, and the posting interface for other modules
(``post_source_document``, ``post_source_documents``, ``post_prepared_lines``).

Every path funnels into ``_finish``, which takes the number and chain locks as the last statements of
the posting (see ``chain`` for the lock order and docs/accounting.md for the design), and guarantees:
the entry balances and is not empty; every account is active and allows posting, and lines on partner
accounts name a partner of this tenant; the period is open (held with a share lock, so a concurrent
close waits for the postings in flight and the postings after it see it closed); the number is gapless
per journal and fiscal year; the entry is appended to the tenant's hash chain; the maintained
``AccountBalance`` and ``OpenItem`` rows move in the same transaction (``_after_post``).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Case, F, Q, Value, When
from django.db.models.expressions import DatabaseDefault
from django.utils import timezone
from django.utils.translation import gettext as _

from novasaas.accounting import config_cache, taxes
from novasaas.accounting.chain import (
    Sealing,
    head_update_sql,
    seal,
    seal_in_sql,
    serial_lock,
    take_early_locks,
    take_positions,
)
from novasaas.accounting.models import (
    AccountBalance,
    AccountingSettings,
    Dimension,
    EntryState,
    FiscalPeriod,
    FiscalYear,
    Journal,
    JournalEntry,
    JournalKind,
    JournalLine,
    OpenItem,
    PeriodState,
    TaxDirection,
    TaxTransaction,
)
from novasaas.accounting.scope import atomic_in, in_tenant
from novasaas.platform.models import Tenant
from novasaas.platform.money import MoneyField
from novasaas.platform.tenancy import current_tenant, get_current_tenant

# --- periods --------------------------------------------------------------------------------------------


def _periods_shared(where: str, params: list[Any], *, lock: bool = True) -> list[FiscalPeriod]:
    """The periods matching ``where`` with their fiscal year, in one statement; with ``lock``, held
    ``FOR SHARE`` until COMMIT on PostgreSQL (postings share a period; closing it takes it exclusively,
    so it waits for the postings in flight, and the postings after it read it closed)."""
    p, y = FiscalPeriod._meta, FiscalYear._meta
    p_cols = [f.column for f in p.concrete_fields]
    y_cols = [f.column for f in y.concrete_fields]
    p_names = [f.attname for f in p.concrete_fields]
    y_names = [f.attname for f in y.concrete_fields]
    share = " FOR SHARE OF p" if lock and connection.vendor == "postgresql" else ""
    s = AccountingSettings._meta.db_table
    # the configuration version comes along, read before any cached configuration is used (config_cache)
    version = f"(SELECT s.config_version FROM {s} s WHERE s.tenant_id = p.tenant_id)"  # noqa: S608
    cols = ", ".join([f"p.{c}" for c in p_cols] + [f"y.{c}" for c in y_cols] + [version])
    # table and column names only are formatted in; values are parameters
    sql = (
        f"SELECT {cols} FROM {p.db_table} p JOIN {y.db_table} y ON y.id = p.fiscal_year_id"  # noqa: S608
        f" WHERE p.tenant_id = %s AND {where} ORDER BY p.start_date{share}"
    )
    found = []
    with connection.cursor() as cursor:
        cursor.execute(sql, [current_tenant().pk, *params])
        for row in cursor.fetchall():
            converters = connection.ops
            period = FiscalPeriod.from_db(connection.alias, p_names, _convert(p, row[: len(p_cols)], converters))
            year = FiscalYear.from_db(connection.alias, y_names, _convert(y, row[len(p_cols) : -1], converters))
            period.config_version = row[-1]  # type: ignore[attr-defined]
            FiscalPeriod.fiscal_year.field.set_cached_value(period, year)
            found.append(period)
    return found


def _convert(meta: Any, values: Sequence[Any], ops: Any) -> list[Any]:
    """Database values to Python (dates on SQLite come back as text)."""
    out = []
    for field, value in zip(meta.concrete_fields, values, strict=True):
        col = field.cached_col
        for converter in ops.get_db_converters(col) + field.get_db_converters(connection):
            value = converter(value, col, connection)
        out.append(value)
    return out


def _check_period_open(period_id: int, *, lock: bool = True) -> FiscalPeriod:
    found = _periods_shared("p.id = %s", [period_id], lock=lock)
    if not found:
        raise FiscalPeriod.DoesNotExist
    _refuse_unless_open(found[0])
    return found[0]


def _refuse_unless_open(period: FiscalPeriod) -> None:
    if period.state != PeriodState.OPEN:
        raise ValidationError(
            {
                "date": [
                    _("The period %(p)s is %(s)s: nothing can be posted into it.")
                    % {"p": period, "s": period.get_state_display()}
                ]
            }
        )


def _lock_periods(days: Iterable[dt.date]) -> dict[dt.date, FiscalPeriod]:
    """The periods of ``days``, held with a share lock (a concurrent close waits), one query; a calendar
    fiscal year is opened for a day no period covers yet. Raises when a day has no period or its period
    is not open."""
    days = set(days)
    lo, hi = min(days), max(days)

    def read() -> list[FiscalPeriod]:
        return _periods_shared("p.start_date <= %s AND p.end_date >= %s", [hi, lo])

    periods = read()
    found: dict[dt.date, FiscalPeriod] = {}
    for attempt in range(2):
        found = {d: p for p in periods for d in days if p.start_date <= d <= p.end_date}
        missing = days - set(found)
        if not missing or attempt:
            break
        for day in sorted(missing):
            actions._ensure_year_for(day)
        periods = read()
    for day in sorted(days):
        try:
            if day not in found:
                raise ValidationError({"date": [_("No fiscal period covers %(d)s.") % {"d": day.isoformat()}]})
            _refuse_unless_open(found[day])
        except ValidationError as exc:
            raise _DayError(day, exc.message_dict) from exc
    return found


class _DayError(ValidationError):
    """A day of a batch that cannot be posted into (which document it was is found by the day)."""

    def __init__(self, day: dt.date, messages: dict[str, list[str]]) -> None:
        super().__init__(messages)
        self.day = day


# --- posting ----------------------------------------------------------------------------------------------

Prepared = tuple[JournalEntry, FiscalPeriod, Journal, list[JournalLine]]


def _chain_lock() -> None:
    """The tenant's serial lock (``chain.serial_lock``): taken by work that reads the ledger and must not
    see it move meanwhile — allocations, reversals, revaluation, VAT filing, year-end closing. Taxed
    postings take it too; the other postings do not wait for it (they queue only for their last
    statements, see ``chain``)."""
    serial_lock(current_tenant().pk)


def _post(
    entry: JournalEntry,
    actor: Any,
    *,
    approver: Any = None,
    check_accounts: bool = True,
    lines: list[JournalLine] | None = None,
) -> JournalEntry:
    """Post an entry saved as a draft (or awaiting approval) with its lines."""
    if lines is None:
        lines = list(JournalLine.objects.filter(entry=entry).select_related("account"))
    if any(ln.tax_rate_id for ln in lines):
        serial_lock(entry.tenant_id)  # before the period: the lock order of ``chain``
    period = _check_period_open(entry.period_id)
    if check_accounts:
        bad = [ln.account.code for ln in lines if not (ln.account.is_active and ln.account.allows_posting)]
        if bad:
            raise ValidationError({"lines": [_("Accounts that do not allow posting: %s") % ", ".join(bad)]})
        missing = [ln.account.code for ln in lines if ln.account.needs_partner and ln.partner_id is None]
        if missing:
            raise ValidationError({"lines": [_("These accounts need a partner: %s") % ", ".join(missing)]})
    entry.total = actions._check_balanced(lines)
    entry.year = period.fiscal_year.start_date.year
    entry.approved_by = approver if getattr(approver, "pk", None) else entry.approved_by
    _finish(entry.tenant_id, [(entry, period, entry.journal, lines)], actor)
    return entry


def _vat_move_journal() -> Journal | None:
    """The journal of the non-deductible VAT moves (``_move_nondeductible_vat``)."""
    return Journal.objects.filter(code="GEN").first() or Journal.objects.filter(is_active=True).first()


def _finish(tenant_id: int, prepared: list[Prepared], actor: Any) -> None:
    """Number, chain and post draft entries already written with their lines: the number and chain
    locks (``take_positions``), the entries flipped to posted with their number and hash (one
    statement), then what moves with them (``_after_post``) — the last statements before COMMIT."""
    counts: dict[tuple[int, int], int] = defaultdict(int)
    for entry, _period, journal, _lines in prepared:
        counts[(journal.pk, entry.year)] += 1
    hold: list[tuple[int, int]] = []
    if any(ln.tax_rate_id for *_r, lines in prepared for ln in lines):
        # the cash rule may post a VAT move into this journal later in the transaction: its number row
        # is locked now, in order, not after the chain
        move = _vat_move_journal()
        if move is not None:
            hold = [(move.pk, y) for y in {e.year for e, *_r in prepared}]
    now = timezone.now()
    if connection.vendor == "postgresql" and len(prepared) == 1:
        # one entry: number, chain and posted state in one statement with the balances and open items
        # (``chain.seal_in_sql``), so the tenant's postings queue for one statement and the COMMIT
        entry, _period, journal, lines = prepared[0]
        entry.state = EntryState.POSTED
        entry.posted_at = now
        sealing = seal_in_sql(entry, journal.code, lines, actor, hold=hold, posted_fields=_PYTHON_POSTED_FIELDS)
        _after_post(tenant_id, prepared, sealing=sealing)
        return
    numbers, seq, prev = take_positions(tenant_id, counts, len(prepared), hold=hold)
    last_prev = prev
    for k, (entry, _period, journal, lines) in enumerate(prepared):
        scope = (journal.pk, entry.year)
        last_prev, prev = prev, seal(entry, journal.code, numbers[scope], seq + k, prev, lines, actor)
        numbers[scope] += 1
        entry.state = EntryState.POSTED
        entry.posted_at = now
    lead = _mark_posted_sql([p[0] for p in prepared])
    _after_post(tenant_id, prepared, lead=lead, head=head_update_sql(tenant_id, last_prev, prev))


_POSTED_FIELDS = [
    "year",
    "number",
    "reference",
    "total",
    "chain_seq",
    "prev_hash",
    "hash",
    "state",
    "posted_by",
    "approved_by",
    "posted_at",
]
# written from the entry in memory by ``seal_in_sql`` (the others come from the statement itself)
_PYTHON_POSTED_FIELDS = ["year", "total", "state", "posted_by", "approved_by", "posted_at"]


def _mark_posted_sql(entries: list[JournalEntry]) -> tuple[str, list[Any]]:
    """The statement that writes the sealed entries' number, chain fields and ``posted`` state (the
    database guards then refuse any later change, and check each entry's balance at COMMIT)."""
    meta = JournalEntry._meta
    sets: list[str] = []
    params: list[Any] = []
    fields = {f.name: f for f in meta.concrete_fields}
    for name in _POSTED_FIELDS:
        field = fields[name]
        values = [field.get_db_prep_save(getattr(entry, field.attname), connection) for entry in entries]
        if len(set(map(repr, values))) == 1:  # one value for all (a CASE of NULLs only would be typed text)
            sets.append(f"{field.column} = %s")
            params.append(values[0])
        else:
            sets.append(f"{field.column} = CASE id " + " ".join(["WHEN %s THEN %s"] * len(entries)) + " END")
            params += [v for entry, value in zip(entries, values, strict=True) for v in (entry.pk, value)]
    params += [e.pk for e in entries]
    where = ", ".join(["%s"] * len(entries))
    sql = f"UPDATE {meta.db_table} SET {', '.join(sets)} WHERE id IN ({where})"  # noqa: S608 - names, placeholders
    return sql, params


def _execute_together(statements: list[tuple[str, list[Any]]], sealing: Sealing | None = None) -> None:
    """Run write statements that do not read each other's rows as one round trip on PostgreSQL (data-
    modifying CTEs: they run on one snapshot, which is what they need); one by one elsewhere. These are
    the statements under the number and chain locks, so round trips there are what postings queue for.
    With ``sealing`` (PostgreSQL, one entry), its CTEs come first — the number and head upserts and the
    entry's posted state — and its main query returns what ``Sealing.apply`` copies to the entry."""
    statements = [st for st in statements if st[0]]
    with connection.cursor() as cursor:
        if sealing is not None:
            ctes = [(name, sql, params) for name, sql, params in sealing.ctes]
            ctes += [(f"w{i}", sql, params) for i, (sql, params) in enumerate(statements)]
            text = "WITH " + ", ".join(f"{name} AS ({sql})" for name, sql, _p in ctes) + " " + sealing.select
            cursor.execute(text, [v for *_n, params in ctes for v in params])
            sealing.apply(cursor.fetchone())
            return
        if not statements:
            return
        if connection.vendor == "postgresql" and len(statements) > 1:
            head = ", ".join(f"w{i} AS ({sql})" for i, (sql, _p) in enumerate(statements[:-1]))
            cursor.execute(f"WITH {head} {statements[-1][0]}", [v for _s, p in statements for v in p])
        else:
            for sql, params in statements:
                cursor.execute(sql, params)


def _after_post(
    tenant_id: int,
    posted: list[tuple[JournalEntry, FiscalPeriod, Journal, list[JournalLine]]],
    lead: tuple[str, list[Any]] = ("", []),
    *,
    head: tuple[str, list[Any]] = ("", []),
    sealing: Sealing | None = None,
) -> None:
    """What moves with posted entries in their transaction: maintained balances, open items of partner
    lines, tax transactions, budget checks. A statement per kind for the whole batch."""
    sums: dict[tuple[int, int, bool], list[Decimal]] = defaultdict(lambda: [Decimal(0), Decimal(0)])
    items: list[OpenItem] = []
    fx_adjustments: list[JournalLine] = []
    by_period: dict[int, tuple[FiscalPeriod, list[JournalLine]]] = {}
    taxed = False
    for entry, period, journal, lines in posted:
        closing = journal.kind == JournalKind.CLOSING
        if any(ln.dimension_id for ln in lines):
            from novasaas.accounting.dimensions import apply_balances as apply_dimension_balances

            apply_dimension_balances(tenant_id, period.pk, lines)
        for line in lines:
            amounts = sums[(line.account_id, period.pk, closing)]
            amounts[0] += line.debit
            amounts[1] += line.credit
            if line.fx_adjusts_id is not None:
                # an FX adjustment (realised difference, revaluation) is not an item of its own: it moves
                # the VND book value of the item it adjusts (up on the item's side, down on the other)
                fx_adjustments.append(line)
            elif line.partner_id is not None:
                items.append(
                    OpenItem(  # type: ignore[misc]  # MoneyField holds Decimal
                        tenant_id=tenant_id,
                        line_id=line.pk,
                        account_id=line.account_id,
                        partner_id=line.partner_id,
                        date=entry.date,
                        due_date=line.due_date,
                        debit=line.debit,
                        credit=line.credit,
                        open=line.debit + line.credit,
                    )
                )
        taxes.record_tax_transactions(entry, lines)
        taxed = taxed or any(ln.tax_rate_id for ln in lines)
        if not closing:
            by_period.setdefault(period.pk, (period, []))[1].extend(lines)
    # the entries' posted state (``lead`` and the chain head's hash, or ``sealing``), the balances and the
    # open items: one round trip on PostgreSQL
    _execute_together([lead, head, _balances_sql(tenant_id, sums), _open_items_sql(items)], sealing)
    for line in fx_adjustments:
        up = Value(line.debit - line.credit, output_field=MoneyField())
        down = Value(line.credit - line.debit, output_field=MoneyField())
        OpenItem.objects.filter(line_id=line.fx_adjusts_id).update(
            open=Case(When(debit__gt=0, then=F("open") + up), default=F("open") + down)
        )
    if taxed:
        _move_nondeductible_vat()
    if by_period:
        from novasaas.accounting.budgets import check_budgets

        for period, lines in by_period.values():
            config = config_cache.for_period(period)
            if config.version >= 0 and period.pk not in config_cache.budget_periods(config):
                continue  # no budget line in this period (cached with the configuration)
            check_budgets(tenant_id, period, lines)
    dimension_ids = {ln.dimension_id for *_r, lines in posted for ln in lines if ln.dimension_id}
    if dimension_ids:
        _publish_dimensions(tenant_id, dimension_ids)


def _publish_dimensions(tenant_id: int, dimension_ids: set[int]) -> None:
    """``PostedOnDimensions`` for the dimensions the posted lines carry (Projects' budget watch
    subscribes). Only in the posting tenant's own context (a platform-side posting publishes nothing)."""
    from novasaas.accounting.events import PostedOnDimensions
    from novasaas.platform.events import publish

    tenant = get_current_tenant()
    if tenant is None or tenant.pk != tenant_id:
        return
    keys = sorted(
        f"{kind}:{code}" for kind, code in Dimension.objects.filter(pk__in=dimension_ids).values_list("kind", "code")
    )
    publish(PostedOnDimensions(tenant_id=tenant_id, dimensions=",".join(keys)))


NONDEDUCTIBLE_VAT_SOURCE = "accounting.vat_nondeductible"


def _move_nondeductible_vat() -> None:
    """The one posting rule for input VAT that is not deductible (VAT Law 48/2024, cash payment at or
    above the threshold): its tax leaves 1331 for the cost of the purchase — the invoice's largest line
    on the VAT line's side that is not VAT (stock or expense) — in an entry dated like the invoice. When a later
    invoice of the same seller and day changes the verdict (``taxes.apply_cash_rule``), the move is
    undone by the opposite entry. Runs in the posting transaction; the reversal of an invoice mirrors
    its deductibility, so its own move cancels the original's."""
    pending = list(
        TaxTransaction.objects.filter(direction=TaxDirection.INPUT)
        .exclude(tax=0)
        .filter(Q(deductible=False, moved_to_cost=False) | Q(deductible=True, moved_to_cost=True))
        .select_related("line", "line__account", "entry", "entry__period")
    )
    if not pending:
        return
    journal = _vat_move_journal()
    for tx in pending:
        invoice_lines = list(JournalLine.objects.filter(entry_id=tx.entry_id).select_related("account"))
        costs = [
            ln
            for ln in invoice_lines
            if ln.pk != tx.line_id and not ln.account.code.startswith(taxes.INPUT_VAT_PREFIXES)
        ]
        # the cost sits on the VAT line's side (debit on an invoice, credit on its reversal)
        side = "debit" if tx.line.debit else "credit"
        costs = [ln for ln in costs if getattr(ln, side) > 0]
        cost = max(costs, key=lambda ln: getattr(ln, side)) if costs else None
        amount = tx.tax if not tx.deductible else -tx.tax  # > 0: out of 1331 into the cost
        vat_side = (Decimal(0), amount) if amount > 0 else (-amount, Decimal(0))
        if cost is not None:
            cost_account, dimension = cost.account, cost.dimension_id
        else:
            cost_account, dimension = actions._resolve_role(tx.entry.tenant, "other_expense"), None
        built = [
            JournalLine(  # type: ignore[misc]  # MoneyField holds Decimal
                tenant_id=tx.tenant_id,
                line_no=1,
                account=cost_account,
                debit=vat_side[1],
                credit=vat_side[0],
                dimension_id=dimension,
                memo=str(_("Non-deductible input VAT")),
            ),
            JournalLine(  # type: ignore[misc]  # MoneyField holds Decimal
                tenant_id=tx.tenant_id,
                line_no=2,
                account=tx.line.account,
                debit=vat_side[0],
                credit=vat_side[1],
                partner_id=tx.line.partner_id,
                memo=str(_("Non-deductible input VAT")),
            ),
        ]
        tx.moved_to_cost = not tx.deductible
        tx.save(update_fields=["moved_to_cost"])
        entry = JournalEntry.objects.create(  # type: ignore[misc]  # MoneyField holds Decimal
            journal=journal,
            year=tx.entry.period.fiscal_year.start_date.year,
            date=tx.entry.date,
            period=tx.entry.period,
            memo=(
                _("Input VAT of %(ref)s not deductible (paid in cash): moved to the cost")
                if amount > 0
                else _("Input VAT of %(ref)s deductible again: moved back from the cost")
            )
            % {"ref": tx.entry.reference},
            source_type=NONDEDUCTIBLE_VAT_SOURCE,
            source_reference=tx.entry.reference[:60],
            total=Decimal(0),
        )
        for line in built:
            line.entry = entry
        JournalLine.objects.bulk_create(built)
        _post(entry, None, check_accounts=False, lines=built)


def _apply_balances(tenant_id: int, sums: dict[tuple[int, int, bool], list[Decimal]]) -> None:
    """Move the maintained balances of (account, period, closing) with one upsert
    (``INSERT … ON CONFLICT DO UPDATE``, PostgreSQL and SQLite)."""
    _execute_together([_balances_sql(tenant_id, sums)])


def _balances_sql(tenant_id: int, sums: dict[tuple[int, int, bool], list[Decimal]]) -> tuple[str, list[Any]]:
    if not sums:
        return "", []
    money = MoneyField()
    table = AccountBalance._meta.db_table
    keys = sorted(sums)  # rows locked in key order: two postings never wait on each other in a cycle
    params: list[Any] = []
    for account_id, period_id, closing in keys:
        debit, credit = sums[(account_id, period_id, closing)]
        params += [tenant_id, account_id, period_id, closing, money.get_prep_value(debit), money.get_prep_value(credit)]
    sql = (  # table and column names only are formatted in; values are parameters
        f"INSERT INTO {table} (tenant_id, account_id, period_id, closing, debit, credit) VALUES "  # noqa: S608
        + ", ".join(["(%s, %s, %s, %s, %s, %s)"] * len(keys))
        + f" ON CONFLICT (tenant_id, account_id, period_id, closing) DO UPDATE SET"
        f" debit = {table}.debit + excluded.debit, credit = {table}.credit + excluded.credit"
    )
    return sql, params


def _open_items_sql(items: list[OpenItem]) -> tuple[str, list[Any]]:
    if not items:
        return "", []
    fields = [f for f in OpenItem._meta.concrete_fields if not f.primary_key]
    params = [f.get_db_prep_save(getattr(item, f.attname), connection) for item in items for f in fields]
    row = "(" + ", ".join(["%s"] * len(fields)) + ")"
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    sql = f"INSERT INTO {OpenItem._meta.db_table} ({columns}) VALUES " + ", ".join([row] * len(items))  # noqa: S608
    return sql, params


# --- the posting interface for other modules -----------------------------------------------------------


@dataclass(frozen=True)
class SourceDocument:
    """One document of another module to post (see ``post_source_document`` for the fields)."""

    source_type: str
    source_id: int
    date: dt.date | str
    lines: Sequence[Any]
    memo: str = ""
    reference: str = ""
    journal: str = "GEN"


def post_source_document(
    tenant: Tenant,
    source_type: str,
    source_id: int,
    date: dt.date | str,
    lines: Sequence[Any],
    *,
    memo: str = "",
    reference: str = "",
    journal: str = "GEN",
    actor: Any = None,
) -> JournalEntry:
    """Post the ledger entry of another module's document. See docs/accounting.md.

    ``lines`` are ``(role_or_account_code, debit, credit, partner_id, memo)`` tuples (or ``LineInput``);
    a role (``"receivable"``, ``"revenue"``, ``"output_vat"``, ``"inventory"``, ``"cogs"`` …) resolves
    through the tenant's account mapping. Guarantees: idempotent per ``(source_type, source_id)`` (a
    second call returns the first entry and posts nothing); refuses unbalanced or empty input, unknown
    roles, lines on partner accounts without a partner, and dates in a closed or locked period
    (``ValidationError``); a calendar fiscal year is opened when none covers ``date`` yet. Amounts are
    exact decimals (str/int/Decimal, never float) with at most 2 decimals. A line with ``currency``
    (``LineInput`` or dict) gives its amounts in that currency, converted at ``exchange_rate`` or the
    table's rate on ``date`` (none → ``ValidationError``); a rounding difference of the conversion is
    posted as an explicit line to 515/635.
    """
    document = SourceDocument(source_type, source_id, date, lines, memo, reference, journal)
    return _post_documents(tenant, [document], actor, batch=False)[0]


def post_source_documents(
    tenant: Tenant, documents: Sequence[SourceDocument], *, actor: Any = None
) -> list[JournalEntry]:
    """Post many source documents in one transaction, all or nothing — for imports and subscribers
    that post in bulk. Same guarantees as ``post_source_document`` for each document (a document
    already posted, or twice in ``documents``, gives its one entry); an error in any document refuses
    the whole batch, its messages keyed ``documents[i].…``. Returns the entries in input order. The
    batch costs about as many queries as one posting (see docs/performance.md)."""
    return _post_documents(tenant, list(documents), actor, batch=True)


def _post_documents(tenant: Tenant, documents: list[SourceDocument], actor: Any, *, batch: bool) -> list[JournalEntry]:
    def refuse(i: int, exc: ValidationError) -> ValidationError:
        if not batch:
            return exc
        if hasattr(exc, "error_dict"):
            return ValidationError({f"documents[{i}].{k}": v for k, v in exc.message_dict.items()})
        return ValidationError({f"documents[{i}]": exc.messages})

    if batch and not documents:
        return []
    days: list[dt.date] = []
    for i, doc in enumerate(documents):
        if not doc.source_type or len(doc.source_type) > 60:
            raise refuse(i, ValidationError({"source_type": [_("Name the source document type.")]}))
        day = doc.date
        if isinstance(day, str):
            try:
                day = dt.date.fromisoformat(day[:10])
            except ValueError as exc:
                raise refuse(i, ValidationError({"date": [_("Enter a valid date.")]})) from exc
        days.append(day)
    with atomic_in(tenant):
        actions.ensure_chart(tenant)
        # a document's lock first, so a second posting of it waits and then finds the first's entry;
        # taxed documents take the serial lock too (the cash rule reads the seller's other invoices)
        take_early_locks(
            tenant.pk, [(d.source_type, d.source_id) for d in documents], serial=any(_taxed(d) for d in documents)
        )
        done = _posted_sources(tenant.pk, documents)
        todo: list[int] = []
        seen: set[tuple[str, Any]] = set()
        for i, doc in enumerate(documents):  # a document listed twice is posted once, at its first place
            key = (doc.source_type, doc.source_id)
            if key not in done and key not in seen:
                seen.add(key)
                todo.append(i)
        if todo:
            try:
                periods = _lock_periods([days[i] for i in todo])
            except _DayError as exc:
                raise refuse(next(i for i in todo if days[i] == exc.day), exc) from exc
            lookups = actions._Lookups(tenant, config_cache.for_period(next(iter(periods.values()))))
            try:  # every document's accounts, roles and partners at once
                lookups.prefetch([actions._line_input(raw) for i in todo for raw in documents[i].lines], by_role=True)
            except (TypeError, ValidationError):
                pass  # reported per document below
            prepared: list[Prepared] = []
            for i in todo:
                doc, day, period = documents[i], days[i], periods[days[i]]
                try:
                    journal = lookups.journal(doc.journal)
                    built = actions._build_lines(tenant, doc.lines, by_role=True, day=day, lookups=lookups)
                    total = actions._check_balanced(built)
                except ValidationError as exc:
                    raise refuse(i, exc) from exc
                entry = JournalEntry(  # type: ignore[misc]  # MoneyField holds Decimal
                    tenant_id=tenant.pk,
                    journal=journal,
                    year=period.fiscal_year.start_date.year,
                    date=day,
                    period=period,
                    memo=(doc.memo or "")[:500],
                    source_type=doc.source_type,
                    source_id=doc.source_id,
                    source_reference=(doc.reference or "")[:60],
                    total=total,
                    created_by=actor if getattr(actor, "pk", None) else None,
                    state=EntryState.DRAFT,
                )
                prepared.append((entry, period, journal, built))
            if any(ln.tax_rate_id for *_r, built in prepared for ln in built):
                serial_lock(tenant.pk)  # (a rate given by a form the pre-check above did not recognise)
            # written as drafts with their lines before any ledger-wide lock is taken; ``_finish``
            # numbers, chains and flips them to posted in its last statements
            insert_drafts([(p[0], p[3]) for p in prepared])
            _finish(tenant.pk, prepared, actor)
            for entry, *_rest in prepared:
                done[(entry.source_type, entry.source_id)] = entry
    return [done[(doc.source_type, doc.source_id)] for doc in documents]


def _posted_sources(tenant_id: int, documents: list[SourceDocument]) -> dict[tuple[str, Any], JournalEntry]:
    """The entries already written for these documents' sources. The ids in one plain statement (a
    posting's usual answer is none; the ORM query cost ~0.3 ms of Python to build), the entries read
    only when some exist."""
    types = sorted({doc.source_type for doc in documents})
    prep = JournalEntry._meta.get_field("source_id").get_prep_value  # as the ORM's lookup would
    ids = sorted({prep(doc.source_id) for doc in documents}, key=str)
    table = JournalEntry._meta.db_table
    sql = (  # table name and placeholders only are formatted in; values are parameters
        f"SELECT id FROM {table} WHERE tenant_id = %s"  # noqa: S608
        f" AND source_type IN ({', '.join(['%s'] * len(types))}) AND source_id IN ({', '.join(['%s'] * len(ids))})"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [tenant_id, *types, *ids])
        found = [row[0] for row in cursor.fetchall()]
    if not found:
        return {}
    return {(e.source_type, e.source_id): e for e in JournalEntry.objects.filter(pk__in=found)}


def insert_drafts(drafts: list[tuple[JournalEntry, list[JournalLine]]]) -> None:
    """Write new entries with their lines (as ``bulk_create`` would: defaults, ``pk`` and database
    defaults set on the objects). On PostgreSQL one entry and its lines are one statement (the entry's
    ``INSERT`` as a CTE, the lines' ``VALUES`` taking its id), built directly: ``bulk_create``'s two
    statements cost ~1.5 ms of Python per posting (docs/performance.md, "Write path, CPU")."""
    if connection.vendor != "postgresql" or len(drafts) != 1 or not drafts[0][1]:
        JournalEntry.objects.bulk_create([entry for entry, _lines in drafts])
        all_lines = []
        for entry, lines in drafts:
            for line in lines:
                line.entry = entry
            all_lines.extend(lines)
        JournalLine.objects.bulk_create(all_lines)
        return
    entry, lines = drafts[0]
    e_fields: list[Any] = [f for f in JournalEntry._meta.concrete_fields if not f.primary_key]
    l_fields: list[Any] = [
        f for f in JournalLine._meta.concrete_fields if not f.primary_key and f.attname != "entry_id"
    ]
    e_values, e_params = _row_values(entry, e_fields)
    params = list(e_params)
    rows = []
    for line in lines:
        values, line_params = _row_values(line, l_fields)
        rows.append(f"((SELECT id FROM e), {values})")  # noqa: S608 - placeholders only
        params += line_params
    qn = connection.ops.quote_name
    e_returning = [f for f in e_fields if f.db_returning]  # fields with a database default
    l_returning = [f for f in l_fields if f.db_returning]
    e_cols = ", ".join(qn(f.column) for f in e_fields)
    l_cols = ", ".join(qn(f.column) for f in [JournalLine._meta.get_field("entry"), *l_fields])
    returning = ["id", "line_no", *(qn(f.column) for f in l_returning)]
    returning += [f"(SELECT {qn(f.column)} FROM e)" for f in e_returning]  # noqa: S608 - column names
    returning.append("(SELECT id FROM e)")
    sql = (  # table and column names only are formatted in; values are parameters
        f"WITH e AS (INSERT INTO {JournalEntry._meta.db_table} ({e_cols}) VALUES ({e_values})"  # noqa: S608
        f" RETURNING {', '.join(['id', *(qn(f.column) for f in e_returning)])})"
        f" INSERT INTO {JournalLine._meta.db_table} ({l_cols}) VALUES {', '.join(rows)}"
        f" RETURNING {', '.join(returning)}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        returned = cursor.fetchall()
    by_no = {line.line_no: line for line in lines}
    if len(by_no) != len(lines) or len(returned) != len(lines):
        raise RuntimeError("an entry's lines must have distinct line numbers")
    n = len(l_returning)
    for row in returned:
        line = by_no[row[1]]
        line.pk = row[0]
        for field, value in zip(l_returning, row[2 : 2 + n], strict=True):
            setattr(line, field.attname, _from_db(field, value))
    for field, value in zip(e_returning, returned[0][2 + n : -1], strict=True):
        setattr(entry, field.attname, _from_db(field, value))
    entry.pk = returned[0][-1]
    for obj in (entry, *lines):
        obj._state.adding = False
        obj._state.db = connection.alias
    for line in lines:
        line.entry = entry


def _from_db(field: Any, value: Any) -> Any:
    convert = getattr(field, "from_db_value", None)
    return value if convert is None else convert(value, None, connection)


def _row_values(obj: Any, fields: list[Any]) -> tuple[str, list[Any]]:
    """The ``VALUES`` row of a new object: its fields' prepared values (``pre_save`` as on insert),
    ``DEFAULT`` where a field is left to its database default."""
    marks: list[str] = []
    params: list[Any] = []
    for field in fields:
        value = field.pre_save(obj, add=True)
        if isinstance(value, DatabaseDefault):
            marks.append("DEFAULT")
            continue
        marks.append("%s")
        params.append(field.get_db_prep_save(value, connection))
    return ", ".join(marks), params


def _taxed(doc: SourceDocument) -> bool:
    """Whether a document's lines name a tax rate (then it takes the serial lock)."""
    for raw in doc.lines:
        rate = raw.get("tax_rate") if isinstance(raw, dict) else getattr(raw, "tax_rate", None)
        if rate not in (None, "", 0):
            return True
    return False


def post_prepared_lines(
    tenant: Tenant,
    source_type: str,
    source_id: int,
    day: dt.date,
    built: list[JournalLine],
    *,
    memo: str = "",
    journal: str = "GEN",
    actor: Any = None,
) -> JournalEntry:
    """Post lines the ledger built itself (FX settlement and revaluation lines, which carry
    ``fx_adjusts`` and VND amounts that are not amount × rate): same guarantees as
    ``post_source_document`` (idempotent per source, balanced, open period, accounts checked)."""
    with atomic_in(tenant):
        actions.ensure_chart(tenant)
        _chain_lock()
        existing = JournalEntry.objects.filter(source_type=source_type, source_id=source_id).first()
        if existing is not None:
            return existing
        period = FiscalPeriod.objects.filter(start_date__lte=day, end_date__gte=day).first()
        if period is None:
            actions._ensure_year_for(day)
            period = actions._period_for(day)
        for i, line in enumerate(built):
            line.tenant_id = tenant.pk
            line.line_no = i + 1
        actions._check_balanced(built)
        entry = JournalEntry.objects.create(  # type: ignore[misc]  # MoneyField holds Decimal
            journal=actions._journal(journal),
            year=period.fiscal_year.start_date.year,
            date=day,
            period=period,
            memo=(memo or "")[:500],
            source_type=source_type,
            source_id=source_id,
            total=Decimal(0),
            created_by=actor if getattr(actor, "pk", None) else None,
        )
        for line in built:
            line.entry = entry
        JournalLine.objects.bulk_create(built)
        return _post(entry, actor, lines=built)


def is_posted_source(tenant: Tenant, source_type: str, source_id: int) -> bool:
    with in_tenant(tenant):
        return JournalEntry.objects.filter(source_type=source_type, source_id=source_id).exists()


# imported last: ``actions`` re-exports this module's names, and this module calls its line builders and
# chart helpers at run time only
from novasaas.accounting import actions  # noqa: E402
