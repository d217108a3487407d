"""Employees in and out of Excel (issue 14 §1): the list as a report (page button, Excel, PDF, API) and
an import of new employees from CSV/xlsx — all or nothing, every refused line listed with its number and
what is wrong (the same checks as hiring one by one: ``actions.create_employee``)."""

from __future__ import annotations

import datetime as dt
import re
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from novasaas.hrm import actions, selectors
from novasaas.hrm.models import Department, Employee, Position
from novasaas.identity.access import Principal
from novasaas.platform import audit
from novasaas.platform.imports import LineError, LineImportError, messages_of, read_rows
from novasaas.platform.reports import Column, Report

MAX_ROWS = 5_000
MAX_BYTES = 5 * 1024 * 1024

# key → (header of the export, the headers the import accepts besides the key, unaccented, lower case)
COLUMNS: dict[str, tuple[Any, tuple[str, ...]]] = {
    "code": (gettext_lazy("Code"), ("ma nv", "ma nhan vien", "employee code")),
    "full_name": (gettext_lazy("Full name"), ("ho ten", "ho va ten", "name")),
    "department": (gettext_lazy("Department"), ("phong ban", "ma phong ban", "department code")),
    "position": (gettext_lazy("Position"), ("chuc danh", "chuc vu", "ma chuc danh", "position code")),
    "hired_on": (gettext_lazy("Hired on"), ("ngay vao", "ngay vao lam", "hired")),
    "date_of_birth": (gettext_lazy("Date of birth"), ("ngay sinh", "birth date")),
    "id_number": (gettext_lazy("Citizen ID (CCCD)"), ("cccd", "so cccd", "id number")),
    "tax_code": (gettext_lazy("Personal tax code"), ("mst", "ma so thue", "tax code")),
    "social_insurance_number": (gettext_lazy("Social insurance number"), ("so bhxh", "ma so bhxh")),
    "bank_account": (gettext_lazy("Bank account"), ("so tai khoan", "tai khoan", "account")),
    "bank_name": (gettext_lazy("Bank"), ("ngan hang",)),
    "email": (gettext_lazy("Email"), ()),
    "phone": (gettext_lazy("Phone"), ("dien thoai", "so dien thoai")),
    "address": (gettext_lazy("Address"), ("dia chi",)),
    "region": (gettext_lazy("Workplace region"), ("vung",)),
    "status": (gettext_lazy("Status"), ("trang thai",)),
}
IMPORTED = [k for k in COLUMNS if k not in ("code", "status")]


class EmployeeImportError(LineImportError):
    """A refused employee import (``lines``: what is wrong where)."""


def employee_list(p: Principal) -> Report:
    """The employees the caller may see, one row each, in the import's columns (a file exported here
    and stripped of its code and status columns imports as new employees)."""
    rows = []
    for e in selectors.visible_employees(p).select_related("department", "position").order_by("code"):
        rows.append(
            {
                "_id": e.pk,
                "code": e.code,
                "full_name": e.full_name,
                "department": e.department.code,
                "position": e.position.code if e.position else "",
                "hired_on": e.hired_on,
                "date_of_birth": e.date_of_birth or "",
                "id_number": e.id_number,
                "tax_code": e.tax_code,
                "social_insurance_number": e.social_insurance_number,
                "bank_account": e.bank_account,
                "bank_name": e.bank_name,
                "email": e.email,
                "phone": e.phone,
                "address": e.address,
                "region": e.region,
                "status": str(e.get_status_display()),
            }
        )
    return Report(
        name="nhan-vien",
        title=_("Employees"),
        columns=[
            Column(key, label, "date" if key in ("hired_on", "date_of_birth") else "text")
            for key, (label, _w) in COLUMNS.items()
        ],
        rows=rows,
    )


def _column_key(header: Any) -> str | None:
    from novasaas.parties.text import unaccent

    raw = str(header or "").strip()
    text = " ".join(unaccent(raw).replace("_", " ").split())
    for key, (label, words) in COLUMNS.items():
        names = {key.replace("_", " "), " ".join(unaccent(str(label)).split()), *words}
        if text in names:
            return key
    bracket = re.search(r"\(([a-z_]+)\)\s*$", raw)
    return bracket.group(1) if bracket and bracket.group(1) in COLUMNS else None


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _day(text: str, field: str) -> dt.date | None:
    from novasaas.platform.dates import parse_date

    if not text:
        return None
    try:
        day = parse_date(text)
    except ValueError:
        day = None
    if day is None:
        raise ValidationError({field: [_("Enter a date as dd/mm/yyyy.")]})
    return day


@transaction.atomic
def import_employees(p: Principal, upload: IO[bytes], filename: str | None = None) -> list[Employee]:
    """Hire one employee per row (full name, department code, hiring date required; position code,
    personal numbers, bank, contact, region optional). All or nothing: every bad line is reported with
    its number, nothing is written. Contracts are signed afterwards, one by one."""
    p.require("hrm.employee.manage")
    rows = read_rows(
        upload,
        key=_column_key,
        cell=_cell,
        required=("full_name", "department", "hired_on"),
        header_message=_("The first row must hold the headers: full name, department, hired on."),
        max_rows=MAX_ROWS,
        max_bytes=MAX_BYTES,
        filename=filename or "employees.csv",
        error=EmployeeImportError,
    )
    departments = {d.code.upper(): d.pk for d in Department.objects.filter(tenant=p.tenant)}
    positions = {x.code.upper(): x.pk for x in Position.objects.filter(tenant=p.tenant)}
    errors: list[LineError] = []
    created: list[Employee] = []
    seen: dict[str, int] = {}
    for number, record in rows:
        problems: list[str] = []
        data: dict[str, Any] = {k: record.get(k, "") for k in IMPORTED}
        dept = departments.get(data.pop("department").upper())
        if dept is None:
            problems.append(_("Unknown department code %(c)s.") % {"c": record.get("department", "")})
        position = data.pop("position")
        if position and position.upper() not in positions:
            problems.append(_("Unknown position code %(c)s.") % {"c": position})
        try:
            data["hired_on"] = _day(data["hired_on"], "hired_on") or ""
            data["date_of_birth"] = _day(data["date_of_birth"], "date_of_birth")
        except ValidationError as exc:
            problems.extend(messages_of(exc))
        ident = data.get("id_number", "")
        if ident and ident in seen:
            problems.append(_("The same citizen ID is on line %(n)s.") % {"n": seen[ident]})
        elif ident:
            seen[ident] = number
        if ident and Employee.objects.filter(tenant=p.tenant, id_number=ident).exists():
            problems.append(_("An employee with citizen ID %(c)s already exists.") % {"c": ident})
        if problems:
            errors.append(LineError(number, problems))
            continue
        data["region"] = (data.get("region") or "I").upper()
        try:
            with transaction.atomic():
                created.append(
                    actions.create_employee(
                        p, department_id=dept, position_id=positions.get(position.upper()) if position else None, **data
                    )
                )
        except ValidationError as exc:
            errors.append(LineError(number, messages_of(exc)))
    if errors:
        raise EmployeeImportError(errors)
    audit.record(
        "create", actor=p.user, tenant=p.tenant, message=f"employee import: {len(created)} employees",
        object_type="hrm.employee",
    )  # fmt: skip
    return created
