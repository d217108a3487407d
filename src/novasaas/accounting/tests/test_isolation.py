"""Two tenants: one never sees, posts into or changes the other's ledger."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from novasaas.accounting import actions, selectors
from novasaas.accounting.models import Account, BankAccount, JournalEntry
from novasaas.accounting.tests.helpers import make_party, post, principal
from novasaas.accounting.tests.test_api import URL, entry_payload, fm_client
from novasaas.platform.tenancy import tenant_context
from novasaas.platform.testing.fixtures import create_user, web_client
from novasaas.platform.testing.isolation import assert_every_table_isolated


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


def _fill_every_table(tenant):
    """Rows in every accounting table: a year of demo books plus what the demo does not touch."""
    import io

    from novasaas.accounting import attachments, banking, dimensions, receivables, stock_accounts, taxes
    from novasaas.accounting.demo import load_demo_accounting
    from novasaas.accounting.tests.test_statement_mapping import MAPPING
    from novasaas.inventory import actions as inv
    from novasaas.parties.demo import load_demo_parties

    load_demo_parties(tenant)
    load_demo_accounting(tenant)
    fm = principal(tenant, "finance_manager")
    with tenant_context(tenant):
        revenue = Account.objects.get(code="5113")
        inventory_account = Account.objects.get(code="156")
    actions.set_account_mapping(fm, "revenue", revenue.pk)
    kd = dimensions.create_dimension(fm, kind="department", code="KD", name="Kinh doanh")
    entry = actions.create_entry(
        fm,
        journal_id="GEN",
        date=timezone.localdate(),
        memo="Chi phí phòng kinh doanh",
        lines=[
            {"account": "6421", "debit": 10, "credit": 0, "dimension": kd.pk},
            {"account": "1111", "debit": 0, "credit": 10},
        ],
    )
    actions.post_entry(fm, entry.pk)
    attachments.add_attachment(fm, entry.pk, io.BytesIO(b"%PDF-1.4\n%%EOF\n"), "hoa-don.pdf")
    customer = make_party(tenant, "Khách lẻ")
    post(fm, ("131", 500, 0, customer), ("5111", 0, 500))
    vat_sale = actions.create_entry(  # a VAT transaction (the demo's trade is invoiced from Inventory's moves)
        fm,
        journal_id="GEN",
        date=timezone.localdate(),
        memo="Bán hàng có VAT",
        lines=[
            {"account": "131", "debit": 550, "credit": 0, "partner_id": customer},
            {"account": "5111", "debit": 0, "credit": 500},
            {"account": "33311", "debit": 0, "credit": 50, "tax_rate": "VAT10", "tax_base": 500},
        ],
    )
    actions.post_entry(fm, vat_sale.pk)
    receivables.record_payment(fm, kind="receipt", party_id=customer, date=timezone.localdate(), amount="500")
    with tenant_context(tenant):
        bank = BankAccount.objects.first()
    banking.save_statement_profile(fm, bank.pk, name="VCB CSV", mapping=MAPPING)
    csv = f"Ngày,Số tiền,Số tham chiếu,Nội dung\n{timezone.localdate().strftime('%d/%m/%Y')},-5000,F2,Phí\n".encode()
    banking.import_statement(fm, bank.pk, io.BytesIO(csv), "s.csv")
    with tenant_context(tenant):
        wh = inv.save_warehouse(principal(tenant, "warehouse_manager"), code="HN", name="Kho Hà Nội")
    stock_accounts.set_warehouse_account(fm, wh.pk, "inventory", inventory_account.pk)
    previous_start = taxes.filing_period(
        tenant, taxes.filing_period(tenant, timezone.localdate())[0] - dt.timedelta(days=1)
    )[0]
    taxes.file_vat_return(fm, previous_start)


def test_every_table_of_the_app_registry_is_isolated(tenant_a, tenant_b, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    _fill_every_table(tenant_a)
    _fill_every_table(tenant_b)
    assert_every_table_isolated("accounting", tenant_a, tenant_b, min_models=25)
