"""The month's raw attendance rows as Excel/PDF (page button) and through the API, for the days the
caller may see: HR everyone, an employee their own; another company's rows never. Clock pinned to
Monday 20 April 2026 in Hanoi."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from zoneinfo import ZoneInfo

import openpyxl
import pytest
import time_machine

from novasaas.hrm import attendance
from novasaas.hrm.tests.helpers import world
from novasaas.platform.tenancy import tenant_context
from novasaas.platform.testing.fixtures import ApiClient, admin_of, web_client

URL = "/api/v1/hrm"
HCM = ZoneInfo("Asia/Ho_Chi_Minh")
D = Decimal


@pytest.fixture
def w(tenant_a):
    with time_machine.travel(dt.datetime(2026, 4, 20, 9, 0, tzinfo=HCM), tick=False):
        with tenant_context(tenant_a):
            w = world(tenant_a)
            for employee, out in ((w.alice, "19:00"), (w.bob, "17:00")):
                attendance.record_attendance(
                    w.hr, employee_id=employee.pk, date="2026-03-02", check_in="08:00", check_out=out, note="máy"
                )
        yield w


def test_hr_exports_every_row_the_employee_only_their_own(tenant_a, tenant_b, w):
    api = ApiClient(tenant_a, w.hr.user)
    body = api.get(f"{URL}/attendance-list", {"year": 2026, "month": 3}).json()
    rows = {r["name"]: r for r in body["rows"]}
    assert set(rows) == {"Nguyễn Thị Alice", "Trần Văn Bob"}
    # Alice 08:00–19:00: 10 h worked after the 1 h break, 2 h overtime; Bob 8 h
    assert (rows["Nguyễn Thị Alice"]["check_out"], D(str(rows["Nguyễn Thị Alice"]["overtime"]))) == ("19:00", D(2))
    assert D(str(body["totals"]["worked"])) == D(18)
    r = web_client(tenant_a, w.hr.user).get("/hrm/attendance.xlsx?year=2026&month=3")
    assert r.status_code == 200 and r["Content-Disposition"].endswith('cham-cong-2026-03.xlsx"')
    sheet = openpyxl.load_workbook(io.BytesIO(r.content)).active
    assert {row[2] for row in sheet.iter_rows(min_row=2, values_only=True)} >= {"Nguyễn Thị Alice", "Trần Văn Bob"}
    mine = ApiClient(tenant_a, w.employee_user).get(f"{URL}/attendance-list", {"year": 2026, "month": 3}).json()
    assert [r["name"] for r in mine["rows"]] == ["Nguyễn Thị Alice"]
    other = ApiClient(tenant_b, admin_of(tenant_b)).get(f"{URL}/attendance-list", {"year": 2026, "month": 3}).json()
    assert other["rows"] == []
    assert api.get(f"{URL}/attendance-list", {"year": 2026, "month": 13}).status_code == 400
    assert web_client(tenant_a, w.hr.user).get("/hrm/attendance.exe?year=2026&month=3").status_code == 404
