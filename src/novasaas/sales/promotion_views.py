"""Pages of coupons, campaigns and the loyalty programme, and the coupon / points / manual points forms
of the order, quotation and customer pages (the same actions as the API)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from novasaas.sales import forms, loyalty, promotions, selectors
from novasaas.sales.models import Campaign, Coupon
from novasaas.sales.views import SalesView, _attach


def _groups(tenant: Any) -> list[tuple[int, str]]:
    return [(g.pk, str(g)) for g in selectors.list_groups(tenant, False)]


def _campaigns(tenant: Any) -> list[tuple[int, str]]:
    return [(c.pk, c.name) for c in Campaign.objects.filter(tenant=tenant)]


def _categories(tenant: Any) -> list[tuple[int, str]]:
    from novasaas.inventory import selectors as inventory

    if not tenant.has_module("INV"):
        return []
    return [(c.pk, c.path()) for c in inventory.list_categories(tenant)]


def _coupon_initial(coupon: Coupon) -> dict[str, Any]:
    from novasaas.inventory import selectors as inventory

    initial = {f: getattr(coupon, f) for f in _COUPON_FIELDS}
    skus = inventory.product_skus(coupon.tenant, coupon.product_ids) if coupon.product_ids else {}
    initial["product_skus"] = ", ".join(skus[i] for i in coupon.product_ids if i in skus)
    initial["category_ids"] = list(coupon.category_ids)
    return initial


_COUPON_FIELDS = (
    "code",
    "name",
    "kind",
    "value",
    "min_order_amount",
    "valid_from",
    "valid_to",
    "usage_limit",
    "per_customer_limit",
    "customer_group_id",
    "campaign_id",
    "is_active",
)


class CouponListView(SalesView):
    permission = "crm.coupon.apply"

    def _form(self, data: Any = None, initial: Any = None) -> forms.CouponForm:
        tenant = self.principal.tenant
        return forms.CouponForm(
            data, initial=initial, groups=_groups(tenant), campaigns=_campaigns(tenant), categories=_categories(tenant)
        )

    def get(self, request: HttpRequest, form: Any = None, status: int = 200) -> HttpResponse:
        can_edit = self.principal.has("crm.coupon.manage")
        context = {
            "coupons": promotions.list_coupons(self.principal.tenant),
            "form": (form or self._form()) if can_edit else None,
        }
        return render(request, "sales/coupons.html", context, status=status)

    def post(self, request: HttpRequest) -> HttpResponse:
        self.principal.require("crm.coupon.manage")
        form = self._form(request.POST)
        if form.is_valid():
            try:
                coupon = promotions.save_coupon(self.principal, **form.cleaned_data)
                messages.success(request, _("Coupon %(c)s saved.") % {"c": coupon.code})
                return redirect("sales-coupon", pk=coupon.pk)
            except ValidationError as exc:
                _attach(form, exc)
        return self.get(request, form, status=400)


class CouponDetailView(CouponListView):
    def get(self, request: HttpRequest, pk: int, form: Any = None, status: int = 200) -> HttpResponse:  # type: ignore[override]
        coupon = promotions.get_coupon(self.principal.tenant, pk)
        can_edit = self.principal.has("crm.coupon.manage")
        if can_edit and form is None:
            form = self._form(initial=_coupon_initial(coupon))
        redemptions = coupon.redemptions.select_related("order", "customer__party")[:100]
        restriction = _coupon_initial(coupon) if coupon.is_restricted else None
        if restriction is not None:
            names = dict(_categories(self.principal.tenant))
            restriction["categories"] = [names.get(i, str(i)) for i in coupon.category_ids]
        context = {
            "coupon": coupon,
            "form": form if can_edit else None,
            "redemptions": redemptions,
            "restriction": restriction,
        }
        return render(request, "sales/coupon.html", context, status=status)

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:  # type: ignore[override]
        self.principal.require("crm.coupon.manage")
        Coupon.objects.get(pk=pk)
        form = self._form(request.POST)
        if form.is_valid():
            try:
                promotions.save_coupon(self.principal, pk, **form.cleaned_data)
                messages.success(request, _("Coupon saved."))
                return redirect("sales-coupon", pk=pk)
            except ValidationError as exc:
                _attach(form, exc)
        return self.get(request, pk, form, status=400)


class CampaignListView(SalesView):
    permission = "crm.campaign.manage"

    def get(self, request: HttpRequest, form: Any = None, status: int = 200) -> HttpResponse:
        context = {
            "campaigns": promotions.list_campaigns(self.principal.tenant),
            "form": form or forms.CampaignForm(groups=_groups(self.principal.tenant)),
        }
        return render(request, "sales/campaigns.html", context, status=status)

    def post(self, request: HttpRequest) -> HttpResponse:
        form = forms.CampaignForm(request.POST, groups=_groups(self.principal.tenant))
        if form.is_valid():
            try:
                campaign = promotions.save_campaign(self.principal, **form.cleaned_data)
                messages.success(request, _("Campaign saved."))
                return redirect("sales-campaign", pk=campaign.pk)
            except ValidationError as exc:
                _attach(form, exc)
        return self.get(request, form, status=400)


class CampaignDetailView(SalesView):
    permission = "crm.campaign.manage"
    FIELDS = ("name", "starts_on", "ends_on", "customer_group_id", "target_tag", "note")

    def get(self, request: HttpRequest, pk: int, form: Any = None, status: int = 200) -> HttpResponse:
        campaign = promotions.get_campaign(self.principal.tenant, pk)
        if form is None:
            initial = {f: getattr(campaign, f) for f in self.FIELDS}
            form = forms.CampaignForm(initial=initial, groups=_groups(self.principal.tenant))
        context = {"campaign": campaign, "coupons": campaign.coupons.all(), "form": form}
        return render(request, "sales/campaign.html", context, status=status)

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        Campaign.objects.get(pk=pk)
        form = forms.CampaignForm(request.POST, groups=_groups(self.principal.tenant))
        if form.is_valid():
            try:
                promotions.save_campaign(self.principal, pk, **form.cleaned_data)
                messages.success(request, _("Campaign saved."))
                return redirect("sales-campaign", pk=pk)
            except ValidationError as exc:
                _attach(form, exc)
        return self.get(request, pk, form, status=400)


class LoyaltyProgrammeView(SalesView):
    """The programme's settings: editable with ``crm.loyalty.configure``, read-only otherwise."""

    def get(self, request: HttpRequest, form: Any = None, status: int = 200, tier_form: Any = None) -> HttpResponse:
        prog = loyalty.programme(self.principal.tenant)
        can_edit = self.principal.has("crm.loyalty.configure")
        if can_edit and form is None:
            fields = ("is_active", "points_per", "point_value", "expiry_months")
            form = forms.LoyaltyProgrammeForm(initial={f: getattr(prog, f) for f in fields})
        context = {
            "programme": prog,
            "form": form if can_edit else None,
            "tiers": loyalty.tiers(self.principal.tenant),
            "tier_form": (tier_form or forms.LoyaltyTierForm(initial={"multiplier": 1})) if can_edit else None,
        }
        return render(request, "sales/loyalty.html", context, status=status)

    def post(self, request: HttpRequest) -> HttpResponse:
        self.principal.require("crm.loyalty.configure")
        form = forms.LoyaltyProgrammeForm(request.POST)
        if form.is_valid():
            try:
                loyalty.configure(self.principal, **form.cleaned_data)
                messages.success(request, _("Loyalty programme saved."))
                return redirect("sales-loyalty")
            except ValidationError as exc:
                _attach(form, exc)
        return self.get(request, form, status=400)


class LoyaltyTierView(LoyaltyProgrammeView):
    """POST: a new tier (no ``pk``), a tier changed, or removed (``do=delete``); ``crm.loyalty.configure``.
    A refusal shows the programme page with the reason (400), nothing changed."""

    http_method_names = ["get", "post"]

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if "status" in kwargs:  # a refused form below: the programme page with the reason
            kwargs.pop("pk", None)
            return super().get(request, *args, **kwargs)
        return redirect("sales-loyalty")  # tiers are edited on the programme page (an address typed or bookmarked)

    def post(self, request: HttpRequest, pk: int | None = None) -> HttpResponse:  # type: ignore[override]
        from novasaas.sales.models import LoyaltyTier

        self.principal.require("crm.loyalty.configure")
        if pk is not None:
            LoyaltyTier.objects.get(pk=pk)  # 404 for an unknown or another company's tier
            if request.POST.get("do") == "delete":
                loyalty.delete_tier(self.principal, pk)
                messages.success(request, _("Tier removed."))
                return redirect("sales-loyalty")
        form = forms.LoyaltyTierForm(request.POST)
        if form.is_valid():
            data = dict(form.cleaned_data)
            if data.get("min_revenue") is None:
                data["min_revenue"] = 0
            try:
                loyalty.save_tier(self.principal, pk, **data)
                messages.success(request, _("Tier saved."))
                return redirect("sales-loyalty")
            except ValidationError as exc:
                _attach(form, exc)
        if pk is not None:
            for errors in form.errors.values():
                for error in errors:
                    messages.error(request, str(error))
            return self.get(request, status=400)
        return self.get(request, status=400, tier_form=form)


def _error_text(exc: ValidationError) -> str:
    return " ".join(exc.messages)


class DocumentPromotionView(SalesView):
    """POST on a draft order or quotation: ``do`` = coupon (``code``) / remove / points (``points``,
    orders only). A refusal shows the document again with the reason (400)."""

    permission = "crm.coupon.apply"
    kind = "order"

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        p = self.principal
        do = request.POST.get("do", "coupon")
        try:
            if do == "remove":
                promotions.remove_coupon(p, self.kind, pk)
                messages.success(request, _("Coupon removed."))
            elif do == "points" and self.kind == "order":
                loyalty.set_order_points(p, pk, request.POST.get("points", ""))
                messages.success(request, _("Loyalty points applied."))
            else:
                promotions.apply_coupon(p, self.kind, pk, request.POST.get("code", ""))
                messages.success(request, _("Coupon applied."))
        except ValidationError as exc:
            if self.kind == "order":
                from novasaas.sales.views import OrderDetailView

                view = OrderDetailView()
                view.principal, view.request = p, request
                return view.get(request, pk, error=_error_text(exc), status=400)
            from novasaas.sales import quotations

            quotations.get_quotation(p, pk)  # 404 for a quotation the principal does not see
            messages.error(request, _error_text(exc))
            return redirect("sales-quotation", pk=pk)
        return redirect("sales-order" if self.kind == "order" else "sales-quotation", pk=pk)


class CustomerLoyaltyView(SalesView):
    """POST points added by hand (``crm.loyalty.add``) from the customer page."""

    permission = "crm.loyalty.add"

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        selectors.get_customer(self.principal, pk)
        form = forms.LoyaltyAddForm(request.POST)
        if form.is_valid():
            try:
                loyalty.add_points(self.principal, pk, **form.cleaned_data)
                messages.success(request, _("Loyalty points recorded."))
                return redirect("sales-customer", pk=pk)
            except ValidationError as exc:
                _attach(form, exc)
        from novasaas.sales.views import CustomerDetailView

        view = CustomerDetailView()
        view.principal, view.request = self.principal, request
        return view.get(request, pk, loyalty_form=form, status=400)


class TicketListView(SalesView):
    """The customers' support tickets (Sales Staff: their own customers'), filter by status."""

    def get(self, request: HttpRequest) -> HttpResponse:
        from django.core.paginator import Paginator

        from novasaas.sales import tickets
        from novasaas.sales.models import TicketStatus

        status = request.GET.get("status", "")
        page = Paginator(tickets.staff_tickets(self.principal, status), 50).get_page(request.GET.get("page"))
        context = {"page": page, "status": status, "statuses": TicketStatus.choices}
        return render(request, "sales/tickets.html", context)


class TicketDetailView(SalesView):
    """A ticket's conversation; ``do`` = answer (``body``) or close, with ``crm.customer.edit``."""

    def get(self, request: HttpRequest, pk: int, form: Any = None, status: int = 200) -> HttpResponse:
        from novasaas.sales import tickets
        from novasaas.sales.portal_views import TicketMessageForm

        ticket = tickets.staff_ticket(self.principal, pk)
        can_answer = self.principal.has("crm.customer.edit")
        context = {"ticket": ticket, "form": (form or TicketMessageForm()) if can_answer else None}
        return render(request, "sales/ticket.html", context, status=status)

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        from novasaas.sales import tickets
        from novasaas.sales.portal_views import TicketMessageForm, _attach_errors

        self.principal.require("crm.customer.edit")
        tickets.staff_ticket(self.principal, pk)  # 404 first
        form = TicketMessageForm(request.POST)
        try:
            if request.POST.get("do") == "close":
                tickets.close_ticket(self.principal, pk)
                messages.success(request, _("Ticket closed."))
                return redirect("sales-ticket", pk=pk)
            if form.is_valid():
                tickets.staff_writes(self.principal, pk, form.cleaned_data["body"])
                return redirect("sales-ticket", pk=pk)
        except ValidationError as exc:
            _attach_errors(form, exc)
        return self.get(request, pk, form, status=400)
