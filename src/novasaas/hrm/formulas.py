"""Configurable salary formulas: a company's pay components computed from an expression (issue 14, §3).

An expression such as ``base * 0.1 + days_worked * 50000`` is evaluated by ``simpleeval`` (never
``eval``) restricted to arithmetic (``+ - * /``), comparisons, ``and``/``or``/``not``, ``x if c else y``
and the functions ``min``, ``max``, ``abs``, over the fixed names of ``VARIABLES`` only. Every literal
and variable is a ``Decimal`` (a literal ``0.1`` is the decimal 0.1, never the float), so a formula
never carries binary floating-point drift; the result is rounded once by the money rule
(``platform.money.round_money``: whole đồng, half up).

A formula is checked when saved (syntax, unknown names or functions, forbidden constructs, division by
zero and a negative or oversized result on sample figures) and refused with the reason on ``expression``.
The HR Manager (``hrm.payroll.generate``) manages them; saving or removing one marks every generated
draft month stale (it must be generated again before approval).
"""

from __future__ import annotations

import ast
import decimal
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from simpleeval import (
    FeatureNotAvailable,
    FunctionNotDefined,
    InvalidExpression,
    NameNotDefined,
    SimpleEval,
)

from novasaas.hrm.actions import _text
from novasaas.hrm.models import FormulaComponent, PayrollPeriod, PayrollStatus, SalaryFormula
from novasaas.identity.access import Principal
from novasaas.platform import audit
from novasaas.platform.money import round_money

MAX_AMOUNT = Decimal("1e13")  # the largest amount a pay line holds

# The names a formula may use, with what they mean (shown on the page and returned by the API).
VARIABLES: dict[str, Any] = {
    "base": gettext_lazy("the contract's monthly salary (as agreed: gross, or net for a net contract)"),
    "salary": gettext_lazy("the month's salary: base prorated by the days paid"),
    "insurance_salary": gettext_lazy("the contract's insurance salary, else the month's salary"),
    "working_days": gettext_lazy("scheduled working days of the month"),
    "days_worked": gettext_lazy("days paid in the month (worked, holidays, paid leave)"),
    "unpaid_days": gettext_lazy("scheduled days absent or on unpaid leave"),
    "overtime_hours": gettext_lazy("confirmed overtime hours of the month"),
    "dependants": gettext_lazy("dependants registered for the month"),
    "years_of_service": gettext_lazy("full years since hiring, at the month's last day"),
    "minimum_wage": gettext_lazy("regional minimum wage of the workplace"),
    "statutory_base": gettext_lazy("the statutory base salary (mức lương cơ sở)"),
}

# Figures a formula is tried on when saved: a full month of a typical employee; the counts that are
# often zero are zero so that dividing by them is caught at once.
SAMPLE: dict[str, Decimal] = {
    "base": Decimal(10_000_000),
    "salary": Decimal(10_000_000),
    "insurance_salary": Decimal(10_000_000),
    "working_days": Decimal(22),
    "days_worked": Decimal(22),
    "unpaid_days": Decimal(0),
    "overtime_hours": Decimal(0),
    "dependants": Decimal(0),
    "years_of_service": Decimal(0),
    "minimum_wage": Decimal(5_310_000),
    "statutory_base": Decimal(2_340_000),
}

_OPERATORS: dict[Any, Any] = {
    ast.Add: lambda a, b: a + b,
    ast.Sub: lambda a, b: a - b,
    ast.Mult: lambda a, b: a * b,
    ast.Div: lambda a, b: a / b,
    ast.USub: lambda a: -a,
    ast.UAdd: lambda a: +a,
    ast.Not: lambda a: not a,
    ast.Eq: lambda a, b: a == b,
    ast.NotEq: lambda a, b: a != b,
    ast.Gt: lambda a, b: a > b,
    ast.Lt: lambda a, b: a < b,
    ast.GtE: lambda a, b: a >= b,
    ast.LtE: lambda a, b: a <= b,
}
_FUNCTIONS: dict[str, Any] = {"min": min, "max": max, "abs": abs}
_ALLOWED_NODES = (
    ast.Expression,
    ast.BinOp,
    ast.UnaryOp,
    ast.BoolOp,
    ast.Compare,
    ast.IfExp,
    ast.Call,
    ast.Name,
    ast.Constant,
    ast.Load,
    ast.operator,
    ast.unaryop,
    ast.cmpop,
    ast.boolop,
)


class FormulaError(ValueError):
    """A formula that cannot be evaluated; ``str()`` is the message for the user."""


class _DecimalEval(SimpleEval):
    """simpleeval with every number a Decimal."""

    def __init__(self, names: Mapping[str, Decimal]) -> None:
        super().__init__(operators=dict(_OPERATORS), functions=dict(_FUNCTIONS), names=dict(names))

    def _eval_constant(self, node: Any) -> Any:
        value = node.value
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise FormulaError(_("Only numbers may be written in a formula."))
        number = Decimal(value) if isinstance(value, int) else Decimal(repr(value))  # 0.1 → Decimal("0.1")
        if not number.is_finite():
            raise FormulaError(_("A number in the formula is too large."))
        return number


def parse(expression: str) -> ast.expr:
    """The expression's syntax tree, with only the allowed constructs (``FormulaError`` otherwise)."""
    text = (expression or "").strip()
    if not text:
        raise FormulaError(_("Enter a formula."))
    try:
        tree = ast.parse(text, mode="eval")
    except SyntaxError as exc:
        raise FormulaError(
            _("The formula is not valid (syntax error at character %(n)s).") % {"n": exc.offset}
        ) from exc
    for node in ast.walk(tree):
        if not isinstance(node, _ALLOWED_NODES) or isinstance(
            node, ast.Pow | ast.FloorDiv | ast.Mod | ast.MatMult | ast.LShift | ast.RShift | ast.BitAnd
        ):
            raise FormulaError(
                _("This is not allowed in a formula: %(what)s.") % {"what": ast.unparse(node) or type(node).__name__}
            )
        if isinstance(node, ast.BitOr | ast.BitXor | ast.Invert | ast.In | ast.NotIn | ast.Is | ast.IsNot):
            raise FormulaError(_("This is not allowed in a formula: %(what)s.") % {"what": type(node).__name__})
        if isinstance(node, ast.Call) and (node.keywords or not isinstance(node.func, ast.Name)):
            raise FormulaError(_("Call functions as min(a, b), max(a, b) or abs(a)."))
        if isinstance(node, ast.Name) and node.id not in VARIABLES and node.id not in _FUNCTIONS:
            raise FormulaError(
                _("Unknown name “%(name)s”. The names are: %(names)s.")
                % {"name": node.id, "names": ", ".join(VARIABLES)}
            )
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id not in _FUNCTIONS:
            raise FormulaError(
                _("Unknown function “%(name)s”. The functions are min, max and abs.") % {"name": node.func.id}
            )
    return tree.body


def evaluate(expression: str | ast.expr, variables: Mapping[str, Decimal]) -> Decimal:
    """The formula's amount for these figures, rounded to the đồng (``FormulaError`` with the reason:
    division by zero, a negative or oversized amount, a yes/no instead of an amount)."""
    tree = parse(expression) if isinstance(expression, str) else expression
    names = {k: Decimal(variables[k]) for k in VARIABLES}
    try:
        with decimal.localcontext() as ctx:
            ctx.prec = 28
            ctx.traps[decimal.DivisionByZero] = True
            ctx.traps[decimal.InvalidOperation] = True
            ctx.traps[decimal.Overflow] = True
            result = _DecimalEval(names).eval("", previously_parsed=tree)
    except FormulaError:
        raise
    except (ZeroDivisionError, decimal.DivisionByZero, decimal.DivisionUndefined) as exc:
        raise FormulaError(_("The formula divides by zero.")) from exc
    except NameNotDefined as exc:
        raise FormulaError(_("Unknown name in the formula.")) from exc
    except FunctionNotDefined as exc:
        raise FormulaError(_("Unknown function in the formula.")) from exc
    except (FeatureNotAvailable, InvalidExpression, ArithmeticError, TypeError) as exc:
        raise FormulaError(_("The formula cannot be computed.")) from exc
    if isinstance(result, bool) or not isinstance(result, Decimal | int):
        raise FormulaError(_("The formula gives a yes/no, not an amount."))
    amount = round_money(Decimal(result), "VND")
    if amount < 0:
        raise FormulaError(_("The formula gives a negative amount (use max(0, …))."))
    if amount >= MAX_AMOUNT:
        raise FormulaError(_("The formula gives an amount that is too large."))
    return amount


def check(expression: Any) -> str:
    """The expression, stripped, once it parses and computes on the sample figures; else a
    ``ValidationError`` on ``expression``."""
    text = _text(expression, "expression", 500, required=True)
    try:
        evaluate(text, SAMPLE)
    except FormulaError as exc:
        raise ValidationError({"expression": [str(exc)]}) from exc
    return text


def _stale_drafts(tenant: Any) -> None:
    PayrollPeriod.objects.filter(tenant=tenant, status=PayrollStatus.DRAFT).exclude(generated_at=None).update(
        generated_at=None
    )


def _clean(tenant: Any, data: dict[str, Any], current: SalaryFormula | None = None) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    out: dict[str, Any] = {}

    def take(key: str, fn: Any, *args: Any, **kw: Any) -> None:
        try:
            out[key] = fn(*args, **kw)
        except ValidationError as exc:
            for k, v in exc.message_dict.items():
                errors.setdefault(k, []).extend(v)

    if current is None or "code" in data:
        take("code", _text, data.get("code"), "code", 30, required=True)
        code = out.get("code")
        if code:
            clash = SalaryFormula.objects.filter(tenant=tenant, code__iexact=code)
            if current is not None:
                clash = clash.exclude(pk=current.pk)
            if clash.exists():
                errors.setdefault("code", []).append(_("A formula with this code exists."))
    if current is None or "name" in data:
        take("name", _text, data.get("name"), "name", 120, required=True)
    if current is None or "component" in data:
        if data.get("component") not in FormulaComponent.values:
            errors.setdefault("component", []).append(_("Choose an allowance or a bonus, taxable or not."))
        out["component"] = data.get("component")
    if current is None or "expression" in data:
        take("expression", check, data.get("expression"))
    if "is_active" in data:
        out["is_active"] = bool(data["is_active"])
    if errors:
        raise ValidationError(errors)
    return out


@transaction.atomic
def create_formula(p: Principal, **data: Any) -> SalaryFormula:
    """Add a company formula (HR Manager). Refused with the reason, nothing written: a bad or used code,
    no name, an unknown component, a formula that does not parse or compute."""
    p.require("hrm.payroll.generate")
    values = _clean(p.tenant, data)
    row = SalaryFormula.objects.create(tenant=p.tenant, created_by=p.user, **values)
    audit.record_created(row, p.user)
    _stale_drafts(p.tenant)
    return row


@transaction.atomic
def update_formula(p: Principal, formula_id: int, **data: Any) -> SalaryFormula:
    p.require("hrm.payroll.generate")
    row = SalaryFormula.objects.select_for_update().get(tenant=p.tenant, pk=formula_id)
    values = _clean(p.tenant, data, row)
    before = audit.snapshot(row)
    for key, value in values.items():
        setattr(row, key, value)
    row.save()
    audit.record_updated(row, p.user, before)
    _stale_drafts(p.tenant)
    return row


@transaction.atomic
def delete_formula(p: Principal, formula_id: int) -> None:
    p.require("hrm.payroll.generate")
    row = SalaryFormula.objects.select_for_update().get(tenant=p.tenant, pk=formula_id)
    audit.record_deleted(row, p.user, audit.snapshot(row))
    row.delete()
    _stale_drafts(p.tenant)


def active_formulas(tenant: Any) -> list[tuple[SalaryFormula, ast.expr]]:
    """The company's active formulas, parsed once for a payroll run."""
    rows = SalaryFormula.objects.filter(tenant=tenant, is_active=True).order_by("code")
    return [(row, parse(row.expression)) for row in rows]
