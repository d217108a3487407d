"""Core ledger: chart set-up, fiscal periods, posting, approval, reversal, balances, hash chain."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from novasaas.accounting import actions, selectors
from novasaas.accounting.integrity import verify_ledger
from novasaas.accounting.models import (
    Account,
    AccountBalance,
    ChartOfAccount,
    EntryState,
    FiscalPeriod,
    JournalEntry,
)
from novasaas.accounting.tests.helpers import lines, make_party, post, principal
from novasaas.platform.tenancy import tenant_context


@pytest.fixture
def fm(tenant_a):
    return principal(tenant_a, "finance_manager")


@pytest.fixture
def accountant(tenant_a):
    return principal(tenant_a, "accountant")


def test_ensure_chart_is_idempotent_and_complete(tenant_a, today):
    actions.ensure_chart(tenant_a)
    actions.ensure_chart(tenant_a)
    with tenant_context(tenant_a):
        assert ChartOfAccount.objects.count() == 1
        level1 = set(Account.objects.filter(level=1).values_list("code", flat=True))
        assert len(level1) == 49
        a131 = Account.objects.get(code="131")
        assert a131.needs_partner and a131.allows_posting and a131.normal_balance == "debit"
        assert not Account.objects.get(code="111").allows_posting  # has 1111..1113
        assert Account.objects.get(code="33311").parent.code == "3331"
        assert Account.objects.get(code="3385").name_en == "Unemployment insurance"
        assert FiscalPeriod.objects.filter(start_date__year=today.year).count() == 12


# /work/shared/reference/vietnam-2026.md, "Charts of accounts"
REFERENCE_TT133_LEVEL1 = (
    "111 112 121 128 131 133 136 138 141 151 152 153 154 155 156 157 211 214 217 228 229 241 242 331 333 334 "
    "335 336 338 341 352 353 356 411 413 418 419 421 511 515 611 631 632 635 642 711 811 821 911"
).split()


def test_chart_templates_match_the_reference():
    from novasaas.accounting.charts import ROLE_DEFAULTS, TT99, TT133

    tt133 = {r.code: r for r in TT133}
    tt99 = {r.code: r for r in TT99}
    assert sorted(c for c in tt133 if len(c) == 3) == sorted(REFERENCE_TT133_LEVEL1)
    assert not {"521", "621", "622", "627", "641"} & set(tt133)  # TT133 has none of these
    named = {
        "1331": "goods and services", "1332": "fixed assets", "33311": "Output VAT", "33312": "Import VAT",
        "3334": "Corporate income tax", "3335": "Personal income tax", "3382": "Trade union", "3383": "Social",
        "3384": "Health", "3385": "Unemployment", "3386": "Deposits received", "6421": "Selling",
        "6422": "administrative",
    }  # fmt: skip
    for code, words in named.items():
        assert words in tt133[code].name_en, code
    # the sub-account trap: unemployment insurance is 3385 in TT133, 3386 in TT99
    assert "Unemployment" in tt99["3386"].name_en and "3385" not in tt99
    assert all(code in tt99 for code in ("1331", "33311", "33312", "911", "421", "511"))
    for template, rows in (("tt133", tt133), ("tt99", tt99)):
        for role, code in ROLE_DEFAULTS[template].items():  # every role lands on a leaf of the template
            assert code in rows and not any(c != code and c.startswith(code) for c in rows), (template, role)


def test_tt99_template_before_first_entry(tenant_a, fm):
    actions.apply_chart_template(fm, "tt99")
    with tenant_context(tenant_a):
        assert ChartOfAccount.objects.get().template == "tt99"
        assert Account.objects.filter(code="3386", name_en="Unemployment insurance").exists()
        assert Account.objects.filter(code="215").exists()
    assert actions.resolve_role(tenant_a, "selling_expense").code == "641"
    post(fm, ("1111", 100, 0), ("411", 0, 100))
    with pytest.raises(ValidationError):
        actions.apply_chart_template(fm, "tt133")


def test_post_balanced_entry_numbers_and_balances(tenant_a, fm, today):
    party = make_party(tenant_a)
    e1 = post(fm, ("1111", "1000000", 0), ("4111", 0, "1000000"))
    e2 = post(fm, ("131", "550000", 0, party), ("5111", 0, "500000"), ("33311", 0, "50000"))
    assert e1.state == e2.state == EntryState.POSTED
    assert (e1.number, e2.number) == (1, 2)
    assert e1.reference == f"GEN-{today.year}-00001"
    assert e2.prev_hash == e1.hash and len(e2.hash) == 64
    tb = selectors.trial_balance(tenant_a)
    assert tb.balanced and tb.totals["debit"] == Decimal("1550000")
    with tenant_context(tenant_a):
        bal = AccountBalance.objects.get(account__code="131")
        assert bal.debit == Decimal("550000") and bal.credit == 0
    assert selectors.party_balance(tenant_a, party).receivable == Decimal("550000")
    assert verify_ledger(tenant_a).ok


def test_unbalanced_and_bad_lines_refused(tenant_a, fm):
    with pytest.raises(ValidationError, match="not balanced"):
        post(fm, ("1111", 100, 0), ("4111", 0, 90))
    with pytest.raises(ValidationError):  # 111 has sub-accounts
        post(fm, ("111", 100, 0), ("4111", 0, 100))
    with pytest.raises(ValidationError):  # 131 needs a partner
        post(fm, ("131", 100, 0), ("5111", 0, 100))
    with pytest.raises(ValidationError):
        post(fm, ("1111", 100, 100), ("4111", 0, 0))
    with pytest.raises(ValidationError):
        post(fm, ("1111", -5, 0), ("4111", 0, -5))
    with pytest.raises(ValidationError):  # floats are refused
        actions._amount(1.5, "debit", 0)
    with tenant_context(tenant_a):
        assert not JournalEntry.objects.filter(state=EntryState.POSTED).exists()


def test_unknown_partner_and_foreign_tenant_party_refused(tenant_a, tenant_b, fm):
    other = make_party(tenant_b)
    with pytest.raises(ValidationError, match="partner"):
        post(fm, ("131", 100, 0, other), ("5111", 0, 100))


def test_closed_period_refuses_posting_and_reopen_until_locked(tenant_a, fm, today):
    with tenant_context(tenant_a):
        actions.ensure_chart(tenant_a)
        period = FiscalPeriod.objects.get(start_date__lte=today, end_date__gte=today)
    entry = actions.create_entry(fm, journal_id="GEN", date=today, lines=lines(("1111", 5, 0), ("4111", 0, 5)))
    actions.close_period(fm, period.pk)
    with pytest.raises(ValidationError, match="nothing can be posted"):
        actions.post_entry(fm, entry.pk)
    with pytest.raises(ValidationError):
        actions.post_source_document(
            tenant_a, "test.doc", 1, today, [("cash", 5, 0, None, ""), ("4111", 0, 5, None, "")]
        )
    actions.reopen_period(fm, period.pk)
    actions.post_entry(fm, entry.pk)
    actions.close_period(fm, period.pk)
    actions.lock_period(fm, period.pk)
    with pytest.raises(ValidationError):
        actions.reopen_period(fm, period.pk)


def test_accountant_cannot_close_periods(tenant_a, accountant):
    with tenant_context(tenant_a):
        actions.ensure_chart(tenant_a)
        period = FiscalPeriod.objects.first()
    with pytest.raises(PermissionDenied):
        actions.close_period(accountant, period.pk)


def test_approval_above_threshold(tenant_a, fm, accountant):
    actions.update_settings(fm, approval_threshold="1000000")
    small = post(accountant, ("1111", "1000000", 0), ("4111", 0, "1000000"))
    assert small.state == EntryState.POSTED
    big = post(accountant, ("1111", "1000001", 0), ("4111", 0, "1000001"))
    assert big.state == EntryState.PENDING and big.number is None
    with pytest.raises(PermissionDenied):
        actions.approve_entry(accountant, big.pk)
    approved = actions.approve_entry(fm, big.pk)
    assert approved.state == EntryState.POSTED and approved.approved_by == fm.user and approved.number == 2
    # the Finance Manager's own entries post directly
    assert post(fm, ("1111", "5000000", 0), ("4111", 0, "5000000")).state == EntryState.POSTED


def test_reverse_links_and_nets_to_zero(tenant_a, fm, accountant):
    party = make_party(tenant_a)
    entry = post(fm, ("131", 300, 0, party), ("5111", 0, 300))
    with pytest.raises(PermissionDenied):
        actions.reverse_entry(accountant, entry.pk)
    rev = actions.reverse_entry(fm, entry.pk)
    assert rev.reversal_of_id == entry.pk and rev.state == EntryState.POSTED
    with pytest.raises(ValidationError):
        actions.reverse_entry(fm, entry.pk)
    assert selectors.party_balance(tenant_a, party).receivable == 0
    with tenant_context(tenant_a):
        assert JournalEntry.objects.get(pk=entry.pk).hash == entry.hash  # original untouched
    assert verify_ledger(tenant_a).ok


def test_posted_entry_cannot_be_edited_or_deleted(tenant_a, fm):
    entry = post(fm, ("1111", 1, 0), ("4111", 0, 1))
    with pytest.raises(ValidationError):
        actions.update_entry(fm, entry.pk, memo="changed")
    with pytest.raises(ValidationError):
        actions.delete_entry(fm, entry.pk)


def test_tampering_is_detected(tenant_a, fm):
    post(fm, ("1111", 10, 0), ("4111", 0, 10))
    entry = post(fm, ("1111", 20, 0), ("4111", 0, 20))
    post(fm, ("1111", 30, 0), ("4111", 0, 30))
    assert verify_ledger(tenant_a).ok
    from django.db import connection

    if connection.vendor == "postgresql":
        pytest.skip("PostgreSQL refuses the tampering itself (see test_postgres)")
    with tenant_context(tenant_a):
        JournalEntry.objects.filter(pk=entry.pk).update(memo="x", total=Decimal(21))
    report = verify_ledger(tenant_a)
    assert not report.ok and any(entry.reference in p for p in report.problems)


def test_chain_head_names_the_last_entry_and_a_forged_head_is_detected(tenant_a, fm):
    """The head row holds the last position and hash (where the next posting links); a forged head is
    reported by verify_ledger, and a posting linked to it shows as a broken link."""
    from novasaas.accounting.models import ChainHead

    first = post(fm, ("1111", 10, 0), ("4111", 0, 10))
    last = post(fm, ("1111", 20, 0), ("4111", 0, 20))
    with tenant_context(tenant_a):
        head = ChainHead.objects.get()
        assert (head.seq, head.hash, head.prev_hash) == (2, last.hash, first.hash)
        ChainHead.objects.update(hash="f" * 64)
    report = verify_ledger(tenant_a)
    assert report.problems == ["chain head (seq 2) does not match the last entry (seq 2)"]
    linked = post(fm, ("1111", 30, 0), ("4111", 0, 30))
    assert linked.prev_hash == "f" * 64
    problems = verify_ledger(tenant_a).problems
    assert problems == [f"{linked.reference}: previous hash does not match"], problems


def test_sub_accounts_rename_deactivate_delete(tenant_a, fm):
    actions.ensure_chart(tenant_a)
    with tenant_context(tenant_a):
        parent = Account.objects.get(code="1121")
    sub = actions.create_account(fm, parent_id=parent.pk, code="11211", name_vi="Vietcombank", name_en="VCB")
    with tenant_context(tenant_a):
        assert not Account.objects.get(code="1121").allows_posting
    with pytest.raises(ValidationError):
        actions.create_account(fm, parent_id=parent.pk, code="1131", name_vi="x")
    actions.update_account(fm, sub.pk, name_vi="Vietcombank - CN Hà Nội")
    post(fm, ("11211", 100, 0), ("4111", 0, 100))
    with pytest.raises(ValidationError, match="deactivate"):
        actions.delete_account(fm, sub.pk)
    actions.set_account_active(fm, sub.pk, False)
    with pytest.raises(ValidationError):
        post(fm, ("11211", 100, 0), ("4111", 0, 100))
    empty = actions.create_account(fm, parent_id=parent.pk, code="11212", name_vi="BIDV")
    actions.delete_account(fm, empty.pk)


def test_post_source_document_by_role_is_idempotent(tenant_a, today):
    party = make_party(tenant_a)
    rows = [
        ("receivable", "1100000", "0", party, "HĐ 0001"),
        ("revenue", "0", "1000000", None, ""),
        ("output_vat", "0", "100000", None, ""),
    ]
    e1 = actions.post_source_document(tenant_a, "sales.invoice", 7, today, rows, memo="Invoice 7", journal="SAL")
    e2 = actions.post_source_document(tenant_a, "sales.invoice", 7, today, rows, memo="Invoice 7", journal="SAL")
    assert e1.pk == e2.pk and e1.reference.startswith("SAL-")
    with tenant_context(tenant_a):
        assert JournalEntry.objects.count() == 1
        codes = sorted(e1.lines.values_list("account__code", flat=True))
    assert codes == ["131", "33311", "5111"]
    with pytest.raises(ValidationError):
        actions.post_source_document(
            tenant_a, "sales.invoice", 8, today, [("receivable", 1, 0, party, ""), ("revenue", 0, 2, None, "")]
        )
    with pytest.raises(ValidationError):
        actions.post_source_document(
            tenant_a, "sales.invoice", 9, today, [("nonsense", 1, 0, None, ""), ("revenue", 0, 1, None, "")]
        )


def test_post_source_document_opens_next_year(tenant_a, today):
    day = dt.date(today.year + 1, 3, 15)
    entry = actions.post_source_document(
        tenant_a, "x.doc", 1, day, [("cash", 5, 0, None, ""), ("revenue", 0, 5, None, "")]
    )
    assert entry.year == today.year + 1 and entry.number == 1


def test_inventory_account_balance(tenant_a, fm, today):
    post(fm, ("156", 700, 0), ("4111", 0, 700))
    post(fm, ("152", 300, 0), ("4111", 0, 300))
    assert selectors.inventory_account_balance(tenant_a, today) == Decimal(1000)
    assert selectors.inventory_account_balance(tenant_a, dt.date(today.year - 1, 12, 31)) == 0
