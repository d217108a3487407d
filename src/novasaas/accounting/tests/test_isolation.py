"""Two tenants: one never sees, posts into or changes the other's ledger."""

from __future__ import annotations

from novasaas.accounting import actions, selectors
from novasaas.accounting.models import (
    Account,
    AccountBalance,
    AccountingSettings,
    AccountMapping,
    ChartOfAccount,
    FiscalPeriod,
    FiscalYear,
    Journal,
    JournalEntry,
    JournalLine,
)
from novasaas.accounting.tests.helpers import make_party, post, principal
from novasaas.accounting.tests.test_api import URL, entry_payload, fm_client
from novasaas.platform.tenancy import tenant_context
from novasaas.platform.testing.fixtures import create_user, web_client

MODELS = [
    ChartOfAccount,
    Account,
    AccountingSettings,
    AccountMapping,
    FiscalYear,
    FiscalPeriod,
    Journal,
    JournalEntry,
    JournalLine,
    AccountBalance,
]


def test_every_model_is_scoped(tenant_a, tenant_b):
    pa, pb = principal(tenant_a, "finance_manager"), principal(tenant_b, "finance_manager")
    with tenant_context(tenant_b):
        acc = Account.objects.get(code="5113") if actions.ensure_chart(tenant_b) else None
    actions.set_account_mapping(pb, "revenue", acc.pk)
    post(pa, ("1111", 1, 0), ("4111", 0, 1))
    post(pb, ("1111", 2, 0), ("4111", 0, 2))
    for model in MODELS:
        with tenant_context(tenant_a):
            assert all(obj.tenant_id == tenant_a.pk for obj in model.objects.all()), model
        with tenant_context(tenant_b):
            assert model.objects.exists(), model


def test_foreign_ids_are_404_and_foreign_accounts_unknown(tenant_a, tenant_b):
    a, b = fm_client(tenant_a), fm_client(tenant_b)
    b_entry = b.post(f"{URL}/entries", entry_payload()).json()
    b_accounts = {x["code"]: x["id"] for x in b.get(f"{URL}/accounts").json()}
    b_year = b.get(f"{URL}/fiscal-years").json()[0]
    b_period = b_year["periods"][0]["id"]
    a.get(f"{URL}/accounts")
    for method, path, body in [
        ("get", f"/entries/{b_entry['id']}", None),
        ("patch", f"/entries/{b_entry['id']}", {"memo": "x"}),
        ("delete", f"/entries/{b_entry['id']}", None),
        ("post", f"/entries/{b_entry['id']}/post", None),
        ("post", f"/entries/{b_entry['id']}/approve", None),
        ("post", f"/entries/{b_entry['id']}/reverse", {}),
        ("get", f"/accounts/{b_accounts['1111']}", None),
        ("patch", f"/accounts/{b_accounts['1111']}", {"name_vi": "hack"}),
        ("delete", f"/accounts/{b_accounts['1111']}", None),
        ("post", f"/accounts/{b_accounts['1111']}/deactivate", None),
        ("get", f"/accounts/{b_accounts['1111']}/ledger", None),
        ("post", f"/periods/{b_period}/close", None),
        ("post", "/accounts", {"parent_id": b_accounts["1121"], "code": "11219", "name_vi": "x"}),
        ("put", "/mappings/revenue", {"account_id": b_accounts["5113"]}),
    ]:
        r = getattr(a, method)(f"{URL}{path}", body)
        assert r.status_code == 404, (method, path, r.status_code)
    # an account id of tenant B in a line of tenant A is an unknown account
    r = a.post(
        f"{URL}/entries",
        entry_payload(lines=[{"account": b_accounts["1111"], "debit": "1"}, {"account": "4111", "credit": "1"}]),
    )
    assert r.status_code == 400
    # a party of tenant B is an unknown partner
    other = make_party(tenant_b)
    r = a.post(
        f"{URL}/entries",
        entry_payload(
            lines=[{"account": "131", "debit": "1", "partner_id": other}, {"account": "5111", "credit": "1"}]
        ),
    )
    assert r.status_code == 400
    assert a.get(f"{URL}/entries").json()["count"] == 0
    assert a.get(f"{URL}/reports/trial-balance").json()["rows"] == []
    assert selectors.party_balance(tenant_a, other).receivable == 0
    with tenant_context(tenant_b):
        assert JournalEntry.objects.get(pk=b_entry["id"]).memo == "Góp vốn"
        assert Account.objects.get(code="1111").name_vi == "Tiền Việt Nam"
    web = web_client(tenant_a, create_user(tenant_a, "finance_manager"))
    assert web.get(f"/accounting/entries/{b_entry['id']}/").status_code == 404
    assert web.get(f"/accounting/accounts/{b_accounts['1111']}/ledger/").status_code == 404


def test_source_documents_are_per_tenant(tenant_a, tenant_b, today):
    ea = actions.post_source_document(
        tenant_a, "x.doc", 1, today, [("cash", 1, 0, None, ""), ("revenue", 0, 1, None, "")]
    )
    eb = actions.post_source_document(
        tenant_b, "x.doc", 1, today, [("cash", 2, 0, None, ""), ("revenue", 0, 2, None, "")]
    )
    assert ea.pk != eb.pk and ea.number == eb.number == 1
    assert selectors.entries_for_source(tenant_a, "x.doc", 1) == [ea]
