"""Verbs no test exercised before: rejecting a payment, the 500-line limit of an entry, reversing a
reversal. Each checks what the user sees and that a refusal changes nothing."""

from __future__ import annotations

import pytest
from django.utils import timezone

from novasaas.accounting.models import JournalEntry, JournalLine, Payment
from novasaas.accounting.tests.helpers import make_party, post, principal
from novasaas.accounting.tests.test_api import URL, entry_payload
from novasaas.platform.tenancy import tenant_context
from novasaas.platform.testing.fixtures import ApiClient, create_user


def _payable_total(api):
    return api.get(f"{URL}/reports/aging", {"kind": "payable", "as_of": timezone.localdate().isoformat()}).json()[
        "total"
    ]


def test_a_rejected_payment_posts_nothing_and_leaves_the_invoice_open(tenant_a, today):
    fm = principal(tenant_a, "finance_manager")
    vendor = make_party(tenant_a, "Công ty TNHH Vật tư An Phát")
    post(fm, ("156", 1_000_000, 0), ("331", 0, 1_000_000, vendor), memo="Hóa đơn mua hàng")
    accountant = ApiClient(tenant_a, create_user(tenant_a, "accountant"))
    boss = ApiClient(tenant_a, fm.user)
    before = _payable_total(boss)
    with tenant_context(tenant_a):
        entries = JournalEntry.objects.count()
    r = accountant.post(
        f"{URL}/payments", {"kind": "payment", "party_id": vendor, "date": today.isoformat(), "amount": "400000"}
    )
    assert r.status_code == 201 and r.json()["state"] == "pending", r.json()
    pid = r.json()["id"]
    # the accountant who recorded it cannot reject (or approve) it
    assert accountant.post(f"{URL}/payments/{pid}/reject").status_code == 403
    r = boss.post(f"{URL}/payments/{pid}/reject")
    assert r.status_code == 200 and r.json()["state"] == "rejected", r.json()
    with tenant_context(tenant_a):
        assert JournalEntry.objects.count() == entries  # nothing posted
        assert Payment.objects.get(pk=pid).state == "rejected"
    assert _payable_total(boss) == before  # the supplier is still owed the whole invoice
    assert [p["id"] for p in boss.get(f"{URL}/payments", {"state": "rejected"}).json()["items"]] == [pid]
    # a rejected payment can be neither rejected again nor approved
    for verb in ("reject", "approve"):
        r = boss.post(f"{URL}/payments/{pid}/{verb}")
        assert r.status_code == 400 and "đang chờ duyệt" in r.json()["detail"][0], r.json()
    with tenant_context(tenant_a):
        assert JournalEntry.objects.count() == entries


def _many_lines(n):
    lines = [{"account": "1111", "debit": "1"} for _ in range(n - 1)]
    return [*lines, {"account": "4111", "credit": str(n - 1)}]


def test_an_entry_holds_at_most_500_lines(tenant_a, today):
    api = ApiClient(tenant_a, create_user(tenant_a, "finance_manager"))
    r = api.post(f"{URL}/entries", entry_payload(lines=_many_lines(501)))
    assert r.status_code == 422 and r.json()["detail"][0]["ctx"]["max_length"] == 500, r.json()
    # the action refuses too (pages and imports reach it without the API's schema)
    from django.core.exceptions import ValidationError

    from novasaas.accounting import actions

    with pytest.raises(ValidationError) as refused:
        actions.create_entry(
            principal(tenant_a, "finance_manager"), journal_id="GEN", date=today, lines=_many_lines(501), memo="x"
        )
    assert refused.value.message_dict == {"lines": ["Tối đa 500 dòng."]}
    with tenant_context(tenant_a):
        assert not JournalEntry.objects.exists()
    r = api.post(f"{URL}/entries", entry_payload(lines=_many_lines(500)))
    assert r.status_code == 201, r.json()
    with tenant_context(tenant_a):
        assert JournalLine.objects.filter(entry_id=r.json()["id"]).count() == 500
    assert r.json()["total"] == "499.00"


def test_a_reversal_is_not_reversed_and_an_entry_is_reversed_once(tenant_a):
    api = ApiClient(tenant_a, create_user(tenant_a, "finance_manager"))
    entry = api.post(f"{URL}/entries", entry_payload("2500000")).json()
    reversal = api.post(f"{URL}/entries/{entry['id']}/reverse", {}).json()
    lines = {(ln["account_code"], ln["debit"], ln["credit"]) for ln in reversal["lines"]}
    assert lines == {("1111", "0.00", "2500000.00"), ("4111", "2500000.00", "0.00")}
    with tenant_context(tenant_a):
        count = JournalEntry.objects.count()
    r = api.post(f"{URL}/entries/{reversal['id']}/reverse", {})
    assert r.status_code == 400 and r.json()["detail"] == ["Không đảo một bút toán đảo; hãy lập bút toán mới."]
    r = api.post(f"{URL}/entries/{entry['id']}/reverse", {})
    assert r.status_code == 400 and r.json()["detail"] == ["Bút toán này đã được đảo."], r.json()
    with tenant_context(tenant_a):
        assert JournalEntry.objects.count() == count
    tb = {row["code"]: row for row in api.get(f"{URL}/reports/trial-balance").json()["rows"]}
    assert tb["1111"]["debit"] == tb["1111"]["credit"] == "2500000.00"
