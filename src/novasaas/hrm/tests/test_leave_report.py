"""Leave balances report: per employee and leave type with a yearly entitlement — HR Manager and HR
Staff see everyone, a department manager their team, an employee is refused; page, Excel, API; another
company's balances never. Clock pinned to Monday 20 April 2026 in Hanoi."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from novasaas.hrm import leave
from novasaas.hrm.models import LeaveType
from novasaas.hrm.tests.helpers import world
from novasaas.identity.access import principal_for
from novasaas.identity.models import Membership
from novasaas.platform.tenancy import tenant_context
from novasaas.platform.testing.fixtures import ApiClient, admin_of, create_user, web_client

URL = "/api/v1/hrm"
HCM = ZoneInfo("Asia/Ho_Chi_Minh")


@pytest.fixture
def w(tenant_a):
    with time_machine.travel(dt.datetime(2026, 4, 20, 9, 0, tzinfo=HCM), tick=False):
        with tenant_context(tenant_a):
            w = world(tenant_a)
            w.staff = create_user(tenant_a, "hr_staff")  # type: ignore[attr-defined]
            alice = principal_for(Membership.objects.select_related("tenant", "user").get(user=w.employee_user))
            annual = LeaveType.objects.get(code="PN")
            leave.request_leave(alice, leave_type_id=annual.pk, start_date="2026-05-04", end_date="2026-05-05")
        yield w


def _annual(rows, name):
    return next(r for r in rows if r["name"] == name and r["type"] == "Nghỉ phép năm")


def test_balances_per_role(tenant_a, tenant_b, w):
    body = ApiClient(tenant_a, w.hr.user).get(f"{URL}/leave-balance-report", {"year": 2026}).json()
    alice = _annual(body["rows"], "Nguyễn Thị Alice")
    # hired 5 January 2026: 12 days for the year, 4 months earned by April, 2 days requested
    assert (alice["entitled"], alice["earned"], alice["used"], alice["left"]) == (12, 4, 2, 10)
    assert _annual(body["rows"], "Trần Văn Bob")["left"] == 12
    staff = ApiClient(tenant_a, w.staff).get(f"{URL}/leave-balance-report", {"year": 2026}).json()
    assert {r["name"] for r in staff["rows"]} == {"Nguyễn Thị Alice", "Trần Văn Bob"}
    team = ApiClient(tenant_a, w.manager.user).get(f"{URL}/leave-balance-report", {"year": 2026}).json()
    assert {r["name"] for r in team["rows"]} == {"Trần Văn Bob"}
    assert ApiClient(tenant_a, w.employee_user).get(f"{URL}/leave-balance-report", {"year": 2026}).status_code == 403
    assert web_client(tenant_a, w.employee_user).get("/hrm/leave/balances/").status_code == 403
    other = ApiClient(tenant_b, admin_of(tenant_b)).get(f"{URL}/leave-balance-report", {"year": 2026}).json()
    assert other["rows"] == []
    web = web_client(tenant_a, w.hr.user)
    r = web.get("/hrm/leave/balances/?year=2026")
    assert r.status_code == 200 and "Nguyễn Thị Alice" in r.content.decode()
    r = web.get("/hrm/leave/balances.xlsx?year=2026")
    assert r.status_code == 200 and r["Content-Disposition"].endswith('so-du-phep-2026.xlsx"')
    assert web.get("/hrm/leave/balances/?year=1").status_code == 404
