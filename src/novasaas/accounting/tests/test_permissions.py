"""Who may do what in accounting (spec §7.2 through the catalogue's default roles)."""

from __future__ import annotations

import pytest

from novasaas.accounting.tests.test_api import URL, entry_payload
from novasaas.platform.testing.fixtures import ApiClient, create_tenant, create_user, web_client

OUTSIDERS = ["sales_staff", "warehouse_manager", "hr_manager", "employee", "customer", "purchase_staff"]


def client(tenant, role):
    return ApiClient(tenant, create_user(tenant, role))


@pytest.mark.parametrize("role", OUTSIDERS)
def test_roles_without_accounting_rights_are_refused(tenant_a, role):
    c = client(tenant_a, role)
    for path in (
        "/accounts",
        "/entries",
        "/fiscal-years",
        "/journals",
        "/reports/trial-balance",
        "/reports/balance-sheet",
    ):
        assert c.get(f"{URL}{path}").status_code == 403, path
    assert c.post(f"{URL}/entries", entry_payload()).status_code == 403
    web = web_client(tenant_a, c.user)
    for path in ("/accounting/", "/accounting/entries/", "/accounting/chart/", "/accounting/reports/trial-balance/"):
        assert web.get(path).status_code == 403, path


def test_accountant_creates_imports_views_but_does_not_configure(tenant_a):
    c = client(tenant_a, "accountant")
    accounts = {a["code"]: a["id"] for a in c.get(f"{URL}/accounts").json()}
    entry = c.post(f"{URL}/entries", entry_payload()).json()
    assert entry["state"] == "posted"
    assert c.get(f"{URL}/reports/trial-balance").status_code == 200
    assert c.get(f"{URL}/accounts/{accounts['1111']}/ledger").status_code == 200
    period = c.get(f"{URL}/fiscal-years").json()[0]["periods"][0]["id"]
    denied = [
        ("post", "/accounts", {"parent_id": accounts["1121"], "code": "11211", "name_vi": "x"}),
        ("patch", f"/accounts/{accounts['1111']}", {"name_vi": "x"}),
        ("post", f"/accounts/{accounts['1111']}/deactivate", None),
        ("post", f"/periods/{period}/close", None),
        ("post", "/fiscal-years", {"start_date": "2040-01-01"}),
        ("post", "/journals", {"code": "X1", "name": "x"}),
        ("post", f"/entries/{entry['id']}/reverse", {}),
        ("post", f"/entries/{entry['id']}/approve", None),
        ("patch", "/settings", {"approval_threshold": "1"}),
        ("post", "/chart/template", {"template": "tt99"}),
        ("get", "/reports/balance-sheet", None),
        ("get", "/reports/income-statement", None),
    ]
    for method, path, body in denied:
        assert getattr(c, method)(f"{URL}{path}", body).status_code == 403, path


def test_finance_manager_configures_and_reads_statements(tenant_a):
    c = client(tenant_a, "finance_manager")
    assert c.post(f"{URL}/journals", {"code": "X1", "name": "x"}).status_code == 201
    assert c.get(f"{URL}/reports/balance-sheet").status_code == 200
    assert c.get(f"{URL}/reports/income-statement", {"format": "xlsx"}).status_code == 200


def test_module_gate(db):
    tenant = create_tenant("noacc2", modules=["INV"])
    c = client(tenant, "finance_manager")
    assert c.get(f"{URL}/accounts").status_code == 403
