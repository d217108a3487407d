"""PM → HRM (§11.3): a project manager's approval of a week turns its hours into the person's attendance
when the tenant has HRM: working days without a record only, capped at the schedule's day (never
overtime), rest days and days already recorded left alone; nothing without HRM or without an employee."""

from __future__ import annotations

import datetime as dt

from novasaas.hrm import actions as hrm_actions
from novasaas.hrm import attendance
from novasaas.hrm.models import Attendance, Employee
from novasaas.platform.tenancy import tenant_context
from novasaas.platform.testing.fixtures import ApiClient, create_tenant
from novasaas.projects import timesheets
from novasaas.projects.tests.helpers import principal, world


def _employee_of(tenant, user, monday):
    hr = principal(tenant, "hr_manager")
    dept = hrm_actions.save_department(hr, code="DV", name="Dịch vụ")
    hrm_actions.create_employee(
        hr, full_name="Lê Văn Dev", department_id=dept.pk, hired_on=monday - dt.timedelta(days=60), user_id=user.pk
    )
    return hr


def _approve(w, monday, hours):
    sheet = None
    for day, h in hours.items():
        sheet = timesheets.log_time(w.dev, task_id=w.task.pk, date=monday + dt.timedelta(days=day), hours=h).timesheet
    timesheets.submit_timesheet(w.dev, sheet.pk)
    timesheets.approve_timesheet(w.pm, sheet.pk)


def test_approved_hours_become_attendance(tenant_a, monday):
    with tenant_context(tenant_a):
        w = world(tenant_a)
        hr = _employee_of(tenant_a, w.dev.user, monday)
        employee_id = Employee.objects.get(user=w.dev.user).pk
        # Tuesday is already recorded by HR (08:00–12:00): it stays as it is
        attendance.record_attendance(
            hr, employee_id=employee_id, date=monday + dt.timedelta(days=1), check_in="08:00", check_out="12:00"
        )
        # Monday 8 h, Tuesday 3 h, Wednesday 10 h (capped at the 8 h day), Thursday 2 h, Saturday 4 h (rest day)
        _approve(w, monday, {0: "8", 1: "3", 2: "10", 3: "2", 5: "4"})
        rows = {
            (r.date - monday).days: (r.check_in, r.check_out, r.worked_minutes, r.overtime_minutes, r.source)
            for r in Attendance.objects.all()
        }
    assert rows == {
        0: (dt.time(8), dt.time(17), 480, 0, "manual"),
        1: (dt.time(8), dt.time(12), 240, 0, "manual"),
        2: (dt.time(8), dt.time(17), 480, 0, "manual"),
        3: (dt.time(8), dt.time(10), 120, 0, "manual"),
    }
    # the employee sees their days in HRM (API), the note naming the project
    items = ApiClient(tenant_a, w.dev.user).get("/api/v1/hrm/attendance").json()["items"]
    assert sorted(i["date"] for i in items) == [(monday + dt.timedelta(days=k)).isoformat() for k in range(4)]
    assert [i["note"] for i in items if i["date"] == monday.isoformat()] == ["Giờ dự án P01 (bảng chấm công đã duyệt)"]


def test_no_attendance_without_hrm_or_without_an_employee(db, tenant_a, monday):
    tenant = create_tenant(modules=["PM"])
    with tenant_context(tenant):
        w = world(tenant)
        _approve(w, monday, {0: "8"})
        assert w.project.timesheets.get().status == "approved"
        assert not Attendance.objects.exists()
    with tenant_context(tenant_a):  # HRM on, but the member is not linked to an employee
        w = world(tenant_a)
        _approve(w, monday, {0: "8"})
        assert not Attendance.objects.exists()
