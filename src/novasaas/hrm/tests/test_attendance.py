"""Time and pay: attendance (time-clock import with numbered refusals, manual entry, web check-in/out,
adjustment audited), overtime confirmed by the department's manager and paid at the Labour Code rates,
unpaid leave reducing the month's pay, leave accrual with seniority and holidays; the bank transfer file
and the payslip emails of an approved month. Figures are worked by hand in the comments.

The clock is pinned to Monday 20 April 2026 (attendance refuses future days; the figures are of
March 2026, 22 working days), so nothing depends on the day the tests run."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail

from novasaas.hrm import actions, leave, payroll
from novasaas.hrm.models import Attendance, LeaveType, PayrollLine, PayrollPeriod
from novasaas.hrm.tests.helpers import world
from novasaas.identity.access import principal_for
from novasaas.identity.models import Membership
from novasaas.platform.events import deliver_pending
from novasaas.platform.models import AuditLog
from novasaas.platform.tenancy import tenant_context
from novasaas.platform.testing.fixtures import ApiClient, create_user, web_client

URL = "/api/v1/hrm"
D = Decimal
HCM = ZoneInfo("Asia/Ho_Chi_Minh")
MARCH_WEEKDAYS = [dt.date(2026, 3, d) for d in range(1, 32) if dt.date(2026, 3, d).weekday() < 5]


@pytest.fixture
def clock():
    with time_machine.travel(dt.datetime(2026, 4, 20, 9, 0, tzinfo=HCM), tick=False) as traveller:
        yield traveller


def _me(user):
    return principal_for(Membership.objects.select_related("tenant", "user").get(user=user))


@pytest.fixture
def w(clock, tenant_a):
    with tenant_context(tenant_a):
        w = world(tenant_a)
        w.bob.user = create_user(tenant_a, "employee")
        w.bob.save(update_fields=["user"])
        w.staff = create_user(tenant_a, "hr_staff")  # type: ignore[attr-defined]
        return w


def _upload(api, rows, name="may-cham-cong.csv"):
    text = "\n".join(",".join(r) for r in rows)
    buf = io.BytesIO(text.encode())
    buf.name = name
    return api.client.post(f"{URL}/attendance/import", {"file": buf}, HTTP_AUTHORIZATION=f"Bearer {api.token}")


def _line(tenant, period, employee):
    with tenant_context(tenant):
        return PayrollLine.objects.get(period_id=period, employee=employee)


def test_unpaid_leave_reduces_the_months_pay(tenant_a, w):
    with tenant_context(tenant_a):
        alice = _me(w.employee_user)
        unpaid = LeaveType.objects.get(code="KL")
        req = leave.request_leave(alice, leave_type_id=unpaid.pk, start_date="2026-03-09", end_date="2026-03-10")
        leave.decide_leave(w.hr, req.pk, True)  # HC has no manager: HR decides at once
        period = payroll.generate_payroll(w.hr, 2026, 3)
    ln = _line(tenant_a, period.pk, w.alice)
    # 20,000,000 × 20 / 22 = 18,181,818.18 → 18,181,818; insurance on it: 8 % 1,454,545.44 → 1,454,545,
    # 1.5 % 272,727.27 → 272,727, 1 % 181,818.18 → 181,818 (1,909,090); taxable 16,272,728; taxed
    # 772,728 × 5 % = 38,636.4 → 38,636; net 18,181,818 − 1,909,090 − 38,636 = 16,234,092
    assert (ln.work_days, ln.paid_days, ln.unpaid_days) == (22, 20, 2)
    assert ln.base_salary == D(18_181_818)
    assert (ln.employee_bhxh, ln.employee_bhyt, ln.employee_bhtn) == (D(1_454_545), D(272_727), D(181_818))
    assert (ln.taxable_income, ln.pit, ln.net) == (D(16_272_728), D(38_636), D(16_234_092))
    bob = _line(tenant_a, period.pk, w.bob)
    assert (bob.paid_days, bob.unpaid_days, bob.gross) == (22, 0, D(30_000_000))


def test_time_clock_import_overtime_confirmed_by_the_manager_and_paid(tenant_a, w):
    staff = ApiClient(tenant_a, w.staff)
    rows = [["Mã NV", "Ngày", "Giờ vào", "Giờ ra"]]
    for day in MARCH_WEEKDAYS:
        rows.append([w.bob.code, f"{day:%d/%m/%Y}", "08:00", "19:00" if day.day == 10 else "17:00"])
    rows.append([w.bob.code, "14/03/2026", "08:00", "12:00"])  # a Saturday: 4 h at 200 %
    r = _upload(staff, rows)
    assert r.status_code == 200, r.json()
    assert r.json() == {"created": 23}
    manager = ApiClient(tenant_a, w.manager.user)
    records = manager.get(f"{URL}/attendance", {"year": 2026, "month": 3, "limit": 100}).json()
    assert records["count"] == 23  # the team's days
    assert ApiClient(tenant_a, w.employee_user).get(f"{URL}/attendance").json()["count"] == 0
    pending = [x for x in records["items"] if x["overtime_status"] == "pending"]
    assert sorted((x["date"], x["overtime_minutes"]) for x in pending) == [("2026-03-10", 120), ("2026-03-14", 240)]
    bob = ApiClient(tenant_a, w.bob.user)
    assert bob.post(f"{URL}/attendance/{pending[0]['id']}/overtime", {"confirm": True}).status_code == 403
    for x in pending:
        r = manager.post(f"{URL}/attendance/{x['id']}/overtime", {"confirm": True})
        assert r.status_code == 200 and r.json()["overtime_status"] == "confirmed"
    assert manager.post(f"{URL}/attendance/{pending[0]['id']}/overtime", {"confirm": False}).status_code == 400
    sheet = manager.get(f"{URL}/timesheets", {"year": 2026, "month": 3}).json()
    (row,) = [x for x in sheet["rows"] if x["code"] == w.bob.code]  # the manager sees their team only
    assert (row["standard_days"], row["worked_days"], row["paid_days"], row["unpaid_days"]) == (22, 22, 22, 0)
    assert D(row["overtime_hours"]) == 6
    hr = ApiClient(tenant_a, w.hr.user)
    period = hr.post(f"{URL}/payrolls", {"year": 2026, "month": 3}).json()
    ln = _line(tenant_a, period["id"], w.bob)
    # 30,000,000 over 22 × 8 h: (2 h × 150 % + 4 h × 200 %) = 30,000,000 × 66,000 / 1,056,000 = 1,875,000;
    # at the normal rate 6 h = 1,022,727.27 → 1,022,727, so 852,273 is PIT-exempt; insurance stays on
    # 30,000,000 (3,150,000); taxable 30,000,000 + 1,022,727 − 3,150,000 = 27,872,727 < 27,900,000
    # (family deductions with two dependants): no PIT; net 31,875,000 − 3,150,000 = 28,725,000
    assert (ln.overtime_minutes, ln.overtime_pay, ln.overtime_exempt) == (360, D(1_875_000), D(852_273))
    assert (ln.gross, ln.employee_insurance, ln.taxable_income) == (D(31_875_000), D(3_150_000), D(27_872_727))
    assert (ln.pit, ln.net) == (D(0), D(28_725_000))
    alice = _line(tenant_a, period["id"], w.alice)  # no attendance recorded: the contract's month
    assert (alice.paid_days, alice.gross) == (22, D(20_000_000))
    lines = hr.get(f"{URL}/payrolls/{period['id']}/lines").json()
    assert {x["employee_code"]: x["overtime_pay"] for x in lines}[w.bob.code] in ("1875000", "1875000.00")
    # the month is approved: its attendance is closed
    assert hr.post(f"{URL}/payrolls/{period['id']}/approve").status_code == 200
    r = hr.post(f"{URL}/attendance", {"employee_id": w.bob.pk, "date": "2026-03-16", "check_in": "08:00",
                                      "check_out": "17:00"})  # fmt: skip
    assert r.status_code == 400


def test_import_refuses_the_whole_file_with_numbered_lines(tenant_a, w):
    staff = ApiClient(tenant_a, w.staff)
    rows = [
        ["Mã NV", "Ngày", "Giờ vào", "Giờ ra", "Ghi chú"],
        ["NV9999", "02/03/2026", "08:00", "17:00", ""],  # 2 unknown employee
        [w.bob.code, "31/02/2026", "08:00", "17:00", ""],  # 3 no such day
        [w.bob.code, "02/03/2026", "08:00", "17:00", "ok"],  # 4
        [w.bob.code, "02/03/2026", "08:00", "17:00", ""],  # 5 twice
        [w.bob.code, "03/03/2026", "08:00", "23:00", ""],  # 6 overtime beyond half a day
        [w.bob.code, "04/05/2026", "08:00", "17:00", ""],  # 7 a future day
        [w.bob.code, "05/03/2026", "8h", "17:00", ""],  # 8 not a time
    ]
    r = _upload(staff, rows)
    assert r.status_code == 400
    assert [e["line"] for e in r.json()["errors"]] == [2, 3, 5, 6, 7, 8]
    with tenant_context(tenant_a):
        assert Attendance.objects.count() == 0
    r = _upload(staff, [["Ngày", "Giờ vào"], ["02/03/2026", "08:00"]])
    assert r.status_code == 400 and r.json()["errors"][0]["line"] == 1
    assert _upload(ApiClient(tenant_a, w.employee_user), rows[:2]).status_code == 403
    # the page: same refusal, listed on the form
    web = web_client(tenant_a, w.staff)
    buf = io.BytesIO("\n".join(",".join(x) for x in rows[:3]).encode())
    buf.name = "x.csv"
    page = web.post("/hrm/attendance/", {"action": "import", "file": buf})
    assert page.status_code == 400 and "NV9999" in page.content.decode()


def test_entry_limits_adjustment_and_roles(tenant_a, w):
    hr = ApiClient(tenant_a, w.hr.user)

    def enter(api, day, out="21:00"):
        return api.post(f"{URL}/attendance", {"employee_id": w.bob.pk, "date": day, "check_in": "08:00",
                                              "check_out": out})  # fmt: skip

    # 08:00–21:00: 12 h less the break = 4 h of overtime a day; ten days make the month's 40 h
    for day in MARCH_WEEKDAYS[:10]:
        assert enter(hr, day.isoformat()).status_code == 201
    r = enter(hr, MARCH_WEEKDAYS[10].isoformat())
    assert r.status_code == 400 and "40" in str(r.json()["detail"])
    assert enter(hr, MARCH_WEEKDAYS[10].isoformat(), "17:00").status_code == 201
    assert enter(hr, MARCH_WEEKDAYS[10].isoformat(), "17:00").status_code == 400  # the day is recorded
    assert enter(ApiClient(tenant_a, w.staff), MARCH_WEEKDAYS[11].isoformat(), "17:00").status_code == 201
    assert enter(ApiClient(tenant_a, w.bob.user), MARCH_WEEKDAYS[12].isoformat()).status_code == 403
    assert enter(ApiClient(tenant_a, w.manager.user), MARCH_WEEKDAYS[12].isoformat()).status_code == 403
    first = hr.get(f"{URL}/attendance", {"employee_id": w.bob.pk, "limit": 100}).json()["items"][-1]
    assert first["date"] == "2026-03-02" and first["overtime_minutes"] == 240
    # adjusting: HR Manager only, with a reason, audited
    body = {"check_in": "08:00", "check_out": "18:00", "reason": "Quên quẹt thẻ"}
    assert ApiClient(tenant_a, w.staff).patch(f"{URL}/attendance/{first['id']}", body).status_code == 403
    assert hr.patch(f"{URL}/attendance/{first['id']}", {**body, "reason": ""}).status_code == 422
    r = hr.patch(f"{URL}/attendance/{first['id']}", body)
    assert r.status_code == 200 and (r.json()["overtime_minutes"], r.json()["overtime_status"]) == (60, "pending")
    with tenant_context(tenant_a):
        entry = AuditLog.objects.filter(tenant=tenant_a, object_type__icontains="attendance").order_by("-id").first()
        assert entry is not None and "Quên quẹt thẻ" in entry.message
    # a manager of another department sees neither Alice's days nor can confirm them
    alice_day = hr.post(f"{URL}/attendance", {"employee_id": w.alice.pk, "date": "2026-03-02", "check_in": "08:00",
                                              "check_out": "19:00"}).json()  # fmt: skip
    manager = ApiClient(tenant_a, w.manager.user)
    assert manager.post(f"{URL}/attendance/{alice_day['id']}/overtime", {"confirm": True}).status_code == 404
    assert hr.post(f"{URL}/attendance/{alice_day['id']}/overtime", {"confirm": False}).json()["overtime_status"] == (
        "rejected"
    )


def test_web_check_in_and_out(tenant_a, w, clock):
    alice = ApiClient(tenant_a, w.employee_user)
    r = alice.post(f"{URL}/attendance/check", REMOTE_ADDR="203.0.113.7")
    assert r.status_code == 201 and (r.json()["check_in"], r.json()["check_out"]) == ("09:00:00", None)
    assert r.json()["ip_address"] == "203.0.113.7" and r.json()["source"] == "web"
    clock.shift(dt.timedelta(hours=9, minutes=30))
    alice = ApiClient(tenant_a, w.employee_user)  # a fresh token: the first expired meanwhile
    r = alice.post(f"{URL}/attendance/check")
    assert r.status_code == 201 and r.json()["check_out"] == "18:30:00"
    assert (r.json()["worked_minutes"], r.json()["overtime_minutes"]) == (510, 30)
    assert alice.post(f"{URL}/attendance/check").status_code == 400
    assert ApiClient(tenant_a, w.manager.user).post(f"{URL}/attendance/check").status_code == 400  # no record
    web = web_client(tenant_a, w.bob.user)
    assert web.post("/hrm/attendance/", {"action": "check"}).status_code == 302
    with tenant_context(tenant_a):
        assert Attendance.objects.get(employee=w.bob).source == "web"


def test_leave_accrues_by_month_with_seniority_and_skips_holidays(tenant_a, w):
    with tenant_context(tenant_a):
        annual = LeaveType.objects.get(code="PN")
        assert annual.accrues
        late = actions.create_employee(w.hr, full_name="Mới Vào", department_id=w.office.pk, hired_on="2026-07-20")
        old = actions.create_employee(w.hr, full_name="Lâu Năm", department_id=w.office.pk, hired_on="2020-01-05")
        # hired after the 15th of July: August–December, 12 × 5 / 12 = 5 days
        assert leave.entitlement(late, annual, 2026) == 5
        # six years of service at the year's end: 12 + 1; earned by the end of March 13 × 3 / 12 = 3
        assert leave.entitlement(old, annual, 2026) == 13
        assert leave.entitlement(old, annual, 2026, dt.date(2026, 3, 31)) == 3
        (b,) = [b for b in leave.balances(old, 2026, dt.date(2026, 3, 31)) if b["type"].code == "PN"]
        assert (b["entitled"], b["earned"], b["left"]) == (13, 3, 13)
        # 27/4 (compensatory day) and 30/4, 1/5 are holidays: the week holds 2 days of leave
        alice = _me(w.employee_user)
        req = leave.request_leave(alice, leave_type_id=annual.pk, start_date="2026-04-27", end_date="2026-05-01")
        assert req.days == 2
    page = web_client(tenant_a, w.hr.user).get("/hrm/leave/calendar/", {"year": 2026, "month": 4}).content.decode()
    assert w.alice.full_name in page and "PN?" in page


def test_bank_file_and_payslip_emails_of_an_approved_month(tenant_a, w, unicode_font):
    hr = ApiClient(tenant_a, w.hr.user)
    period = hr.post(f"{URL}/payrolls", {"year": 2026, "month": 3}).json()
    assert hr.get(f"{URL}/payrolls/{period['id']}/bank-transfers").status_code == 400  # a draft
    assert hr.post(f"{URL}/payrolls/{period['id']}/payslip-emails").status_code == 400
    hr.post(f"{URL}/payrolls/{period['id']}/approve")
    r = hr.get(f"{URL}/payrolls/{period['id']}/bank-transfers")
    assert r.status_code == 400 and w.alice.code in str(r.json()["detail"])  # no bank account yet
    for emp, account in ((w.alice, "0071000123456"), (w.bob, "19034567890123")):
        hr.patch(f"{URL}/employees/{emp.pk}", {"bank_account": account, "bank_name": "Vietcombank"})
    r = hr.get(f"{URL}/payrolls/{period['id']}/bank-file")
    assert r.status_code == 200 and r["Content-Type"].startswith("text/csv")
    lines = r.content.decode("utf-8-sig").splitlines()
    assert len(lines) == 3
    with tenant_context(tenant_a):
        nets = {ln.employee.code: ln.net for ln in PayrollLine.objects.filter(period_id=period["id"])}
        total = PayrollPeriod.objects.get(pk=period["id"]).total_net
    assert lines[1].split(",") == [
        "1", "0071000123456", "NGUYEN THI ALICE", "VIETCOMBANK", f"{nets[w.alice.code]:f}",
        f"LUONG THANG 03/2026 {w.alice.code}", w.alice.code,
    ]  # fmt: skip
    data = hr.get(f"{URL}/payrolls/{period['id']}/bank-transfers").json()
    assert D(data["totals"]["amount"]) == total == sum(nets.values())
    assert hr.get(f"{URL}/payrolls/{period['id']}/bank-transfers", {"format": "xlsx"}).status_code == 200
    assert hr.get(f"{URL}/payrolls/{period['id']}/bank-file", {"format": "csv"}).status_code == 422
    assert ApiClient(tenant_a, w.employee_user).get(f"{URL}/payrolls/{period['id']}/bank-transfers").status_code == 403
    web = web_client(tenant_a, w.hr.user)
    assert web.get(f"/hrm/payroll/{period['id']}/bank.csv").status_code == 200
    assert "bank.xlsx" in web.get(f"/hrm/payroll/{period['id']}/").content.decode()
    # payslip emails: through the outbox, one per employee, PDF attached, audited
    mail.outbox.clear()
    assert ApiClient(tenant_a, w.bob.user).post(f"{URL}/payrolls/{period['id']}/payslip-emails").status_code == 403
    r = hr.post(f"{URL}/payrolls/{period['id']}/payslip-emails")
    assert r.status_code == 200 and r.json() == {"queued": 2, "skipped": []}
    assert mail.outbox == []
    deliver_pending()
    deliver_pending()
    assert sorted(m.to[0] for m in mail.outbox) == sorted([w.employee_user.email, w.bob.user.email])
    for m in mail.outbox:
        ((name, content, mimetype),) = m.attachments
        assert name == "phieu-luong-2026-03.pdf" and mimetype == "application/pdf" and content[:4] == b"%PDF"
    with tenant_context(tenant_a):
        assert PayrollLine.objects.filter(period_id=period["id"], emailed_at__isnull=False).count() == 2
        assert AuditLog.objects.filter(tenant=tenant_a, message__startswith="payslips emailed: 2").exists()
    assert web.post(f"/hrm/payroll/{period['id']}/email/").status_code == 302


def test_time_pages_per_role(tenant_a, w):
    hr, staff = web_client(tenant_a, w.hr.user), web_client(tenant_a, w.staff)
    employee, manager = web_client(tenant_a, w.employee_user), web_client(tenant_a, w.manager.user)
    page = staff.get("/hrm/attendance/").content.decode()
    assert 'name="check_in"' in page and 'enctype="multipart/form-data"' in page
    r = staff.post("/hrm/attendance/", {"action": "enter", "employee_id": w.bob.pk, "date": "10/03/2026",
                                        "check_in": "08:00", "check_out": "19:00"})  # fmt: skip
    assert r.status_code == 302
    r = staff.post("/hrm/attendance/", {"action": "enter", "employee_id": w.bob.pk, "date": "10/03/2026",
                                        "check_in": "08:00", "check_out": "17:00"})  # fmt: skip
    assert r.status_code == 400
    page = employee.get("/hrm/attendance/").content.decode()
    assert 'name="check_in"' not in page and "check-in-out" in page
    with tenant_context(tenant_a):
        record = Attendance.objects.get(employee=w.bob)
    page = manager.get("/hrm/attendance/", {"year": 2026, "month": 3}).content.decode()
    assert f"/hrm/attendance/{record.pk}/overtime/confirm/" in page
    assert employee.post(f"/hrm/attendance/{record.pk}/overtime/confirm/").status_code == 403
    assert manager.post(f"/hrm/attendance/{record.pk}/overtime/confirm/").status_code == 302
    assert hr.get(f"/hrm/attendance/{record.pk}/adjust/").status_code == 200
    assert staff.get(f"/hrm/attendance/{record.pk}/adjust/").status_code == 403
    r = hr.post(f"/hrm/attendance/{record.pk}/adjust/", {"check_in": "08:00", "check_out": "17:00", "reason": ""})
    assert r.status_code == 400
    r = hr.post(
        f"/hrm/attendance/{record.pk}/adjust/", {"check_in": "08:00", "check_out": "17:00", "reason": "Sai giờ"}
    )
    assert r.status_code == 302
    assert hr.get("/hrm/timesheet/", {"year": 2026, "month": 3}).status_code == 200
    assert hr.get("/hrm/timesheet.xlsx", {"year": 2026, "month": 3}).status_code == 200
    assert employee.get("/hrm/timesheet/").status_code == 403
    assert "Giỗ Tổ" in employee.get("/hrm/holidays/").content.decode()
    assert employee.post("/hrm/holidays/", {"date": "02/01/2026", "name": "x"}).status_code == 403
    assert hr.post("/hrm/holidays/", {"date": "02/01/2026", "name": "Nghỉ thêm"}).status_code == 302
    assert hr.post("/hrm/holidays/", {"date": "02/01/2026", "name": "Nghỉ thêm"}).status_code == 400
    assert employee.get("/hrm/schedules/").status_code == 403
    r = hr.post("/hrm/schedules/", {"code": "T7", "name": "T2–T7", "start_time": "08:00", "end_time": "12:00",
                                    "break_minutes": "0", "saturday": "on"})  # fmt: skip
    assert r.status_code == 302
    api = ApiClient(tenant_a, w.hr.user)
    schedules = api.get(f"{URL}/work-schedules").json()
    assert {s["code"]: s["minutes_per_day"] for s in schedules} == {"HC": 480, "T7": 240}
    r = api.post(f"{URL}/work-schedules", {"code": "X", "name": "x", "start_time": "08:00", "end_time": "08:30"})
    assert r.status_code == 400
    holidays = api.get(f"{URL}/holidays", {"year": 2027}).json()
    assert len(holidays) == 14 and holidays[0]["date"] == "2027-01-01"
    r = api.post(f"{URL}/holidays", {"date": "2027-11-24", "name": "Ngày Văn hoá Việt Nam", "source": "Quyết định"})
    assert r.status_code == 201
    assert ApiClient(tenant_a, w.staff).delete(f"{URL}/holidays/{r.json()['id']}").status_code == 403
    assert api.delete(f"{URL}/holidays/{r.json()['id']}").status_code == 204
