"""Two tenants: every sales table keeps each tenant's rows to itself; ids of the other are 404."""

from __future__ import annotations

import pytest

from novasaas.platform.tenancy import tenant_context
from novasaas.platform.testing.fixtures import ApiClient, web_client
from novasaas.platform.testing.isolation import assert_every_table_isolated
from novasaas.sales import (
    actions,
    customers,
    deliveries,
    loyalty,
    pipeline,
    policy,
    portal,
    pricing,
    promotions,
    quotations,
    returns,
)
from novasaas.sales.tests.helpers import beer_line, order, world

URL = "/api/v1/sales"


def _fill(tenant):
    """One row in every sales table: a group, a customer, an order with lines, an invoice, a payment."""
    with tenant_context(tenant):
        w = world(tenant, 10)
        pl = pricing.save_price_list(
            w.manager, code="BG1", name="List", items=[{"product_id": w.inv.beer.pk, "unit_price": "14000"}]
        )
        group = actions.save_group(w.manager, code="VIP", name="VIP", discount_percent="3", price_list_id=pl.pk)
        actions.update_customer(w.manager, w.customer.pk, group_id=group.pk)
        policy.save_settings(w.manager, stock_check="refuse", approval_limit="100000000")
        loyalty.configure(w.manager, is_active=True, points_per="1000", point_value="1")
        loyalty.save_tier(w.manager, code="GOLD", name="Gold", min_revenue=0, multiplier="2")
        campaign = promotions.save_campaign(w.manager, name="Tết", starts_on="2000-01-01", ends_on="2100-01-01")
        coupon = promotions.save_coupon(w.manager, code="ISO", value="1", campaign_id=campaign.pk)
        loyalty.add_points(w.manager, w.customer.pk, points=5, reason="Khai trương")
        from novasaas.sales.models import SupportTicket, TicketMessage

        ticket = SupportTicket.objects.create(customer=w.customer, subject="Hỗ trợ", opened_by=w.staff.user)
        TicketMessage.objects.create(ticket=ticket, author=w.staff.user, body="Xin chào")
        o = order(w, beer_line(w, 3))
        promotions.apply_coupon(w.staff, "order", o.pk, "ISO")  # a coupon redemption on confirmation
        actions.confirm_order(w.staff, o.pk)
        first = deliveries.deliver_order(w.staff, o.pk, lines=[{"line_id": o.lines.get().pk, "quantity": "1"}])
        delivery = deliveries.deliver_order(w.staff, o.pk)
        invoice = deliveries.invoice_deliveries(w.staff, [first.pk])
        actions.receive_payment(w.staff, invoice.pk, amount="1000")
        returns.return_goods(w.staff, first.pk)
        returns.credit_invoice(w.staff, invoice.pk)  # paid 1,000 more than it now owes: customer credit
        lead = pipeline.create_lead(w.staff, name="Lead")
        opp = pipeline.create_opportunity(w.staff, name="Opp", customer_id=w.customer.pk)
        pipeline.log_activity(w.staff, subject="Call", lead_id=lead.pk)
        draft = order(w, beer_line(w, 1))
        quote = quotations.create_quotation(w.staff, customer_id=w.customer.pk, lines=[beer_line(w, 1)])
        contact = customers.save_contact(
            w.staff, w.customer.pk, name="Chị Lan", phone="0901 234 567", email=f"lan@{tenant.slug}.test"
        )
        portal.invite_contact(w.staff, w.customer.pk, contact.pk)
        return {
            "contact": contact.pk,
            "customer": w.customer.pk,
            "order": o.pk,
            "draft": draft.pk,
            "invoice": invoice.pk,
            "group": group.pk,
            "quote": quote.pk,
            "delivery": delivery.pk,
            "lead": lead.pk,
            "opp": opp.pk,
            "price_list": pl.pk,
            "coupon": coupon.pk,
            "campaign": campaign.pk,
        }


def test_every_table_is_isolated(tenant_a, tenant_b):
    _fill(tenant_a)
    _fill(tenant_b)
    assert_every_table_isolated("sales", tenant_a, tenant_b, min_models=8)


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "customers/{customer}"),
        ("patch", "customers/{customer}"),
        ("delete", "customers/{customer}"),
        ("get", "customers/{customer}/balance"),
        ("get", "customers/{customer}/contacts"),
        ("post", "customers/{customer}/contacts"),
        ("patch", "customers/{customer}/contacts/{contact}"),
        ("delete", "customers/{customer}/contacts/{contact}"),
        ("get", "customers/{customer}/purchases"),
        ("patch", "customer-groups/{group}"),
        ("get", "orders/{order}"),
        ("patch", "orders/{draft}"),
        ("post", "orders/{draft}/confirm"),
        ("post", "orders/{draft}/cancel"),
        ("post", "orders/{order}/deliver"),
        ("post", "orders/{order}/invoice"),
        ("post", "orders/{order}/deliveries"),
        ("get", "deliveries/{delivery}"),
        ("get", "deliveries/{delivery}/pdf"),
        ("post", "deliveries/{delivery}/returns"),
        ("get", "invoices/{invoice}/pdf"),
        ("get", "invoices/{invoice}/einvoice"),
        ("get", "invoices/{invoice}/vietqr"),
        ("post", "invoices/{invoice}/credit-notes"),
        ("post", "invoices/{invoice}/apply-credit"),
        ("get", "leads/{lead}"),
        ("patch", "leads/{lead}"),
        ("post", "leads/{lead}/convert"),
        ("get", "opportunities/{opp}"),
        ("patch", "opportunities/{opp}"),
        ("get", "invoices/{invoice}"),
        ("post", "invoices/{invoice}/payments"),
        ("get", "quotations/{quote}"),
        ("patch", "quotations/{quote}"),
        ("post", "quotations/{quote}/send"),
        ("post", "quotations/{quote}/accept"),
        ("post", "quotations/{quote}/decline"),
        ("get", "quotations/{quote}/pdf"),
        ("get", "price-lists/{price_list}"),
        ("patch", "price-lists/{price_list}"),
        ("get", "coupons/{coupon}"),
        ("patch", "coupons/{coupon}"),
        ("get", "campaigns/{campaign}"),
        ("patch", "campaigns/{campaign}"),
        ("post", "orders/{draft}/coupon"),
        ("delete", "orders/{draft}/coupon"),
        ("post", "orders/{draft}/points"),
        ("post", "quotations/{quote}/coupon"),
        ("delete", "quotations/{quote}/coupon"),
        ("get", "customers/{customer}/loyalty"),
        ("post", "customers/{customer}/loyalty"),
    ],
)
def test_other_tenants_ids_are_404(tenant_a, tenant_b, admin_a, method, path):
    _fill(tenant_a)
    ids = _fill(tenant_b)
    api = ApiClient(tenant_a, admin_a)
    bodies = {
        "payments": {"amount": "1"},
        "contacts": {"name": "X"},
        "coupon": {"code": "ISO"},
        "points": {"points": 1},
        "loyalty": {"points": 1, "reason": "x"},
    }
    body = bodies.get(path.rsplit("/", 1)[-1], {})
    r = getattr(api, method)(f"{URL}/{path.format(**ids)}", None if method == "get" else body)
    assert r.status_code == 404, (path, r.status_code)


def test_other_tenants_ids_in_bodies_and_pages(tenant_a, tenant_b, admin_a):
    mine = _fill(tenant_a)
    ids = _fill(tenant_b)
    api = ApiClient(tenant_a, admin_a)
    r = api.post(f"{URL}/orders", {"customer_id": ids["customer"], "lines": [{"description": "x", "quantity": "1"}]})
    assert r.status_code == 400
    r = api.patch(f"{URL}/customers/{mine['customer']}", {"group_id": ids["group"]})
    assert r.status_code == 400
    assert api.patch(f"{URL}/customer-groups/{mine['group']}", {"price_list_id": ids["price_list"]}).status_code == 400
    assert [pl["id"] for pl in api.get(f"{URL}/price-lists").json()] == [mine["price_list"]]
    web = web_client(tenant_a, admin_a)
    for path in (
        f"/sales/customers/{ids['customer']}/",
        f"/sales/customers/{ids['customer']}/edit/",
        f"/sales/customers/{ids['customer']}/contacts/new/",
        f"/sales/customers/{ids['customer']}/contacts/{ids['contact']}/edit/",
        f"/sales/orders/{ids['order']}/",
        f"/sales/orders/{ids['draft']}/edit/",
        f"/sales/invoices/{ids['invoice']}/",
        f"/sales/deliveries/{ids['delivery']}/",
        f"/sales/deliveries/{ids['delivery']}/pdf/",
        f"/sales/invoices/{ids['invoice']}/pdf/",
        f"/sales/invoices/{ids['invoice']}/einvoice/",
        f"/sales/leads/{ids['lead']}/",
        f"/sales/opportunities/{ids['opp']}/",
        f"/sales/quotations/{ids['quote']}/",
        f"/sales/quotations/{ids['quote']}/edit/",
        f"/sales/quotations/{ids['quote']}/pdf/",
        f"/sales/price-lists/{ids['price_list']}/",
        f"/sales/coupons/{ids['coupon']}/",
        f"/sales/campaigns/{ids['campaign']}/",
    ):
        assert web.get(path).status_code == 404, path
    assert web.post(f"/sales/orders/{ids['draft']}/confirm/").status_code == 404
    assert web.post(f"/sales/orders/{ids['draft']}/promotion/", {"code": "ISO"}).status_code == 404
    assert web.post(f"/sales/quotations/{ids['quote']}/promotion/", {"code": "ISO"}).status_code == 404
    assert web.post(f"/sales/customers/{ids['customer']}/loyalty/", {"points": "1", "reason": "x"}).status_code == 404
    assert [c["id"] for c in api.get(f"{URL}/coupons").json()] == [mine["coupon"]]
    assert [c["id"] for c in api.get(f"{URL}/campaigns").json()] == [mine["campaign"]]
    # its own coupon applies (the same code in the other company is another coupon)
    assert api.post(f"{URL}/orders/{mine['draft']}/coupon", {"code": "ISO"}).status_code == 200
    assert web.post(f"/sales/customers/{ids['customer']}/contacts/{ids['contact']}/delete/").status_code == 404
    # a contact id of the other tenant under one's own customer
    assert api.patch(f"{URL}/customers/{mine['customer']}/contacts/{ids['contact']}", {"name": "Y"}).status_code == 404
    assert web.post(f"/sales/orders/{ids['order']}/deliver/").status_code == 404
    assert web.post(f"/sales/deliveries/{ids['delivery']}/return/").status_code == 404
    assert web.post(f"/sales/invoices/{ids['invoice']}/credit/").status_code == 404
    assert web.post("/sales/deliveries/invoice/", {"delivery": [ids["delivery"]]}).status_code == 404
    assert api.post(f"{URL}/invoices", {"delivery_ids": [ids["delivery"]]}).status_code == 404
    assert [d["id"] for d in api.get(f"{URL}/deliveries").json()["items"]] == [mine["delivery"], mine["delivery"] - 1]
    assert web.post(f"/sales/quotations/{ids['quote']}/accept/").status_code == 404
    r = api.post(
        f"{URL}/quotations", {"customer_id": ids["customer"], "lines": [{"description": "x", "quantity": "1"}]}
    )
    assert r.status_code == 400
    assert [o["id"] for o in api.get(f"{URL}/orders").json()["items"]] == sorted(
        [mine["order"], mine["draft"]], reverse=True
    )
