"""Actions of HRM: organisation, employees, contracts (Labour Code checks), payroll month → approval →
ledger posting (figures by hand, see test_payroll_rules for the rates)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from novasaas.hrm import actions, payroll, reports, selectors
from novasaas.hrm.models import Contract, Employee, PayrollLine, SalaryChange
from novasaas.hrm.tests.helpers import hire, world
from novasaas.inventory.tests.helpers import principal
from novasaas.sales.tests.helpers import ledger_lines

D = Decimal


def test_departments_form_a_tree_without_cycles(in_tenant_a):
    hr = principal(in_tenant_a, "hr_manager")
    top = actions.save_department(hr, code="BGD", name="Ban giám đốc")
    child = actions.save_department(hr, code="KT", name="Kế toán", parent_id=top.pk)
    grandchild = actions.save_department(hr, code="KT1", name="Kế toán thuế", parent_id=child.pk)
    with pytest.raises(ValidationError) as err:
        actions.save_department(hr, top.pk, parent_id=grandchild.pk)
    assert "parent_id" in err.value.message_dict
    with pytest.raises(ValidationError):
        actions.save_department(hr, code="KT", name="Trùng mã")
    with pytest.raises(ValidationError):
        actions.save_department(hr, code="X", name="X", cost_account="9999")
    assert [(depth, d.code) for depth, d in selectors.department_tree(in_tenant_a)] == [
        (0, "BGD"),
        (1, "KT"),
        (2, "KT1"),
    ]


def test_hiring_creates_a_person_party_and_checks_personal_numbers(in_tenant_a):
    hr = principal(in_tenant_a, "hr_manager")
    dept = actions.save_department(hr, code="HC", name="HC")
    emp = actions.create_employee(
        hr,
        full_name="Lê Văn Cường",
        department_id=dept.pk,
        hired_on="2026-02-01",
        id_number="001090012345",
        tax_code="8012345678",
        social_insurance_number="0123456789",
    )
    assert emp.code == "NV00001"
    assert emp.party.kind == "person" and emp.party.code.startswith("NV") and emp.party.id_number == "001090012345"
    before = Employee.objects.count()
    with pytest.raises(ValidationError) as err:
        actions.create_employee(
            hr, full_name="X", department_id=dept.pk, hired_on="2026-02-01", id_number="123", tax_code="12ab"
        )
    assert {"id_number", "tax_code"} <= set(err.value.message_dict)
    assert Employee.objects.count() == before


def test_contract_rules_of_the_labour_code(in_tenant_a):
    w = world(in_tenant_a)
    emp = actions.create_employee(w.hr, full_name="Probation", department_id=w.office.pk, hired_on="2026-03-01")

    def refused(field, **data):
        with pytest.raises(ValidationError) as err:
            actions.create_contract(w.hr, emp.pk, **data)
        assert field in err.value.message_dict, err.value.message_dict

    refused("end_date", kind="fixed", start_date="2026-03-01", end_date="2029-03-01", salary="10000000")  # 36 m
    refused("end_date", kind="indefinite", start_date="2026-03-01", end_date="2027-03-01", salary="10000000")
    refused("end_date", kind="casual", start_date="2026-03-01", end_date="2026-06-01", salary="3000000")
    refused(
        "salary",
        kind="probation",
        probation_level="college",
        start_date="2026-03-01",
        end_date="2026-04-29",
        salary="8499999",
        job_salary="10000000",
    )
    refused(
        "end_date",
        kind="probation",
        probation_level="college",
        start_date="2026-03-01",
        end_date="2026-04-30",  # 61 days
        salary="8500000",
        job_salary="10000000",
    )
    refused("salary", kind="indefinite", start_date="2026-03-01", salary="5309999")  # region I minimum wage
    assert not Contract.objects.filter(employee=emp).exists()
    ok = actions.create_contract(
        w.hr, emp.pk, kind="fixed", start_date="2026-03-01", end_date="2029-02-28", salary="10000000"
    )
    assert ok.number.startswith("HDLD-2026-") and ok.insured
    refused("start_date", kind="indefinite", start_date="2026-06-01", salary="12000000")  # overlaps
    actions.terminate_contract(w.hr, ok.pk, "2026-05-31", "Chuyển sang HĐ không thời hạn")
    actions.create_contract(w.hr, emp.pk, kind="indefinite", start_date="2026-06-01", salary="12000000")
    assert list(SalaryChange.objects.filter(employee=emp).values_list("salary", flat=True)) == [
        D(12_000_000),
        D(10_000_000),
    ]


def test_hr_staff_updates_contact_fields_only(in_tenant_a):
    w = world(in_tenant_a)
    staff = principal(in_tenant_a, "hr_staff")
    actions.update_employee(staff, w.alice.pk, phone="0901234567", bank_account="123456")
    with pytest.raises(ValidationError):
        actions.update_employee(staff, w.alice.pk, region="IV")
    with pytest.raises(PermissionDenied):
        actions.create_employee(staff, full_name="X", department_id=w.office.pk, hired_on="2026-01-01")
    employee = principal(in_tenant_a, "employee")
    with pytest.raises(PermissionDenied):
        actions.update_employee(employee, w.alice.pk, phone="1")


def test_who_sees_whom(in_tenant_a):
    w = world(in_tenant_a)
    from novasaas.identity.access import principal_for
    from novasaas.identity.models import Membership

    me = principal_for(Membership.objects.get(user=w.employee_user))
    assert list(selectors.visible_employees(me)) == [w.alice]
    assert list(selectors.visible_employees(w.manager)) == [w.bob]
    assert set(selectors.visible_employees(principal(in_tenant_a, "hr_staff"))) == {w.alice, w.bob}


def test_payroll_month_generate_approve_post(in_tenant_a):
    w = world(in_tenant_a)
    period = payroll.generate_payroll(w.hr, 2026, 3)
    lines = {ln.employee_id: ln for ln in PayrollLine.objects.filter(period=period)}
    alice, bob = lines[w.alice.pk], lines[w.bob.pk]
    assert (alice.work_days, alice.paid_days) == (22, 22)
    assert (alice.gross, alice.employee_insurance, alice.pit, alice.net) == (
        D(20_000_000),
        D(2_100_000),
        D(120_000),
        D(17_780_000),
    )
    assert (bob.dependants, bob.pit, bob.net, bob.cost_account) == (2, D(0), D(26_850_000), "6421")
    assert period.total_net == D(44_630_000) and period.total_employer == D(4_700_000 + 7_050_000)
    # regenerating a draft recomputes it
    actions.add_dependant(w.hr, w.alice.pk, full_name="Con", relationship="Con", registered_from="2026-03-15")
    period = payroll.generate_payroll(w.hr, 2026, 3)
    assert PayrollLine.objects.get(period=period, employee=w.alice).pit == D(0)
    payroll.approve_payroll(w.hr, period.pk)
    with pytest.raises(ValidationError):
        payroll.generate_payroll(w.hr, 2026, 3)
    with pytest.raises(ValidationError):
        payroll.approve_payroll(w.hr, period.pk)
    ledger = ledger_lines(in_tenant_a, "hrm.payroll.0", period.pk)
    assert ledger["6422"] == (D(24_700_000), D(0))
    assert ledger["6421"] == (D(37_050_000), D(0))
    assert ledger["334"] == (D(2_100_000 + 3_150_000), D(50_000_000))
    assert ledger["3383"] == (D(0), D(1_600_000 + 3_500_000 + 2_400_000 + 5_250_000))
    assert ledger["3384"] == (D(0), D(300_000 + 600_000 + 450_000 + 900_000))
    assert ledger["3385"] == (D(0), D(1_000_000))
    assert ledger["3382"] == (D(0), D(1_000_000))
    assert "3335" not in ledger  # nobody owes PIT after Alice's dependant
    # the entry ties to the register
    report = reports.payroll_register(period)
    debit = sum(d for d, _c in ledger.values())
    credit = sum(c for _d, c in ledger.values())
    assert debit == credit
    assert ledger["334"][1] - ledger["334"][0] == report.totals["net"]
    assert ledger["6421"][0] + ledger["6422"][0] == report.totals["gross"] + report.totals["employer"]


def test_payroll_without_acc_posts_nothing_and_partial_months_are_prorated(db, today):
    from novasaas.platform.tenancy import tenant_context
    from novasaas.platform.testing.fixtures import create_tenant

    tenant = create_tenant("no-acc", modules=["HRM"])
    with tenant_context(tenant):
        hr = principal(tenant, "hr_manager")
        dept = actions.save_department(hr, code="HC", name="HC")
        emp = hire(hr, "Nửa tháng", dept, 22_000_000)
        Contract.objects.filter(employee=emp).update(start_date=dt.date(2026, 3, 16))
        casual = actions.create_employee(hr, full_name="Thời vụ", department_id=dept.pk, hired_on="2026-03-01")
        actions.create_contract(
            hr, casual.pk, kind="casual", start_date="2026-03-01", end_date="2026-04-30", salary="5000000"
        )
        period = payroll.generate_payroll(hr, 2026, 3)
        half = PayrollLine.objects.get(period=period, employee=emp)
        assert (half.paid_days, half.work_days) == (12, 22)
        assert half.base_salary == D(12_000_000)  # 22 M × 12 / 22
        casual_line = PayrollLine.objects.get(period=period, employee=casual)
        assert (casual_line.tax_method, casual_line.employee_insurance, casual_line.pit) == ("casual", 0, D(500_000))
        payroll.approve_payroll(hr, period.pk)


def test_net_contract_is_grossed_up_in_the_payroll(in_tenant_a):
    hr = principal(in_tenant_a, "hr_manager")
    dept = actions.save_department(hr, code="HC", name="HC")
    emp = hire(hr, "Net", dept, 17_780_000, salary_basis="net")
    period = payroll.generate_payroll(hr, 2026, 3)
    line = PayrollLine.objects.get(period=period, employee=emp)
    assert (line.gross, line.pit, line.net) == (D(20_000_000), D(120_000), D(17_780_000))


def test_payroll_refusals(in_tenant_a):
    hr = principal(in_tenant_a, "hr_manager")
    with pytest.raises(ValidationError):
        payroll.generate_payroll(hr, 2026, 13)
    with pytest.raises(ValidationError, match="31/03/2025"):
        payroll.generate_payroll(hr, 2025, 3)
    staff = principal(in_tenant_a, "hr_staff")
    with pytest.raises(PermissionDenied):
        payroll.generate_payroll(staff, 2026, 3)
    period = payroll.generate_payroll(hr, 2026, 4)
    with pytest.raises(ValidationError, match="chưa có dòng"):
        payroll.approve_payroll(hr, period.pk)


def test_a_refused_posting_refuses_the_approval(in_tenant_a):
    """622 is not in the TT133 chart: accounting refuses the entry, the month stays a draft."""
    hr = principal(in_tenant_a, "hr_manager")
    dept = actions.save_department(hr, code="SX", name="Sản xuất", cost_account="622")
    hire(hr, "Công nhân", dept, 8_000_000)
    period = payroll.generate_payroll(hr, 2026, 3)
    with pytest.raises(ValidationError):
        payroll.approve_payroll(hr, period.pk)
    period.refresh_from_db()
    assert period.status == "draft" and period.approved_at is None
