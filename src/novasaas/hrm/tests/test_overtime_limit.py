"""The yearly overtime limit is a company setting (Labour Code 2019 art. 107): 200 hours, or 300 hours
for the listed sectors, set by the HR Manager on the work schedules page or the API (audited); other
roles may not; each company has its own. Clock pinned to Monday 20 July 2026 in Hanoi."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError

from novasaas.hrm import attendance
from novasaas.hrm.models import Attendance, HrmSettings
from novasaas.hrm.tests.helpers import world
from novasaas.platform.models import AuditLog
from novasaas.platform.tenancy import tenant_context
from novasaas.platform.testing.fixtures import ApiClient, admin_of, web_client

URL = "/api/v1/hrm"
HCM = ZoneInfo("Asia/Ho_Chi_Minh")


@pytest.fixture
def w(tenant_a):
    with time_machine.travel(dt.datetime(2026, 7, 20, 9, 0, tzinfo=HCM), tick=False):
        with tenant_context(tenant_a):
            w = world(tenant_a)
            # 40 confirmed overtime hours in each month from January to May: 200 hours this year
            for month in range(1, 6):
                Attendance.objects.create(
                    employee=w.alice, date=dt.date(2026, month, 14), check_in=dt.time(8),
                    check_out=dt.time(17), worked_minutes=480 + 2400, overtime_minutes=2400,
                    overtime_status="confirmed", source="manual",
                )  # fmt: skip
        yield w


def _overtime_day(w):
    # Monday 15 June 2026, 08:00–19:00: 10 h worked after the 1 h break, 2 h overtime
    return attendance.record_attendance(
        w.hr, employee_id=w.alice.pk, date="2026-06-15", check_in="08:00", check_out="19:00"
    )


def test_the_200_hour_limit_by_default_then_300_for_a_listed_sector(tenant_a, w):
    with tenant_context(tenant_a):
        assert attendance.year_overtime_limit(tenant_a.pk) == 200
        with pytest.raises(ValidationError) as err:
            _overtime_day(w)
        assert "200" in str(err.value)
        assert not Attendance.objects.filter(date="2026-06-15").exists()
    web = web_client(tenant_a, w.hr.user)
    assert web.post("/hrm/schedules/", {"action": "settings", "overtime_year_limit": "250"}).status_code == 400
    r = web.post("/hrm/schedules/", {"action": "settings", "overtime_year_limit": "300"})
    assert r.status_code == 302
    assert 'value="300" selected' in web.get("/hrm/schedules/").content.decode()
    with tenant_context(tenant_a):
        assert _overtime_day(w).overtime_minutes == 120
        assert AuditLog.objects.filter(object_type__icontains="hrmsettings").exists()


def test_settings_through_the_api_roles_and_isolation(tenant_a, tenant_b, w):
    api = ApiClient(tenant_a, w.hr.user)
    assert api.get(f"{URL}/settings").json() == {"overtime_year_limit": 200}
    assert api.put(f"{URL}/settings", {"overtime_year_limit": 250}).status_code == 422
    assert api.put(f"{URL}/settings", {"overtime_year_limit": 300}).json() == {"overtime_year_limit": 300}
    other = admin_of(tenant_b)
    assert ApiClient(tenant_b, other).get(f"{URL}/settings").json() == {"overtime_year_limit": 200}
    for user in (w.employee_user, w.manager.user):
        assert ApiClient(tenant_a, user).put(f"{URL}/settings", {"overtime_year_limit": 200}).status_code == 403
        assert web_client(tenant_a, user).post("/hrm/schedules/", {"action": "settings"}).status_code == 403
    with tenant_context(tenant_a):
        assert HrmSettings.objects.get().overtime_year_limit == 300
