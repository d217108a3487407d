"""Employee self-service page (/hrm/me/): own record and contract, today's check-in/out, the month's
attendance, leave balances and requests, the latest payslips — only the employee's own; a member without
an employee record is told to ask HR. The clock is pinned to Monday 20 April 2026, 09:00 in Hanoi."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from novasaas.hrm import payroll
from novasaas.hrm.tests.helpers import world
from novasaas.platform.tenancy import tenant_context
from novasaas.platform.testing.fixtures import web_client

HCM = ZoneInfo("Asia/Ho_Chi_Minh")


@pytest.fixture
def w(tenant_a):
    with time_machine.travel(dt.datetime(2026, 4, 20, 9, 0, tzinfo=HCM), tick=False):
        with tenant_context(tenant_a):
            w = world(tenant_a)
            payroll.approve_payroll(w.hr, payroll.generate_payroll(w.hr, 2026, 3).pk)
        yield w


def test_the_employee_sees_their_own_hr_page_and_checks_in_from_it(tenant_a, w):
    web = web_client(tenant_a, w.employee_user)
    assert web.get("/hrm/").url.endswith("/hrm/me/")
    page = web.get("/hrm/me/").content.decode()
    assert "Nguyễn Thị Alice" in page and "Trần Văn Bob" not in page
    assert "03/2026" in page and "17.780.000" in page  # the approved March payslip, net
    assert "Nghỉ phép năm" in page  # the leave balance
    assert "Chưa chấm công vào." in page and 'id="my-check-in-out"' in page
    r = web.post("/hrm/attendance/", {"action": "check", "next": "me"})
    assert r.status_code == 302 and r.url.endswith("/hrm/me/")
    page = web.get("/hrm/me/").content.decode()
    assert "Giờ vào: 09:00" in page and "20/04/2026" in page


def test_a_member_without_an_employee_record_is_told_to_ask_hr(tenant_a, w):
    page = web_client(tenant_a, w.manager.user).get("/hrm/me/").content.decode()
    assert "hãy liên hệ phòng nhân sự" in page
    assert "Nguyễn Thị Alice" not in page
