"""Billing pages: the tenant's Subscription page, and the Master Admin's catalogue editor."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.http import require_POST

from novasaas.billing import actions, features, forms, selectors
from novasaas.billing.models import LIMITS, AddOn, Plan, PlatformInvoice, Promotion, PromotionKind
from novasaas.identity.access import require_perm
from novasaas.platform.views import _master_only, platform_staff


def _errors(exc: ValidationError) -> str:
    return " ".join(exc.messages)


# --- tenant: subscription ----------------------------------------------------------------------------


@login_required
def subscription(request: HttpRequest) -> HttpResponse:
    principal = require_perm(request, "core.subscription.view")
    sub = selectors.get_subscription(principal.tenant)
    context: dict[str, Any] = {
        "sub": sub,
        "can_manage": principal.has("core.subscription.manage") and not principal.read_only,
        "plans": list(selectors.list_plans()),
        "addons": list(selectors.list_addons()),
    }
    if sub is not None:
        context.update(
            usage=selectors.usage_rows(sub),
            features=features.features_of(principal.tenant, sub),
            amount=actions.amount_of(sub),
            charges=list(selectors.list_charges(principal.tenant)[:50]),
            events=list(selectors.list_events(principal.tenant)[:20]),
            credits=list(selectors.list_credits(principal.tenant)[:50]),
        )
    # invoices and refunds also of a company without subscription (an AI pack it bought)
    context.update(
        invoices=list(PlatformInvoice.objects.filter(tenant_id=principal.tenant.pk)[:50]),
        refunds=list(selectors.list_refunds(principal.tenant)[:50]),
    )
    for plan in context["plans"]:
        plan.current = selectors.latest_price(plan)
    for addon in context["addons"]:
        addon.current = selectors.latest_price(addon)
    return render(request, "billing/subscription.html", context)


class ChangePlanView(LoginRequiredMixin, View):
    def post(self, request: HttpRequest) -> HttpResponse:
        principal = require_perm(request, "core.subscription.manage")
        try:
            actions.change_plan(principal, request.POST.get("plan", ""), period=request.POST.get("period") or None)
        except ValidationError as exc:
            messages.error(request, _errors(exc))
        else:
            messages.success(request, _("Plan change saved."))
        return redirect("billing-subscription")


class CancelView(LoginRequiredMixin, View):
    """Cancel at the end of the period (``resume=1``: take the cancellation back)."""

    def post(self, request: HttpRequest) -> HttpResponse:
        principal = require_perm(request, "core.subscription.manage")
        try:
            if request.POST.get("resume"):
                actions.resume_subscription(principal)
                messages.success(request, _("The cancellation is withdrawn."))
            else:
                sub = actions.cancel_subscription(principal)
                messages.success(
                    request,
                    _("The subscription ends on %(d)s; nothing more will be invoiced.")
                    % {"d": f"{sub.period_end:%d/%m/%Y}"},
                )
        except ValidationError as exc:
            messages.error(request, _errors(exc))
        return redirect("billing-subscription")


class QuantityView(LoginRequiredMixin, View):
    def post(self, request: HttpRequest) -> HttpResponse:
        principal = require_perm(request, "core.subscription.manage")
        try:
            raw = request.POST.get("quantity", "")
            if not raw.strip().isdigit():
                raise ValidationError(_("Enter a whole number."))
            if request.POST.get("addon"):
                actions.set_quantity(principal, addon_code=request.POST["addon"], quantity=int(raw))
            else:
                actions.set_quantity(principal, extra_users=int(raw))
        except ValidationError as exc:
            messages.error(request, _errors(exc))
        else:
            messages.success(request, _("Subscription updated."))
        return redirect("billing-subscription")


# --- Master Admin: catalogue -------------------------------------------------------------------------


@platform_staff
def catalogue(request: HttpRequest) -> HttpResponse:
    plans = list(selectors.list_plans(include_inactive=True))
    addons = list(selectors.list_addons(include_inactive=True))
    for plan in plans:
        plan.current = selectors.latest_price(plan)  # type: ignore[attr-defined]
    for addon in addons:
        addon.current = selectors.latest_price(addon)  # type: ignore[attr-defined]
    return render(
        request,
        "billing/catalogue.html",
        {
            "plans": plans,
            "addons": addons,
            "limits": LIMITS,
            "promotions": list(selectors.list_promotions()),
            "promotion_kinds": PromotionKind.choices,
        },
    )


@platform_staff
@require_POST
def promotion_save(request: HttpRequest, promotion_id: int | None = None) -> HttpResponse:
    """Create an upgrade offer, or switch one on/off (``is_active``)."""
    _master_only(request)
    if promotion_id:
        get_object_or_404(Promotion, pk=promotion_id)
        data: dict[str, Any] = {"is_active": request.POST.get("is_active") == "1"}
    else:
        data = {
            k: request.POST.get(k, "").strip()[:150]
            for k in ("code", "name", "kind", "from_plan", "to_plan", "percent")
        }
        data["percent"] = data["percent"] or "0"
    try:
        actions.save_promotion(request.user, promotion_id, **data)
    except ValidationError as exc:
        messages.error(request, _errors(exc))
    else:
        messages.success(request, _("Promotion saved."))
    return redirect("billing-catalogue")


def _plan_initial(plan: Plan) -> dict[str, Any]:
    data: dict[str, Any] = {
        f: getattr(plan, f)
        for f in ("code", "kind", "name", "name_en", "position", "is_active", "trial_days", "included_users", "modules")
    }
    data["features"] = json.dumps(plan.features, ensure_ascii=False, indent=1)
    data.update({f"max_{n}": plan.limit(n) for n in LIMITS})
    return data


@platform_staff
def plan_edit(request: HttpRequest, plan_id: int | None = None) -> HttpResponse:
    plan = get_object_or_404(Plan, pk=plan_id) if plan_id else None
    form = forms.PlanForm(request.POST or None, initial=_plan_initial(plan) if plan else None, editing=bool(plan))
    price_form = forms.PriceForm(prefix="price")
    if request.method == "POST":
        _master_only(request)
        if form.is_valid():
            data = dict(form.cleaned_data)
            if plan:
                data.pop("code"), data.pop("kind")
            elif Plan.objects.filter(code=data["code"]).exists():
                form.add_error("code", _("This code is taken."))
                data = {}
            if data:
                try:
                    saved = actions.save_plan(request.user, plan.pk if plan else None, **data)
                except ValidationError as exc:
                    form.add_error(None, _errors(exc))
                else:
                    messages.success(request, _("Plan saved."))
                    return redirect("billing-plan", plan_id=saved.pk)
    prices = list(plan.prices.order_by("-version")) if plan else []
    return render(
        request, "billing/plan_form.html", {"form": form, "plan": plan, "price_form": price_form, "prices": prices}
    )


@platform_staff
@require_POST
def plan_price(request: HttpRequest, plan_id: int) -> HttpResponse:
    _master_only(request)
    plan = get_object_or_404(Plan, pk=plan_id)
    form = forms.PriceForm(request.POST, prefix="price")
    if form.is_valid():
        try:
            actions.set_price(request.user, plan=plan, **form.cleaned_data)
        except ValidationError as exc:
            messages.error(request, _errors(exc))
        else:
            messages.success(request, _("New price version saved."))
    else:
        messages.error(request, " ".join(str(e) for errs in form.errors.values() for e in errs))
    return redirect("billing-plan", plan_id=plan.pk)


@platform_staff
def addon_edit(request: HttpRequest, addon_id: int | None = None) -> HttpResponse:
    addon = get_object_or_404(AddOn, pk=addon_id) if addon_id else None
    initial = {f: getattr(addon, f) for f in forms.AddOnForm.base_fields} if addon else None
    form = forms.AddOnForm(request.POST or None, initial=initial, editing=bool(addon))
    if request.method == "POST":
        _master_only(request)
        if form.is_valid():
            data = dict(form.cleaned_data)
            if addon:
                data.pop("code")
            elif AddOn.objects.filter(code=data["code"]).exists():
                form.add_error("code", _("This code is taken."))
                data = {}
            if data:
                try:
                    saved = actions.save_addon(request.user, addon.pk if addon else None, **data)
                except ValidationError as exc:
                    form.add_error(None, _errors(exc))
                else:
                    messages.success(request, _("Add-on saved."))
                    return redirect("billing-addon", addon_id=saved.pk)
    prices = list(addon.prices.order_by("-version")) if addon else []
    return render(
        request,
        "billing/addon_form.html",
        {"form": form, "addon": addon, "price_form": forms.PriceForm(prefix="price"), "prices": prices},
    )


@platform_staff
@require_POST
def addon_price(request: HttpRequest, addon_id: int) -> HttpResponse:
    _master_only(request)
    addon = get_object_or_404(AddOn, pk=addon_id)
    form = forms.PriceForm(request.POST, prefix="price")
    if form.is_valid():
        try:
            actions.set_price(
                request.user,
                addon=addon,
                monthly_price=form.cleaned_data["monthly_price"],
                annual_discount_percent=form.cleaned_data["annual_discount_percent"],
            )
        except ValidationError as exc:
            messages.error(request, _errors(exc))
        else:
            messages.success(request, _("New price version saved."))
    else:
        messages.error(request, " ".join(str(e) for errs in form.errors.values() for e in errs))
    return redirect("billing-addon", addon_id=addon.pk)
