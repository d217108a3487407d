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


def save_budget(
    principal: Principal,
    *,
    user_id: int | None,
    limit_credits: int | None = None,
    mode: str,
    limit_vnd: int | None = None,
) -> Budget:
    """A monthly budget in credits, or in VND (``limit_vnd``, whole đồng, a multiple of the credit's price:
    kept in credits at ``credits.VND_PER_CREDIT`` and shown in VND)."""
    principal.require("core.ai.manage")
    from novasaas.ai.credits import VND_PER_CREDIT
    from novasaas.identity.models import Membership

    if mode not in BudgetMode.values:
        raise ValidationError({"mode": [_("Unknown mode.")]})
    if (limit_credits is None) == (limit_vnd is None):
        raise ValidationError({"limit_credits": [_("Give the limit in credits or in VND (one of them).")]})
    unit = "credits"
    if limit_vnd is not None:
        if not VND_PER_CREDIT <= limit_vnd <= 10**13 or limit_vnd % VND_PER_CREDIT:
            raise ValidationError(
                {
                    "limit_vnd": [
                        _("The limit in VND is a multiple of %(p)s VND (the price of a credit).")
                        % {"p": VND_PER_CREDIT}
                    ]
                }
            )
        limit_credits, unit = limit_vnd // VND_PER_CREDIT, "vnd"
    assert limit_credits is not None
    if not 1 <= limit_credits <= 10**12:
        raise ValidationError({"limit_credits": [_("The limit is a whole number of credits from 1.")]})
    if user_id is not None and not Membership.objects.filter(user_id=user_id).exists():
        raise ValidationError({"user_id": [_("No such member in this company.")]})
    with atomic():
        budget = Budget.objects.filter(user=user_id).first() or Budget(user_id=user_id, limit_credits=0)
        budget.limit_credits, budget.mode, budget.unit = limit_credits, mode, unit
        budget.save()
        audit.record(
            AuditAction.UPDATE,
            actor=principal.user,
            obj=budget,
            before={},
            after={"user_id": user_id, "limit_credits": limit_credits, "mode": mode, "unit": unit},
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
                    _("The monthly AI budget of %(who)s is used up (%(limit)s).")
                    % {
                        "who": _("the company") if budget.user_id is None else _("this user"),
                        "limit": _amount(budget, budget.limit_credits),
                    }
                )
            held.append((period.pk, credits))
    return held


def _amount(budget: Budget, credits: int) -> str:
    """An amount of credits in the budget's unit: "1,000 credits" or "10,000 VND"."""
    from novasaas.ai.credits import VND_PER_CREDIT

    if budget.unit == "vnd":
        return f"{credits * VND_PER_CREDIT:,} VND"
    return _("%(n)s credits") % {"n": f"{credits:,}"}


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
            _("AI budget at %(t)d%%: %(spent)s of %(limit)s this month")
            % {
                "t": threshold,
                "spent": _amount(budget, period.spent),
                "limit": _amount(budget, budget.limit_credits),
            },
            url="/ai/tokens/",
        )


def usage_of(budget: Budget) -> BudgetPeriod | None:
    return BudgetPeriod.objects.filter(budget=budget, month=month_of()).first()
