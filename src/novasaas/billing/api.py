"""Billing API. /api/v1/billing/: a tenant's subscription (Tenant Admin manages, Manager views).
/api/v1/platform/billing/: the catalogue, Master Admin only (session)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Router
from ninja.utils import check_csrf

from novasaas.billing import actions, invoicing, selectors
from novasaas.billing import schemas as s
from novasaas.billing.features import features_of
from novasaas.billing.models import AddOn, Plan, PlatformInvoice, Promotion, Subscription
from novasaas.identity.access import Principal
from novasaas.platform.api import ErrorOut, module_auth
from novasaas.platform.tenancy import platform_context

router = Router(tags=["billing"], auth=module_auth())
platform_router = Router(tags=["platform"])
E = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut}


def _p(request: HttpRequest, perm: str) -> Principal:
    principal: Principal = request.auth  # type: ignore[attr-defined]
    principal.require(perm)
    return principal


def _price(item: Plan | AddOn) -> dict[str, Any] | None:
    price = selectors.latest_price(item)
    if price is None:
        return None
    return {
        "version": price.version,
        "monthly_price": price.monthly_price,
        "extra_user_price": price.extra_user_price,
        "annual_discount_percent": price.annual_discount_percent,
        "valid_from": price.valid_from,
    }


def plan_out(plan: Plan) -> dict[str, Any]:
    data = {f: getattr(plan, f) for f in s.PlanOut.model_fields if f != "price"}
    data["price"] = _price(plan)
    return data


def addon_out(addon: AddOn) -> dict[str, Any]:
    data = {f: getattr(addon, f) for f in s.AddOnOut.model_fields if f != "price"}
    data["price"] = _price(addon)
    return data


def subscription_out(sub: Subscription, tenant: Any) -> dict[str, Any]:
    return {
        "plan": sub.plan.code,
        "plan_name": sub.plan.name,
        "period": sub.period,
        "status": sub.status,
        "trial_ends_on": sub.trial_ends_on,
        "period_start": sub.period_start,
        "period_end": sub.period_end,
        "price_version": sub.price.version,
        "period_amount": actions.amount_of(sub),
        "extra_users": sub.extra_users,
        "next_plan": sub.next_plan.code if sub.next_plan else None,
        "next_period": sub.next_period,
        "next_extra_users": sub.next_extra_users,
        "modules": list(tenant.enabled_modules or []),
        "addons": [
            {
                "code": a.addon.code,
                "name": a.addon.name,
                "quantity": a.quantity,
                "next_quantity": a.next_quantity,
                "monthly_price": a.price.monthly_price,
            }
            for a in sub.addons.all()
        ],
        "usage": selectors.usage_rows(sub),
        "cancel_at_period_end": sub.cancel_at_period_end,
        "discount_percent": sub.discount_percent,
        "discount_until": sub.discount_until,
        "features": features_of(tenant, sub),
    }


# --- tenant side -------------------------------------------------------------------------------------


@router.get("/plans", response={200: list[s.PlanOut], **E})
def list_plans(request: HttpRequest) -> Any:
    _p(request, "core.subscription.view")
    return [plan_out(p) for p in selectors.list_plans()]


@router.get("/addons", response={200: list[s.AddOnOut], **E})
def list_addons(request: HttpRequest) -> Any:
    _p(request, "core.subscription.view")
    return [addon_out(a) for a in selectors.list_addons()]


def _subscription(p: Principal) -> Subscription:
    sub = selectors.get_subscription(p.tenant)
    if sub is None:
        raise Subscription.DoesNotExist
    return sub


@router.get("/subscription", response={200: s.BillingSubscriptionOut, **E})
def get_subscription(request: HttpRequest) -> Any:
    p = _p(request, "core.subscription.view")
    return subscription_out(_subscription(p), p.tenant)


@router.post("/subscription/plan", response={200: s.BillingSubscriptionOut, **E})
def change_plan(request: HttpRequest, data: s.ChangePlanIn) -> Any:
    p = _p(request, "core.subscription.manage")
    _subscription(p)
    actions.change_plan(p, data.plan, period=data.period)
    return subscription_out(_subscription(p), p.tenant)


@router.post("/subscription/cancel", response={200: s.BillingSubscriptionOut, **E})
def cancel_subscription(request: HttpRequest) -> Any:
    """Cancel at the end of the current period (no refund); 400 when already cancelled."""
    p = _p(request, "core.subscription.manage")
    _subscription(p)
    actions.cancel_subscription(p)
    return subscription_out(_subscription(p), p.tenant)


@router.post("/subscription/resume", response={200: s.BillingSubscriptionOut, **E})
def resume_subscription(request: HttpRequest) -> Any:
    """Take a cancellation back before the period ends; 400 when there is none."""
    p = _p(request, "core.subscription.manage")
    _subscription(p)
    actions.resume_subscription(p)
    return subscription_out(_subscription(p), p.tenant)


@router.post("/subscription/quantities", response={200: s.BillingSubscriptionOut, **E})
def set_quantity(request: HttpRequest, data: s.QuantityIn) -> Any:
    p = _p(request, "core.subscription.manage")
    _subscription(p)
    if (data.extra_users is None) == (data.addon is None):
        raise ValidationError(_("Give either extra_users, or addon with quantity."))
    actions.set_quantity(p, extra_users=data.extra_users, addon_code=data.addon, quantity=data.quantity)
    return subscription_out(_subscription(p), p.tenant)


@router.get("/charges", response={200: list[s.ChargeOut], **E})
def list_charges(request: HttpRequest) -> Any:
    p = _p(request, "core.subscription.view")
    return list(selectors.list_charges(p.tenant)[:500])


# --- Master Admin: catalogue ------------------------------------------------------------------------


def _master(request: HttpRequest) -> Any:
    user = request.user
    if not user.is_authenticated or not getattr(user, "is_platform_staff", False):
        raise PermissionDenied(_("Master Admin only."))
    if request.method not in ("GET", "HEAD", "OPTIONS"):
        if check_csrf(request) is not None:
            raise PermissionDenied(_("CSRF check failed."))
        if not getattr(user, "is_master_admin", False):
            raise PermissionDenied(_("Master Admin only."))
    return user


@platform_router.get("/plans", response={200: list[s.PlanOut], 403: ErrorOut})
def platform_plans(request: HttpRequest) -> Any:
    _master(request)
    return [plan_out(p) for p in selectors.list_plans(include_inactive=True)]


@platform_router.post("/plans", response={201: s.PlanOut, 400: ErrorOut, 403: ErrorOut})
def create_plan(request: HttpRequest, data: s.PlanIn) -> Any:
    user = _master(request)
    with platform_context():
        if Plan.objects.filter(code=data.code).exists():
            raise ValidationError({"code": [_("This code is taken.")]})
        plan = actions.save_plan(user, **data.model_dump())
        return 201, plan_out(selectors.list_plans(include_inactive=True).get(pk=plan.pk))


@platform_router.patch("/plans/{int:plan_id}", response={200: s.PlanOut, **E})
def update_plan(request: HttpRequest, plan_id: int, data: s.PlanUpdate) -> Any:
    user = _master(request)
    Plan.objects.get(pk=plan_id)
    actions.save_plan(user, plan_id, **data.model_dump(exclude_unset=True))
    return plan_out(selectors.list_plans(include_inactive=True).get(pk=plan_id))


@platform_router.post("/plans/{int:plan_id}/prices", response={201: s.PlanOut, **E})
def set_plan_price(request: HttpRequest, plan_id: int, data: s.PriceIn) -> Any:
    user = _master(request)
    plan = Plan.objects.get(pk=plan_id)
    actions.set_price(user, plan=plan, **data.model_dump())
    return 201, plan_out(selectors.list_plans(include_inactive=True).get(pk=plan_id))


@platform_router.get("/addons", response={200: list[s.AddOnOut], 403: ErrorOut})
def platform_addons(request: HttpRequest) -> Any:
    _master(request)
    return [addon_out(a) for a in selectors.list_addons(include_inactive=True)]


@platform_router.post("/addons", response={201: s.AddOnOut, 400: ErrorOut, 403: ErrorOut})
def create_addon(request: HttpRequest, data: s.AddOnIn) -> Any:
    user = _master(request)
    if AddOn.objects.filter(code=data.code).exists():
        raise ValidationError({"code": [_("This code is taken.")]})
    addon = actions.save_addon(user, **data.model_dump())
    return 201, addon_out(selectors.list_addons(include_inactive=True).get(pk=addon.pk))


@platform_router.patch("/addons/{int:addon_id}", response={200: s.AddOnOut, **E})
def update_addon(request: HttpRequest, addon_id: int, data: s.AddOnUpdate) -> Any:
    user = _master(request)
    AddOn.objects.get(pk=addon_id)
    actions.save_addon(user, addon_id, **data.model_dump(exclude_unset=True))
    return addon_out(selectors.list_addons(include_inactive=True).get(pk=addon_id))


@platform_router.post("/addons/{int:addon_id}/prices", response={201: s.AddOnOut, **E})
def set_addon_price(request: HttpRequest, addon_id: int, data: s.PriceIn) -> Any:
    user = _master(request)
    addon = AddOn.objects.get(pk=addon_id)
    actions.set_price(
        user, addon=addon, monthly_price=data.monthly_price, annual_discount_percent=data.annual_discount_percent
    )
    return 201, addon_out(selectors.list_addons(include_inactive=True).get(pk=addon_id))


# --- invoices ------------------------------------------------------------------------------------------


def invoice_out(invoice: PlatformInvoice) -> dict[str, Any]:
    data = {f: getattr(invoice, f) for f in s.InvoiceOut.model_fields if f != "lines"}
    data["lines"] = [
        {"kind": ln.kind, "description": ln.description, "amount": ln.amount} for ln in invoice.lines.all()
    ]
    return data


@router.get("/invoices", response={200: list[s.InvoiceOut], **E})
def list_invoices(request: HttpRequest) -> Any:
    p = _p(request, "core.subscription.view")
    qs = PlatformInvoice.objects.filter(tenant_id=p.tenant.pk).prefetch_related("lines")[:500]
    return [invoice_out(i) for i in qs]


@router.get("/invoices/{int:invoice_id}", response={200: s.InvoiceOut, **E})
def get_invoice(request: HttpRequest, invoice_id: int) -> Any:
    p = _p(request, "core.subscription.view")
    return invoice_out(PlatformInvoice.objects.get(pk=invoice_id, tenant_id=p.tenant.pk))


@platform_router.get("/subscriptions", response={200: list[s.SubscriptionRowOut], 403: ErrorOut})
def platform_subscriptions(request: HttpRequest) -> Any:
    _master(request)
    from novasaas.billing.invoice_views import mrr

    with platform_context():
        subs = list(
            Subscription.objects.select_related("plan", "price", "tenant")
            .prefetch_related("addons__addon", "addons__price")
            .order_by("tenant_id")
        )
        activity = selectors.activity_by_tenant([x.tenant for x in subs])
        return [
            {
                "tenant_id": x.tenant_id,
                "tenant_slug": x.tenant.slug,
                "plan": x.plan.code,
                "status": x.status,
                "period": x.period,
                "mrr": mrr(x),
                **activity[x.tenant_id],
            }
            for x in subs
        ]


@platform_router.get("/tenants/{int:tenant_id}", response={200: s.BillingTenantOut, 403: ErrorOut, 404: ErrorOut})
def platform_tenant(request: HttpRequest, tenant_id: int) -> Any:
    """One tenant as the Master Admin's tenant page shows it (Master Admin and Support Staff)."""
    _master(request)
    from novasaas.platform.models import Tenant
    from novasaas.platform.tenancy import tenant_context

    with platform_context():
        tenant = Tenant.objects.get(pk=tenant_id)
        detail = selectors.tenant_detail(tenant)
        sub = detail["sub"]
        with tenant_context(tenant):
            subscription = subscription_out(sub, tenant) if sub else None
        invoices = PlatformInvoice.objects.filter(tenant_id=tenant.pk).prefetch_related("lines")[:100]
        return {
            "tenant_id": tenant.pk,
            "tenant_slug": tenant.slug,
            "tenant_name": tenant.name,
            "subscription": subscription,
            "mrr": detail["mrr"],
            "active_users": detail["active_users"],
            "storage_bytes": detail["storage_bytes"],
            "storage_limit_mb": detail["storage_limit_mb"],
            "last_activity": detail["last_activity"],
            "invoices": [invoice_out(i) for i in invoices],
            "events": [{"kind": e.kind, "detail": e.detail, "created_at": e.created_at} for e in detail["events"]],
        }


@platform_router.post("/tenants/{int:tenant_id}/discount", response={200: s.BillingDiscountOut, **E})
def set_discount(request: HttpRequest, tenant_id: int, data: s.BillingDiscountIn) -> Any:
    """Master Admin sets a tenant's discount: ``percent`` off every invoice issued up to ``until``
    (inclusive; null: no end; not in the past); 0 removes it. Audited. 400 for a company without
    subscription or a past end date; 404 unknown company."""
    from novasaas.billing import console
    from novasaas.platform.models import Tenant

    user = _master(request)
    with platform_context():
        tenant = Tenant.objects.get(pk=tenant_id)
    sub = console.manual_action(user, tenant, "discount", percent=data.percent, until=data.until)
    return {"tenant_id": tenant.pk, "discount_percent": sub.discount_percent, "discount_until": sub.discount_until}


def promotion_out(promo: Promotion) -> dict[str, Any]:
    return {
        "id": promo.pk,
        "code": promo.code,
        "name": promo.name,
        "kind": promo.kind,
        "from_plan": promo.from_plan.code if promo.from_plan else None,
        "to_plan": promo.to_plan.code,
        "percent": promo.percent,
        "is_active": promo.is_active,
        "valid_until": promo.valid_until,
    }


@platform_router.get("/promotions", response={200: list[s.BillingPromotionOut], 403: ErrorOut})
def platform_promotions(request: HttpRequest) -> Any:
    _master(request)
    return [promotion_out(p) for p in selectors.list_promotions()]


@platform_router.post("/promotions", response={201: s.BillingPromotionOut, 400: ErrorOut, 403: ErrorOut})
def create_promotion(request: HttpRequest, data: s.BillingPromotionIn) -> Any:
    """An upgrade offer (§12.6): 400 for an unknown plan, a taken code, or from = to."""
    user = _master(request)
    promo = actions.save_promotion(user, None, **data.dict())
    return 201, promotion_out(selectors.list_promotions().get(pk=promo.pk))


@platform_router.patch("/promotions/{int:promotion_id}", response={200: s.BillingPromotionOut, **E})
def update_promotion(request: HttpRequest, promotion_id: int, data: s.BillingPromotionUpdate) -> Any:
    user = _master(request)
    Promotion.objects.get(pk=promotion_id)  # 404 for an unknown id
    actions.save_promotion(user, promotion_id, **data.dict(exclude_unset=True))
    return promotion_out(selectors.list_promotions().get(pk=promotion_id))


@router.get("/credits", response={200: list[s.BillingCreditOut], **E})
def list_credits(request: HttpRequest) -> Any:
    """The tenant's credit notes (promotions, downgrades); ``invoice_id`` empty: not applied yet."""
    p = _p(request, "core.subscription.view")
    return list(selectors.list_credits(p.tenant)[:500])


@platform_router.get("/mrr-history", response={200: list[s.BillingMrrMonthOut], 403: ErrorOut})
def platform_mrr_history(request: HttpRequest) -> Any:
    """MRR of the last 12 months with new / expansion / contraction / churned MRR and the churn rate."""
    _master(request)
    with platform_context():
        return selectors.mrr_history(timezone.localdate())


@platform_router.get("/invoices", response={200: list[s.InvoiceOut], 403: ErrorOut})
def platform_invoices(request: HttpRequest, unpaid: bool = False) -> Any:
    _master(request)
    with platform_context():
        qs = PlatformInvoice.objects.prefetch_related("lines")
        if unpaid:
            qs = qs.filter(status="issued")
        return [invoice_out(i) for i in qs[:500]]


@platform_router.post("/invoices/{int:invoice_id}/payments", response={201: s.InvoiceOut, **E})
def record_payment(request: HttpRequest, invoice_id: int, data: s.PaymentIn) -> Any:
    user = _master(request)
    with platform_context():
        PlatformInvoice.objects.get(pk=invoice_id)
    invoicing.record_payment(invoice_id, amount=data.amount, reference=data.reference, actor=user)
    with platform_context():
        return 201, invoice_out(PlatformInvoice.objects.prefetch_related("lines").get(pk=invoice_id))


# --- refunds (credit notes) ----------------------------------------------------------------------------


def refund_out(r: Any) -> dict[str, Any]:
    data = {f: getattr(r, f) for f in s.RefundOut.model_fields if f != "invoice_number"}
    return {**data, "invoice_number": r.invoice.number}


@router.get("/refunds", response={200: list[s.RefundOut], **E})
def list_refunds(request: HttpRequest) -> Any:
    """The company's refund credit notes (money paid back on its invoices)."""
    p = _p(request, "core.subscription.view")
    return [refund_out(r) for r in selectors.list_refunds(p.tenant)[:500]]


@platform_router.get("/refunds", response={200: list[s.RefundOut], 403: ErrorOut})
def platform_refunds(request: HttpRequest) -> Any:
    _master(request)
    with platform_context():
        return [refund_out(r) for r in selectors.list_refunds()[:500]]


@platform_router.post("/invoices/{int:invoice_id}/refunds", response={201: s.RefundOut, **E})
def refund_invoice(request: HttpRequest, invoice_id: int, data: s.RefundIn) -> Any:
    """Master Admin refunds (part of) a paid invoice: ``method`` gateway (default) pays it back through
    the payment gateway; bank records that the money was sent back by bank transfer (``reference``: the
    bank's reference; no gateway call). 400 when the amount is more than was paid that way less refunded,
    or a bank refund has no reference (nothing written)."""
    from novasaas.billing.refunds import refund_invoice as refund

    user = _master(request)
    with platform_context():
        PlatformInvoice.objects.get(pk=invoice_id)
    done = refund(
        user, invoice_id, amount=data.amount, reason=data.reason, method=data.method, reference=data.reference
    )
    with platform_context():
        return 201, refund_out(selectors.list_refunds().get(pk=done.pk))
