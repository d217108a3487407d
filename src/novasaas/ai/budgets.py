"""Monthly budgets of shared credits (company and per member): hard ones refuse, every one alerts at
50/80/100 % once per threshold and month through platform notifications.

A hard budget is reserved like the wallet, with a conditional UPDATE (``spent + reserved + n <= limit``),
so concurrent requests cannot overrun it either."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q, Value
from django.utils import timezone
from django.utils.translation import gettext as _

from novasaas.ai.credits import in_tenant
from novasaas.ai.models import Budget, BudgetAlert, BudgetMode, BudgetPeriod
from novasaas.identity.access import Principal
from novasaas.platform import audit
from novasaas.platform.models import AuditAction, Tenant
from novasaas.platform.notifications import notify
from novasaas.platform.transactions import atomic

THRESHOLDS = (50, 80, 100)


class BudgetExceeded(Exception):
    pass


def month_of(now: dt.datetime | None = None) -> dt.date:
    return timezone.localdate(now).replace(day=1)


def save_budget(principal: Principal, *, user_id: int | None, limit_credits: int, mode: str) -> Budget:
    principal.require("core.ai.manage")
    from novasaas.identity.models import Membership

    if mode not in BudgetMode.values:
        raise ValidationError({"mode": [_("Unknown mode.")]})
    if not 1 <= limit_credits <= 10**12:
        raise ValidationError({"limit_credits": [_("The limit is a whole number of credits from 1.")]})
    if user_id is not None and not Membership.objects.filter(user_id=user_id).exists():
        raise ValidationError({"user_id": [_("No such member in this company.")]})
    with atomic():
        budget = Budget.objects.filter(user=user_id).first() or Budget(user_id=user_id, limit_credits=0)
        budget.limit_credits, budget.mode = limit_credits, mode
        budget.save()
        audit.record(
            AuditAction.UPDATE,
            actor=principal.user,
            obj=budget,
            before={},
            after={"user_id": user_id, "limit_credits": limit_credits, "mode": mode},
        )
    return budget


def _period(budget: Budget, month: dt.date) -> BudgetPeriod:
    period = BudgetPeriod.objects.filter(budget=budget, month=month).first()
    if period is not None:
        return period
    try:
        with transaction.atomic():
            return BudgetPeriod.objects.create(budget=budget, month=month)
    except IntegrityError:
        return BudgetPeriod.objects.get(budget=budget, month=month)


def applicable(tenant: Tenant, user_id: int | None) -> list[Budget]:
    return list(
        Budget.objects.filter(Q(user=None) | Q(user_id=user_id)) if user_id else Budget.objects.filter(user=None)
    )


def reserve(tenant: Tenant, user_id: int | None, credits: int) -> list[tuple[int, int]]:
    """Hold ``credits`` on every budget that applies; raises BudgetExceeded (nothing held) when a hard
    budget cannot take them. Returns (period id, credits) pairs for ``settle``."""
    month = month_of()
    held: list[tuple[int, int]] = []
    with in_tenant(tenant), transaction.atomic(savepoint=False):
        for budget in applicable(tenant, user_id):
            period = _period(budget, month)
            rows = BudgetPeriod.objects.filter(pk=period.pk)
            if budget.mode == BudgetMode.HARD:
                rows = rows.filter(reserved__lte=Value(budget.limit_credits - credits) - F("spent"))
            if not rows.update(reserved=F("reserved") + credits):
                raise BudgetExceeded(
                    _("The monthly AI budget of %(who)s is used up (%(limit)s credits).")
                    % {
                        "who": _("the company") if budget.user_id is None else _("this user"),
                        "limit": f"{budget.limit_credits:,}",
                    }
                )
            held.append((period.pk, credits))
    return held


def settle(tenant: Tenant, held: list[tuple[int, int]], charged: int) -> None:
    """Turn the holds into spending and send the thresholds newly crossed (once per month each)."""
    if not held:
        return
    with in_tenant(tenant), transaction.atomic(savepoint=False):
        for period_id, reserved in held:
            BudgetPeriod.objects.filter(pk=period_id).update(
                reserved=F("reserved") - reserved, spent=F("spent") + charged
            )
        for period in BudgetPeriod.objects.filter(pk__in=[p for p, _r in held]).select_related("budget"):
            _alert(tenant, period)


def _alert(tenant: Tenant, period: BudgetPeriod) -> None:
    budget = period.budget
    used = period.spent * 100 // budget.limit_credits
    for threshold in THRESHOLDS:
        if used < threshold:
            break
        try:
            with transaction.atomic():
                BudgetAlert.objects.create(budget=budget, month=period.month, threshold=threshold)
        except IntegrityError:
            continue  # already announced this month
        recipients: Any = "core.ai.manage" if budget.user_id is None else [budget.user_id]
        notify(
            tenant,
            recipients,
            "system",
            _("AI budget at %(t)d%%: %(spent)s of %(limit)s credits this month")
            % {"t": threshold, "spent": f"{period.spent:,}", "limit": f"{budget.limit_credits:,}"},
            url="/ai/tokens/",
        )


def usage_of(budget: Budget) -> BudgetPeriod | None:
    return BudgetPeriod.objects.filter(budget=budget, month=month_of()).first()
