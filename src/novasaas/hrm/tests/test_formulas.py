"""Configurable salary formulas: the safe Decimal evaluator (refusals, no float drift — Hypothesis against
an exact oracle), the payroll figures by hand from the 2026 reference, the stale draft, roles through the
API and the pages. March 2026 has 22 weekdays and no public holiday."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from hypothesis import given, settings
from hypothesis import strategies as st

from novasaas.hrm import formulas, payroll
from novasaas.hrm.formulas import SAMPLE, FormulaError, evaluate
from novasaas.hrm.models import PayrollLine, PayrollPeriod, SalaryFormula
from novasaas.hrm.tests.helpers import world
from novasaas.inventory.tests.helpers import principal
from novasaas.platform.tenancy import tenant_context
from novasaas.platform.testing.fixtures import ApiClient, create_user, web_client

D = Decimal
URL = "/api/v1/hrm"


# --- the evaluator ------------------------------------------------------------------------------------


def test_the_issue_example_on_sample_figures():
    # 10,000,000 × 0.1 + 22 × 50,000
    assert evaluate("base * 0.1 + days_worked * 50000", SAMPLE) == D(2_100_000)
    assert evaluate("500000 if days_worked >= 22 else 0", SAMPLE) == D(500_000)
    assert evaluate("max(0, days_worked - 20) * 100000", SAMPLE) == D(200_000)
    assert evaluate("base / 3", SAMPLE) == D(3_333_333)  # rounded once, half up
    assert evaluate("base / 3 * 3", SAMPLE) == D(10_000_000)
    assert evaluate("0.1 + 0.2", {**SAMPLE}) == D(0)
    assert evaluate("(0.1 + 0.2) * 10", SAMPLE) == D(3)  # exactly 3, not 3.0000000000000004
    assert evaluate("2.5", SAMPLE) == D(3) and evaluate("1.5", SAMPLE) == D(2)  # half up, not half even


@pytest.mark.parametrize(
    ("expression", "reason"),
    [
        ("", "Enter a formula"),
        ("base +", "syntax"),
        ("base * foo", "Unknown name"),
        ("open('x')", "Unknown function"),
        ("__import__('os')", "Unknown function"),
        ("base.real", "not allowed"),
        ("base ** 2", "not allowed"),
        ("base // 2", "not allowed"),
        ("[1][0]", "not allowed"),
        ("'abc'", "Only numbers"),
        ("base / 0", "divides by zero"),
        ("base / overtime_hours", "divides by zero"),
        ("base - 20000000", "negative"),
        ("days_worked > 2", "yes/no"),
        ("base * 1e20", "too large"),
        ("x = 1", "syntax"),
        ("base; base", "syntax"),
    ],
)
def test_bad_formulas_are_refused_with_the_reason(expression, reason):
    from django.utils import translation

    with translation.override("en"), pytest.raises(FormulaError, match=reason):
        evaluate(expression, SAMPLE)


def _oracle(value: Decimal) -> Decimal:
    return value.quantize(D(1), rounding=ROUND_HALF_UP)


amounts = st.integers(min_value=0, max_value=200_000_000)
rates = st.decimals(min_value=D(0), max_value=D(5), places=4, allow_nan=False, allow_infinity=False)


@settings(max_examples=300, deadline=None)
@given(base=amounts, days=st.integers(min_value=0, max_value=31), rate=rates, per_day=st.integers(0, 500_000))
def test_a_formula_never_drifts_like_a_float(base, days, rate, per_day):
    """The amount equals the exact decimal arithmetic of the written figures, rounded half up once."""
    variables = {**SAMPLE, "base": D(base), "days_worked": D(days)}
    got = evaluate(f"base * {rate} + days_worked * {per_day}", variables)
    assert got == _oracle(D(base) * rate + D(days) * per_day)
    assert isinstance(got, Decimal) and got == got.to_integral_value()
    # dividing and multiplying back by the same count is exact to the đồng
    assert evaluate("base / 7 * 7", variables) == D(base)


@settings(max_examples=200, deadline=None)
@given(tenths=st.lists(st.integers(min_value=0, max_value=9), min_size=1, max_size=30))
def test_decimal_literals_add_up_exactly(tenths):
    """0.1 + 0.2 + … written in a formula sums like the decimals on paper (binary floats would not)."""
    expression = "(" + " + ".join(f"0.{t}" for t in tenths) + ") * 10"
    assert evaluate(expression, SAMPLE) == D(sum(tenths))


# --- in the payroll -----------------------------------------------------------------------------------


def test_formulas_enter_the_month_to_the_dong(in_tenant_a):
    w = world(in_tenant_a)
    formulas.create_formula(
        w.hr, code="PC", name="Phụ cấp", component="allowance", expression="base * 0.1 + days_worked * 50000"
    )
    formulas.create_formula(w.hr, code="TPT", name="Thưởng con", component="bonus_nt", expression="dependants * 100000")
    period = payroll.generate_payroll(w.hr, 2026, 3)
    alice = PayrollLine.objects.get(period=period, employee=w.alice)
    # allowance 2,000,000 + 22 × 50,000 = 3,100,000 (taxable); gross 23.1 M; insurance on 20 M: 2.1 M;
    # taxable 21 M; income taxed 21 M − 15.5 M = 5.5 M → 5 % = 275,000; net 23.1 − 2.1 − 0.275 M
    assert (alice.taxable_allowances, alice.bonus_non_taxable, alice.gross) == (D(3_100_000), D(0), D(23_100_000))
    assert (alice.insurance_base, alice.employee_insurance, alice.pit, alice.net) == (
        D(20_000_000),
        D(2_100_000),
        D(275_000),
        D(20_725_000),
    )
    assert alice.formula_amounts["PC"]["amount"] == "3100000"
    bob = PayrollLine.objects.get(period=period, employee=w.bob)
    # allowance 3,000,000 + 1,100,000; non-taxable bonus 2 × 100,000; gross 34.3 M; insurance 3.15 M;
    # taxable 34.1 − 3.15 = 30.95 M; − 27.9 M = 3.05 M → 152,500; net 34.3 − 3.15 − 0.1525 M
    assert (bob.taxable_allowances, bob.bonus_non_taxable, bob.gross) == (D(4_100_000), D(200_000), D(34_300_000))
    assert (bob.employee_insurance, bob.assessable_income, bob.pit, bob.net) == (
        D(3_150_000),
        D(3_050_000),
        D(152_500),
        D(30_997_500),
    )
    assert bob.gross - bob.employee_insurance - bob.pit - bob.deductions == bob.net
    # a change of formula marks the generated draft stale; an inactive formula is not applied
    row = SalaryFormula.objects.get(code="TPT")
    formulas.update_formula(w.hr, row.pk, is_active=False)
    assert PayrollPeriod.objects.get(pk=period.pk).generated_at is None
    period = payroll.generate_payroll(w.hr, 2026, 3)
    assert PayrollLine.objects.get(period=period, employee=w.bob).bonus_non_taxable == D(0)


def test_a_formula_failing_for_one_employee_refuses_the_month(in_tenant_a):
    w = world(in_tenant_a)
    # fine on the sample figures (no dependant); Bob has two: division by zero
    formulas.create_formula(w.hr, code="X", name="X", component="bonus", expression="abs(base / (dependants - 2))")
    with pytest.raises(ValidationError, match="Trần Văn Bob"):
        payroll.generate_payroll(w.hr, 2026, 3)
    assert not PayrollLine.objects.exists()


def test_refusals_at_save_change_nothing(in_tenant_a):
    w = world(in_tenant_a)
    formulas.create_formula(w.hr, code="PC", name="Phụ cấp", component="allowance", expression="100000")
    for bad, field in [
        ({"expression": "base / 0"}, "expression"),
        ({"expression": "salary * bonus_rate"}, "expression"),
        ({"code": "pc"}, "code"),  # the same code, any case
        ({"component": "gift"}, "component"),
        ({"name": "  "}, "name"),
    ]:
        data = {"code": "NEW", "name": "N", "component": "allowance", "expression": "1000", **bad}
        with pytest.raises(ValidationError) as exc:
            formulas.create_formula(w.hr, **data)
        assert field in exc.value.message_dict
    assert SalaryFormula.objects.count() == 1
    with pytest.raises(PermissionDenied):
        formulas.create_formula(
            principal(in_tenant_a, "hr_staff"), code="Y", name="Y", component="bonus", expression="1"
        )


# --- API and pages ------------------------------------------------------------------------------------


def test_formulas_through_the_api_per_role(tenant_a):
    with tenant_context(tenant_a):
        w = world(tenant_a)
        staff = create_user(tenant_a, "hr_staff")
        accountant = create_user(tenant_a, "accountant")
    hr = ApiClient(tenant_a, w.hr.user)
    body = {"code": "PC", "name": "Phụ cấp", "component": "allowance", "expression": "base * 0.1"}
    r = hr.post(f"{URL}/salary-formulas", body)
    assert r.status_code == 201, r.json()
    row = r.json()
    r = hr.post(f"{URL}/salary-formulas", {**body, "code": "B", "expression": "base / 0"})
    assert r.status_code == 400 and "chia cho 0" in str(r.json()["detail"]["expression"])
    r = hr.post(f"{URL}/salary-formulas", {**body, "code": "B", "expression": "base * rate"})
    assert r.status_code == 400 and "rate" in str(r.json())
    assert hr.post(f"{URL}/salary-formulas", {**body, "component": "gift"}).status_code == 422
    r = hr.patch(f"{URL}/salary-formulas/{row['id']}", {"expression": "base * (0.1"})
    assert r.status_code == 400
    assert hr.get(f"{URL}/salary-formulas/{row['id']}").json()["expression"] == "base * 0.1"
    assert hr.patch(f"{URL}/salary-formulas/{row['id']}", {"expression": "base * 0.2"}).status_code == 200
    names = [n["name"] for n in hr.get(f"{URL}/salary-formula-names").json()]
    assert "days_worked" in names and "overtime_hours" in names
    assert [f["code"] for f in hr.get(f"{URL}/salary-formulas").json()] == ["PC"]
    for user in (staff, accountant, w.employee_user):
        other = ApiClient(tenant_a, user)
        assert other.get(f"{URL}/salary-formulas").status_code == 403
        assert other.post(f"{URL}/salary-formulas", {**body, "code": "Z"}).status_code == 403
        assert other.delete(f"{URL}/salary-formulas/{row['id']}").status_code == 403
    assert hr.delete(f"{URL}/salary-formulas/{row['id']}").status_code == 204
    assert hr.get(f"{URL}/salary-formulas/{row['id']}").status_code == 404


def test_formula_pages_per_role(tenant_a):
    with tenant_context(tenant_a):
        w = world(tenant_a)
        staff = create_user(tenant_a, "hr_staff")
    web = web_client(tenant_a, w.hr.user)
    assert web.get("/hrm/payroll/formulas/").status_code == 200
    data = {"code": "PC", "name": "Phụ cấp", "component": "allowance", "expression": "base / 0", "is_active": "on"}
    r = web.post("/hrm/payroll/formulas/", data)
    assert r.status_code == 400 and "chia cho 0" in r.content.decode()
    r = web.post("/hrm/payroll/formulas/", {**data, "expression": "days_worked * 50000"})
    assert r.status_code == 302
    with tenant_context(tenant_a):
        row = SalaryFormula.objects.get(code="PC")
    assert web.get(f"/hrm/payroll/formulas/{row.pk}/").status_code == 200
    assert web.post(f"/hrm/payroll/formulas/{row.pk}/", {**data, "expression": "1 +"}).status_code == 400
    r = web.post(f"/hrm/payroll/formulas/{row.pk}/", {**data, "expression": "days_worked * 60000"})
    assert r.status_code == 302
    with tenant_context(tenant_a):
        assert SalaryFormula.objects.get(pk=row.pk).expression == "days_worked * 60000"
    for user in (staff, w.employee_user):
        assert web_client(tenant_a, user).get("/hrm/payroll/formulas/").status_code == 403
        assert web_client(tenant_a, user).post(f"/hrm/payroll/formulas/{row.pk}/", {"delete": "1"}).status_code == 403
    assert web.post(f"/hrm/payroll/formulas/{row.pk}/", {"delete": "1"}).status_code == 302
    with tenant_context(tenant_a):
        assert not SalaryFormula.objects.exists()
