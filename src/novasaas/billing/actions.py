"""Billing actions: the Master Admin's catalogue, and a tenant's subscription (start, plan change,
extra users and add-ons, renewal). Each runs in one transaction, locks the subscription row it
changes, records the change in the audit log and in the subscription's history."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from novasaas.billing import limits, pricing

# the public seam for other apps' charges (billing/charges.py), re-exported
from novasaas.billing.charges import ChargeResult as ChargeResult
from novasaas.billing.charges import add_charge as add_charge
from novasaas.billing.charges import publish_period_started
from novasaas.billing.models import (
    LIMITS,
    AddOn,
    AddOnUnit,
    Charge,
    ChargeKind,
    CreditKind,
    Period,
    Plan,
    PlanKind,
    PlatformCredit,
    PriceVersion,
    Promotion,
    PromotionKind,
    Subscription,
    SubscriptionAddOn,
    SubscriptionEvent,
    SubscriptionStatus,
)
from novasaas.billing.seed import FEATURE_KEYS
from novasaas.platform import audit
from novasaas.platform.models import AuditAction, Tenant
from novasaas.platform.modules import normalize_modules, offerable_modules
from novasaas.platform.tenancy import tenant_context

PLAN_FIELDS = (
    "name",
    "name_en",
    "kind",
    "position",
    "is_active",
    "trial_days",
    "included_users",
    "modules",
    "features",
    *(f"max_{n}" for n in LIMITS),
)
ADDON_FIELDS = ("name", "name_en", "unit", "limit", "limit_step", "is_active", "position")


def _require_master(actor: Any) -> None:
    if not getattr(actor, "is_master_admin", False):
        raise PermissionDenied(_("Master Admin only."))


def _money(value: Any, field: str) -> Decimal:
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError) as exc:
        raise ValidationError({field: [_("Enter a number.")]}) from exc
    if not amount.is_finite() or amount < 0 or amount != amount.to_integral_value() or amount >= 10**15:
        raise ValidationError({field: [_("Enter a whole, non-negative amount of đồng.")]})
    return amount


# --- catalogue (Master Admin) ---------------------------------------------------------------------


def current_price(*, plan: Plan | None = None, addon: AddOn | None = None) -> PriceVersion:
    """The price version in force now: the newest one whose ``valid_from`` has come."""
    qs = PriceVersion.objects.filter(valid_from__lte=timezone.now())
    qs = qs.filter(plan=plan) if plan is not None else qs.filter(addon=addon)
    price = qs.order_by("-version").first()
    if price is None:
        raise ValidationError(_("%(item)s has no price yet.") % {"item": plan or addon})
    return price


def _clean_plan(plan: Plan) -> None:
    try:
        plan.modules = normalize_modules(list(plan.modules or []))
    except (ValueError, TypeError) as exc:
        raise ValidationError({"modules": [str(exc)]}) from exc
    if not isinstance(plan.features, dict) or set(plan.features) - set(FEATURE_KEYS):
        unknown = sorted(set(plan.features) - set(FEATURE_KEYS)) if isinstance(plan.features, dict) else []
        raise ValidationError({"features": [_("Unknown features: %(f)s") % {"f": ", ".join(unknown) or "?"}]})
    if plan.kind not in PlanKind.values:
        raise ValidationError({"kind": [_("Unknown kind.")]})
    plan.full_clean()


@transaction.atomic
def save_plan(actor: Any, plan_id: int | None = None, **data: Any) -> Plan:
    """Create or edit a plan or package (not its price: ``set_price``). Master Admin only; audited."""
    _require_master(actor)
    plan = Plan.objects.select_for_update().get(pk=plan_id) if plan_id else Plan(code=data.pop("code", ""))
    data.pop("code", None)
    before = audit.snapshot(plan) if plan.pk else None
    prices = {k: data.pop(k) for k in ("monthly_price", "extra_user_price", "annual_discount_percent") if k in data}
    for key, value in data.items():
        if key not in PLAN_FIELDS:
            raise ValidationError({key: [_("Unknown field.")]})
        setattr(plan, key, value)
    if plan.features and isinstance(plan.features, dict) and before:
        plan.features = {**before.get("features", {}), **plan.features}
    _clean_plan(plan)
    plan.save()
    if before is None:
        audit.record(AuditAction.CREATE, actor=actor, tenant=None, obj=plan, after=audit.snapshot(plan))
        set_price(actor, plan=plan, **{"monthly_price": 0, **prices})
    else:
        audit.record(AuditAction.UPDATE, actor=actor, tenant=None, obj=plan, before=before, after=audit.snapshot(plan))
        if prices:
            set_price(actor, plan=plan, **prices)
    return plan


@transaction.atomic
def save_addon(actor: Any, addon_id: int | None = None, **data: Any) -> AddOn:
    _require_master(actor)
    addon = AddOn.objects.select_for_update().get(pk=addon_id) if addon_id else AddOn(code=data.pop("code", ""))
    data.pop("code", None)
    before = audit.snapshot(addon) if addon.pk else None
    price = data.pop("monthly_price", None)
    for key, value in data.items():
        if key not in ADDON_FIELDS:
            raise ValidationError({key: [_("Unknown field.")]})
        setattr(addon, key, value)
    if addon.limit and addon.limit not in LIMITS:
        raise ValidationError({"limit": [_("Unknown limit.")]})
    if addon.unit not in AddOnUnit.values:
        raise ValidationError({"unit": [_("Unknown unit.")]})
    addon.full_clean()
    addon.save()
    if before is None:
        audit.record(AuditAction.CREATE, actor=actor, tenant=None, obj=addon, after=audit.snapshot(addon))
        set_price(actor, addon=addon, monthly_price=price or 0)
    else:
        audit.record(
            AuditAction.UPDATE, actor=actor, tenant=None, obj=addon, before=before, after=audit.snapshot(addon)
        )
        if price is not None:
            set_price(actor, addon=addon, monthly_price=price)
    return addon


@transaction.atomic
def set_price(
    actor: Any,
    *,
    plan: Plan | None = None,
    addon: AddOn | None = None,
    monthly_price: Any,
    extra_user_price: Any = None,
    annual_discount_percent: Any = None,
) -> PriceVersion:
    """A new price version of a plan or add-on, in force at once for new sales and renewals; running
    subscriptions keep theirs until renewal. Master Admin only; audited."""
    _require_master(actor)
    if (plan is None) == (addon is None):
        raise ValueError("set_price needs a plan or an add-on")
    locked_plan = Plan.objects.select_for_update().get(pk=plan.pk) if plan else None
    locked_addon = AddOn.objects.select_for_update().get(pk=addon.pk) if addon else None
    owner: Plan | AddOn = locked_plan or locked_addon  # type: ignore[assignment]
    last = (
        (PriceVersion.objects.filter(plan=locked_plan) if plan else PriceVersion.objects.filter(addon=locked_addon))
        .order_by("-version")
        .first()
    )
    price = PriceVersion(
        plan=locked_plan,
        addon=locked_addon,
        version=(last.version + 1) if last else 1,
        monthly_price=_money(monthly_price, "monthly_price"),
        extra_user_price=_money(
            extra_user_price if extra_user_price is not None else (last.extra_user_price if last else 0),
            "extra_user_price",
        ),
        annual_discount_percent=(
            annual_discount_percent
            if annual_discount_percent is not None
            else (last.annual_discount_percent if last else Decimal(20))
        ),
        created_by=actor,
    )
    try:
        price.annual_discount_percent = Decimal(str(price.annual_discount_percent))
    except InvalidOperation as exc:
        raise ValidationError({"annual_discount_percent": [_("Enter a number.")]}) from exc
    if not Decimal(0) <= price.annual_discount_percent <= Decimal(100):
        raise ValidationError({"annual_discount_percent": [_("Between 0 and 100.")]})
    if plan is None and extra_user_price:
        raise ValidationError({"extra_user_price": [_("Only plans have a price per extra user.")]})
    price.save()
    audit.record(
        AuditAction.CREATE,
        actor=actor,
        tenant=None,
        obj=price,
        after=audit.snapshot(price),
        message=f"price v{price.version} of {owner}",
    )
    return price


# --- subscriptions --------------------------------------------------------------------------------


def _today() -> dt.date:
    return timezone.localdate()


def _event(sub: Subscription, kind: str, **detail: Any) -> None:
    SubscriptionEvent.objects.create(
        tenant_id=sub.tenant_id, subscription=sub, kind=kind, detail=audit._jsonable(detail)
    )


def _lock(tenant: Tenant) -> Subscription:
    sub = Subscription.objects.select_for_update(of=("self",)).filter(tenant_id=tenant.pk).first()
    if sub is None:
        raise ValidationError(_("This company has no subscription."))
    return sub


def _plan(code: str) -> Plan:
    plan = Plan.objects.filter(code=code, is_active=True).first()
    if plan is None:
        raise ValidationError({"plan": [_("Choose a plan of the catalogue.")]})
    return plan


def _period(value: str) -> str:
    if value not in Period.values:
        raise ValidationError({"period": [_("Monthly or annual.")]})
    return value


def amount_of(
    sub: Subscription,
    *,
    plan_price: PriceVersion | None = None,
    extra_users: int | None = None,
    addons: list[tuple[Decimal | int, int]] | None = None,
    period: str | None = None,
) -> Decimal:
    """P of the subscription (``pricing.period_amount``) with optional changes applied."""
    price = plan_price or sub.price
    if addons is None:
        prefetched = "addons" in getattr(sub, "_prefetched_objects_cache", {})
        links = sub.addons.all() if prefetched else sub.addons.select_related("price", "addon")
        addons = [(a.price.monthly_price, a.quantity) for a in links if a.addon.unit == AddOnUnit.MONTH]

    monthly = pricing.monthly_amount(
        price.monthly_price,
        extra_users=sub.extra_users if extra_users is None else extra_users,
        extra_user_price=price.extra_user_price,
        addons=addons,
    )
    return pricing.period_amount(monthly, period or sub.period, price.annual_discount_percent)


def _charge(sub: Subscription, kind: str, description: str, on: dt.date, amount: Decimal) -> Charge | None:
    if amount <= 0:
        return None
    return Charge.objects.create(
        tenant_id=sub.tenant_id, subscription=sub, kind=kind, description=description[:300], on=on, amount=amount
    )


def _charge_period(sub: Subscription, on: dt.date) -> None:
    """The charges of a whole period starting on ``on``: plan, extra users, each recurring add-on."""
    price = sub.price
    factor = Decimal(12) * (100 - price.annual_discount_percent) / 100 if sub.period == Period.ANNUAL else Decimal(1)
    label = f"{sub.plan.name} {sub.period_start:%d/%m/%Y}–{sub.period_end - dt.timedelta(days=1):%d/%m/%Y}"
    lines = [(ChargeKind.PLAN, label, price.monthly_price * factor)]
    if sub.extra_users:
        lines.append(
            (
                ChargeKind.EXTRA_USERS,
                f"{label}: {sub.extra_users} × extra user",
                sub.extra_users * price.extra_user_price * factor,
            )
        )
    for link in sub.addons.select_related("addon", "price"):
        if link.addon.unit == AddOnUnit.MONTH and link.quantity:
            lines.append(
                (
                    ChargeKind.ADDON,
                    f"{label}: {link.quantity} × {link.addon.name}",
                    link.quantity * link.price.monthly_price * factor,
                )
            )
    # Each line is rounded; the rounding difference goes on the plan line so the lines add up to P.
    rounded = [pricing.round_money(amount) for _k, _d, amount in lines]
    total = amount_of(sub)
    rounded[0] += total - sum(rounded, Decimal(0))
    for (kind, description, _a), amount in zip(lines, rounded, strict=True):
        _charge(sub, kind, description, on, amount)


def _apply_modules(tenant: Tenant, plan: Plan, *, keep: bool) -> None:
    """Give the tenant the plan's modules that are built (kept ones stay with ``keep``), through the
    existing module gate (``identity.actions.set_tenant_modules``: set-up of newly enabled modules)."""
    from novasaas.identity.actions import set_tenant_modules

    with_tenant = Tenant.objects.get(pk=tenant.pk) if tenant.pk else tenant
    current = set(with_tenant.enabled_modules or [])
    built = set(offerable_modules()) | current
    wanted = {m for m in plan.modules if m in built} | (current if keep else set())
    if wanted != current:
        set_tenant_modules(with_tenant, sorted(wanted), actor=None)
        tenant.enabled_modules = with_tenant.enabled_modules


@transaction.atomic
def start_subscription(
    tenant: Tenant,
    plan_code: str,
    *,
    period: str = Period.MONTHLY,
    on: dt.date | None = None,
    trial: bool = True,
    actor: Any = None,
) -> Subscription:
    """The tenant's first subscription. A paid plan with trial days starts a trial (every built module,
    "full features", §12.7.1; the plan's limits); Free Forever and a paid plan without trial start
    active on the plan's modules, and a paid one is charged its first period at once."""
    on = on or _today()
    plan = _plan(plan_code)
    if Subscription.objects.filter(tenant_id=tenant.pk).exists():
        raise ValidationError(_("This company already has a subscription."))
    trialing = trial and plan.trial_days > 0
    sub = Subscription.objects.create(
        tenant=tenant,
        plan=plan,
        price=current_price(plan=plan),
        period=_period(period),
        status=SubscriptionStatus.TRIALING if trialing else SubscriptionStatus.ACTIVE,
        trial_ends_on=on + dt.timedelta(days=plan.trial_days) if trialing else None,
        period_start=on,
        period_end=on + dt.timedelta(days=plan.trial_days) if trialing else pricing.period_end(on, period),
    )
    if not trialing:
        _apply_modules(tenant, plan, keep=False)
        _charge_period(sub, on)
        publish_period_started(sub)
    _event(sub, "started", plan=plan.code, status=sub.status, period=sub.period)
    audit.record(
        AuditAction.CREATE,
        actor=actor,
        tenant=tenant,
        obj=sub,
        after={"plan": plan.code, "status": sub.status, "period": sub.period},
    )
    return sub


def start_signup_subscription(tenant: Tenant, plan_code: str | None) -> Subscription | None:
    """Sign-up's hook: the chosen plan (``?plan=`` on the sign-up page), by default a Business trial;
    an unknown code falls back to the default rather than failing a sign-up."""
    code = plan_code if plan_code and Plan.objects.filter(code=plan_code, is_active=True).exists() else "business"
    if not Plan.objects.filter(code=code).exists():
        return None
    with tenant_context(tenant):
        return start_subscription(tenant, code)


def over_limits(sub: Subscription, plan: Plan) -> list[str]:
    """What the tenant uses beyond ``plan``'s limits, one sentence each (empty: it fits)."""
    problems = []
    for name in LIMITS:
        limit = limits.allowed(sub, name, plan)
        used = limits.usage(name)
        if limit is not None and used is not None and used > limit:
            problems.append(
                _("%(used)s %(what)s in use, the plan %(plan)s allows %(allowed)s.")
                % {"used": used, "what": limits.LABELS[name], "plan": plan.name, "allowed": limit}
            )
    return problems


@transaction.atomic
def change_plan(
    principal: Any, plan_code: str, *, period: str | None = None, on: dt.date | None = None
) -> Subscription:
    """Tenant Admin: move to another plan. In a trial, at once and free. Otherwise an upgrade (the
    period amount rises) takes effect at once, its added modules are enabled, and the rest of the
    period is charged pro-rata (``pricing.prorated_charge``); a downgrade (or a change of billing
    period) takes effect at the next period and is refused while the tenant exceeds the new limits."""
    principal.require("core.subscription.manage")
    tenant = principal.tenant
    on = on or _today()
    sub = _lock(tenant)
    _catch_up(tenant, sub, on)
    plan = _plan(plan_code)
    period = _period(period or sub.next_period or sub.period)
    before = {"plan": sub.plan.code, "period": sub.period, "next_plan": getattr(sub.next_plan, "code", None)}
    if sub.status == SubscriptionStatus.CANCELLED:
        # subscribing again after the end: a new paid period on the chosen plan from today
        sub.plan, sub.price, sub.period = plan, current_price(plan=plan), period
        sub.next_plan, sub.next_period, sub.next_extra_users = None, "", None
        sub.status, sub.trial_ends_on = SubscriptionStatus.ACTIVE, None
        sub.period_start, sub.period_end = on, pricing.period_end(on, period)
        sub.save()
        _apply_modules(tenant, plan, keep=False)
        _charge_period(sub, on)
        from novasaas.billing.middleware import forget

        forget(tenant.pk)
        kind = "resubscribed"
    elif sub.status == SubscriptionStatus.TRIALING:
        sub.plan, sub.price, sub.period = plan, current_price(plan=plan), period
        sub.next_plan, sub.next_period = None, ""
        kind = "trial_plan"
    else:
        new_price = current_price(plan=plan)
        old_amount = amount_of(sub)
        new_amount = amount_of(sub, plan_price=new_price)
        if plan.pk != sub.plan_id and new_amount > old_amount:
            problems = over_limits(sub, plan)
            if problems:
                raise ValidationError(problems)
            charge = pricing.prorated_charge(old_amount, new_amount, sub.period_start, sub.period_end, on)
            _charge(
                sub,
                ChargeKind.PRORATA,
                _("Upgrade %(old)s → %(new)s from %(on)s")
                % {"old": sub.plan.name, "new": plan.name, "on": f"{on:%d/%m/%Y}"},
                on,
                charge,
            )
            old_plan = sub.plan
            sub.plan, sub.price = plan, new_price
            sub.next_plan = None
            sub.next_period = period if period != sub.period else ""
            _apply_modules(tenant, plan, keep=True)
            kind = "upgraded"
            apply_promotions(sub, old_plan, plan, new_price, on)
        else:
            problems = over_limits(sub, plan)
            if problems:
                raise ValidationError(problems)
            sub.next_plan = plan if plan.pk != sub.plan_id else None
            sub.next_period = period if period != sub.period else ""
            kind = "change_scheduled"
    sub.updated_at = timezone.now()
    sub.save()
    after = {"plan": sub.plan.code, "period": sub.period, "next_plan": getattr(sub.next_plan, "code", None)}
    _event(sub, kind, before=before, after=after)
    audit.record(AuditAction.UPDATE, actor=principal.user, tenant=tenant, obj=sub, before=before, after=after)
    return sub


@transaction.atomic
def set_quantity(
    principal: Any,
    *,
    extra_users: int | None = None,
    addon_code: str | None = None,
    quantity: int | None = None,
    on: dt.date | None = None,
) -> Subscription:
    """Tenant Admin: buy more extra users or add-on units (at once, pro-rata for the rest of the
    period; a one-off add-on is charged its price once) or fewer (from the next period, refused while
    the tenant uses more than the lower number allows)."""
    principal.require("core.subscription.manage")
    tenant = principal.tenant
    on = on or _today()
    sub = _lock(tenant)
    _catch_up(tenant, sub, on)
    if sub.status == SubscriptionStatus.CANCELLED:
        raise ValidationError(_("The subscription is cancelled."))
    before: dict[str, Any]
    after: dict[str, Any]
    if extra_users is not None:
        if extra_users < 0 or extra_users > 100_000:
            raise ValidationError({"extra_users": [_("Enter a number between 0 and 100000.")]})
        if sub.plan.included_users is None:
            raise ValidationError({"extra_users": [_("This plan has unlimited users.")]})
        if sub.plan.max_users is not None and sub.plan.included_users + extra_users > sub.plan.max_users:
            raise ValidationError({"extra_users": [_("This plan allows no extra users; upgrade the plan.")]})
        old, new = amount_of(sub), amount_of(sub, extra_users=extra_users)
        before = {"extra_users": sub.extra_users}
        if extra_users >= sub.extra_users:
            if sub.status != SubscriptionStatus.TRIALING:
                _charge(
                    sub,
                    ChargeKind.PRORATA,
                    _("%(n)s extra users from %(on)s") % {"n": extra_users - sub.extra_users, "on": f"{on:%d/%m/%Y}"},
                    on,
                    pricing.prorated_charge(old, new, sub.period_start, sub.period_end, on),
                )
            sub.extra_users, sub.next_extra_users = extra_users, None
        else:
            used = limits.usage("users") or 0
            allowed = (sub.plan.included_users or 0) + extra_users
            if used > allowed:
                raise ValidationError(
                    {
                        "extra_users": [
                            _("%(used)s users in use, %(allowed)s would be allowed.")
                            % {"used": used, "allowed": allowed}
                        ]
                    }
                )
            sub.next_extra_users = extra_users
        after = {"extra_users": sub.extra_users, "next_extra_users": sub.next_extra_users}
    else:
        addon = AddOn.objects.filter(code=addon_code or "", is_active=True).first()
        if addon is None:
            raise ValidationError({"addon": [_("Choose an add-on of the catalogue.")]})
        if quantity is None or quantity < 0 or quantity > 10_000:
            raise ValidationError({"quantity": [_("Enter a number between 0 and 10000.")]})
        price = current_price(addon=addon)
        if addon.unit == AddOnUnit.ONE_OFF:
            if quantity < 1:
                raise ValidationError({"quantity": [_("Enter at least 1.")]})
            _charge(sub, ChargeKind.ADDON, f"{quantity} × {addon.name}", on, price.monthly_price * quantity)
            before, after = {}, {"addon": addon.code, "quantity": quantity}
        else:
            link = SubscriptionAddOn.objects.filter(subscription=sub, addon=addon).select_related("price").first()
            current = link.quantity if link else 0
            before = {"addon": addon.code, "quantity": current}
            if quantity >= current:
                if link is None:
                    link = SubscriptionAddOn(
                        subscription=sub, tenant_id=sub.tenant_id, addon=addon, price=price, quantity=0, started_on=on
                    )
                if quantity > current and sub.status != SubscriptionStatus.TRIALING:
                    old = amount_of(sub)
                    addons: list[tuple[Decimal | int, int]] = [
                        (a.price.monthly_price, a.quantity)
                        for a in sub.addons.select_related("price", "addon")
                        if a.addon.unit == AddOnUnit.MONTH and a.addon_id != addon.pk
                    ]
                    new = amount_of(sub, addons=[*addons, (link.price.monthly_price, quantity)])
                    _charge(
                        sub,
                        ChargeKind.PRORATA,
                        _("%(n)s × %(addon)s from %(on)s")
                        % {"n": quantity - current, "addon": addon.name, "on": f"{on:%d/%m/%Y}"},
                        on,
                        pricing.prorated_charge(old, new, sub.period_start, sub.period_end, on),
                    )
                link.quantity, link.next_quantity = quantity, None
                link.save()
            else:
                now_allowed = limits.allowed(sub, addon.limit) if addon.limit else None
                if now_allowed is not None:
                    lowered = now_allowed - addon.limit_step * (current - quantity)
                    in_use = limits.usage(addon.limit)
                    if in_use is not None and in_use > lowered:
                        raise ValidationError(
                            {
                                "quantity": [
                                    _("%(used)s %(what)s in use, %(allowed)s would be allowed.")
                                    % {"used": in_use, "what": limits.LABELS[addon.limit], "allowed": lowered}
                                ]
                            }
                        )
                assert link is not None
                link.next_quantity = quantity
                link.save(update_fields=["next_quantity"])
            after = {"addon": addon.code, "quantity": link.quantity, "next_quantity": link.next_quantity}
    sub.updated_at = timezone.now()
    sub.save()
    _event(sub, "quantity", before=before, after=after)
    audit.record(AuditAction.UPDATE, actor=principal.user, tenant=tenant, obj=sub, before=before, after=after)
    return sub


@transaction.atomic
def renew(tenant: Tenant, *, on: dt.date | None = None) -> Subscription | None:
    """Start the next period of a subscription whose period (or trial) has ended by ``on``: apply the
    scheduled plan, billing period and lower quantities, take the catalogue's current price, and
    charge the new period; periods missed (no worker for a while) are caught up one by one.
    Idempotent: a subscription whose period has not ended is left alone (None)."""
    on = on or _today()
    sub = _lock(tenant)
    renewed = None
    while sub.status not in (SubscriptionStatus.CANCELLED, SubscriptionStatus.READ_ONLY) and sub.period_end <= on:
        renewed = _renew_once(tenant, sub)
    return renewed


def _catch_up(tenant: Tenant, sub: Subscription, on: dt.date) -> None:
    """Before a change on ``on``: renew a period that has ended (the daily task may not have run yet)."""
    if on < sub.period_start:
        raise ValidationError(_("The change date is before the current period."))
    while sub.status not in (SubscriptionStatus.CANCELLED, SubscriptionStatus.READ_ONLY) and sub.period_end <= on:
        _renew_once(tenant, sub)


def _end_cancelled(tenant: Tenant, sub: Subscription) -> Subscription:
    """The period of a subscription cancelled by its tenant has ended: it is cancelled (the workspace
    becomes read-only, its data kept), nothing more is charged."""
    from novasaas.billing.middleware import forget

    was = sub.status
    sub.status = SubscriptionStatus.CANCELLED
    sub.cancel_at_period_end = False
    sub.next_plan, sub.next_period, sub.next_extra_users = None, "", None
    sub.updated_at = timezone.now()
    sub.save()
    forget(tenant.pk)
    _event(sub, "cancelled", on=sub.period_end, was=was)
    audit.record(
        AuditAction.UPDATE,
        actor=None,
        tenant=tenant,
        obj=sub,
        before={"status": was},
        after={"status": sub.status},
        message="cancelled at the end of the period",
    )
    return sub


def _renew_once(tenant: Tenant, sub: Subscription) -> Subscription:
    if sub.cancel_at_period_end:
        return _end_cancelled(tenant, sub)
    start = sub.period_end
    if sub.next_plan_id:
        sub.plan = sub.next_plan  # type: ignore[assignment]
    if sub.next_period:
        sub.period = sub.next_period
    if sub.next_extra_users is not None:
        sub.extra_users = sub.next_extra_users
    for link in sub.addons.select_related("addon"):
        if link.next_quantity is not None:
            if link.next_quantity == 0:
                link.delete()
                continue
            link.quantity = link.next_quantity
        link.next_quantity = None
        link.price = current_price(addon=link.addon)
        link.save()
    was = sub.status
    sub.next_plan, sub.next_period, sub.next_extra_users = None, "", None
    sub.price = current_price(plan=sub.plan)
    sub.period_start, sub.period_end = start, pricing.period_end(start, sub.period)
    if sub.status == SubscriptionStatus.TRIALING:
        sub.status = SubscriptionStatus.ACTIVE
    sub.updated_at = timezone.now()
    sub.save()
    _apply_modules(tenant, sub.plan, keep=False)
    _charge_period(sub, start)
    publish_period_started(sub)
    _event(sub, "renewed", plan=sub.plan.code, period=sub.period, start=start, was=was)
    audit.record(
        AuditAction.UPDATE,
        actor=None,
        tenant=tenant,
        obj=sub,
        before={"status": was},
        after={"status": sub.status, "period_start": start},
        message="renewed",
    )
    return sub


@transaction.atomic
def cancel_subscription(principal: Any, *, on: dt.date | None = None) -> Subscription:
    """Tenant Admin: cancel at the end of the current period (or trial). Nothing is refunded; until
    then everything works and ``resume_subscription`` undoes it; at the end the subscription is
    cancelled and the workspace read-only (data kept). Refused when already cancelled or scheduled."""
    principal.require("core.subscription.manage")
    tenant = principal.tenant
    on = on or _today()
    sub = _lock(tenant)
    _catch_up(tenant, sub, on)
    if sub.status == SubscriptionStatus.CANCELLED or sub.cancel_at_period_end:
        raise ValidationError(_("The subscription is already cancelled."))
    if sub.status == SubscriptionStatus.READ_ONLY:
        raise ValidationError(_("Pay the overdue invoice first; a read-only workspace keeps its data."))
    sub.cancel_at_period_end, sub.cancelled_on = True, on
    sub.updated_at = timezone.now()
    sub.save()
    _event(sub, "cancel_scheduled", ends_on=sub.period_end)
    audit.record(
        AuditAction.UPDATE,
        actor=principal.user,
        tenant=tenant,
        obj=sub,
        before={"cancel_at_period_end": False},
        after={"cancel_at_period_end": True, "ends_on": sub.period_end},
        message="cancelled by the tenant",
    )
    return sub


@transaction.atomic
def resume_subscription(principal: Any, *, on: dt.date | None = None) -> Subscription:
    """Tenant Admin: take back a cancellation before the period ends (after it: choose a plan again)."""
    principal.require("core.subscription.manage")
    tenant = principal.tenant
    on = on or _today()
    sub = _lock(tenant)
    _catch_up(tenant, sub, on)
    if not sub.cancel_at_period_end:
        raise ValidationError(_("The subscription is not cancelled; after its end, choose a plan again."))
    sub.cancel_at_period_end, sub.cancelled_on = False, None
    sub.updated_at = timezone.now()
    sub.save()
    _event(sub, "cancel_withdrawn")
    audit.record(
        AuditAction.UPDATE,
        actor=principal.user,
        tenant=tenant,
        obj=sub,
        before={"cancel_at_period_end": True},
        after={"cancel_at_period_end": False},
        message="cancellation withdrawn",
    )
    return sub


def apply_promotions(sub: Subscription, old_plan: Plan, new_plan: Plan, new_price: PriceVersion, on: dt.date) -> None:
    """The catalogue's upgrade offers (§12.6) for an upgrade ``old_plan`` → ``new_plan`` on ``on``, once
    per tenant and promotion: ``first_month`` gives a credit note of ``percent`` % of the new plan's
    monthly price (taken off the next invoice); ``free_setup`` is recorded (no set-up fee is sold)."""
    promotions = Promotion.objects.filter(is_active=True, to_plan=new_plan).filter(
        Q(from_plan__isnull=True) | Q(from_plan=old_plan)
    )
    for promo in promotions.filter(Q(valid_until__isnull=True) | Q(valid_until__gte=on)).order_by("code"):
        if SubscriptionEvent.objects.filter(subscription=sub, kind="promotion", detail__code=promo.code).exists():
            continue
        if promo.kind == PromotionKind.FIRST_MONTH and promo.percent > 0:
            amount = pricing.round_money(new_price.monthly_price * promo.percent / 100)
            if amount > 0:
                PlatformCredit.objects.create(
                    tenant_id=sub.tenant_id,
                    kind=CreditKind.PROMOTION,
                    description=promo.name[:300],
                    amount=amount,
                    created_on=on,
                    promotion=promo,
                )
        _event(sub, "promotion", code=promo.code, offer=promo.kind, percent=promo.percent)


def credit_downgrade(sub: Subscription, old_amount: Decimal, new_amount: Decimal, on: dt.date, label: str) -> None:
    """A downgrade applied within a paid period (Master Admin): a credit note for the rest of the period,
    ``(P_old − P_new) × days left / days`` (the pro-rata formula the other way), taken off the next invoice."""
    if sub.status == SubscriptionStatus.TRIALING or not sub.period_start <= on < sub.period_end:
        return
    amount = pricing.prorated_charge(new_amount, old_amount, sub.period_start, sub.period_end, on)
    if amount > 0:
        PlatformCredit.objects.create(
            tenant_id=sub.tenant_id, kind=CreditKind.DOWNGRADE, description=label[:300], amount=amount, created_on=on
        )


PROMOTION_FIELDS = ("name", "kind", "from_plan", "to_plan", "percent", "is_active", "valid_until")


@transaction.atomic
def save_promotion(actor: Any, promotion_id: int | None = None, **data: Any) -> Promotion:
    """Create or edit an upgrade offer of the catalogue (§12.6); plans are given by code (``from_plan``
    empty = from any plan). Master Admin only; audited. Running credits are not changed."""
    _require_master(actor)
    if promotion_id:
        promo = Promotion.objects.select_for_update().get(pk=promotion_id)
        data.pop("code", None)
    else:
        promo = Promotion(code=str(data.pop("code", "") or ""))
        if Promotion.objects.filter(code=promo.code).exists():
            raise ValidationError({"code": [_("This code is taken.")]})
    before = audit.snapshot(promo) if promo.pk else None
    for key, value in data.items():
        if key not in PROMOTION_FIELDS:
            raise ValidationError({key: [_("Unknown field.")]})
        if key in ("from_plan", "to_plan"):
            if not value and key == "from_plan":
                promo.from_plan = None
                continue
            found = Plan.objects.filter(code=value or "").first()
            if found is None:
                raise ValidationError({key: [_("Choose a plan of the catalogue.")]})
            setattr(promo, key, found)
        elif key == "percent":
            try:
                promo.percent = Decimal(str(value))
            except InvalidOperation as exc:
                raise ValidationError({"percent": [_("Enter a number.")]}) from exc
            if not promo.percent.is_finite() or not Decimal(0) <= promo.percent <= Decimal(100):
                raise ValidationError({"percent": [_("Between 0 and 100.")]})
        else:
            setattr(promo, key, value)
    if promo.kind not in PromotionKind.values:
        raise ValidationError({"kind": [_("Unknown kind.")]})
    if promo.from_plan_id is not None and promo.from_plan_id == promo.to_plan_id:
        raise ValidationError({"to_plan": [_("An upgrade offer goes to another plan.")]})
    promo.full_clean()
    promo.save()
    if before is None:
        audit.record(AuditAction.CREATE, actor=actor, tenant=None, obj=promo, after=audit.snapshot(promo))
    else:
        audit.record(
            AuditAction.UPDATE, actor=actor, tenant=None, obj=promo, before=before, after=audit.snapshot(promo)
        )
    return promo
