"""Master Admin's manual actions on a tenant's subscription (spec §12, console): extend a trial, change
the plan without charge, suspend to read-only or reactivate, set a per-tenant discount (% off every
invoice from the next one, up to an end date when given). Each is audited in the tenant's log."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from novasaas.billing import actions
from novasaas.billing.middleware import forget as read_only_cache_forget
from novasaas.billing.models import Subscription, SubscriptionStatus
from novasaas.platform import audit
from novasaas.platform.models import AuditAction, Tenant
from novasaas.platform.tenancy import tenant_context

MANUAL = ("extend_trial", "change_plan", "suspend", "reactivate", "discount")


@transaction.atomic
def manual_action(
    actor: Any,
    tenant: Tenant,
    action: str,
    *,
    days: int = 0,
    plan_code: str = "",
    percent: Any = None,
    until: dt.date | None = None,
) -> Subscription:
    """Apply one manual action (``MANUAL``) as Master Admin; refused (``ValidationError``) when it does
    not apply to the subscription's state. ``discount``: ``percent`` off every invoice issued up to
    ``until`` (inclusive; None: no end; not in the past); 0 % removes the discount and its end date."""
    actions._require_master(actor)
    with tenant_context(tenant):
        sub = actions._lock(tenant)
        before = {
            "status": sub.status,
            "plan": sub.plan.code,
            "trial_ends_on": sub.trial_ends_on,
            "period_end": sub.period_end,
            "discount_percent": sub.discount_percent,
            "discount_until": sub.discount_until,
        }
        if action == "extend_trial":
            if sub.status != SubscriptionStatus.TRIALING or sub.trial_ends_on is None:
                raise ValidationError(_("Only a trial can be extended."))
            if not 1 <= days <= 90:
                raise ValidationError(_("Extend by 1 to 90 days."))
            sub.trial_ends_on = sub.trial_ends_on + dt.timedelta(days=days)
            sub.period_end = sub.trial_ends_on
            sub.trial_reminders_sent = 0  # the 7/3/1-day reminders count from the new end
        elif action == "change_plan":
            plan = actions._plan(plan_code)
            new_price = actions.current_price(plan=plan)
            old_amount, new_amount = actions.amount_of(sub), actions.amount_of(sub, plan_price=new_price)
            if new_amount < old_amount:  # the rest of the paid period at the lower price comes back
                actions.credit_downgrade(
                    sub,
                    old_amount,
                    new_amount,
                    timezone.localdate(),
                    _("Downgrade %(old)s → %(new)s from %(on)s")
                    % {"old": sub.plan.name, "new": plan.name, "on": f"{timezone.localdate():%d/%m/%Y}"},
                )
            sub.plan, sub.price, sub.next_plan = plan, new_price, None
            actions._apply_modules(tenant, plan, keep=sub.status == SubscriptionStatus.TRIALING)
        elif action == "suspend":
            if sub.status == SubscriptionStatus.READ_ONLY:
                raise ValidationError(_("Already read-only."))
            sub.status = SubscriptionStatus.READ_ONLY
        elif action == "reactivate":
            if sub.status not in (SubscriptionStatus.READ_ONLY, SubscriptionStatus.PAST_DUE):
                raise ValidationError(_("Only a read-only or past-due subscription can be reactivated."))
            sub.status = SubscriptionStatus.ACTIVE
        elif action == "discount":
            try:
                value = Decimal(str(percent).strip())
            except (InvalidOperation, ValueError) as exc:
                raise ValidationError(_("Enter a discount between 0 and 100 %.")) from exc
            if not value.is_finite() or not Decimal(0) <= value <= Decimal(100) or value != round(value, 2):
                raise ValidationError({"percent": [_("Enter a discount between 0 and 100 %.")]})
            if until is not None and not isinstance(until, dt.date):
                raise ValidationError({"until": [_("Enter a valid date.")]})
            if until is not None and until < timezone.localdate():
                raise ValidationError({"until": [_("The discount's end date is in the past.")]})
            sub.discount_percent = value.quantize(Decimal("0.01"))
            sub.discount_until = until if value else None
        else:
            raise ValidationError(_("Unknown action."))
        sub.updated_at = timezone.now()
        sub.save()
        read_only_cache_forget(tenant.pk)
        after = {
            "status": sub.status,
            "plan": sub.plan.code,
            "trial_ends_on": sub.trial_ends_on,
            "period_end": sub.period_end,
            "discount_percent": sub.discount_percent,
            "discount_until": sub.discount_until,
        }
        actions._event(sub, f"manual_{action}", before=before, after=after)
        audit.record(
            AuditAction.UPDATE,
            actor=actor,
            tenant=tenant,
            obj=sub,
            before=before,
            after=after,
            message=f"Master Admin: {action}",
        )
    return sub
