"""Coupons, campaigns and loyalty in the Sales API (/api/v1/sales/): registered on the Sales router
(``api.py`` imports this module last)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from novasaas.sales import loyalty, promotions, quotations, selectors, tickets
from novasaas.sales import portal_schemas as portal_s
from novasaas.sales import promotion_schemas as ps
from novasaas.sales import schemas as s
from novasaas.sales.api import E, _data, _p, router
from novasaas.sales.models import Campaign, Coupon, LoyaltyTier

# --- coupons -------------------------------------------------------------------------------------------


@router.get("/coupons", response=list[ps.SalesCouponOut])
def list_coupons(request: HttpRequest) -> Any:
    p = _p(request, "crm.coupon.apply")
    return promotions.list_coupons(p.tenant)


@router.post("/coupons", response={201: ps.SalesCouponOut, **E})
def create_coupon(request: HttpRequest, data: ps.SalesCouponIn) -> Any:
    p = _p(request, "crm.coupon.manage")
    return 201, promotions.save_coupon(p, **data.model_dump())


@router.get("/coupons/{int:coupon_id}", response={200: ps.SalesCouponOut, **E})
def get_coupon(request: HttpRequest, coupon_id: int) -> Any:
    p = _p(request, "crm.coupon.apply")
    return promotions.get_coupon(p.tenant, coupon_id)


@router.patch("/coupons/{int:coupon_id}", response={200: ps.SalesCouponOut, **E})
def update_coupon(request: HttpRequest, coupon_id: int, data: ps.SalesCouponUpdate) -> Any:
    p = _p(request, "crm.coupon.manage")
    Coupon.objects.get(pk=coupon_id)
    return promotions.save_coupon(p, coupon_id, **_data(data))


@router.post("/orders/{int:order_id}/coupon", response={200: s.SalesOrderOut, **E})
def apply_order_coupon(request: HttpRequest, order_id: int, data: ps.SalesCouponApplyIn) -> Any:
    """The coupon's discount spread over the draft order's lines before VAT; 400 with the reason when it
    does not apply (expired, below the minimum, limit reached, another group)."""
    p = _p(request, "crm.coupon.apply")
    promotions.apply_coupon(p, "order", order_id, data.code)
    return selectors.get_order(p, order_id)


@router.delete("/orders/{int:order_id}/coupon", response={200: s.SalesOrderOut, **E})
def remove_order_coupon(request: HttpRequest, order_id: int) -> Any:
    p = _p(request, "crm.coupon.apply")
    promotions.remove_coupon(p, "order", order_id)
    return selectors.get_order(p, order_id)


@router.post("/orders/{int:order_id}/points", response={200: s.SalesOrderOut, **E})
def redeem_order_points(request: HttpRequest, order_id: int, data: ps.SalesPointsRedeemIn) -> Any:
    """Redeem loyalty points on a draft order (0 removes them); they leave the balance on confirmation."""
    p = _p(request, "crm.coupon.apply")
    loyalty.set_order_points(p, order_id, data.points)
    return selectors.get_order(p, order_id)


@router.post("/quotations/{int:quotation_id}/coupon", response={200: s.QuotationOut, **E})
def apply_quotation_coupon(request: HttpRequest, quotation_id: int, data: ps.SalesCouponApplyIn) -> Any:
    p = _p(request, "crm.coupon.apply")
    promotions.apply_coupon(p, "quotation", quotation_id, data.code)
    return quotations.get_quotation(p, quotation_id)


@router.delete("/quotations/{int:quotation_id}/coupon", response={200: s.QuotationOut, **E})
def remove_quotation_coupon(request: HttpRequest, quotation_id: int) -> Any:
    p = _p(request, "crm.coupon.apply")
    promotions.remove_coupon(p, "quotation", quotation_id)
    return quotations.get_quotation(p, quotation_id)


# --- campaigns -----------------------------------------------------------------------------------------


@router.get("/campaigns", response=list[ps.SalesCampaignOut])
def list_campaigns(request: HttpRequest) -> Any:
    p = _p(request, "crm.campaign.manage")
    return promotions.list_campaigns(p.tenant).prefetch_related("coupons")


@router.post("/campaigns", response={201: ps.SalesCampaignOut, **E})
def create_campaign(request: HttpRequest, data: ps.SalesCampaignIn) -> Any:
    p = _p(request, "crm.campaign.manage")
    campaign = promotions.save_campaign(p, **data.model_dump())
    return 201, promotions.get_campaign(p.tenant, campaign.pk)


@router.get("/campaigns/{int:campaign_id}", response={200: ps.SalesCampaignOut, **E})
def get_campaign(request: HttpRequest, campaign_id: int) -> Any:
    p = _p(request, "crm.campaign.manage")
    return promotions.get_campaign(p.tenant, campaign_id)


@router.patch("/campaigns/{int:campaign_id}", response={200: ps.SalesCampaignOut, **E})
def update_campaign(request: HttpRequest, campaign_id: int, data: ps.SalesCampaignUpdate) -> Any:
    p = _p(request, "crm.campaign.manage")
    Campaign.objects.get(pk=campaign_id)
    promotions.save_campaign(p, campaign_id, **_data(data))
    return promotions.get_campaign(p.tenant, campaign_id)


# --- loyalty -------------------------------------------------------------------------------------------


@router.get("/loyalty-programme", response={200: ps.SalesLoyaltyProgrammeOut, **E})
def get_loyalty_programme(request: HttpRequest) -> Any:
    p = _p(request, "crm.customer.view")
    return loyalty.programme(p.tenant)


@router.patch("/loyalty-programme", response={200: ps.SalesLoyaltyProgrammeOut, **E})
def update_loyalty_programme(request: HttpRequest, data: ps.SalesLoyaltyProgrammeUpdate) -> Any:
    p = _p(request, "crm.loyalty.configure")
    return loyalty.configure(p, **_data(data))


@router.get("/loyalty-tiers", response={200: list[ps.SalesLoyaltyTierOut], **E})
def list_loyalty_tiers(request: HttpRequest) -> Any:
    """The tiers by threshold (revenue before VAT of the last 12 months) with their points multiplier."""
    p = _p(request, "crm.customer.view")
    return loyalty.tiers(p.tenant)


@router.post("/loyalty-tiers", response={201: ps.SalesLoyaltyTierOut, **E})
def create_loyalty_tier(request: HttpRequest, data: ps.SalesLoyaltyTierIn) -> Any:
    p = _p(request, "crm.loyalty.configure")
    return 201, loyalty.save_tier(p, **data.model_dump())


@router.patch("/loyalty-tiers/{int:tier_id}", response={200: ps.SalesLoyaltyTierOut, **E})
def update_loyalty_tier(request: HttpRequest, tier_id: int, data: ps.SalesLoyaltyTierUpdate) -> Any:
    p = _p(request, "crm.loyalty.configure")
    LoyaltyTier.objects.get(pk=tier_id)
    return loyalty.save_tier(p, tier_id, **_data(data))


@router.delete("/loyalty-tiers/{int:tier_id}", response={204: None, **E})
def delete_loyalty_tier(request: HttpRequest, tier_id: int) -> Any:
    p = _p(request, "crm.loyalty.configure")
    loyalty.delete_tier(p, tier_id)
    return 204, None


def _loyalty(p: Any, customer_id: int) -> dict[str, Any]:
    from django.utils import timezone

    customer = selectors.visible_customers(p).get(pk=customer_id)
    prog = loyalty.programme(p.tenant)
    return {
        **loyalty.tier_status(customer, timezone.localdate()),
        "customer_id": customer.pk,
        "balance": customer.loyalty_points,
        "value": prog.point_value * customer.loyalty_points,
        "entries": list(loyalty.entries(customer)[:200]),
    }


@router.get("/customers/{int:customer_id}/loyalty", response={200: ps.SalesLoyaltyOut, **E})
def get_customer_loyalty(request: HttpRequest, customer_id: int) -> Any:
    """The points balance, its value in đồng and the ledger (latest 200 rows first)."""
    p = _p(request, "crm.customer.view")
    return _loyalty(p, customer_id)


@router.post("/customers/{int:customer_id}/loyalty", response={201: ps.SalesLoyaltyEntryOut, **E})
def add_customer_points(request: HttpRequest, customer_id: int, data: ps.SalesLoyaltyAddIn) -> Any:
    """Points added by hand with a reason (negative: taken; never below a zero balance)."""
    p = _p(request, "crm.loyalty.add")
    return 201, loyalty.add_points(p, customer_id, points=data.points, reason=data.reason, date=data.date)


# --- support tickets (the customers' portal tickets, answered by Sales) ---------------------------------


@router.get("/tickets", response={200: list[portal_s.StaffTicketSummaryOut], **E})
def list_tickets(request: HttpRequest, status: str = "") -> Any:
    """Tickets of the customers the member sees (Sales Staff: their own), filter ``status``."""
    return list(tickets.staff_tickets(request.auth, status)[:500])  # type: ignore[attr-defined]


@router.get("/tickets/{int:ticket_id}", response={200: portal_s.StaffTicketOut, **E})
def get_ticket(request: HttpRequest, ticket_id: int) -> Any:
    return tickets.staff_ticket(request.auth, ticket_id)  # type: ignore[attr-defined]


@router.post("/tickets/{int:ticket_id}/messages", response={201: portal_s.StaffTicketOut, **E})
def answer_ticket(request: HttpRequest, ticket_id: int, data: portal_s.TicketMessageIn) -> Any:
    tickets.staff_writes(request.auth, ticket_id, data.body)  # type: ignore[attr-defined]
    return 201, tickets.staff_ticket(request.auth, ticket_id)  # type: ignore[attr-defined]


@router.post("/tickets/{int:ticket_id}/close", response={200: portal_s.StaffTicketOut, **E})
def close_ticket(request: HttpRequest, ticket_id: int) -> Any:
    tickets.close_ticket(request.auth, ticket_id)  # type: ignore[attr-defined]
    return tickets.staff_ticket(request.auth, ticket_id)  # type: ignore[attr-defined]
