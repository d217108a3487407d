"""HRM reports, each defined once for the page, Excel, PDF and API (the house pattern of
``platform/reports.py``, whose ``Report``/``Column``/``file_response`` it uses)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from novasaas.hrm import selectors
from novasaas.hrm.models import PayrollLine, PayrollPeriod
from novasaas.platform.reports import Column, Report

ZERO = Decimal(0)
MONEY_COLUMNS = [
    ("base_salary", gettext_lazy("Salary")),
    ("allowances", gettext_lazy("Allowances")),
    ("bonuses", gettext_lazy("Bonuses")),
    ("gross", gettext_lazy("Gross")),
    ("employee_bhxh", gettext_lazy("BHXH 8%")),
    ("employee_bhyt", gettext_lazy("BHYT 1.5%")),
    ("employee_bhtn", gettext_lazy("BHTN 1%")),
    ("family_deduction", gettext_lazy("Family deductions")),
    ("assessable_income", gettext_lazy("Income taxed")),
    ("pit", gettext_lazy("PIT")),
    ("deductions", gettext_lazy("Deductions")),
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
                "bonuses": ln.bonus_taxable + ln.bonus_non_taxable,
                "gross": ln.gross,
                "employee_bhxh": ln.employee_bhxh,
                "employee_bhyt": ln.employee_bhyt,
                "employee_bhtn": ln.employee_bhtn,
                "family_deduction": ln.family_deduction,
                "assessable_income": ln.assessable_income,
                "pit": ln.pit,
                "deductions": ln.deductions,
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
    """The payslip as (label, amount) pairs, for the page and the PDF (bonus and deduction rows only
    when the month has some)."""
    bonuses = [(_("Taxable bonuses"), ln.bonus_taxable)] if ln.bonus_taxable else []
    if ln.bonus_non_taxable:
        bonuses.append((_("Non-taxable bonuses"), ln.bonus_non_taxable))
    deductions = [(_("Advance repayments"), ln.advance_repaid)] if ln.advance_repaid else []
    if ln.deductions - ln.advance_repaid:
        deductions.append((_("Other deductions"), ln.deductions - ln.advance_repaid))
    return [
        (_("Salary for the days paid"), ln.base_salary),
        (_("Taxable allowances"), ln.taxable_allowances),
        (_("Non-taxable allowances"), ln.non_taxable_allowances),
        *bonuses,
        (_("Gross pay"), ln.gross),
        (_("Social insurance (BHXH) 8%"), ln.employee_bhxh),
        (_("Health insurance (BHYT) 1.5%"), ln.employee_bhyt),
        (_("Unemployment insurance (BHTN) 1%"), ln.employee_bhtn),
        (_("Taxable income"), ln.taxable_income),
        (_("Family deductions (%(n)s dependants)") % {"n": ln.dependants}, ln.family_deduction),
        (_("Income taxed"), ln.assessable_income),
        (_("Personal income tax withheld"), ln.pit),
        *deductions,
        (_("Net pay"), ln.net),
    ]


def timesheet(p: Any, year: int, month: int) -> Report:
    """The month's timesheet as payroll reads it: per employee with a contract in the month (the ones the
    caller may see), the scheduled days, days worked, holidays, paid leave, unpaid days, days paid and
    the overtime confirmed and waiting."""
    from novasaas.hrm.payroll import month_bounds
    from novasaas.hrm.timesheet import load_month

    first, last = month_bounds(year, month)
    visible = set(selectors.visible_employees(p).values_list("pk", flat=True))
    contracts = [c for c in selectors.contracts_for_month(p.tenant, first, last) if c.employee_id in visible]
    data = load_month(p.tenant, first, last, [c.employee_id for c in contracts])
    rows = []
    for c in sorted(contracts, key=lambda c: c.employee.code):
        employee = c.employee
        start = max(first, c.start_date, employee.hired_on)
        end = min(d for d in (last, c.end_date, c.terminated_on, employee.left_on) if d is not None)
        if end < start:
            continue
        sheet = data.timesheet(employee, start, end)
        rows.append(
            {
                "_id": employee.pk,
                "code": employee.code,
                "name": employee.full_name,
                "standard_days": sheet.standard_days,
                "worked_days": sheet.worked_days if sheet.uses_attendance else "",
                "holiday_days": sheet.holiday_days,
                "paid_leave_days": sheet.paid_leave_days,
                "unpaid_days": sheet.unpaid_days,
                "paid_days": sheet.paid_days,
                "overtime_hours": Decimal(sheet.overtime_minutes) / 60,
                "pending_hours": Decimal(sheet.pending_overtime_minutes) / 60,
                "source": _("attendance") if sheet.uses_attendance else _("contract (no attendance recorded)"),
            }
        )
    columns = [
        Column("code", gettext_lazy("Code")),
        Column("name", gettext_lazy("Employee")),
        Column("standard_days", gettext_lazy("Working days"), "qty"),
        Column("worked_days", gettext_lazy("Days worked"), "qty"),
        Column("holiday_days", gettext_lazy("Public holidays"), "qty"),
        Column("paid_leave_days", gettext_lazy("Paid leave"), "qty"),
        Column("unpaid_days", gettext_lazy("Unpaid days"), "qty"),
        Column("paid_days", gettext_lazy("Days paid"), "qty"),
        Column("overtime_hours", gettext_lazy("Overtime confirmed (h)"), "qty"),
        Column("pending_hours", gettext_lazy("Overtime to confirm (h)"), "qty"),
        Column("source", gettext_lazy("Counted from")),
    ]
    return Report(
        name=f"bang-cong-{year}-{month:02d}",
        title=_("Timesheet %(m)02d/%(y)s") % {"m": month, "y": year},
        columns=columns,
        rows=rows,
    )


# The bank transfer file of a month's net pay: one layout (the columns of the batch salary-payment
# templates of the major Vietnamese banks: Vietcombank, BIDV, VietinBank, Techcombank accept it with
# the beneficiary's bank named per line for interbank transfers). Names and descriptions are written
# without diacritics in capitals, as the banks' batch formats require.
BANK_COLUMNS = [
    ("line", gettext_lazy("No.")),
    ("account", gettext_lazy("Account number")),
    ("beneficiary", gettext_lazy("Beneficiary")),
    ("bank", gettext_lazy("Beneficiary bank")),
    ("amount", gettext_lazy("Amount (VND)")),
    ("description", gettext_lazy("Description")),
    ("employee_code", gettext_lazy("Employee code")),
]


def _ascii(text: str) -> str:
    from novasaas.parties.text import unaccent

    return " ".join(unaccent(text).upper().split())


def bank_transfer(period: PayrollPeriod) -> Report:
    """The transfers of an approved month's net pay; refused (``ValidationError`` naming them) when an
    employee with a positive net has no bank account."""
    from django.core.exceptions import ValidationError

    from novasaas.hrm.models import PayrollStatus

    if period.status != PayrollStatus.APPROVED:
        raise ValidationError(_("Approve the payroll before paying it."))
    lines = [ln for ln in selectors.period_lines(period) if ln.net > 0]
    missing = [ln.employee.code for ln in lines if not ln.employee.bank_account]
    if missing:
        raise ValidationError(_("No bank account for: %(c)s.") % {"c": ", ".join(missing)})
    description = f"LUONG THANG {period.month:02d}/{period.year}"
    rows = [
        {
            "line": k,
            "account": ln.employee.bank_account,
            "beneficiary": _ascii(ln.employee.full_name),
            "bank": _ascii(ln.employee.bank_name),
            "amount": ln.net,
            "description": f"{description} {ln.employee.code}",
            "employee_code": ln.employee.code,
        }
        for k, ln in enumerate(lines, start=1)
    ]
    columns = [Column(key, label, "money" if key == "amount" else "text") for key, label in BANK_COLUMNS]
    return Report(
        name=f"chuyen-khoan-luong-{period.year}-{period.month:02d}",
        title=_("Salary transfers %(p)s") % {"p": period},
        columns=columns,
        rows=rows,
        totals={"amount": sum((r["amount"] for r in rows), ZERO)} if rows else {},
    )


def bank_transfer_csv(report: Report) -> bytes:
    """The transfer file as CSV (UTF-8 with BOM, comma separated, amounts as plain whole numbers)."""
    import csv
    import io

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([str(c.label) for c in report.columns])
    for row in report.rows:
        writer.writerow([f"{row[c.key]:f}" if c.kind == "money" else row[c.key] for c in report.columns])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


# The monthly insurance contribution list, in the columns of the social insurance agency's D02-LT list
# (Decision 595/QĐ-BHXH: name, social insurance number, ID, position, the salary the contributions are
# on) followed by each fund's employee and employer amounts: one row per insured employee of the month.
INSURANCE_COLUMNS = [
    ("employee_bhxh", gettext_lazy("BHXH employee 8%")),
    ("employer_bhxh", gettext_lazy("BHXH employer 17.5%")),
    ("employee_bhyt", gettext_lazy("BHYT employee 1.5%")),
    ("employer_bhyt", gettext_lazy("BHYT employer 3%")),
    ("employee_bhtn", gettext_lazy("BHTN employee 1%")),
    ("employer_bhtn", gettext_lazy("BHTN employer 1%")),
    ("total", gettext_lazy("Total contributions")),
]


def insurance_list(period: PayrollPeriod) -> Report:
    """The month's insurance contributions per insured employee (D02-LT style columns); the totals tie
    to the payroll register and to the 3383/3384/3385 credits of the posted entry (the union fee is not
    a contribution to the agency and is left out)."""
    columns = [
        Column("line", gettext_lazy("No.")),
        Column("name", gettext_lazy("Full name")),
        Column("insurance_number", gettext_lazy("Social insurance number")),
        Column("id_number", gettext_lazy("Citizen ID (CCCD)")),
        Column("position", gettext_lazy("Position")),
        Column("insurance_base", gettext_lazy("Salary for BHXH/BHYT"), "money"),
        Column("unemployment_base", gettext_lazy("Salary for BHTN"), "money"),
        *[Column(key, label, "money") for key, label in INSURANCE_COLUMNS],
    ]
    lines = [ln for ln in selectors.period_lines(period).select_related("employee__position") if ln.insurance_base > 0]
    rows = []
    for k, ln in enumerate(lines, start=1):
        e = ln.employee
        row: dict[str, Any] = {
            "_id": ln.pk,
            "line": k,
            "name": e.full_name,
            "insurance_number": e.social_insurance_number,
            "id_number": e.id_number,
            "position": e.position.name if e.position else "",
            "insurance_base": ln.insurance_base,
            "unemployment_base": ln.unemployment_base,
        }
        for key, _label in INSURANCE_COLUMNS[:-1]:
            row[key] = getattr(ln, key)
        row["total"] = sum((row[key] for key, _label in INSURANCE_COLUMNS[:-1]), ZERO)
        rows.append(row)
    keys = ["insurance_base", "unemployment_base", *[key for key, _label in INSURANCE_COLUMNS]]
    return Report(
        name=f"d02-lt-{period.year}-{period.month:02d}",
        title=_("Insurance contribution list %(p)s") % {"p": period},
        subtitle=str(period.get_status_display()),
        columns=columns,
        rows=rows,
        totals={key: sum((r[key] for r in rows), ZERO) for key in keys} if rows else {},
    )


PIT_YEAR_COLUMNS = [
    ("income", gettext_lazy("Taxable income")),
    ("insurance", gettext_lazy("Compulsory insurance")),
    ("family_deduction", gettext_lazy("Family deductions")),
    ("assessable_income", gettext_lazy("Income taxed")),
    ("pit", gettext_lazy("PIT withheld")),
]


TAX_METHOD_LABELS = {
    "progressive": gettext_lazy("Progressive (resident)"),
    "casual": gettext_lazy("10% withheld (casual)"),
    "non_resident": gettext_lazy("20% (non-resident)"),
}


def pit_finalisation(tenant: Any, year: int) -> Report:
    """The year-end PIT finalisation data per employee (what form 05/QTT-TNCN and its appendix ask the
    employer for): the approved months of ``year`` summed — taxable income (salary, taxable allowances
    and overtime at the normal rate), the compulsory insurance deducted, the family deductions, the
    income taxed and the PIT withheld — with the months paid and the tax method."""
    from django.db.models import Count, Max, Sum

    from novasaas.hrm.models import Employee, PayrollStatus

    sums = (
        PayrollLine.objects.filter(tenant=tenant, period__year=year, period__status=PayrollStatus.APPROVED)
        .values("employee_id")
        .annotate(
            months=Count("id"),
            taxable=Sum("taxable_income"),
            bhxh=Sum("employee_bhxh"),
            bhyt=Sum("employee_bhyt"),
            bhtn=Sum("employee_bhtn"),
            family=Sum("family_deduction"),
            assessable=Sum("assessable_income"),
            pit=Sum("pit"),
            dependants=Max("dependants"),
        )
    )
    by_employee = {s["employee_id"]: s for s in sums}
    employees = Employee.objects.filter(tenant=tenant, pk__in=by_employee).order_by("code")
    methods = dict(
        PayrollLine.objects.filter(tenant=tenant, period__year=year, period__status=PayrollStatus.APPROVED)
        .order_by("employee_id", "period__month")
        .values_list("employee_id", "tax_method")
    )  # the last month's method per employee
    rows = []
    for e in employees:
        s = by_employee[e.pk]
        insurance = s["bhxh"] + s["bhyt"] + s["bhtn"]
        rows.append(
            {
                "_id": e.pk,
                "code": e.code,
                "name": e.full_name,
                "tax_code": e.tax_code,
                "id_number": e.id_number,
                "resident": _("yes") if e.is_resident else _("no"),
                "tax_method": str(TAX_METHOD_LABELS.get(methods.get(e.pk, ""), "")),
                "months": s["months"],
                "dependants": s["dependants"],
                "income": s["taxable"] + insurance,
                "insurance": insurance,
                "family_deduction": s["family"],
                "assessable_income": s["assessable"],
                "pit": s["pit"],
            }
        )
    columns = [
        Column("code", gettext_lazy("Code")),
        Column("name", gettext_lazy("Employee")),
        Column("tax_code", gettext_lazy("Personal tax code")),
        Column("id_number", gettext_lazy("Citizen ID (CCCD)")),
        Column("resident", gettext_lazy("Tax resident")),
        Column("tax_method", gettext_lazy("Tax method")),
        Column("months", gettext_lazy("Months paid"), "qty"),
        Column("dependants", gettext_lazy("Dependants"), "qty"),
        *[Column(key, label, "money") for key, label in PIT_YEAR_COLUMNS],
    ]
    return Report(
        name=f"quyet-toan-tncn-{year}",
        title=_("PIT finalisation %(y)s") % {"y": year},
        subtitle=_("Approved payroll months only"),
        columns=columns,
        rows=rows,
        totals={key: sum((r[key] for r in rows), ZERO) for key, _label in PIT_YEAR_COLUMNS} if rows else {},
    )


def attendance_rows(p: Any, year: int, month: int) -> Report:
    """The month's recorded days the caller may see (HR everyone, a manager their team and themself, an
    employee their own), one row per day: times, hours worked, overtime and night hours, the overtime's
    status, where the day came from (web check-ins with their address) and the note."""
    from novasaas.hrm.attendance import visible_records

    records = (
        visible_records(p)
        .filter(date__year=year, date__month=month)
        .select_related("employee")
        .order_by("date", "employee__code")
    )
    rows: list[dict[str, Any]] = [
        {
            "_id": r.pk,
            "date": r.date,
            "code": r.employee.code,
            "name": r.employee.full_name,
            "check_in": f"{r.check_in:%H:%M}" if r.check_in else "",
            "check_out": f"{r.check_out:%H:%M}" if r.check_out else "",
            "worked": Decimal(r.worked_minutes) / 60,
            "overtime": Decimal(r.overtime_minutes) / 60,
            "night": Decimal(r.night_minutes + r.night_overtime_minutes) / 60,
            "overtime_status": str(r.get_overtime_status_display()) if r.overtime_minutes else "",
            "source": str(r.get_source_display()) + (f" ({r.ip_address})" if r.ip_address else ""),
            "note": r.note,
        }
        for r in records[:20_000]
    ]
    columns = [
        Column("date", gettext_lazy("Date"), "date"),
        Column("code", gettext_lazy("Code")),
        Column("name", gettext_lazy("Employee")),
        Column("check_in", gettext_lazy("Check-in")),
        Column("check_out", gettext_lazy("Check-out")),
        Column("worked", gettext_lazy("Worked (h)"), "qty"),
        Column("overtime", gettext_lazy("Overtime (h)"), "qty"),
        Column("night", gettext_lazy("Night (h)"), "qty"),
        Column("overtime_status", gettext_lazy("Overtime")),
        Column("source", gettext_lazy("Source")),
        Column("note", gettext_lazy("Note")),
    ]
    return Report(
        name=f"cham-cong-{year}-{month:02d}",
        title=_("Attendance %(m)02d/%(y)s") % {"m": month, "y": year},
        columns=columns,
        rows=rows,
        totals={k: sum((r[k] for r in rows), ZERO) for k in ("worked", "overtime", "night")} if rows else {},
    )
