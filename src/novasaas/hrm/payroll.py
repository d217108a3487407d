"""Payroll periods: generate a month's lines from the contracts, approve, and the ledger posting's lines.

``generate_payroll`` (HR Manager, ``hrm.payroll.generate``) (re)computes a draft month with the pure
engine (``payroll_rules``) and the statutory rows in force on the month's last day; ``approve_payroll``
(``hrm.payroll.approve``) freezes it and publishes ``PayrollApproved``, on which accounting posts the
entries when the tenant has ACC (``subscribers.post_payroll``). ``posting_documents`` builds those entries.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import replace
from decimal import ROUND_FLOOR, Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from novasaas.hrm import events, selectors
from novasaas.hrm.formulas import FormulaError, active_formulas
from novasaas.hrm.models import (
    Contract,
    ContractKind,
    EmployeeStatus,
    PayrollLine,
    PayrollPeriod,
    PayrollStatus,
    SalaryBasis,
)
from novasaas.hrm.payroll_rules import (
    CASUAL,
    NO_ADJUSTMENTS,
    NON_RESIDENT,
    PROGRESSIVE,
    Adjustments,
    PayInput,
    Rules,
    compute,
    dong,
    gross_up,
)
from novasaas.hrm.timesheet import Month, load_month, overtime_pay
from novasaas.identity.access import Principal
from novasaas.platform import audit
from novasaas.platform.events import publish
from novasaas.platform.models import AuditAction

ZERO = Decimal(0)
OTHER_DEDUCTIONS_ACCOUNT = "1388"  # sundry receivables (both charts): other deductions from pay
POSTING_CHUNK = 200  # employees per ledger entry (an entry holds at most 500 lines)
SOURCE_PREFIX = "hrm.payroll"


def weekdays(first: dt.date, last: dt.date) -> int:
    """Monday to Friday between two days, both included (the standard working days of a month)."""
    if last < first:
        return 0
    days = (last - first).days + 1
    full, rest = divmod(days, 7)
    count = full * 5
    for i in range(rest):
        if (first.weekday() + i) % 7 < 5:
            count += 1
    return count


def tax_method(contract: Contract) -> str:
    if not contract.employee.is_resident:
        return NON_RESIDENT
    if contract.kind == ContractKind.CASUAL:
        return CASUAL
    if contract.kind == ContractKind.PROBATION:
        end = contract.end_date or contract.start_date
        if (end - contract.start_date).days < 90:
            return CASUAL
    return PROGRESSIVE


def pay_line(
    rules: Rules,
    contract: Contract,
    first: dt.date,
    last: dt.date,
    dependants: int,
    month: Month | None = None,
    adjustments: Adjustments = NO_ADJUSTMENTS,
    formulas: Sequence[tuple[Any, Any]] = (),
) -> dict[str, Any]:
    """The figures of one employee's month (a PayrollLine's fields). ``month``: the timesheet data
    (holidays, schedules, attendance, leave); without it every scheduled day of employment is paid.
    ``adjustments``: the month's bonuses (gross, PIT when taxable, never insurance) and deductions
    (off the net); a net contract's salary is grossed up without them. ``formulas``: the company's
    active salary formulas (``formulas.active_formulas``), each adding its amount to its component;
    a formula that cannot be computed for this employee raises ``FormulaError``."""
    employee = contract.employee
    month = month or Month(first, last)
    start = max(first, contract.start_date, employee.hired_on)
    end_candidates = [last, contract.end_date, contract.terminated_on, employee.left_on]
    end = min(d for d in end_candidates if d is not None)
    sheet = month.timesheet(employee, start, end)
    work_days, paid_days = sheet.standard_days, sheet.paid_days
    taxable_allowances = sum((a.amount for a in contract.allowances.all() if a.taxable), ZERO)
    non_taxable = sum((a.amount for a in contract.allowances.all() if not a.taxable), ZERO)
    method = tax_method(contract)
    agreed = contract.salary if paid_days >= work_days else dong(contract.salary * paid_days / max(work_days, 1))
    schedule = month.schedule_for(employee)
    overtime = overtime_pay(contract.salary, work_days, schedule.minutes_per_day, sheet.parts)
    formula_amounts: dict[str, dict[str, str]] = {}
    if formulas:
        from novasaas.hrm.formulas import evaluate

        years = (
            last.year
            - employee.hired_on.year
            - ((last.month, last.day) < (employee.hired_on.month, employee.hired_on.day))
        )
        variables = {
            "base": contract.salary,
            "salary": agreed,
            "insurance_salary": contract.insurance_salary if contract.insurance_salary is not None else agreed,
            "working_days": Decimal(work_days),
            "days_worked": Decimal(paid_days),
            "unpaid_days": Decimal(sheet.unpaid_days),
            "overtime_hours": Decimal(sheet.overtime_minutes) / 60,
            "dependants": Decimal(dependants),
            "years_of_service": Decimal(max(years, 0)),
            "minimum_wage": rules.minimum_wage[employee.region],
            "statutory_base": rules.base_salary,
        }
        extra = {"allowance": ZERO, "allowance_nt": ZERO, "bonus": ZERO, "bonus_nt": ZERO}
        for formula, tree in formulas:
            amount = evaluate(tree, variables)
            extra[formula.component] += amount
            formula_amounts[formula.code] = {
                "name": formula.name,
                "component": formula.component,
                "amount": str(amount),
            }
        taxable_allowances += extra["allowance"]
        non_taxable += extra["allowance_nt"]
        adjustments = replace(
            adjustments,
            bonus_taxable=adjustments.bonus_taxable + extra["bonus"],
            bonus_non_taxable=adjustments.bonus_non_taxable + extra["bonus_nt"],
        )
    pay = PayInput(
        salary=agreed,
        taxable_allowances=taxable_allowances,
        non_taxable_allowances=non_taxable,
        insurance_salary=contract.insurance_salary if contract.insurance_salary is not None else agreed,
        insured=contract.insured,
        region=employee.region,
        dependants=dependants,
        tax_method=method,
        overtime_pay=overtime.pay,
        overtime_exempt=overtime.exempt,
    )
    if contract.salary_basis == SalaryBasis.NET:
        salary = gross_up(rules, pay, agreed, insurance_follows_salary=contract.insurance_salary is None)
        pay = replace(pay, salary=salary)
        if contract.insurance_salary is None:
            pay = replace(pay, insurance_salary=salary)
    pay = replace(
        pay,
        bonus_taxable=adjustments.bonus_taxable,
        bonus_non_taxable=adjustments.bonus_non_taxable,
        deductions=adjustments.deductions,
    )
    slip = compute(rules, pay)
    return {
        "employee": employee,
        "contract": contract,
        "department_id": employee.department_id,
        "cost_account": employee.department.cost_account,
        "tax_method": method,
        "work_days": work_days,
        "paid_days": paid_days,
        "unpaid_days": sheet.unpaid_days,
        "overtime_minutes": sheet.overtime_minutes,
        "overtime_pay": overtime.pay,
        "overtime_exempt": overtime.exempt,
        "base_salary": pay.salary,
        "taxable_allowances": taxable_allowances,
        "non_taxable_allowances": non_taxable,
        "gross": slip.gross,
        "insurance_base": slip.insurance_base,
        "unemployment_base": slip.unemployment_base,
        "employee_bhxh": slip.employee_bhxh,
        "employee_bhyt": slip.employee_bhyt,
        "employee_bhtn": slip.employee_bhtn,
        "employer_bhxh": slip.employer_bhxh,
        "employer_bhyt": slip.employer_bhyt,
        "employer_bhtn": slip.employer_bhtn,
        "employer_union": slip.employer_union,
        "dependants": dependants,
        "family_deduction": slip.family_deduction,
        "taxable_income": slip.taxable_income,
        "assessable_income": slip.assessable_income,
        "pit": slip.pit,
        "net": slip.net,
        "bonus_taxable": adjustments.bonus_taxable,
        "bonus_non_taxable": adjustments.bonus_non_taxable,
        "deductions": adjustments.deductions,
        "advance_repaid": adjustments.advance,
        "formula_amounts": formula_amounts,
    }


def _month(year: Any, month: Any) -> tuple[int, int]:
    try:
        y, m = int(year), int(month)
    except (TypeError, ValueError) as exc:
        raise ValidationError({"month": [_("Enter a month and a year.")]}) from exc
    if not (2000 <= y <= 2100) or not (1 <= m <= 12):
        raise ValidationError({"month": [_("Enter a month from 1 to 12 and a year from 2000 to 2100.")]})
    return y, m


def month_bounds(year: Any, month: Any) -> tuple[dt.date, dt.date]:
    """The first and last day of a month (``ValidationError`` for a month that is not one)."""
    import calendar

    y, m = _month(year, month)
    return dt.date(y, m, 1), dt.date(y, m, calendar.monthrange(y, m)[1])


@transaction.atomic
def generate_payroll(p: Principal, year: Any, month: Any) -> PayrollPeriod:
    """Create or recompute the draft payroll of a month: one line per employee with a contract covering
    some working day of it. An approved month is refused (nothing changes)."""
    p.require("hrm.payroll.generate")
    y, m = _month(year, month)
    period, _created = PayrollPeriod.objects.get_or_create(tenant=p.tenant, year=y, month=m)
    period = PayrollPeriod.objects.select_for_update().get(pk=period.pk)
    if period.status != PayrollStatus.DRAFT:
        raise ValidationError(_("The payroll of %(p)s is approved: it cannot be generated again.") % {"p": period})
    first, last = period.first_day, period.last_day
    rules = selectors.rules_on(last)
    contracts = [
        c
        for c in selectors.contracts_for_month(p.tenant, first, last)
        if c.employee.status == EmployeeStatus.ACTIVE or (c.employee.left_on and c.employee.left_on >= first)
    ]
    dependants = selectors.dependants_in_month([c.employee_id for c in contracts], first, last)
    month = load_month(p.tenant, first, last)
    adjustments = selectors.adjustments_of_month(p.tenant, y, m)
    company_formulas = active_formulas(p.tenant)
    PayrollLine.objects.filter(period=period).delete()
    lines = []
    negative: list[str] = []
    for contract in contracts:
        extra = adjustments.get(contract.employee_id, NO_ADJUSTMENTS)
        try:
            figures = pay_line(
                rules, contract, first, last, dependants.get(contract.employee_id, 0), month, extra, company_formulas
            )
        except FormulaError as exc:
            raise ValidationError(
                _("A salary formula cannot be computed for %(who)s: %(why)s")
                % {"who": f"{contract.employee.code} {contract.employee.full_name}", "why": exc}
            ) from exc
        if figures["paid_days"] == 0 and not figures["overtime_pay"] and not extra:
            continue
        if figures["net"] < 0:
            negative.append(f"{contract.employee.code} {contract.employee.full_name}")
        lines.append(PayrollLine(tenant=p.tenant, period=period, **figures))
    if negative:
        raise ValidationError(
            _("The deductions exceed the pay of: %(names)s. Reduce or move them to another month.")
            % {"names": ", ".join(negative)}
        )
    PayrollLine.objects.bulk_create(lines, batch_size=500)
    period.total_gross = sum((ln.gross for ln in lines), ZERO)
    period.total_net = sum((ln.net for ln in lines), ZERO)
    period.total_pit = sum((ln.pit for ln in lines), ZERO)
    period.total_employer = sum((ln.employer_total for ln in lines), ZERO)
    period.generated_at = timezone.now()
    period.save()
    return period


@transaction.atomic
def approve_payroll(p: Principal, period_id: int) -> PayrollPeriod:
    """Approve a generated draft month (HR Manager). Publishes ``PayrollApproved``: with ACC the entries
    are posted in this transaction, and a refusal there (closed period) refuses the approval."""
    p.require("hrm.payroll.approve")
    period = PayrollPeriod.objects.select_for_update().get(tenant=p.tenant, pk=period_id)
    if period.status != PayrollStatus.DRAFT:
        raise ValidationError(_("This payroll is already approved."))
    if not PayrollLine.objects.filter(period=period).exists():
        raise ValidationError(_("Generate the payroll first: it has no lines."))
    if period.generated_at is None:
        raise ValidationError(_("Bonuses or deductions of this month changed: generate the payroll again first."))
    before = audit.snapshot(period)
    period.status = PayrollStatus.APPROVED
    period.approved_at = timezone.now()
    period.approved_by = p.user
    period.save(update_fields=["status", "approved_at", "approved_by"])
    audit.record_updated(period, p.user, before)
    publish(
        events.PayrollApproved(
            tenant_id=p.tenant.pk,
            period_id=period.pk,
            date=period.last_day.isoformat(),
            reference=f"BL-{period.year}-{period.month:02d}",
            actor_id=p.user.pk if p.user else None,
        )
    )
    return period


def accrual_source(period: PayrollPeriod, chunk: int, revision: int | None = None) -> str:
    """The ledger source type of a chunk of the month's accrual: ``hrm.payroll.<k>`` for the first
    approval, ``hrm.payroll.r<n>.<k>`` after ``n`` un-approvals (each approval posts anew)."""
    rev = period.revision if revision is None else revision
    return f"{SOURCE_PREFIX}.{chunk}" if rev == 0 else f"{SOURCE_PREFIX}.r{rev}.{chunk}"


def payment_source(chunk: int, number: int = 1) -> str:
    """The source of payment ``number`` of a month (posting is idempotent per source): the first keeps
    the name of a month paid at once."""
    return f"{SOURCE_PREFIX}.pay.{chunk}" if number == 1 else f"{SOURCE_PREFIX}.pay{number}.{chunk}"


def chunks(period: PayrollPeriod) -> int:
    return max(1, -(-PayrollLine.objects.filter(period=period).count() // POSTING_CHUNK))


def posting_documents(period: PayrollPeriod) -> list[tuple[str, list[tuple[Any, ...]]]]:
    """The ledger entries of an approved month, ``(source_type, lines)`` per chunk of employees; each
    chunk balances: Dr department expense (gross + employer part) / Cr 334 gross per employee;
    Dr 334 / Cr 3383, 3384, 3385|3386 the employee part; Dr 334 / Cr 3335 the PIT; Cr 338x the employer
    part (3382 union fee); Dr 334 / Cr 141 advance repayments and Cr 1388 other deductions (partner)."""
    memo = _("Payroll %(p)s") % {"p": period}
    lines = list(selectors.period_lines(period))
    docs: list[tuple[str, list[tuple[Any, ...]]]] = []
    for k in range(0, len(lines), POSTING_CHUNK):
        chunk = lines[k : k + POSTING_CHUNK]
        expense: dict[str, Decimal] = defaultdict(Decimal)
        funds: dict[str, Decimal] = defaultdict(Decimal)
        out: list[tuple[Any, ...]] = []
        for ln in chunk:
            expense[ln.cost_account] += ln.gross + ln.employer_total
            funds["social_insurance"] += ln.employee_bhxh + ln.employer_bhxh
            funds["health_insurance"] += ln.employee_bhyt + ln.employer_bhyt
            funds["unemployment_insurance"] += ln.employee_bhtn + ln.employer_bhtn
            funds["union_fee"] += ln.employer_union
            funds["pit_payable"] += ln.pit
            name = f"{ln.employee.code} {ln.employee.full_name}"[:200]
            out.append(("employee_payable", ZERO, ln.gross, ln.employee.party_id, name))
            withheld = ln.employee_insurance + ln.pit
            if withheld:
                out.append(("employee_payable", withheld, ZERO, ln.employee.party_id, name))
            if ln.deductions:
                out.append(("employee_payable", ln.deductions, ZERO, ln.employee.party_id, name))
            if ln.advance_repaid:
                out.append(("advance", ZERO, ln.advance_repaid, ln.employee.party_id, name))
            if ln.deductions - ln.advance_repaid:
                out.append(
                    (OTHER_DEDUCTIONS_ACCOUNT, ZERO, ln.deductions - ln.advance_repaid, ln.employee.party_id, name)
                )
        head = [(account, amount, ZERO, None, memo) for account, amount in sorted(expense.items()) if amount]
        tail = [(role, ZERO, amount, None, memo) for role, amount in funds.items() if amount]
        entry = [line for line in head + out + tail if line[1] or line[2]]
        if entry:
            docs.append((accrual_source(period, k // POSTING_CHUNK), entry))
    return docs


def payment_documents(
    period: PayrollPeriod, account: str, payment: Any = None
) -> list[tuple[str, list[tuple[Any, ...]]]]:
    """The entries of one salary payment: Dr 334 the amount paid per employee (partner) / Cr ``account`` (a
    role ``bank``/``cash`` or the chosen bank account's code), per chunk of employees. ``payment``: a
    ``SalaryPayment`` (its lines); without it, every employee's whole net (a month paid at once)."""
    memo = _("Salary payment %(p)s") % {"p": period}
    if payment is not None:
        paid = [
            (pl.line, pl.amount)
            for pl in payment.lines.select_related("line__employee").order_by("line__employee__code")
        ]
    else:
        paid = [(ln, ln.net) for ln in selectors.period_lines(period)]
    number = payment.number if payment is not None else 1
    docs: list[tuple[str, list[tuple[Any, ...]]]] = []
    for k in range(0, len(paid), POSTING_CHUNK):
        out: list[tuple[Any, ...]] = []
        for ln, amount in paid[k : k + POSTING_CHUNK]:
            if amount > 0:
                name = f"{ln.employee.code} {ln.employee.full_name}"[:200]
                out.append(("employee_payable", amount, ZERO, ln.employee.party_id, name))
        total = sum((line[1] for line in out), ZERO)
        if total:
            docs.append((payment_source(k // POSTING_CHUNK, number), [*out, (account, ZERO, total, None, memo)]))
    return docs


PAYMENT_METHODS = ("bank", "cash")


def payment_accounts(tenant: Any) -> list[tuple[str, str]]:
    """The choices to pay from: ``(value, label)`` — with ACC the company's bank accounts
    (``bank:<id>``), the default bank and cash accounts; without ACC bank or cash only."""
    choices: list[tuple[str, str]] = []
    if tenant.has_module("ACC"):
        from novasaas.accounting import selectors as accounting

        choices = [(f"bank:{pk}", label) for pk, label, _code in accounting.bank_accounts(tenant)]
    return [*choices, ("bank", _("Bank (112)")), ("cash", _("Cash (111)"))]


def remaining_by_line(period: PayrollPeriod) -> list[tuple[PayrollLine, Decimal, Decimal]]:
    """Each line of the month with what was paid to the employee and what remains (net − paid; 0 once
    the month is paid), in employee code order."""
    from django.db.models import Sum

    from novasaas.hrm.models import SalaryPaymentLine

    paid = dict(
        SalaryPaymentLine.objects.filter(tenant=period.tenant_id, payment__period=period)
        .values("line_id")
        .annotate(total=Sum("amount"))
        .values_list("line_id", "total")
    )
    out = []
    for ln in selectors.period_lines(period):
        done = paid.get(ln.pk) or ZERO
        if period.paid_on is not None and not paid:  # paid in full before partial payments existed
            done = ln.net
        out.append((ln, done, max(ln.net - done, ZERO)))
    return out


def _split(total: Decimal, remaining: list[tuple[PayrollLine, Decimal]]) -> list[tuple[PayrollLine, Decimal]]:
    """``total`` shared over the lines in proportion to what remains to each, in whole đồng: each share is
    rounded down and the đồng left over go one by one in employee order (never above a line's rest)."""
    rest = sum((r for _ln, r in remaining), ZERO)
    shares = [(ln, (total * r / rest).to_integral_value(rounding=ROUND_FLOOR), r) for ln, r in remaining]
    left = total - sum((s for _ln, s, _r in shares), ZERO)
    out = []
    for ln, share, r in shares:
        if left > 0 and share < r:
            extra = min(left, r - share)
            share += extra
            left -= extra
        if share > 0:
            out.append((ln, share))
    return out


@transaction.atomic
def pay_payroll(
    p: Principal,
    period_id: int,
    *,
    date: Any,
    account: Any = "bank",
    employee_ids: Any = None,
    amount: Any = None,
) -> PayrollPeriod:
    """Record a payment of an approved month's net salaries, dated ``date``, from ``account`` (one of
    ``payment_accounts``). HR Manager (``hrm.payroll.approve``) or Accountant (``acc.payment.record``).

    What is paid: with ``employee_ids`` the selected employees — what remains to each, or ``amount`` when
    exactly one is selected; with ``amount`` alone that sum shared over everyone in proportion to what
    remains to them; with neither, everything that remains. The month is paid (``paid_on``) once nothing
    remains. Refused, nothing written: a draft, a paid month, a date before the month, an unknown account
    or employee, an employee with nothing left, an amount ≤ 0 or above what remains (over-payment).
    Publishes ``PayrollPaid``: with ACC, Dr 334 / Cr 112|111 of this payment is posted in this transaction
    (a refusal there refuses the payment); without ACC only the payment is recorded."""
    if not p.has("acc.payment.record"):
        p.require("hrm.payroll.approve")
    from novasaas.hrm.actions import _date, _money
    from novasaas.hrm.models import SalaryPayment, SalaryPaymentLine

    period = PayrollPeriod.objects.select_for_update().get(tenant=p.tenant, pk=period_id)
    day = _date(date, "date")
    assert day is not None
    choices = dict(payment_accounts(p.tenant))
    if not isinstance(account, str) or account not in choices:
        raise ValidationError({"account": [_("Choose the bank account or cash the salaries are paid from.")]})
    if period.status != PayrollStatus.APPROVED:
        raise ValidationError(_("Only an approved payroll can be paid."))
    if period.paid_on is not None:
        raise ValidationError(_("This payroll was already paid on %(d)s.") % {"d": period.paid_on.strftime("%d/%m/%Y")})
    if day < period.first_day:
        raise ValidationError({"date": [_("The payment cannot be dated before the month it pays.")]})
    sum_ = None if amount is None or amount == "" else _money(amount, "amount")
    if sum_ is not None and sum_ <= 0:
        raise ValidationError({"amount": [_("Enter an amount above zero.")]})
    rows = remaining_by_line(period)
    open_rows = [(ln, rest) for ln, _done, rest in rows if rest > 0]
    if employee_ids:
        if not isinstance(employee_ids, list | tuple) or not all(isinstance(i, int) for i in employee_ids):
            raise ValidationError({"employee_ids": [_("Choose the employees to pay.")]})
        by_employee = {ln.employee_id: (ln, rest) for ln, _done, rest in rows}
        unknown = [i for i in employee_ids if i not in by_employee]
        if unknown:
            raise ValidationError({"employee_ids": [_("These employees are not on this payroll.")]})
        done = [by_employee[i][0] for i in employee_ids if by_employee[i][1] <= 0]
        if done:
            raise ValidationError(
                {
                    "employee_ids": [
                        _("Nothing remains to be paid to: %(names)s.")
                        % {"names": ", ".join(f"{ln.employee.code} {ln.employee.full_name}" for ln in done)}
                    ]
                }
            )
        chosen = [by_employee[i] for i in dict.fromkeys(employee_ids)]
        if sum_ is not None:
            if len(chosen) != 1:
                raise ValidationError({"amount": [_("An amount pays one employee: choose one, or none to share it.")]})
            ln, rest = chosen[0]
            if sum_ > rest:
                raise ValidationError(
                    {"amount": [_("Over-payment: only %(r)s remains to be paid to this employee.") % {"r": rest}]}
                )
            paying = [(ln, sum_)]
        else:
            paying = chosen
    elif sum_ is not None:
        rest_total = sum((r for _ln, r in open_rows), ZERO)
        if sum_ > rest_total:
            raise ValidationError(
                {"amount": [_("Over-payment: only %(r)s remains to be paid this month.") % {"r": rest_total}]}
            )
        paying = _split(sum_, open_rows)
    else:
        paying = open_rows
    total = sum((a for _ln, a in paying), ZERO)
    if total <= 0:
        raise ValidationError(_("Nothing remains to be paid this month."))
    ledger_account = account
    if account.startswith("bank:"):
        from novasaas.accounting import selectors as accounting

        ledger_account = next(code for pk, _l, code in accounting.bank_accounts(p.tenant) if f"bank:{pk}" == account)
    before = audit.snapshot(period)
    method = "cash" if account == "cash" else "bank"
    payment = SalaryPayment.objects.create(
        tenant=p.tenant,
        period=period,
        number=SalaryPayment.objects.filter(tenant=p.tenant, period=period).count() + 1,
        date=day,
        method=method,
        account_label=str(choices[account])[:200],
        ledger_account=ledger_account,
        created_by=p.user,
        **{"amount": total},  # a MoneyField holds a Decimal (the stubs type it as the integer column)
    )
    SalaryPaymentLine.objects.bulk_create(
        [SalaryPaymentLine(tenant=p.tenant, payment=payment, line=ln, **{"amount": a}) for ln, a in paying]
    )
    period.paid_total += total
    fields = ["paid_total"]
    if period.paid_total >= period.total_net:
        period.paid_on = day
        period.paid_by = p.user
        period.payment_method = method
        period.payment_account = payment.account_label
        fields += ["paid_on", "paid_by", "payment_method", "payment_account"]
    period.save(update_fields=fields)
    audit.record_updated(period, p.user, before)
    publish(
        events.PayrollPaid(
            tenant_id=p.tenant.pk,
            period_id=period.pk,
            date=day.isoformat(),
            account=ledger_account,
            journal="CASH" if account == "cash" else "BANK",
            reference=f"TL-{period.year}-{period.month:02d}" + (f"-{payment.number}" if payment.number > 1 else ""),
            actor_id=p.user.pk if p.user else None,
            payment_id=payment.pk,
        )
    )
    return period


@transaction.atomic
def unapprove_payroll(p: Principal, period_id: int, *, reason: Any) -> PayrollPeriod:
    """Return an approved, unpaid month to draft (HR Manager), with a reason kept in the audit log.
    Publishes ``PayrollUnapproved``: with ACC the month's accrual entries are reversed in this
    transaction (dated the month's last day: a closed period refuses the un-approval). The next
    approval posts new entries. Refused once paid."""
    p.require("hrm.payroll.approve")
    from novasaas.hrm.actions import _text

    period = PayrollPeriod.objects.select_for_update().get(tenant=p.tenant, pk=period_id)
    text = _text(reason, "reason", 300, required=True)
    if period.status != PayrollStatus.APPROVED:
        raise ValidationError(_("Only an approved payroll can be returned to draft."))
    if period.paid_on is not None or period.paid_total > 0:
        raise ValidationError(_("This payroll is paid: it cannot be returned to draft."))
    before = audit.snapshot(period)
    revision = period.revision
    period.status = PayrollStatus.DRAFT
    period.approved_at = None
    period.approved_by = None
    period.revision = revision + 1
    period.save(update_fields=["status", "approved_at", "approved_by", "revision"])
    audit.record(
        AuditAction.UPDATE,
        actor=p.user,
        tenant=p.tenant,
        obj=period,
        before=before,
        after=audit.snapshot(period),
        message=(_("Returned to draft: %(r)s") % {"r": text}),
    )
    publish(
        events.PayrollUnapproved(
            tenant_id=p.tenant.pk,
            period_id=period.pk,
            revision=revision,
            date=period.last_day.isoformat(),
            reason=text,
            actor_id=p.user.pk if p.user else None,
        )
    )
    return period
