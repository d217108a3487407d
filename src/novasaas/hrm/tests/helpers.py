"""Small helpers of the HRM tests: principals per role, a department with employees and contracts."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from novasaas.hrm import actions
from novasaas.inventory.tests.helpers import principal

D = Decimal


@dataclass
class World:
    hr: Any  # HR Manager principal
    office: Any  # department HC (cost account salary_expense)
    sales: Any  # department KD (cost account 6421), managed by ``manager``
    manager: Any  # Manager principal (manager of KD)
    employee_user: Any  # the User linked to ``alice``
    alice: Any  # employee of HC with a user account, 20,000,000 gross
    bob: Any  # employee of KD, 30,000,000 gross with 2 dependants


def hire(hr: Any, name: str, department: Any, salary: Any, *, user: Any = None, **contract: Any) -> Any:
    emp = actions.create_employee(
        hr, full_name=name, department_id=department.pk, hired_on="2026-01-05", user_id=user.pk if user else None
    )
    contract.setdefault("kind", "indefinite")
    contract.setdefault("start_date", "2026-01-05")
    actions.create_contract(hr, emp.pk, salary=str(salary), **contract)
    return emp


def world(tenant: Any) -> World:
    """Inside tenant_context: an HR Manager, two departments, Alice (user account, 20 M) and Bob (30 M,
    two dependants registered from January 2026)."""
    from novasaas.platform.testing.fixtures import create_user

    hr = principal(tenant, "hr_manager")
    manager = principal(tenant, "manager")
    office = actions.save_department(hr, code="HC", name="Hành chính")
    sales = actions.save_department(hr, code="KD", name="Kinh doanh", cost_account="6421", manager_id=manager.user.pk)
    employee_user = create_user(tenant, "employee")
    alice = hire(hr, "Nguyễn Thị Alice", office, 20_000_000, user=employee_user)
    bob = hire(hr, "Trần Văn Bob", sales, 30_000_000)
    for name in ("Con 1", "Con 2"):
        actions.add_dependant(hr, bob.pk, full_name=name, relationship="Con", registered_from="2026-01-01")
    return World(hr, office, sales, manager, employee_user, alice, bob)
