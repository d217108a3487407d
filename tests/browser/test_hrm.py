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
