"""Receivables and payables: open items per party from posted lines on partner accounts, receipts and
payments with full or partial allocation, aging buckets, payment reminders.

An *invoice-side* line raises what the party owes (a debit on a receivable account, a credit on a
payable account); a *payment-side* line lowers it. ``Allocation`` rows settle one against the other.
The open items of a party are the invoice-side lines not yet settled plus the payment-side lines not
yet applied (negative), so their sum always equals the party's balance on the account.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Case, F, IntegerField, Q, Sum, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from novasaas.accounting import actions
from novasaas.accounting.models import (
    Account,
    AccountingSettings,
    Allocation,
    EntryState,
    JournalLine,
    Payment,
    PaymentKind,
    PaymentState,
)
from novasaas.accounting.models import OpenItem as MaintainedOpenItem
from novasaas.accounting.scope import atomic_in, in_tenant
from novasaas.identity.access import Principal
from novasaas.platform import audit
from novasaas.platform.models import AuditAction, Tenant
from novasaas.platform.money import (
    MoneyField,
    convert,
    currency_decimals,
    decimals_error,
    format_amount,
    has_valid_decimals,
    is_known_currency,
    round_money,
    to_decimal,
)
from novasaas.platform.numbers import format_number

ZERO = Decimal(0)
KINDS = {"receivable": ("receivable", "debit"), "payable": ("payable", "credit")}
BUCKETS = ["current", "1_30", "31_60", "61_90", "over_90"]


def _family(tenant: Tenant, kind: str) -> list[int]:
    account = actions.resolve_role(tenant, KINDS[kind][0])
    return list(Account.objects.filter(code__startswith=account.code[:3]).values_list("pk", flat=True))


@dataclass
class OpenItem:
    line_id: int
    entry_id: int
    reference: str
    date: dt.date
    due_date: dt.date
    party_id: int
    amount: Decimal  # signed: positive = owed by/to the party, negative = unapplied payment
    open: Decimal  # VND book value still open (FX adjustments included)
    memo: str = ""
    currency: str = ""  # foreign-currency item: its currency, amount and open amount in it (signed)
    amount_currency: Decimal = ZERO
    open_currency: Decimal = ZERO


def open_items(
    tenant: Tenant, kind: str, *, party_id: int | None = None, as_of: dt.date | None = None
) -> list[OpenItem]:
    """Unsettled invoice-side lines and unapplied payment-side lines of posted entries."""
    if kind not in KINDS:
        raise ValidationError(_("Unknown kind."))
    actions.ensure_chart(tenant)
    side = KINDS[kind][1]
    with in_tenant(tenant):
        terms = AccountingSettings.objects.get().payment_terms_days
        lines = JournalLine.objects.filter(
            tenant=tenant,
            account_id__in=_family(tenant, kind),
            entry__state=EntryState.POSTED,
            partner_id__isnull=False,
        )
        if party_id is not None:
            lines = lines.filter(partner_id=party_id)
        if as_of is not None:
            lines = lines.filter(entry__date__lte=as_of)
        # plain tuples: an aging over hundreds of thousands of lines must not build model instances
        rows = list(
            lines.order_by("entry__date", "id").values_list(
                "id",
                "entry_id",
                "entry__reference",
                "entry__date",
                "due_date",
                "partner_id",
                "debit",
                "credit",
                "memo",
                "entry__memo",
                "currency",
                "amount_currency",
                "fx_adjusts_id",
            )
        )
        as_invoice: dict[int, Decimal] = defaultdict(lambda: ZERO)
        as_payment: dict[int, Decimal] = defaultdict(lambda: ZERO)
        ccy_invoice: dict[int, Decimal] = defaultdict(lambda: ZERO)
        ccy_payment: dict[int, Decimal] = defaultdict(lambda: ZERO)
        # joined, not an id list: a large ledger would exceed the database's parameter limit
        allocs = Allocation.objects.filter(tenant=tenant, invoice_line__account_id__in=_family(tenant, kind))
        if party_id is not None:
            allocs = allocs.filter(invoice_line__partner_id=party_id)
        if as_of is not None:
            allocs = allocs.filter(payment_line__entry__date__lte=as_of)
        for a in allocs.values("invoice_line_id", "payment_line_id", "amount", "amount_currency"):
            as_invoice[a["invoice_line_id"]] += a["amount"]
            as_payment[a["payment_line_id"]] += a["amount"]
            if a["amount_currency"]:
                ccy_invoice[a["invoice_line_id"]] += a["amount_currency"]
                ccy_payment[a["payment_line_id"]] += a["amount_currency"]
    # FX adjustment lines (realised differences, revaluations) change the VND book value of the item
    # they name instead of being items themselves.
    adjust: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for row in rows:
        if row[12] is not None:
            adjust[row[12]] += (row[6] - row[7]) if side == "debit" else (row[7] - row[6])
    items: list[OpenItem] = []
    plus, minus = Decimal(1), Decimal(-1)
    for (
        pk,
        entry_id,
        reference,
        day,
        due_date,
        partner,
        debit,
        credit,
        memo,
        entry_memo,
        currency,
        amount_ccy,
        adjusts,
    ) in rows:
        if adjusts is not None:
            continue
        raising = debit if side == "debit" else credit
        lowering = credit if side == "debit" else debit
        if raising:
            remaining = raising - as_invoice[pk] if pk in as_invoice else raising
            open_ccy = amount_ccy - ccy_invoice[pk] if currency else ZERO
            sign = plus
        else:
            remaining = lowering - as_payment[pk] if pk in as_payment else lowering
            open_ccy = amount_ccy - ccy_payment[pk] if currency else ZERO
            sign = minus
        signed_open = sign * remaining + adjust[pk] if pk in adjust else sign * remaining
        if signed_open == 0 and open_ccy == 0:
            continue
        due = due_date or (day + dt.timedelta(days=terms if raising else 0))
        items.append(
            OpenItem(
                pk,
                entry_id,
                reference,
                day,
                due,
                partner or 0,
                sign * (raising or lowering),
                signed_open,
                memo or entry_memo,
                currency,
                sign * amount_ccy,
                sign * open_ccy,
            )
        )
    return items


def _item_open(line: JournalLine, kind: str) -> tuple[Decimal, Decimal]:
    """What is still open of one item line, as magnitudes: (VND book value incl. FX adjustments,
    amount in currency). Read inside the caller's locks."""
    side = KINDS[kind][1]
    raising = line.debit if side == "debit" else line.credit
    is_invoice = raising > 0
    allocs = Allocation.objects.filter(**({"invoice_line": line} if is_invoice else {"payment_line": line}))
    agg = allocs.aggregate(v=Sum("amount"), c=Sum("amount_currency"))
    adj = JournalLine.objects.filter(fx_adjusts=line, entry__state=EntryState.POSTED).aggregate(
        d=Sum("debit"), c=Sum("credit")
    )
    adjust = (adj["d"] or ZERO) - (adj["c"] or ZERO)
    if side != "debit":
        adjust = -adjust
    if is_invoice:
        vnd = raising - (agg["v"] or ZERO) + adjust
    else:
        vnd = (line.credit if side == "debit" else line.debit) - (agg["v"] or ZERO) - adjust
    ccy = line.amount_currency - (agg["c"] or ZERO) if line.currency else ZERO
    return vnd, ccy


@dataclass
class AgingRow:
    party_id: int
    buckets: dict[str, Decimal] = field(default_factory=lambda: dict.fromkeys(BUCKETS, ZERO))
    unapplied: Decimal = ZERO

    @property
    def total(self) -> Decimal:
        return sum(self.buckets.values(), ZERO) + self.unapplied


def _bucket(days_overdue: int) -> str:
    if days_overdue <= 0:
        return "current"
    if days_overdue <= 30:
        return "1_30"
    if days_overdue <= 60:
        return "31_60"
    if days_overdue <= 90:
        return "61_90"
    return "over_90"


def aging(tenant: Tenant, kind: str, as_of: dt.date | None = None) -> tuple[list[AgingRow], AgingRow]:
    """Open amounts per party in buckets by days past the due date (current, 1–30, 31–60, 61–90,
    > 90); unapplied payments in their own column. Returns the rows and the total row.

    One grouped query over the maintained open items (``OpenItem``, partial index on what is still
    open) — not over every partner line and allocation — plus, for an ``as_of`` in the past, the
    allocations made by payments dated after it (added back: as of that day they were not settled).
    Same figures as bucketing ``open_items`` (tested)."""
    if kind not in KINDS:
        raise ValidationError(_("Unknown kind."))
    day = as_of or timezone.localdate()
    actions.ensure_chart(tenant)
    raising_side = KINDS[kind][1]
    rows: dict[int, AgingRow] = {}
    with in_tenant(tenant):
        terms = AccountingSettings.objects.get().payment_terms_days
        family = _family(tenant, kind)

        def due_on_or_after(limit: dt.date) -> Q:
            # due = the line's due date, else the entry date + payment terms
            return Q(due_date__gte=limit) | Q(due_date__isnull=True, date__gte=limit - dt.timedelta(days=terms))

        raising = Q(debit__gt=0) if raising_side == "debit" else Q(credit__gt=0)
        limits = [day - dt.timedelta(days=n) for n in (0, 30, 60, 90)]
        # one CASE per row (tested in order, so each test is a single bound): 0–4 = the buckets, 5 = unapplied
        bucket = Case(
            When(~raising, then=Value(5)),
            *[When(due_on_or_after(limit), then=Value(k)) for k, limit in enumerate(limits)],
            default=Value(4),
            output_field=IntegerField(),
        )
        grouped = (
            MaintainedOpenItem.objects.filter(tenant=tenant, account_id__in=family, open__gt=0, date__lte=day)
            .annotate(bucket=bucket)
            .values("partner_id", "bucket")
            .order_by()
            .annotate(amount=Sum("open"))
            .values_list("partner_id", "bucket", "amount")
        )
        for partner, k, amount in grouped:
            row = rows.get(partner)
            if row is None:
                row = rows[partner] = AgingRow(partner)
            if k == 5:
                row.unapplied -= amount
            else:
                row.buckets[BUCKETS[k]] += amount
        # settled later than ``day``: as of ``day`` the invoice was still open by that much
        later = Allocation.objects.filter(
            tenant=tenant,
            # the joined lines' and entries' tenant too: read by index, never other tenants' rows (issue 20)
            invoice_line__tenant=tenant,
            invoice_line__entry__tenant=tenant,
            payment_line__tenant=tenant,
            payment_line__entry__tenant=tenant,
            invoice_line__account_id__in=family,
            invoice_line__entry__date__lte=day,
            payment_line__entry__date__gt=day,
        ).values_list("invoice_line__partner_id", "invoice_line__due_date", "invoice_line__entry__date", "amount")
        for line_partner, due_date, date, amount in later:
            row = rows.setdefault(line_partner or 0, AgingRow(line_partner or 0))
            due = due_date or (date + dt.timedelta(days=terms))
            row.buckets[_bucket((day - due).days)] += amount
    result = [row for row in rows.values() if any(row.buckets.values()) or row.unapplied]
    total_row = AgingRow(0)
    for row in result:
        for b in BUCKETS:
            total_row.buckets[b] += row.buckets[b]
        total_row.unapplied += row.unapplied
    return sorted(result, key=lambda r: -r.total), total_row


# --- payments -----------------------------------------------------------------------------------------------


def record_payment(
    principal: Principal,
    *,
    kind: str,
    party_id: int,
    date: dt.date,
    amount: Any,
    method: str = "bank",
    memo: str = "",
    allocations: Sequence[tuple[int, Any]] | None = None,
    currency: str = "",
    exchange_rate: Any = None,
) -> Payment:
    """Record a receipt (from a customer) or a payment (to a supplier), allocated to the given open
    items — ``[(line_id, amount)]``, partial allowed — or, when none are given, to the oldest open
    items first. Receipts post at once; payments wait for Finance Manager approval unless the author
    holds ``acc.payment.approve``.

    With a foreign ``currency`` the amount and the allocations are in that currency, the money goes
    to ``bank_foreign``/``cash_foreign`` (1122/1112) at ``exchange_rate`` (default: the table's rate
    on the date) and settling items booked at another rate posts the realised difference to 515/635."""
    principal.require("acc.payment.record")
    if kind not in PaymentKind.values:
        raise ValidationError({"kind": [_("Unknown kind.")]})
    if method not in ("bank", "cash"):
        raise ValidationError({"method": [_("Choose bank or cash.")]})
    try:
        value = to_decimal(amount)
    except (TypeError, ValueError) as exc:
        raise ValidationError({"amount": [_("Enter a number.")]}) from exc
    if not value.is_finite() or value <= 0 or value >= Decimal("1e15") or value != round(value, 2):
        raise ValidationError({"amount": [_("Enter a positive amount with at most 2 decimals.")]})
    currency = (currency or "").strip().upper()
    if currency == "VND":
        currency = ""
    if currency and not is_known_currency(currency):
        raise ValidationError({"currency": [_("Unknown currency %(cur)s.") % {"cur": currency[:3]}]})
    if not currency and decimals_error(value, "VND"):
        raise ValidationError({"amount": [decimals_error(value, "VND")]})
    if currency and not has_valid_decimals(value, currency):
        raise ValidationError(
            {
                "amount": [
                    _("%(cur)s amounts have at most %(n)d decimals.")
                    % {"cur": currency, "n": currency_decimals(currency)}
                ]
            }
        )
    if not currency and exchange_rate not in (None, ""):
        raise ValidationError({"exchange_rate": [_("An exchange rate needs a foreign currency on the line.")]})
    from novasaas.parties import selectors as parties

    tenant = principal.tenant
    with atomic_in(tenant):
        actions.ensure_chart(tenant)
        if parties.resolve_party_id(tenant, party_id) is None:
            raise ValidationError({"party_id": [_("Unknown partner.")]})
        rate = None
        vnd = value
        if currency:
            from novasaas.accounting import fx

            rate = fx.resolve_rate(currency, date, exchange_rate, field="exchange_rate")
            vnd = convert(value, rate)
            if vnd <= 0:
                raise ValidationError({"amount": [_("The amount is too small to convert.")]})
        try:
            requested = [[int(line_id), str(to_decimal(a))] for line_id, a in (allocations or [])]
        except (TypeError, ValueError) as exc:
            raise ValidationError({"allocations": [_("Enter a number.")]}) from exc
        if sum((Decimal(str(a)) for _l, a in requested), ZERO) > value:
            raise ValidationError({"allocations": [_("The allocations exceed the amount.")]})
        payment = Payment.objects.create(  # type: ignore[misc]  # MoneyField holds Decimal
            kind=kind,
            party_id=party_id,
            date=date,
            amount=vnd,
            method=method,
            currency=currency,
            amount_currency=value if currency else ZERO,
            exchange_rate=rate,
            memo=(memo or "")[:300],
            allocations_requested=requested,
            created_by=principal.user,
        )
        audit.record_created(payment, principal.user)
        if kind == PaymentKind.RECEIPT or principal.has("acc.payment.approve"):
            return _post_payment(payment, principal)
        from novasaas.platform.notifications import notify

        notify(
            tenant,
            "acc.payment.approve",
            "approvals",
            _("Payment awaiting approval: %(a)s") % {"a": format_amount(value)},
            payment.memo,
            "/accounting/payments/",
        )
        return payment


def approve_payment(principal: Principal, payment_id: int) -> Payment:
    principal.require("acc.payment.approve")
    with atomic_in(principal.tenant):
        payment = Payment.objects.select_for_update(of=("self",), no_key=True).get(pk=payment_id)
        if payment.state != PaymentState.PENDING:
            raise ValidationError(_("Only a payment awaiting approval can be approved."))
        return _post_payment(payment, principal)


def reject_payment(principal: Principal, payment_id: int) -> Payment:
    principal.require("acc.payment.approve")
    with atomic_in(principal.tenant):
        payment = Payment.objects.select_for_update(of=("self",), no_key=True).get(pk=payment_id)
        if payment.state != PaymentState.PENDING:
            raise ValidationError(_("Only a payment awaiting approval can be rejected."))
        payment.state = PaymentState.REJECTED
        payment.save(update_fields=["state"])
        audit.record(AuditAction.UPDATE, actor=principal.user, obj=payment, after={"state": "rejected"})
        return payment


def _post_payment(payment: Payment, principal: Principal) -> Payment:
    tenant = principal.tenant
    kind = "receivable" if payment.kind == PaymentKind.RECEIPT else "payable"
    money_role = payment.method
    party_role = KINDS[kind][0]
    amount = payment.amount
    fx_args: dict[str, Any] = {}
    if payment.currency:
        money_role = f"{payment.method}_foreign"
        amount = payment.amount_currency
        fx_args = {"currency": payment.currency, "exchange_rate": payment.exchange_rate}
    if payment.kind == PaymentKind.RECEIPT:
        lines = [
            actions.LineInput(money_role, amount, ZERO, None, payment.memo, **fx_args),
            actions.LineInput(party_role, ZERO, amount, payment.party_id, payment.memo, **fx_args),
        ]
    else:
        lines = [
            actions.LineInput(party_role, amount, ZERO, payment.party_id, payment.memo, **fx_args),
            actions.LineInput(money_role, ZERO, amount, None, payment.memo, **fx_args),
        ]
    entry = actions.post_source_document(
        tenant,
        "accounting.payment",
        payment.pk,
        payment.date,
        lines,
        memo=payment.memo or str(payment.get_kind_display()),
        journal="BANK" if payment.method == "bank" else "CASH",
        actor=principal.user,
    )
    payment_line = entry.lines.get(partner_id=payment.party_id)
    if payment.allocations_requested:
        _allocate(tenant, kind, payment_line, [(int(i), Decimal(a)) for i, a in payment.allocations_requested])
    else:
        allocate_fifo(tenant, kind, payment.party_id)
    payment.state = PaymentState.POSTED
    payment.entry = entry
    payment.approved_by = principal.user if principal.has("acc.payment.approve") else None
    payment.save(update_fields=["state", "entry", "approved_by"])
    return payment


def _allocate(tenant: Tenant, kind: str, payment_line: JournalLine, requested: list[tuple[int, Decimal]]) -> None:
    """Settle invoice-side lines with ``payment_line``; runs after the posting's chain lock, and locks
    the invoice lines, so two payments cannot over-settle one invoice.

    Foreign-currency items are settled in their currency (``amount`` is in the currency): each side
    gives up the VND book value of the settled part (all of it when the part is all that is open,
    else proportionally), and a difference between the two is the realised FX gain or loss, posted
    as explicit lines (``_post_realised_fx``)."""
    side = KINDS[kind][1]
    family = set(_family(tenant, kind))
    for line_id, amount in requested:
        if amount <= 0:
            raise ValidationError({"allocations": [_("Allocate positive amounts.")]})
        invoice = (
            JournalLine.objects.select_for_update(of=("self",), no_key=True)
            .filter(pk=line_id, entry__state=EntryState.POSTED)
            .first()
        )
        if (
            invoice is None
            or invoice.account_id not in family
            or invoice.partner_id != payment_line.partner_id
            or invoice.fx_adjusts_id is not None
        ):
            raise ValidationError(
                {"allocations": [_("Line %(id)s is not an open item of this party.") % {"id": line_id}]}
            )
        raising = invoice.debit if side == "debit" else invoice.credit
        if raising <= 0:
            raise ValidationError(
                {"allocations": [_("Line %(id)s is not an open item of this party.") % {"id": line_id}]}
            )
        if invoice.currency != payment_line.currency:
            raise ValidationError(
                {
                    "allocations": [
                        _("Line %(id)s is in %(a)s, the payment in %(b)s.")
                        % {"id": line_id, "a": invoice.currency or "VND", "b": payment_line.currency or "VND"}
                    ]
                }
            )
        inv_vnd, inv_ccy = _item_open(invoice, kind)
        pay_vnd, pay_ccy = _item_open(payment_line, kind)
        if not invoice.currency:
            if amount > inv_vnd:
                raise ValidationError(
                    {
                        "allocations": [
                            _("Line %(id)s has only %(open)s open.") % {"id": line_id, "open": format_amount(inv_vnd)}
                        ]
                    }
                )
            if amount > pay_vnd:
                raise ValidationError({"allocations": [_("The allocations exceed the amount.")]})
            Allocation.objects.create(  # type: ignore[misc]  # MoneyField holds Decimal
                invoice_line=invoice, payment_line=payment_line, amount=amount
            )
            _settle_open_items(invoice, payment_line, amount)
            continue
        if not has_valid_decimals(amount, invoice.currency):
            raise ValidationError(
                {
                    "allocations": [
                        _("%(cur)s amounts have at most %(n)d decimals.")
                        % {"cur": invoice.currency, "n": currency_decimals(invoice.currency)}
                    ]
                }
            )
        if amount > inv_ccy:
            raise ValidationError(
                {
                    "allocations": [
                        _("Line %(id)s has only %(open)s open.")
                        % {"id": line_id, "open": f"{format_amount(inv_ccy, invoice.currency)} {invoice.currency}"}
                    ]
                }
            )
        if amount > pay_ccy:
            raise ValidationError({"allocations": [_("The allocations exceed the amount.")]})
        inv_part = inv_vnd if amount == inv_ccy else round_money(inv_vnd * amount / inv_ccy)
        pay_part = pay_vnd if amount == pay_ccy else round_money(pay_vnd * amount / pay_ccy)
        allocation = Allocation.objects.create(  # type: ignore[misc]  # MoneyField holds Decimal
            invoice_line=invoice, payment_line=payment_line, amount=inv_part, amount_currency=amount
        )
        if pay_part != inv_part:
            _post_realised_fx(tenant, kind, payment_line, invoice, pay_part - inv_part, allocation)
        _settle_open_items(invoice, payment_line, inv_part)


def _post_realised_fx(
    tenant: Tenant, kind: str, payment_line: JournalLine, invoice: JournalLine, diff: Decimal, allocation: Allocation
) -> None:
    """The realised FX difference of one allocation: ``diff`` = VND given up by the payment side −
    VND given up by the invoice side. An adjustment line on the party account (``fx_adjusts`` = the
    payment line) brings the payment to the invoice's book value; the other line goes to 515 (gain)
    or 635 (loss). Receivable: the customer paid more VND-worth than booked → gain; payable: we paid
    more → loss."""
    from novasaas.accounting.models import JournalEntry

    receivable = kind == "receivable"
    magnitude = abs(diff)
    # the adjustment lowers the payment side's VND by ``diff``: a debit on 131 / a credit on 331
    adjust_debit = (diff > 0) == receivable
    gain = (diff > 0) == receivable
    fx_account = actions.resolve_role(tenant, "fx_gain" if gain else "fx_loss")
    dates = list(
        JournalEntry.objects.filter(pk__in=[payment_line.entry_id, invoice.entry_id]).values_list("date", flat=True)
    )
    day = settlement_date(min(dates), max(dates))
    memo = _("Realised exchange difference %(cur)s") % {"cur": invoice.currency}
    built = [
        JournalLine(  # type: ignore[misc]  # MoneyField holds Decimal
            account_id=payment_line.account_id,
            debit=magnitude if adjust_debit else ZERO,
            credit=ZERO if adjust_debit else magnitude,
            partner_id=payment_line.partner_id,
            memo=memo,
            currency=invoice.currency,
            fx_adjusts=payment_line,
        ),
        JournalLine(  # type: ignore[misc]
            account=fx_account,
            debit=ZERO if adjust_debit else magnitude,
            credit=magnitude if adjust_debit else ZERO,
            memo=memo,
        ),
    ]
    actions.post_prepared_lines(tenant, "accounting.fx_settlement", allocation.pk, day, built, memo=memo)


def settlement_date(first: dt.date, last: dt.date) -> dt.date:
    """The date of a realised exchange difference between documents dated ``first`` and ``last``: the
    later one, as the settlement happens then. When its period no longer takes postings, the first open
    date after it (as Odoo does past a lock date); when none is open after it, the last open date
    before it, not earlier than ``first`` — so a payment posted into an open period can always settle
    an invoice of a period closed since. Nothing open in between: ``last`` (the posting then refuses
    with the closed period's name)."""
    from novasaas.accounting.models import FiscalPeriod, PeriodState

    periods = list(
        FiscalPeriod.objects.filter(end_date__gte=first, state=PeriodState.OPEN)
        .order_by("start_date")
        .values_list("start_date", "end_date")
    )
    for start, end in periods:
        if end >= last:
            return max(start, last)
    return periods[-1][1] if periods else last


def _settle_open_items(invoice: JournalLine, payment_line: JournalLine, amount: Decimal) -> None:
    """Both sides' maintained open items move with an allocation of ``amount`` VND (the CHECK open >= 0
    backs the checks above). On a foreign-currency allocation the realised difference is posted first:
    its adjustment line has already brought the payment side to the invoice side's book value."""
    MaintainedOpenItem.objects.filter(line_id__in=[invoice.pk, payment_line.pk]).update(
        open=F("open") - Value(amount, output_field=MoneyField())
    )


def allocate_fifo(tenant: Tenant, kind: str, party_id: int) -> int:
    """Apply the party's unapplied payments to its oldest open items (by due date); returns the
    number of allocations made."""
    made = 0
    with atomic_in(tenant):
        items = open_items(tenant, kind, party_id=party_id)
        # foreign-currency items are matched in their currency, with items of the same currency only
        for item in items:
            if item.currency:
                item.open = item.open_currency
        invoices = sorted((i for i in items if i.open > 0), key=lambda i: (i.due_date, i.line_id))
        payments = [i for i in items if i.open < 0]
        for pay in payments:
            left = -pay.open
            line = JournalLine.objects.get(pk=pay.line_id)
            for inv in invoices:
                if left <= 0:
                    break
                if inv.open <= 0 or inv.currency != pay.currency:
                    continue
                amount = min(left, inv.open)
                _allocate(tenant, kind, line, [(inv.line_id, amount)])
                inv.open -= amount
                left -= amount
                made += 1
    return made


def list_payments(tenant: Tenant, state: str = "") -> Any:
    with in_tenant(tenant):
        qs = Payment.objects.filter(tenant=tenant).select_related("entry")
        return qs.filter(state=state) if state else qs


# --- reminders -----------------------------------------------------------------------------------------------


def send_reminders(
    principal: Principal, party_ids: Sequence[int] | None = None, as_of: dt.date | None = None
) -> list[int]:
    """Email each customer with overdue receivables (optionally only ``party_ids``) a statement of
    the overdue items; emails leave through the outbox after commit. Returns the parties reminded."""
    principal.require("acc.reminder.send")
    from novasaas.parties import selectors as parties
    from novasaas.platform.models import OutboxMessage
    from novasaas.platform.notifications import EMAIL_EVENT, EMAIL_HANDLER

    tenant = principal.tenant
    day = as_of or timezone.localdate()
    overdue: dict[int, list[OpenItem]] = defaultdict(list)
    for item in open_items(tenant, "receivable", as_of=day):
        if item.open > 0 and item.due_date < day and (party_ids is None or item.party_id in party_ids):
            overdue[item.party_id].append(item)
    reminded: list[int] = []
    with atomic_in(tenant):
        summaries = parties.party_summaries(tenant, list(overdue))
        for pid, items in overdue.items():
            summary = summaries.get(pid)
            if summary is None or not summary.email:
                continue
            total = sum((i.open for i in items), ZERO)
            due_word = _("due")
            body = "\n".join(
                [
                    _("Dear %(name)s,") % {"name": summary.name},
                    "",
                    _("According to our books the following amounts are overdue:"),
                ]
                + [
                    f"- {i.reference} ({i.date:%d/%m/%Y}, {due_word} {i.due_date:%d/%m/%Y}): "
                    f"{format_number(i.open)} VND"
                    for i in items
                ]
                + ["", _("Total overdue: %(t)s VND") % {"t": format_number(total)}, "", tenant.name]
            )
            OutboxMessage.objects.create(
                event=EMAIL_EVENT,
                handler=EMAIL_HANDLER,
                payload={
                    "tenant_id": tenant.pk,
                    "to": summary.email,
                    "subject": _("Payment reminder"),
                    "body": body,
                    "url": "",
                    "locale": "vi",
                },
            )
            audit.record(
                AuditAction.UPDATE,
                actor=principal.user,
                object_type="parties.Party",
                object_id=str(pid),
                object_repr=summary.name,
                message=f"payment reminder {total}",
            )
            reminded.append(pid)
        if reminded:
            transaction.on_commit(_enqueue)
    return reminded


def _enqueue() -> None:
    from novasaas.platform.tasks import deliver_outbox

    try:
        deliver_outbox.enqueue()
    except Exception:  # noqa: BLE001,S110 - the worker's periodic sweep delivers pending messages anyway
        pass


def allocate(principal: Principal, *, payment_line_id: int, invoice_line_id: int, amount: Any) -> Allocation:
    """Reconcile by hand: apply (part of) a posted payment-side line to an open invoice-side line of the
    same party (``acc.reconcile``, Accountant)."""
    principal.require("acc.reconcile")
    tenant = principal.tenant
    try:
        value = to_decimal(amount)
    except (TypeError, ValueError) as exc:
        raise ValidationError({"amount": [_("Enter a number.")]}) from exc
    with atomic_in(tenant):
        actions._chain_lock()  # allocations of a tenant are serialised like postings
        line = JournalLine.objects.filter(pk=payment_line_id, entry__state=EntryState.POSTED).first()
        if line is None or line.partner_id is None:
            raise ValidationError({"payment_line_id": [_("Unknown line.")]})
        kind = next((k for k in KINDS if line.account_id in set(_family(tenant, k))), None)
        if kind is None:
            raise ValidationError({"payment_line_id": [_("Unknown line.")]})
        side = KINDS[kind][1]
        lowering = line.credit if side == "debit" else line.debit
        open_vnd, open_ccy = _item_open(line, kind)
        if lowering <= 0 or line.fx_adjusts_id is not None:
            raise ValidationError({"payment_line_id": [_("Unknown line.")]})
        if value > (open_ccy if line.currency else open_vnd):
            raise ValidationError({"amount": [_("The allocations exceed the amount.")]})
        _allocate(tenant, kind, line, [(invoice_line_id, value)])
        created = Allocation.objects.filter(payment_line=line, invoice_line_id=invoice_line_id).order_by("-id").first()
        assert created is not None  # noqa: S101 - just created above
        audit.record_created(created, principal.user)
        return created
