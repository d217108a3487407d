"""HR in a real browser: an HR Manager hires an employee, signs a contract, enters a day of attendance,
generates the month's payroll (which pays the days the timesheet counts) and approves it."""

import datetime as dt
import re

import pytest

from novasaas.hrm import actions
from novasaas.hrm.models import Employee, PayrollLine, PayrollPeriod, PublicHoliday
from novasaas.hrm.tests.helpers import principal
from novasaas.platform.tenancy import tenant_context
from novasaas.platform.testing.fixtures import PASSWORD

from .conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _submit(page, field):
    page.keyboard.press("Escape")  # close a date picker left open
    page.locator(f"form:has([name={field}]) button.btn-primary").first.click()


def test_hire_contract_attendance_payroll_approve(page, tenant_a, today):
    last = today.replace(day=1) - dt.timedelta(days=1)  # the previous month, closed
    first = last.replace(day=1)
    with tenant_context(tenant_a):
        hr = principal(tenant_a, "hr_manager")
        department = actions.save_department(hr, code="HC", name="Hành chính")
        holidays = set(PublicHoliday.objects.filter(date__range=(first, last)).values_list("date", flat=True))
    weekdays = [first + dt.timedelta(days=k) for k in range((last - first).days + 1)]
    weekdays = [d for d in weekdays if d.weekday() < 5]
    worked = next(d for d in weekdays if d not in holidays)
    sign_in(page, hr.user.email, PASSWORD)
    page.wait_for_url(re.compile(r"/$"))

    page.goto("/hrm/employees/new/")
    page.fill("input[name=full_name]", "Phạm Văn Trình Duyệt")
    page.select_option("select[name=department_id]", str(department.pk))
    page.fill("input[name=hired_on]", f"{first:%d/%m/%Y}")
    _submit(page, "full_name")
    page.wait_for_url(re.compile(r"/hrm/employees/\d+/$"))
    employee_id = int(re.search(r"/employees/(\d+)/", page.url).group(1))

    page.goto(f"/hrm/employees/{employee_id}/contracts/new/")
    page.select_option("select[name=kind]", "indefinite")
    page.fill("input[name=start_date]", f"{first:%d/%m/%Y}")
    page.fill("input[name=salary]", "11.000.000")
    _submit(page, "salary")
    page.wait_for_url(re.compile(rf"/hrm/employees/{employee_id}/$"))

    page.goto("/hrm/attendance/")
    page.select_option("select[name=employee_id]", str(employee_id))
    page.fill("input[name=date]", f"{worked:%d/%m/%Y}")
    page.fill("input[name=check_in]", "08:00")
    page.fill("input[name=check_out]", "17:00")
    _submit(page, "check_in")
    page.wait_for_url(re.compile(r"/hrm/attendance/$"))
    page.goto(f"/hrm/attendance/?year={worked.year}&month={worked.month}")
    assert "Phạm Văn Trình Duyệt" in page.content()

    page.goto("/hrm/payroll/")
    page.fill("input[name=year]", str(first.year))
    page.fill("input[name=month]", str(first.month))
    _submit(page, "month")
    page.wait_for_url(re.compile(r"/hrm/payroll/\d+/$"))
    assert "Phạm Văn Trình Duyệt" in page.content()
    page.locator("form[action$='/approve/'] button").click()
    page.locator("a[href$='bank.csv']").wait_for()
    with tenant_context(tenant_a):
        period = PayrollPeriod.objects.get(year=first.year, month=first.month)
        line = PayrollLine.objects.get(period=period, employee=Employee.objects.get(pk=employee_id))
    assert period.status == "approved"
    # one day worked plus the month's weekday holidays are paid; every other weekday is unpaid
    paid = 1 + sum(1 for d in weekdays if d in holidays)
    assert (line.work_days, line.paid_days, line.unpaid_days) == (len(weekdays), paid, len(weekdays) - paid)


def test_leave_request_manager_then_hr_approval_and_the_employee_reads_the_payslip(page, tenant_a, today):
    """Bob (sales, whose department has a manager) requests a day of annual leave on his self-service
    page; the manager approves (level 1), HR approves (level 2). HR approves the previous month's payroll
    and Alice opens her payslip from her self-service page."""
    from novasaas.hrm import payroll
    from novasaas.hrm.models import LeaveRequest, LeaveType
    from novasaas.hrm.tests.helpers import world
    from novasaas.platform.testing.fixtures import create_user

    last = today.replace(day=1) - dt.timedelta(days=1)
    with tenant_context(tenant_a):
        w = world(tenant_a)
        w.bob.user = create_user(tenant_a, "employee")
        w.bob.save(update_fields=["user"])
        period = payroll.generate_payroll(w.hr, last.year, last.month)
        holidays = set(PublicHoliday.objects.values_list("date", flat=True))
    day = today + dt.timedelta(days=7)
    while day.weekday() >= 5 or day in holidays:
        day += dt.timedelta(days=1)

    def as_user(email):
        page.context.clear_cookies()
        sign_in(page, email, PASSWORD)
        page.wait_for_url(re.compile(r"/$"))

    as_user(w.bob.user.email)
    page.goto("/hrm/")
    page.wait_for_url(re.compile(r"/hrm/me/$"))
    page.locator("a[href='/hrm/leave/']").first.click()
    page.wait_for_url(re.compile(r"/hrm/leave/$"))
    with tenant_context(tenant_a):
        annual = LeaveType.objects.get(code="PN")
    page.select_option("select[name=leave_type_id]", str(annual.pk))
    page.fill("input[name=start_date]", f"{day:%d/%m/%Y}")
    page.fill("input[name=end_date]", f"{day:%d/%m/%Y}")
    page.fill("input[name=reason]", "Việc gia đình")
    _submit(page, "reason")
    page.wait_for_url(re.compile(r"/hrm/leave/$"))
    with tenant_context(tenant_a):
        request = LeaveRequest.objects.get(employee=w.bob)
    assert request.status == "submitted" and request.days == 1

    as_user(w.manager.user.email)  # level 1: the manager of sales
    page.goto("/hrm/leave/")
    page.locator(f"form[action='/hrm/leave/{request.pk}/approve/'] button").click()
    page.wait_for_url(re.compile(r"/hrm/leave/$"))
    with tenant_context(tenant_a):
        request.refresh_from_db()
    assert request.status == "manager_ok"

    as_user(w.hr.user.email)  # level 2: HR
    page.goto("/hrm/leave/")
    page.locator(f"form[action='/hrm/leave/{request.pk}/approve/'] button").click()
    page.wait_for_url(re.compile(r"/hrm/leave/$"))
    page.goto(f"/hrm/payroll/{period.pk}/")
    page.locator("form[action$='/approve/'] button").click()
    page.locator("a[href$='bank.csv']").wait_for()
    with tenant_context(tenant_a):
        request.refresh_from_db()
        line = PayrollLine.objects.get(period=period, employee=w.alice)
    assert request.status == "approved"

    as_user(w.employee_user.email)  # Alice reads her payslip
    page.goto("/hrm/me/")
    page.locator(f"a[href='/hrm/payslips/{line.pk}/']").click()
    page.wait_for_url(re.compile(rf"/hrm/payslips/{line.pk}/$"))
    assert f"{line.net:,.0f}".replace(",", ".") in page.content()
