"""The company's order policy (``SalesSettings``): stock check on confirmation (refuse, or warn and
reserve what is available so the rest is back-ordered), approval of orders above an amount, the
default validity of new quotations and how long before expiry the salesperson is told."""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from novasaas.identity.access import Principal
from novasaas.platform import audit
from novasaas.platform.models import Tenant
from novasaas.sales.models import SalesSettings, StockCheck

_UNSET: Any = object()


def get_settings(tenant: Tenant) -> SalesSettings:
    """The company's settings (defaults, unsaved, when it never changed them: refuse, no approval)."""
    return SalesSettings.objects.filter(tenant=tenant).first() or SalesSettings(tenant=tenant)


@transaction.atomic
def save_settings(
    p: Principal,
    *,
    stock_check: Any = _UNSET,
    approval_limit: Any = _UNSET,
    payee_bank_bin: Any = _UNSET,
    payee_account: Any = _UNSET,
    quotation_validity_days: Any = _UNSET,
    quotation_expiry_notice_days: Any = _UNSET,
) -> SalesSettings:
    """Change the policy (Sales Manager: ``crm.order.approve``, who also approves the orders)."""
    from novasaas.sales.actions import _money

    p.require("crm.order.approve")
    current = SalesSettings.objects.select_for_update().filter(tenant=p.tenant).first()
    row = current or SalesSettings(tenant=p.tenant)
    before = audit.snapshot(row) if current else None
    if stock_check is not _UNSET:
        if stock_check not in StockCheck.values:
            raise ValidationError({"stock_check": [_("Choose refuse or warn.")]})
        row.stock_check = stock_check
    if approval_limit is not _UNSET:
        row.approval_limit = _money(approval_limit, "approval_limit", allow_none=True)
    if payee_bank_bin is not _UNSET:
        value = str(payee_bank_bin or "").strip()
        if value and not re.fullmatch(r"\d{6}", value):
            raise ValidationError({"payee_bank_bin": [_("Enter the bank's 6-digit BIN (e.g. 970436).")]})
        row.payee_bank_bin = value
    if payee_account is not _UNSET:
        value = str(payee_account or "").strip()
        if value and not re.fullmatch(r"[0-9A-Za-z]{1,19}", value):
            raise ValidationError({"payee_account": [_("Enter the account number: up to 19 letters or digits.")]})
        row.payee_account = value
    for name, low, high in (("quotation_validity_days", 1, 365), ("quotation_expiry_notice_days", 0, 60)):
        value = locals()[name]
        if value is _UNSET or value is None:
            continue
        try:
            number = int(value)
        except (TypeError, ValueError):
            number = -1
        if str(number) != str(value).strip() or not low <= number <= high:
            raise ValidationError({name: [_("Enter a whole number from %(a)d to %(b)d.") % {"a": low, "b": high}]})
        setattr(row, name, number)
    if bool(row.payee_bank_bin) != bool(row.payee_account):
        raise ValidationError({"payee_account": [_("Enter both the bank BIN and the account number, or neither.")]})
    row.save()
    if before is None:
        audit.record_created(row, p.user)
    else:
        audit.record_updated(row, p.user, before)
    return row
