"""Multi-currency: the exchange-rate table and the period-end revaluation of foreign-currency items.

Rates are VND per one unit of a currency on a date; a posting takes the latest rate on or before its
date (``rate_on``). Foreign-currency journal lines are converted in ``actions._build_lines``; realised
differences on settlement are posted by ``receivables._allocate``. Revaluation (``revalue``) brings
open foreign-currency receivables/payables and cash/bank balances to the rate of a date through 413
(exchange differences) and transfers the net result to 515 (gain) or 635 (loss), as Circular 133
(art. 52) / Circular 200 (art. 69) prescribe for the revaluation of monetary items at period end.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.db.models import Sum
from django.utils.translation import gettext as _

from novasaas.accounting import actions
from novasaas.accounting.models import Account, EntryState, ExchangeRate, JournalEntry, JournalLine
from novasaas.accounting.scope import atomic_in, in_tenant
from novasaas.identity.access import Principal
from novasaas.platform import audit
from novasaas.platform.imports import MAX_BYTES, LineImportError, read_upload, table_rows
from novasaas.platform.models import Tenant
from novasaas.platform.money import CURRENCY_DECIMALS, convert, is_known_currency, to_decimal

ZERO = Decimal(0)
REVALUATION_SOURCE = "accounting.fx_revaluation"
MAX_RATE = Decimal("1e9")
FOREIGN_CURRENCIES = sorted(c for c in CURRENCY_DECIMALS if c != "VND")
MAX_ROWS = 10000  # rates per file: ten years of working days for four currencies
CASH_PREFIXES = ("111", "112")  # cash and bank deposits: the monetary accounts revalued with AR/AP


# --- the rate table ------------------------------------------------------------------------------------


def rate_on(currency: str, day: dt.date) -> Decimal | None:
    """The latest rate of ``currency`` on or before ``day`` (inside the tenant context)."""
    row = (
        ExchangeRate.objects.filter(currency=currency.upper(), date__lte=day)
        .order_by("-date")
        .values_list("rate", flat=True)
        .first()
    )
    return None if row is None else Decimal(row)  # FixedPointField gives a Decimal


def get_rate(tenant: Tenant, currency: str, day: dt.date) -> ExchangeRate | None:
    with in_tenant(tenant):
        return ExchangeRate.objects.filter(currency=currency.upper(), date__lte=day).order_by("-date").first()


def list_rates(tenant: Tenant, currency: str = "", *, limit: int = 5000) -> list[ExchangeRate]:
    with in_tenant(tenant):
        qs = ExchangeRate.objects.filter(tenant=tenant)
        if currency:
            qs = qs.filter(currency=currency.upper())
        return list(qs[:limit])


def get_rate_row(tenant: Tenant, rate_id: int) -> ExchangeRate:
    with in_tenant(tenant):
        return ExchangeRate.objects.get(tenant=tenant, pk=rate_id)


def _clean_currency(value: Any, key: str = "currency") -> str:
    currency = str(value or "").strip().upper()
    if currency == "VND":
        raise ValidationError({key: [_("VND is the base currency: it has no exchange rate.")]})
    if not is_known_currency(currency):
        raise ValidationError({key: [_("Unknown currency %(cur)s.") % {"cur": currency[:3]}]})
    return currency


def _clean_rate(value: Any, key: str = "rate") -> Decimal:
    try:
        rate = to_decimal(value)
    except (TypeError, ValueError) as exc:
        raise ValidationError({key: [_("Enter a positive exchange rate with at most 6 decimals.")]}) from exc
    if not rate.is_finite() or rate <= 0 or rate >= MAX_RATE or rate != round(rate, 6):
        raise ValidationError({key: [_("Enter a positive exchange rate with at most 6 decimals.")]})
    return rate


def resolve_rate(currency: str, day: dt.date, given: Any = None, *, field: str = "exchange_rate") -> Decimal:
    """``given`` when there is one (validated), else the table's rate on ``day``; a clear error when
    the table has none."""
    if given not in (None, ""):
        return _clean_rate(given, field)
    found = rate_on(currency, day)
    if found is None:
        raise ValidationError(
            {
                field: [
                    _("No exchange rate for %(cur)s on or before %(d)s: add one to the exchange-rate table.")
                    % {"cur": currency, "d": day.strftime("%d/%m/%Y")}
                ]
            }
        )
    return found


def create_rate(principal: Principal, *, currency: str, date: dt.date, rate: Any) -> ExchangeRate:
    """Add the rate of a currency on a date (one per currency and date)."""
    principal.require("acc.coa.configure")
    currency = _clean_currency(currency)
    value = _clean_rate(rate)
    with atomic_in(principal.tenant):
        actions.ensure_chart(principal.tenant)
        if ExchangeRate.objects.filter(currency=currency, date=date).exists():
            raise ValidationError({"date": [_("There is already a rate for this currency on this date.")]})
        obj = ExchangeRate.objects.create(currency=currency, date=date, rate=value)  # type: ignore[misc]
        audit.record_created(obj, principal.user)
        return obj


def update_rate(principal: Principal, rate_id: int, *, rate: Any) -> ExchangeRate:
    """Correct a rate. Lines already posted keep the rate they were posted with."""
    principal.require("acc.coa.configure")
    value = _clean_rate(rate)
    with atomic_in(principal.tenant):
        obj = ExchangeRate.objects.select_for_update(of=("self",), no_key=True).get(pk=rate_id)
        before = audit.snapshot(obj)
        obj.rate = value  # type: ignore[assignment]
        obj.save(update_fields=["rate"])
        audit.record_updated(obj, principal.user, before)
        return obj


def delete_rate(principal: Principal, rate_id: int) -> None:
    principal.require("acc.coa.configure")
    with atomic_in(principal.tenant):
        obj = ExchangeRate.objects.select_for_update().get(pk=rate_id)
        audit.record_deleted(obj, principal.user)
        obj.delete()


def import_rates(principal: Principal, upload: IO[bytes], filename: str = "rates.csv") -> int:
    """Import rates from CSV or Excel (columns currency, date, rate — or tiền tệ, ngày, tỷ giá): all or
    nothing; a rate already in the table for that currency and date is replaced. Returns the count.
    At most 5 MB (a larger file: ``FileTooLarge``) and ``MAX_ROWS`` rates."""
    principal.require("acc.coa.configure")
    rows = _read_rate_rows(upload, filename)
    errors: dict[str, list[str]] = {}
    clean: list[tuple[str, dt.date, Decimal]] = []
    seen: set[tuple[str, dt.date]] = set()
    for i, row in enumerate(rows, start=2):
        try:
            currency = _clean_currency(row.get("currency"))
            day = _parse_date(row.get("date"))
            rate = _clean_rate(row.get("rate"))
        except ValidationError as exc:
            errors[f"row {i}"] = exc.messages
            continue
        if (currency, day) in seen:
            errors[f"row {i}"] = [_("This currency and date appear twice.")]
            continue
        seen.add((currency, day))
        clean.append((currency, day, rate))
    if errors:
        raise ValidationError(errors)
    if not clean:
        raise ValidationError({"file": [_("The file has no rates.")]})
    with atomic_in(principal.tenant):
        actions.ensure_chart(principal.tenant)
        for currency, day, rate in clean:
            obj, created = ExchangeRate.objects.update_or_create(currency=currency, date=day, defaults={"rate": rate})
            if created:
                audit.record_created(obj, principal.user)
        return len(clean)


_HEADERS = {
    "currency": "currency",
    "tiền tệ": "currency",
    "loại tiền": "currency",
    "date": "date",
    "ngày": "date",
    "rate": "rate",
    "tỷ giá": "rate",
}


class RateImportError(LineImportError):
    """A refused exchange-rate file (unreadable, too large, too many rows)."""


def _read_rate_rows(upload: IO[bytes], filename: str) -> list[dict[str, Any]]:
    data = read_upload(upload, max_bytes=MAX_BYTES, error=RateImportError)
    raw = table_rows(data, max_rows=MAX_ROWS, csv_ok=True, filename=filename or "rates.csv", error=RateImportError)
    first = next(raw, None)
    if first is None:
        raise ValidationError({"file": [_("The file has no rates.")]})
    header = [_HEADERS.get(str(h or "").strip().lower(), "") for h in first]
    if not {"currency", "date", "rate"} <= set(header):
        raw.close()
        raise ValidationError({"file": [_("The first row must name the columns currency, date and rate.")]})
    out = []
    for values in raw:
        if not any(v not in (None, "") for v in values):
            continue
        out.append({h: (values[i] if i < len(values) else None) for i, h in enumerate(header) if h})
    return out


def _parse_date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value or "").strip()
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return dt.datetime.strptime(text, fmt).date()  # noqa: DTZ007 - a calendar date
        except ValueError:
            continue
    raise ValidationError({"date": [_("Enter a date (YYYY-MM-DD or DD/MM/YYYY).")]})


# --- revaluation -------------------------------------------------------------------------------------------


@dataclass
class RevaluationRow:
    kind: str  # receivable | payable | cash
    account_id: int
    account_code: str
    currency: str
    amount_currency: Decimal  # signed in the account's orientation (AR/cash: debit +; AP: credit +)
    book: Decimal  # VND book value, same orientation
    rate: Decimal
    revalued: Decimal
    party_id: int | None = None
    line_id: int | None = None  # the open item (AR/AP)
    reference: str = ""

    @property
    def difference(self) -> Decimal:
        return self.revalued - self.book

    @property
    def gain(self) -> Decimal:
        """The difference as a gain (+) or loss (−) for the company."""
        return -self.difference if self.kind == "payable" else self.difference


@dataclass
class Revaluation:
    date: dt.date
    rows: list[RevaluationRow] = field(default_factory=list)
    rates: dict[str, Decimal] = field(default_factory=dict)
    missing_rates: list[str] = field(default_factory=list)
    entry: JournalEntry | None = None  # the posted revaluation of this date, if any

    @property
    def gains(self) -> Decimal:
        return sum((r.gain for r in self.rows if r.gain > 0), ZERO)

    @property
    def losses(self) -> Decimal:
        return sum((-r.gain for r in self.rows if r.gain < 0), ZERO)

    @property
    def net(self) -> Decimal:
        return self.gains - self.losses


def _source_id(day: dt.date) -> int:
    return day.toordinal()


def revaluation_preview(tenant: Tenant, day: dt.date) -> Revaluation:
    """What ``revalue`` would post on ``day``: every open foreign-currency AR/AP item and every
    foreign-currency cash/bank balance at the rate of ``day``, with its difference."""
    from novasaas.accounting import receivables

    actions.ensure_chart(tenant)
    result = Revaluation(day)
    with in_tenant(tenant):
        result.entry = JournalEntry.objects.filter(source_type=REVALUATION_SOURCE, source_id=_source_id(day)).first()
        candidates: list[tuple[str, int, int, str, Decimal, Decimal, int | None, int | None, str]] = []
        for kind in ("receivable", "payable"):
            items = [i for i in receivables.open_items(tenant, kind, as_of=day) if i.currency and i.open_currency != 0]
            accounts = dict(
                JournalLine.objects.filter(pk__in=[i.line_id for i in items]).values_list("pk", "account_id")
            )
            for i in items:
                candidates.append(
                    (
                        kind,
                        accounts[i.line_id],
                        0,
                        i.currency,
                        i.open_currency,
                        i.open,
                        i.party_id,
                        i.line_id,
                        i.reference,
                    )
                )
        cash_accounts = [pk for pk, code in Account.objects.values_list("pk", "code") if code.startswith(CASH_PREFIXES)]
        base = JournalLine.objects.filter(
            account_id__in=cash_accounts, entry__state=EntryState.POSTED, entry__date__lte=day
        ).exclude(currency="")
        book: dict[tuple[int, str], Decimal] = defaultdict(lambda: ZERO)
        amount: dict[tuple[int, str], Decimal] = defaultdict(lambda: ZERO)
        for r in base.values("account_id", "currency").annotate(d=Sum("debit"), c=Sum("credit")):
            book[(r["account_id"], r["currency"])] += (r["d"] or ZERO) - (r["c"] or ZERO)
        for r in base.filter(debit__gt=0).values("account_id", "currency").annotate(a=Sum("amount_currency")):
            amount[(r["account_id"], r["currency"])] += r["a"] or ZERO
        for r in base.filter(credit__gt=0).values("account_id", "currency").annotate(a=Sum("amount_currency")):
            amount[(r["account_id"], r["currency"])] -= r["a"] or ZERO
        for (account_id, currency), value in sorted(book.items()):
            ccy = amount[(account_id, currency)]
            if ccy == 0 and value == 0:
                continue
            candidates.append(("cash", account_id, 0, currency, ccy, value, None, None, ""))
        codes = dict(Account.objects.filter(pk__in={c[1] for c in candidates}).values_list("pk", "code"))
        for kind, account_id, _z, currency, ccy, value, party, line_id, reference in candidates:
            if currency not in result.rates:
                found = rate_on(currency, day)
                if found is None:
                    if currency not in result.missing_rates:
                        result.missing_rates.append(currency)
                    continue
                result.rates[currency] = found
            rate = result.rates[currency]
            revalued = convert(abs(ccy), rate) * (1 if ccy >= 0 else -1)
            result.rows.append(
                RevaluationRow(
                    kind,
                    account_id,
                    codes.get(account_id, ""),
                    currency,
                    ccy,
                    value,
                    rate,
                    revalued,
                    party,
                    line_id,
                    reference,
                )
            )
    return result


def revalue(principal: Principal, day: dt.date) -> JournalEntry:
    """Post the revaluation of ``day``: one entry (journal GEN, source ``accounting.fx_revaluation``)
    with an adjustment line per revalued item/balance against 413, and the net of 413 transferred to
    515 (gain) or 635 (loss). Idempotent per date (a second call returns the first entry); refused when
    a rate is missing, when nothing changes, or when the period of ``day`` is closed."""
    principal.require("acc.period.close")
    tenant = principal.tenant
    with atomic_in(tenant):
        actions.ensure_chart(tenant)
        actions._chain_lock()  # the items read below cannot move until the entry is posted
        preview = revaluation_preview(tenant, day)
        if preview.entry is not None:
            return preview.entry
        if preview.missing_rates:
            raise ValidationError(
                {
                    "date": [
                        _("No exchange rate on or before %(d)s for: %(cur)s.")
                        % {"d": day.strftime("%d/%m/%Y"), "cur": ", ".join(preview.missing_rates)}
                    ]
                }
            )
        rows = [r for r in preview.rows if r.difference != 0]
        if not rows:
            raise ValidationError({"date": [_("Nothing to revalue on this date.")]})
        memo = _("Revaluation of foreign-currency items at %(d)s") % {"d": day.strftime("%d/%m/%Y")}
        fx_account = actions.resolve_role(tenant, "fx_difference")
        built: list[JournalLine] = []
        for r in rows:
            diff = r.difference
            debit_side = (diff > 0) != (r.kind == "payable")  # AR/cash are debit-oriented, AP credit
            built.append(
                JournalLine(  # type: ignore[misc]  # MoneyField holds Decimal
                    account_id=r.account_id,
                    debit=abs(diff) if debit_side else ZERO,
                    credit=ZERO if debit_side else abs(diff),
                    partner_id=r.party_id,
                    memo=f"{r.reference} {r.currency} {r.amount_currency} × {r.rate}".strip()[:300],
                    currency=r.currency,
                    fx_adjusts_id=r.line_id,
                )
            )
        gains = sum((r.gain for r in rows if r.gain > 0), ZERO)
        losses = sum((-r.gain for r in rows if r.gain < 0), ZERO)
        if gains:
            built.append(JournalLine(account=fx_account, debit=ZERO, credit=gains, memo=_("Exchange gains")))  # type: ignore[misc]
        if losses:
            built.append(JournalLine(account=fx_account, debit=losses, credit=ZERO, memo=_("Exchange losses")))  # type: ignore[misc]
        net = gains - losses
        transfer = _("Net exchange difference transferred from 413")
        if net > 0:
            built.append(JournalLine(account=fx_account, debit=net, credit=ZERO, memo=transfer))  # type: ignore[misc]
            built.append(
                JournalLine(  # type: ignore[misc]
                    account=actions.resolve_role(tenant, "fx_gain"), debit=ZERO, credit=net, memo=transfer
                )
            )
        elif net < 0:
            built.append(
                JournalLine(  # type: ignore[misc]
                    account=actions.resolve_role(tenant, "fx_loss"), debit=-net, credit=ZERO, memo=transfer
                )
            )
            built.append(JournalLine(account=fx_account, debit=ZERO, credit=-net, memo=transfer))  # type: ignore[misc]
        entry = actions.post_prepared_lines(
            tenant, REVALUATION_SOURCE, _source_id(day), day, built, memo=memo, actor=principal.user
        )
        audit.record_created(entry, principal.user)
        return entry
