"""The HRM API: CRUD per role, 4xx on nonsense (nothing written), payroll through the API, payslips."""

from __future__ import annotations

from decimal import Decimal

import pytest

from novasaas.hrm.models import Contract
from novasaas.hrm.tests.helpers import world
from novasaas.platform.tenancy import tenant_context
from novasaas.platform.testing.fixtures import ApiClient, create_user

URL = "/api/v1/hrm"
D = Decimal


@pytest.fixture
def w(tenant_a):
    with tenant_context(tenant_a):
        return world(tenant_a)


def test_hr_manager_crud_through_the_api(tenant_a, w):
    api = ApiClient(tenant_a, w.hr.user)
    r = api.post(f"{URL}/departments", {"code": "SX", "name": "Sản xuất", "cost_account": "154"})
    assert r.status_code == 201, r.json()
    dept = r.json()["id"]
    assert api.patch(f"{URL}/departments/{dept}", {"parent_id": w.office.pk}).json()["parent_id"] == w.office.pk
    r = api.post(f"{URL}/positions", {"code": "CN", "name": "Công nhân", "department_id": dept})
    assert r.status_code == 201
    r = api.post(
        f"{URL}/employees",
        {"full_name": "Phạm Văn Dũng", "department_id": dept, "position_id": r.json()["id"], "hired_on": "2026-02-01",
         "region": "III", "id_number": "001090012345"},
    )  # fmt: skip
    assert r.status_code == 201, r.json()
    emp = r.json()
    assert emp["code"].startswith("NV") and emp["region"] == "III"
    r = api.post(
        f"{URL}/employees/{emp['id']}/contracts",
        {"kind": "indefinite", "start_date": "2026-02-01", "salary": "9000000",
         "allowances": [{"kind": "meal", "amount": "730000"}, {"kind": "responsibility", "amount": "500000"}]},
    )  # fmt: skip
    assert r.status_code == 201, r.json()
    contract = r.json()
    assert [(a["kind"], a["taxable"]) for a in contract["allowances"]] == [("meal", False), ("responsibility", True)]
    r = api.post(f"{URL}/employees/{emp['id']}/dependants", {"full_name": "Con", "relationship": "Con",
                                                             "registered_from": "2026-02-01"})  # fmt: skip
    assert r.status_code == 201
    assert len(api.get(f"{URL}/employees/{emp['id']}/dependants").json()) == 1
    assert api.delete(f"{URL}/dependants/{r.json()['id']}").status_code == 204
    assert len(api.get(f"{URL}/employees/{emp['id']}/salary-history").json()) == 1
    r = api.post(f"{URL}/contracts/{contract['id']}/terminate", {"terminated_on": "2026-06-30", "reason": "Nghỉ việc"})
    assert r.json()["status"] == "terminated"
    r = api.post(f"{URL}/employees/{emp['id']}/leaving", {"left_on": "2026-06-30"})
    assert r.json()["status"] == "left"
    assert api.get(f"{URL}/employees", {"status": "left"}).json()["count"] == 1
    assert api.patch(f"{URL}/employees/{emp['id']}", {"phone": "0912345678"}).json()["phone"] == "0912345678"


@pytest.mark.parametrize(
    "body",
    [
        {"kind": "fixed", "start_date": "2026-01-05", "end_date": "2030-01-01", "salary": "9000000"},
        {"kind": "indefinite", "start_date": "2026-01-05", "salary": "1000"},
        {"kind": "probation", "start_date": "2026-01-05", "end_date": "2026-01-20", "salary": "9000000"},
        {"kind": "indefinite", "start_date": "2026-01-05", "salary": "9000000.5"},
        {"kind": "indefinite", "start_date": "2026-01-05", "salary": "-1"},
        {"kind": "permanent", "start_date": "2026-01-05", "salary": "9000000"},
        {"kind": "indefinite", "start_date": "2026-01-05", "salary": "9000000", "bonus": "1"},
    ],
)
def test_bad_contracts_are_4xx_and_write_nothing(tenant_a, w, body):
    api = ApiClient(tenant_a, w.hr.user)
    with tenant_context(tenant_a):
        emp = w.bob
        before = Contract.objects.count()
    r = api.post(f"{URL}/employees/{emp.pk}/contracts", body)
    assert r.status_code in (400, 422), r.json()
    with tenant_context(tenant_a):
        assert Contract.objects.count() == before


def test_roles(tenant_a, w):
    staff = ApiClient(tenant_a, create_user(tenant_a, "hr_staff"))
    assert staff.get(f"{URL}/employees").json()["count"] == 2
    assert staff.post(f"{URL}/departments", {"code": "X", "name": "X"}).status_code == 403
    assert staff.patch(f"{URL}/employees/{w.alice.pk}", {"phone": "0901"}).status_code == 200
    assert staff.patch(f"{URL}/employees/{w.alice.pk}", {"region": "IV"}).status_code == 400
    assert staff.post(f"{URL}/payrolls", {"year": 2026, "month": 3}).status_code == 403
    manager = ApiClient(tenant_a, w.manager.user)
    assert [e["id"] for e in manager.get(f"{URL}/employees").json()["items"]] == [w.bob.pk]
    assert manager.get(f"{URL}/employees/{w.alice.pk}").status_code == 404
    me = ApiClient(tenant_a, w.employee_user)
    assert [e["id"] for e in me.get(f"{URL}/employees").json()["items"]] == [w.alice.pk]
    assert me.get(f"{URL}/employees/{w.bob.pk}").status_code == 404
    assert me.get(f"{URL}/employees/{w.bob.pk}/contracts").status_code == 404
    assert me.get(f"{URL}/employees/{w.alice.pk}/contracts").status_code == 200
    assert me.post(f"{URL}/employees/{w.alice.pk}/contracts", {}).status_code in (403, 422)
    assert me.get(f"{URL}/rules").status_code == 403
    assert me.get(f"{URL}/payrolls").status_code == 403


def test_payroll_and_payslips_through_the_api(tenant_a, w):
    hr = ApiClient(tenant_a, w.hr.user)
    r = hr.post(f"{URL}/payrolls", {"year": 2026, "month": 3})
    assert r.status_code == 201
    period = r.json()
    assert D(period["total_net"]) == D(44_630_000)
    assert hr.post(f"{URL}/payrolls", {"year": 2026, "month": 13}).status_code == 422
    assert hr.post(f"{URL}/payrolls", {"year": 2025, "month": 3}).status_code == 400  # no 2025 rows
    lines = hr.get(f"{URL}/payrolls/{period['id']}/lines").json()
    assert {ln["employee_code"]: D(ln["net"]) for ln in lines} == {
        w.alice.code: D(17_780_000),
        w.bob.code: D(26_850_000),
    }
    register = hr.get(f"{URL}/payrolls/{period['id']}/register").json()
    assert D(register["totals"]["net"]) == D(44_630_000)
    xlsx = hr.get(f"{URL}/payrolls/{period['id']}/register", {"format": "xlsx"})
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    me = ApiClient(tenant_a, w.employee_user)
    assert me.get(f"{URL}/payslips").json() == []  # not approved yet
    assert hr.post(f"{URL}/payrolls/{period['id']}/approve").json()["status"] == "approved"
    assert hr.post(f"{URL}/payrolls/{period['id']}/approve").status_code == 400
    slips = me.get(f"{URL}/payslips").json()
    assert [(s["employee_id"], D(s["pit"])) for s in slips] == [(w.alice.pk, D(120_000))]
    bob_line = next(ln["id"] for ln in lines if ln["employee_id"] == w.bob.pk)
    assert me.get(f"{URL}/payslips/{bob_line}").status_code == 404
    assert me.get(f"{URL}/payslips/{slips[0]['id']}").status_code == 200
    assert hr.get(f"{URL}/payslips/{bob_line}").status_code == 200


def test_rules_are_listed_with_their_sources(tenant_a, w):
    rules = ApiClient(tenant_a, w.hr.user).get(f"{URL}/rules").json()
    wages = {r["region"]: D(r["value"]) for r in rules["rates"] if r["key"] == "minimum_wage"}
    assert wages == {"I": D(5_310_000), "II": D(4_730_000), "III": D(4_140_000), "IV": D(3_700_000)}
    assert [D(b["rate"]) for b in rules["brackets"]] == [D(5), D(10), D(20), D(30), D(35)]
    assert any(not r["confirmed"] for r in rules["rates"])
