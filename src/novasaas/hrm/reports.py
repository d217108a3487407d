"""HRM reports, each defined once for the page, Excel, PDF and API (the house pattern of
``platform/reports.py``, whose ``Report``/``Column``/``file_response`` it uses)."""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from novasaas.hrm import selectors
from novasaas.hrm.models import PayrollLine, PayrollPeriod
from novasaas.platform.reports import Column, Report

ZERO = Decimal(0)
MONEY_COLUMNS = [
    ("base_salary", gettext_lazy("Salary")),
    ("allowances", gettext_lazy("Allowances")),
    ("gross", gettext_lazy("Gross")),
    ("employee_bhxh", gettext_lazy("BHXH 8%")),
    ("employee_bhyt", gettext_lazy("BHYT 1.5%")),
    ("employee_bhtn", gettext_lazy("BHTN 1%")),
    ("family_deduction", gettext_lazy("Family deductions")),
    ("assessable_income", gettext_lazy("Income taxed")),
    ("pit", gettext_lazy("PIT")),
    ("net", gettext_lazy("Net pay")),
    ("employer", gettext_lazy("Employer contributions")),
]


def payroll_register(period: PayrollPeriod) -> Report:
    """One row per employee of the month; the totals row ties to the posted entries."""
    columns = [
        Column("code", gettext_lazy("Code")),
        Column("name", gettext_lazy("Employee")),
        Column("department", gettext_lazy("Department")),
        Column("paid_days", gettext_lazy("Days paid")),
        *[Column(key, label, "money") for key, label in MONEY_COLUMNS],
    ]
    rows = []
    for ln in selectors.period_lines(period):
        rows.append(
            {
                "_id": ln.pk,
                "code": ln.employee.code,
                "name": ln.employee.full_name,
                "department": ln.department.code,
                "paid_days": f"{ln.paid_days}/{ln.work_days}",
                "base_salary": ln.base_salary,
                "allowances": ln.taxable_allowances + ln.non_taxable_allowances,
                "gross": ln.gross,
                "employee_bhxh": ln.employee_bhxh,
                "employee_bhyt": ln.employee_bhyt,
                "employee_bhtn": ln.employee_bhtn,
                "family_deduction": ln.family_deduction,
                "assessable_income": ln.assessable_income,
                "pit": ln.pit,
                "net": ln.net,
                "employer": ln.employer_total,
            }
        )
    totals = {key: sum((r[key] for r in rows), ZERO) for key, _label in MONEY_COLUMNS}
    return Report(
        name=f"bang-luong-{period.year}-{period.month:02d}",
        title=_("Payroll register %(p)s") % {"p": period},
        subtitle=str(period.get_status_display()),
        columns=columns,
        rows=rows,
        totals=totals if rows else {},
    )


def payslip_rows(ln: PayrollLine) -> list[tuple[str, Decimal | str]]:
    """The payslip as (label, amount) pairs, for the page and the PDF."""
    return [
        (_("Salary for the days paid"), ln.base_salary),
        (_("Taxable allowances"), ln.taxable_allowances),
        (_("Non-taxable allowances"), ln.non_taxable_allowances),
        (_("Gross pay"), ln.gross),
        (_("Social insurance (BHXH) 8%"), ln.employee_bhxh),
        (_("Health insurance (BHYT) 1.5%"), ln.employee_bhyt),
        (_("Unemployment insurance (BHTN) 1%"), ln.employee_bhtn),
        (_("Taxable income"), ln.taxable_income),
        (_("Family deductions (%(n)s dependants)") % {"n": ln.dependants}, ln.family_deduction),
        (_("Income taxed"), ln.assessable_income),
        (_("Personal income tax withheld"), ln.pit),
        (_("Net pay"), ln.net),
    ]
