"""Excel export and all-or-nothing import of customers (``crm.customer.import``, Sales Manager),
through the platform's import reader (``platform/imports.py``: line-numbered refusals, size and row
limits) like the parties import.

Import: one customer per data row. The party is the directory's party named by ``party_code`` or, when
that is empty, by ``tax_code``; with neither found and a ``name`` given, a new party is created in the
directory (``parties.actions.create_party``, role customer, with the phone/email/address of the row).
Then ``actions.create_customer`` gives it the customer role with the row's group (code), credit limit,
payment terms and salesperson (a member's email) — the same rules and rights as the page and API.
Any bad line refuses the whole file: every bad line is reported with its number and nothing is written.
A party that is already a customer is refused (re-importing an export would otherwise do nothing
silently; changes go through the customer page or API).
"""

from __future__ import annotations

from typing import IO

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from novasaas.identity.access import Principal
from novasaas.parties.excel import party_cells, party_for_row
from novasaas.platform.excel import workbook
from novasaas.platform.imports import (
    LineError,
    LineImportError,
    bracket_key,
    cell_text,
    headers,
    messages_of,
    read_rows,
)
from novasaas.sales import actions, selectors
from novasaas.sales.models import Customer, CustomerGroup

COLUMNS: list[tuple[str, str]] = [
    ("code", "Mã khách hàng (code)"),
    ("party_code", "Mã đối tác (party_code)"),
    ("name", "Tên (name)"),
    ("tax_code", "Mã số thuế (tax_code)"),
    ("phone", "Điện thoại (phone)"),
    ("email", "Email (email)"),
    ("address", "Địa chỉ (address)"),
    ("group", "Nhóm khách hàng (group)"),
    ("credit_limit", "Hạn mức tín dụng (credit_limit)"),
    ("payment_terms_days", "Số ngày được nợ (payment_terms_days)"),
    ("salesperson", "Nhân viên phụ trách (salesperson)"),
    ("active", "Đang dùng (active)"),
]
MAX_ROWS = 5000


class CustomerImportError(LineImportError):
    """A refused customer import (``lines``: what is wrong where)."""


def export_workbook(p: Principal) -> bytes:
    """The customers the principal sees as an xlsx file (text cells, never formulas)."""
    p.require("crm.customer.import")
    from novasaas.parties.selectors import party_summaries

    customers = list(selectors.visible_customers(p).select_related("party", "group", "salesperson").order_by("code"))
    summaries = party_summaries(p.tenant, [c.party_id for c in customers])
    rows = []
    for c in customers:
        s = summaries.get(c.party_id)
        rows.append(
            [
                c.code,
                *party_cells(c.party, s),
                getattr(s, "address", "") or "",
                c.group.code if c.group else "",
                c.credit_limit if c.credit_limit is not None else "",
                c.payment_terms_days,
                c.salesperson.email if c.salesperson else "",
                _("Yes") if c.is_active else _("No"),
            ]
        )
    return workbook(_("Customers"), headers(COLUMNS), rows)


def _salesperson(p: Principal, email: str) -> int | None:
    if not email:
        return None
    from novasaas.identity.models import Membership

    membership = (
        Membership.objects.filter(tenant=p.tenant, user__email__iexact=email, is_active=True)
        .values_list("user_id", flat=True)
        .first()
    )
    if membership is None:
        raise ValidationError({"salesperson": [_("No active member has the email %(e)s.") % {"e": email}]})
    return int(membership)


@transaction.atomic
def import_customers(p: Principal, upload: IO[bytes], filename: str | None = None) -> list[Customer]:
    """Create the customers of the file, all or nothing (``CustomerImportError`` lists every bad line)."""
    p.require("crm.customer.import")
    p.require("crm.customer.create")
    rows = read_rows(
        upload,
        key=bracket_key(COLUMNS),
        cell=cell_text,
        required=(),
        max_rows=MAX_ROWS,
        filename=filename,
        error=CustomerImportError,
    )
    groups = {g.code.upper(): g.pk for g in CustomerGroup.objects.filter(tenant=p.tenant, is_active=True)}
    errors: list[LineError] = []
    created: list[Customer] = []
    for number, record in rows:
        try:
            with transaction.atomic():
                group_code = record.get("group", "").upper()
                if group_code and group_code not in groups:
                    raise ValidationError(
                        {"group": [_("No active customer group has the code %(c)s.") % {"c": group_code}]}
                    )
                created.append(
                    actions.create_customer(
                        p,
                        party_id=party_for_row(p, record, role="customer"),
                        group_id=groups.get(group_code),
                        credit_limit=record.get("credit_limit") or None,
                        payment_terms_days=record.get("payment_terms_days") or 0,  # type: ignore[arg-type]
                        salesperson_id=_salesperson(p, record.get("salesperson", "")),
                    )
                )
        except ValidationError as exc:
            errors.append(LineError(number, messages_of(exc)))
    if errors:
        raise CustomerImportError(errors)
    return created
