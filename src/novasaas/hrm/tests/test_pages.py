"""The HRM pages (CSRF enforced): HR Manager hires, signs, runs and approves a payroll month; the
employee reads their own payslip (another's is 404); refused input is a 400 page with nothing written."""

from __future__ import annotations

from decimal import Decimal

import pytest

from novasaas.hrm.models import Contract, Department, Employee, PayrollLine, PayrollPeriod
from novasaas.hrm.tests.helpers import world
from novasaas.platform.tenancy import tenant_context
from novasaas.platform.testing.fixtures import create_user, web_client
from novasaas.platform.testing.html import body_rows

D = Decimal


@pytest.fixture
def w(tenant_a):
    with tenant_context(tenant_a):
        return world(tenant_a)


def test_hr_manager_works_through_the_pages(tenant_a, w):
    web = web_client(tenant_a, w.hr.user)
    assert web.get("/hrm/").status_code == 302
    r = web.post("/hrm/departments/", {"code": "SX", "name": "Sản xuất", "cost_account": "154"})
    assert r.status_code == 302
    assert web.post("/hrm/departments/", {"code": "SX", "name": "Trùng", "cost_account": "154"}).status_code == 400
    assert "Sản xuất" in web.get("/hrm/departments/").content.decode()
    assert web.post("/hrm/positions/", {"code": "CN", "name": "Công nhân"}).status_code == 302
    with tenant_context(tenant_a):
        dept = Department.objects.get(code="SX")
    r = web.post(
        "/hrm/employees/new/",
        {"full_name": "Đỗ Thị Hoa", "department_id": dept.pk, "hired_on": "2026-02-02", "region": "II"},
    )
    assert r.status_code == 302, r.content.decode()[:3000]
    with tenant_context(tenant_a):
        emp = Employee.objects.get(full_name="Đỗ Thị Hoa")
    assert "Đỗ Thị Hoa" in web.get("/hrm/employees/").content.decode()
    bad = {
        "kind": "fixed",
        "start_date": "2026-02-02",
        "end_date": "2030-01-01",
        "salary": "9000000",
        "salary_basis": "gross",
    }
    r = web.post(f"/hrm/employees/{emp.pk}/contracts/new/", bad)
    assert r.status_code == 400 and "36" in r.content.decode()
    good = {**bad, "kind": "indefinite", "end_date": "", "allowance_kind": "meal", "allowance_amount": "730000"}
    assert web.post(f"/hrm/employees/{emp.pk}/contracts/new/", good).status_code == 302
    r = web.post(
        f"/hrm/employees/{emp.pk}/dependants/",
        {"full_name": "Con", "relationship": "Con", "registered_from": "2026-02-02"},
    )
    assert r.status_code == 302
    page = web.get(f"/hrm/employees/{emp.pk}/").content.decode()
    assert "HDLD-2026-" in page and "Con" in page
    with tenant_context(tenant_a):
        contract = Contract.objects.get(employee=emp)
    r = web.post(f"/hrm/contracts/{contract.pk}/terminate/", {"terminated_on": "2026-12-31", "reason": "Hết việc"})
    assert r.status_code == 302
    r = web.post("/hrm/payroll/", {"year": "2026", "month": "3"})
    assert r.status_code == 302
    with tenant_context(tenant_a):
        period = PayrollPeriod.objects.get()
    page = web.get(f"/hrm/payroll/{period.pk}/")
    rows = body_rows(page.content)
    assert len(rows) == 3  # Alice, Bob, Hoa
    assert web.get(f"/hrm/payroll/{period.pk}/register.xlsx").content[:2] == b"PK"
    assert web.get(f"/hrm/payroll/{period.pk}/register.csv").status_code == 404
    assert web.post(f"/hrm/payroll/{period.pk}/approve/").status_code == 302
    with tenant_context(tenant_a):
        assert PayrollPeriod.objects.get().status == "approved"
    assert "5.310.000" in web.get("/hrm/rules/").content.decode()


def test_employee_sees_only_their_own_payslip(tenant_a, w):
    from novasaas.hrm import payroll

    with tenant_context(tenant_a):
        period = payroll.generate_payroll(w.hr, 2026, 3)
        payroll.approve_payroll(w.hr, period.pk)
        mine = PayrollLine.objects.get(employee=w.alice)
        other = PayrollLine.objects.get(employee=w.bob)
    web = web_client(tenant_a, w.employee_user)
    assert web.get("/hrm/").url.endswith("/hrm/me/")
    page = web.get("/hrm/payslips/").content.decode()
    assert "03/2026" in page
    page = web.get(f"/hrm/payslips/{mine.pk}/").content.decode()
    assert "17.780.000" in page
    assert web.get(f"/hrm/payslips/{other.pk}/").status_code == 404
    assert web.get(f"/hrm/payslips/{other.pk}/pdf/").status_code == 404
    assert web.get(f"/hrm/employees/{w.bob.pk}/").status_code == 404
    assert web.get(f"/hrm/employees/{w.alice.pk}/").status_code == 200
    for path in (
        "/hrm/employees/",
        "/hrm/payroll/",
        "/hrm/rules/",
        "/hrm/employees/new/",
        f"/hrm/payroll/{period.pk}/",
    ):
        assert web.get(path).status_code == 403, path


def test_hr_staff_and_manager_pages(tenant_a, w):
    staff = web_client(tenant_a, create_user(tenant_a, "hr_staff"))
    assert staff.get("/hrm/employees/").status_code == 200
    assert staff.get("/hrm/employees/new/").status_code == 403
    r = staff.post(f"/hrm/employees/{w.alice.pk}/edit/", {"phone": "0909", "email": "a@b.vn"})
    assert r.status_code == 302
    with tenant_context(tenant_a):
        assert Employee.objects.get(pk=w.alice.pk).phone == "0909"
    manager = web_client(tenant_a, w.manager.user)
    page = manager.get("/hrm/employees/").content.decode()
    assert w.bob.full_name in page and w.alice.full_name not in page
    assert manager.get("/hrm/departments/").status_code == 200
    assert manager.post("/hrm/departments/", {"code": "Y", "name": "Y", "cost_account": "154"}).status_code == 403


def test_employee_list_has_no_n_plus_1(tenant_a, w, django_assert_max_num_queries):
    from novasaas.hrm import actions

    with tenant_context(tenant_a):
        pos = actions.save_position(w.hr, code="NV", name="Nhân viên")
        for i in range(15):
            actions.create_employee(
                w.hr, full_name=f"NV {i}", department_id=w.office.pk, position_id=pos.pk, hired_on="2026-01-01"
            )
    web = web_client(tenant_a, w.hr.user)
    web.get("/hrm/employees/")
    with django_assert_max_num_queries(25):
        assert web.get("/hrm/employees/").status_code == 200
