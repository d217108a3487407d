"""The company's order policy (``SalesSettings``): stock check on confirmation (refuse, or warn and
reserve what is available so the rest is back-ordered) and approval of orders above an amount."""

from __future__ import annotations

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
def save_settings(p: Principal, *, stock_check: Any = _UNSET, approval_limit: Any = _UNSET) -> SalesSettings:
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
    row.save()
    if before is None:
        audit.record_created(row, p.user)
    else:
        audit.record_updated(row, p.user, before)
    return row
