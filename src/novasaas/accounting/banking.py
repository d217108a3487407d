"""Banking: bank accounts linked to 112x, statement import (CSV/Excel and ISO 20022 camt.053), match
proposals by amount, date and reference, manual matching, bank-fee entries, reconciliation summary."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from dataclasses import dataclass
from decimal import Decimal
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from novasaas.accounting import actions
from novasaas.accounting.excel import EntryImportError, LineError, _rows
from novasaas.accounting.models import (
    Account,
    BankAccount,
    BankTransaction,
    EntryState,
    JournalLine,
    StatementProfile,
)
from novasaas.accounting.scope import atomic_in, in_tenant
from novasaas.identity.access import Principal
from novasaas.platform import audit
from novasaas.platform.imports import read_upload
from novasaas.platform.models import Tenant
from novasaas.platform.money import to_decimal

ZERO = Decimal(0)
MATCH_WINDOW_DAYS = 5


def create_bank_account(
    principal: Principal, *, name: str, bank_name: str, number: str, account_id: int
) -> BankAccount:
    principal.require("acc.bank.configure")
    with atomic_in(principal.tenant):
        actions.ensure_chart(principal.tenant)
        account = Account.objects.filter(pk=account_id).first()
        if account is None or not account.code.startswith("112") or not account.allows_posting:
            raise ValidationError({"account_id": [_("Choose a bank deposit account (112x) that allows posting.")]})
        number = "".join((number or "").split())[:40]
        if not number or not (name or "").strip():
            raise ValidationError({"number": [_("Enter a name and an account number.")]})
        if BankAccount.objects.filter(number=number).exists():
            raise ValidationError({"number": [_("This account number is already registered.")]})
        bank = BankAccount.objects.create(
            name=name.strip()[:120], bank_name=(bank_name or "").strip()[:120], number=number, account=account
        )
        audit.record_created(bank, principal.user)
        return bank


def _fingerprint(day: dt.date, amount: Decimal, reference: str, description: str, n: int) -> str:
    text = f"{day.isoformat()}|{amount:.2f}|{reference}|{description}|{n}"
    return hashlib.sha256(text.encode()).hexdigest()


def _parse_camt053(data: bytes) -> list[tuple[int, dict[str, str]]]:
    import xml.etree.ElementTree as ET  # noqa: S405 - parsed with entity expansion refused below

    if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
        raise EntryImportError([LineError(0, [_("This is not a readable camt.053 file.")])])
    try:
        root = ET.fromstring(data)  # noqa: S314 - no DTD/entities (checked above)
    except ET.ParseError as exc:
        raise EntryImportError([LineError(0, [_("This is not a readable camt.053 file.")])]) from exc
    rows: list[tuple[int, dict[str, str]]] = []

    def find(el: Any, name: str) -> Any:
        for child in el.iter():
            if child.tag.rsplit("}", 1)[-1] == name:
                return child
        return None

    for n, entry in enumerate((e for e in root.iter() if e.tag.rsplit("}", 1)[-1] == "Ntry"), start=1):
        amt = find(entry, "Amt")
        sign = find(entry, "CdtDbtInd")
        booking = find(entry, "BookgDt")
        day = find(booking, "Dt") if booking is not None else None
        # ElementTree elements without children are falsy: pick the first one found explicitly
        ref = next(
            (
                e
                for e in (find(entry, "AcctSvcrRef"), find(entry, "NtryRef"), find(entry, "EndToEndId"))
                if e is not None
            ),
            None,
        )
        info = next((e for e in (find(entry, "Ustrd"), find(entry, "AddtlNtryInf")) if e is not None), None)
        amount = (amt.text or "").strip() if amt is not None else ""
        if sign is not None and (sign.text or "").strip() == "DBIT" and amount:
            amount = "-" + amount
        rows.append(
            (
                n,
                {
                    "date": (day.text or "").strip()[:10] if day is not None else "",
                    "amount": amount,
                    "reference": (ref.text or "").strip() if ref is not None else "",
                    "description": (info.text or "").strip() if info is not None else "",
                },
            )
        )
    if not rows:
        raise EntryImportError([LineError(0, [_("The file has no data rows.")])])
    return rows


def _csv_rows(upload: IO[bytes], filename: str) -> list[tuple[int, dict[str, str]]]:
    """Reuse the entry import reader with bank-statement columns (date, amount or debit/credit,
    reference, description), recognised in Vietnamese or English."""
    from novasaas.parties.text import unaccent

    keys = {
        "date": "date",
        "ngay": "date",
        "amount": "amount",
        "so tien": "amount",
        "reference": "reference",
        "so tham chieu": "reference",
        "description": "description",
        "noi dung": "description",
        "debit": "debit",
        "credit": "credit",
        "ghi no": "debit",
        "ghi co": "credit",
    }

    def key(header: Any) -> str | None:
        text = unaccent(str(header or "").strip())
        if "(" in text and text.endswith(")"):
            text = text.rsplit("(", 1)[1].rstrip(")").strip()
        return keys.get(text)

    return _rows(upload, filename, required=("date",), key=key)


def import_statement(
    principal: Principal,
    bank_account_id: int,
    upload: IO[bytes],
    filename: str = "",
    *,
    mapping: Any = None,
    profile_id: int | None = None,
    save_profile: str = "",
) -> dict[str, Any]:
    """Import a statement: all or nothing with line errors; lines already imported (same date, amount,
    reference, description and position among equal lines) are skipped. Returns counts (and the
    opening/closing balance when a balance column was mapped).

    Without ``mapping`` or ``profile_id``: camt.053 XML, or CSV/Excel whose columns are recognised by
    their titles. With a ``mapping`` (dict or JSON, see ``statements.py``) or a saved profile of this
    bank account, the columns, date format and separators are applied as given; ``save_profile`` stores
    the mapping under that name for the bank account (replacing a profile of the same name)."""
    from novasaas.accounting import statements

    principal.require("acc.bank.import")
    tenant = principal.tenant
    with atomic_in(tenant):
        bank = BankAccount.objects.get(pk=bank_account_id)
        data = read_upload(upload, error=EntryImportError)
        profile = None
        if profile_id is not None:
            profile = StatementProfile.objects.filter(bank_account=bank, pk=profile_id).first()
            if profile is None:
                raise EntryImportError([LineError(0, [_("Unknown column mapping profile for this bank account.")])])
            mapping = profile.mapping
        info: dict[str, Any] = {}
        parsed: list[tuple[dt.date, Decimal, str, str]] = []
        if mapping is not None:
            rules = statements.parse_mapping(mapping)
            result = statements.parse_statement(data, rules)
            parsed = [(x.date, x.amount, x.reference, x.description) for x in result.lines]
            cent = Decimal("0.01")
            info = {
                "opening_balance": None if result.opening_balance is None else result.opening_balance.quantize(cent),
                "closing_balance": None if result.closing_balance is None else result.closing_balance.quantize(cent),
            }
        else:
            parsed = _parse_default(data, filename)
        seen: dict[tuple[Any, ...], int] = {}
        created = skipped = 0
        for day, amount, ref, desc in parsed:
            key = (day, amount, ref, desc)
            seen[key] = seen.get(key, 0) + 1
            fp = _fingerprint(day, amount, ref, desc, seen[key])
            if BankTransaction.objects.filter(bank_account=bank, fingerprint=fp).exists():
                skipped += 1
                continue
            BankTransaction.objects.create(  # type: ignore[misc]  # MoneyField holds Decimal
                bank_account=bank, date=day, amount=amount, reference=ref, description=desc, fingerprint=fp
            )
            created += 1
        if profile is not None:
            StatementProfile.objects.filter(pk=profile.pk).update(updated_at=timezone.now())
        if save_profile.strip() and mapping is not None:
            _save_profile(principal, bank, save_profile, rules.as_json())
        return {"created": created, "skipped": skipped, **info}


def _parse_default(data: bytes, filename: str) -> list[tuple[dt.date, Decimal, str, str]]:
    """camt.053, or CSV/Excel with recognised column titles (the behaviour without a mapping)."""
    if filename.lower().endswith(".xml") or data.lstrip().startswith(b"<"):
        rows = _parse_camt053(data)
    else:
        rows = _csv_rows(io.BytesIO(data), filename)
    errors: list[LineError] = []
    parsed: list[tuple[dt.date, Decimal, str, str]] = []
    for n, rec in rows:
        msgs = []
        day = None
        try:
            from novasaas.accounting.excel import _date

            day = _date(rec.get("date", ""))
        except ValueError:
            msgs.append(_("date: enter a date like 2026-01-31 or 31/01/2026."))
        amount = None
        try:
            if rec.get("amount"):
                amount = to_decimal(rec["amount"].replace(",", ""))
            else:
                amount = to_decimal((rec.get("credit") or "0").replace(",", "")) - to_decimal(
                    (rec.get("debit") or "0").replace(",", "")
                )
            if not amount.is_finite() or amount == 0 or abs(amount) >= Decimal("1e15") or amount != round(amount, 2):
                raise ValueError
        except (TypeError, ValueError, ArithmeticError):
            msgs.append(_("amount: enter a non-zero amount with at most 2 decimals."))
        if msgs:
            errors.append(LineError(n, msgs))
        elif day is not None and amount is not None:
            parsed.append((day, amount, rec.get("reference", "")[:120], rec.get("description", "")[:500]))
    if errors:
        raise EntryImportError(errors)
    return parsed


# --- column mapping profiles ------------------------------------------------------------------------------


def _save_profile(principal: Principal, bank: BankAccount, name: str, mapping: dict[str, Any]) -> StatementProfile:
    name = name.strip()[:80]
    if not name:
        raise ValidationError({"name": [_("Enter a name.")]})
    profile = StatementProfile.objects.filter(bank_account=bank, name=name).first()
    if profile is None:
        if StatementProfile.objects.filter(bank_account=bank).count() >= 20:
            raise ValidationError({"name": [_("At most 20 profiles per bank account.")]})
        profile = StatementProfile.objects.create(bank_account=bank, name=name, mapping=mapping)
        audit.record_created(profile, principal.user)
        return profile
    before = audit.snapshot(profile)
    profile.mapping, profile.updated_at = mapping, timezone.now()
    profile.save(update_fields=["mapping", "updated_at"])
    audit.record_updated(profile, principal.user, before)
    return profile


def save_statement_profile(principal: Principal, bank_account_id: int, *, name: str, mapping: Any) -> StatementProfile:
    """Save (or replace, by name) a column mapping for the bank account's statement files; the mapping
    is validated first (``EntryImportError``, line 0)."""
    from novasaas.accounting import statements

    principal.require("acc.bank.import")
    rules = statements.parse_mapping(mapping)
    with atomic_in(principal.tenant):
        bank = BankAccount.objects.get(pk=bank_account_id)
        return _save_profile(principal, bank, name, rules.as_json())


def delete_statement_profile(principal: Principal, profile_id: int) -> None:
    principal.require("acc.bank.import")
    with atomic_in(principal.tenant):
        profile = StatementProfile.objects.get(pk=profile_id)
        audit.record_deleted(profile, principal.user)
        profile.delete()


def statement_profiles(tenant: Tenant, bank_account_id: int) -> list[StatementProfile]:
    """The bank account's profiles, most recently used first (the first is the page's default)."""
    with in_tenant(tenant):
        bank = BankAccount.objects.get(tenant=tenant, pk=bank_account_id)
        return list(StatementProfile.objects.filter(bank_account=bank).order_by("-updated_at", "name"))


@dataclass
class Proposal:
    transaction: BankTransaction
    candidates: list[tuple[JournalLine, int]]  # line, score


def _matched_ids(tenant: Tenant) -> set[int]:
    return set(
        BankTransaction.objects.filter(tenant=tenant, matched_line__isnull=False).values_list(
            "matched_line_id", flat=True
        )
    )


def proposals(tenant: Tenant, bank_account_id: int, limit: int = 200) -> list[Proposal]:
    """For each unmatched statement line, posted lines of the bank's ledger account with the same
    signed amount within ±5 days, best first (same day, reference found in the entry)."""
    with in_tenant(tenant):
        bank = BankAccount.objects.get(tenant=tenant, pk=bank_account_id)
        matched = _matched_ids(tenant)
        out = []
        for tx in BankTransaction.objects.filter(bank_account=bank, matched_line__isnull=True).order_by("date")[:limit]:
            window = (tx.date - dt.timedelta(days=MATCH_WINDOW_DAYS), tx.date + dt.timedelta(days=MATCH_WINDOW_DAYS))
            lines = JournalLine.objects.filter(
                account=bank.account,
                entry__state=EntryState.POSTED,
                entry__date__range=window,
                **({"debit": tx.amount} if tx.amount > 0 else {"credit": -tx.amount}),
            ).select_related("entry")
            scored = []
            for line in lines:
                if line.pk in matched:
                    continue
                score = 1 + (2 if line.entry.date == tx.date else 0)
                ref = tx.reference.lower()
                text = f"{line.entry.reference} {line.entry.source_reference} {line.entry.memo} {line.memo}".lower()
                if ref and ref in text:
                    score += 3
                scored.append((line, score))
            scored.sort(key=lambda x: -x[1])
            out.append(Proposal(tx, scored[:5]))
        return out


def match(principal: Principal, transaction_id: int, line_id: int) -> BankTransaction:
    principal.require("acc.reconcile")
    with atomic_in(principal.tenant):
        tx = (
            BankTransaction.objects.select_for_update(of=("self",), no_key=True)
            .select_related("bank_account")
            .get(pk=transaction_id)
        )
        if tx.matched_line_id is not None:
            raise ValidationError(_("This statement line is already matched."))
        line = JournalLine.objects.filter(pk=line_id, entry__state=EntryState.POSTED).first()
        if line is None or line.account_id != tx.bank_account.account_id:
            raise ValidationError({"line_id": [_("Choose a posted line of this bank account.")]})
        if (line.debit - line.credit) != tx.amount:
            raise ValidationError({"line_id": [_("The amounts differ.")]})
        if BankTransaction.objects.filter(matched_line=line).exists():
            raise ValidationError({"line_id": [_("This line is already matched.")]})
        tx.matched_line = line
        tx.save(update_fields=["matched_line"])
        audit.record_updated(tx, principal.user, {"matched_line": None})
        return tx


def post_fee(principal: Principal, transaction_id: int) -> BankTransaction:
    """Book an unmatched money-out statement line as a bank fee (Dr role ``bank_fee`` / Cr the bank's
    account) and match it to the new entry."""
    principal.require("acc.reconcile")
    tenant = principal.tenant
    with atomic_in(tenant):
        tx = (
            BankTransaction.objects.select_for_update(of=("self",), no_key=True)
            .select_related("bank_account__account")
            .get(pk=transaction_id)
        )
        if tx.matched_line_id is not None or tx.amount >= 0:
            raise ValidationError(_("Only an unmatched money-out line can be booked as a fee."))
        entry = actions.post_source_document(
            tenant,
            "accounting.bank_tx",
            tx.pk,
            tx.date,
            [
                ("bank_fee", -tx.amount, ZERO, None, tx.description[:300]),
                (tx.bank_account.account.code, ZERO, -tx.amount, None, tx.description[:300]),
            ],
            memo=_("Bank fee") + (f" {tx.reference}" if tx.reference else ""),
            reference=tx.reference[:60],
            journal="BANK",
            actor=principal.user,
        )
        tx.matched_line = entry.lines.get(account=tx.bank_account.account)
        tx.save(update_fields=["matched_line"])
        return tx


@dataclass
class Reconciliation:
    bank: BankAccount
    statement_balance: Decimal
    book_balance: Decimal
    unmatched_statement: list[BankTransaction]
    unmatched_book: list[JournalLine]


def reconciliation(tenant: Tenant, bank_account_id: int) -> Reconciliation:
    """Statement total vs ledger balance of the bank's account, with what is not matched on each side."""
    with in_tenant(tenant):
        bank = BankAccount.objects.select_related("account").get(tenant=tenant, pk=bank_account_id)
        statement = BankTransaction.objects.filter(bank_account=bank).aggregate(s=Sum("amount"))["s"] or ZERO
        agg = JournalLine.objects.filter(account=bank.account, entry__state=EntryState.POSTED).aggregate(
            d=Sum("debit"), c=Sum("credit")
        )
        matched = _matched_ids(tenant)
        book_lines = [
            line
            for line in JournalLine.objects.filter(account=bank.account, entry__state=EntryState.POSTED)
            .select_related("entry")
            .order_by("-entry__date")[:500]
            if line.pk not in matched
        ]
        return Reconciliation(
            bank,
            statement,
            (agg["d"] or ZERO) - (agg["c"] or ZERO),
            list(BankTransaction.objects.filter(bank_account=bank, matched_line__isnull=True)[:500]),
            book_lines,
        )
