"""The accounting dashboard widget: cash position, AR, AP, this month's revenue and expenses."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from novasaas.accounting import actions, reports


def widget_context(principal: Any) -> dict[str, Any]:
    tenant = principal.tenant
    actions.ensure_chart(tenant)
    today = timezone.localdate()
    month_start = dt.date(today.year, today.month, 1)
    balances = reports.totals_by_prefix(tenant, ["111", "112", "131", "331"], end=today)
    month = reports.totals_by_prefix(tenant, ["5", "6", "7", "8"], end=today, start=month_start)
    return {
        "figures": [
            (_("Cash and bank"), balances.get("111", 0) + balances.get("112", 0)),
            (_("Receivables (131)"), balances.get("131", 0)),
            (_("Payables (331)"), -balances.get("331", 0)),
            (_("Revenue this month"), -(month.get("5", 0) + month.get("7", 0))),
            (_("Expenses this month"), month.get("6", 0) + month.get("8", 0)),
        ]
    }
