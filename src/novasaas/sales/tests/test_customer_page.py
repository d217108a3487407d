"""The customer page beyond the customer's fields: contact persons (API + page, roles, refusals), tags
(the party's, shown and filtered), the receivable aging from accounting, and the purchase history per
product net of credit notes — to the đồng."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from novasaas.parties.actions import update_party
from novasaas.platform.tenancy import tenant_context
from novasaas.platform.testing.fixtures import ApiClient, create_user, web_client
from novasaas.sales import actions, deliveries, returns
from novasaas.sales.models import CustomerContact
from novasaas.sales.tests.helpers import beer_line, order, party, world

D = Decimal
URL = "/api/v1/sales"


def test_contacts_through_the_api_with_roles_and_refusals(tenant_a):
    with tenant_context(tenant_a):
        w = world(tenant_a, 0)
        other_staff = create_user(tenant_a, "sales_staff")
        accountant = create_user(tenant_a, "warehouse_staff")
    api = ApiClient(tenant_a, w.staff.user)
    base = f"{URL}/customers/{w.customer.pk}/contacts"
    r = api.post(base, {"name": "Anh Tuấn", "position": "Kế toán", "phone": "0901 234 567", "is_primary": True})
    assert r.status_code == 201, r.content
    tuan = r.json()["id"]
    r = api.post(base, {"name": "Chị Hoa", "email": "hoa@minhphat.vn", "is_primary": True})
    assert r.status_code == 201
    hoa = r.json()["id"]
    # one primary contact: the newer one took it over
    rows = api.get(base).json()
    assert [(c["name"], c["is_primary"]) for c in rows] == [("Chị Hoa", True), ("Anh Tuấn", False)]
    assert api.patch(f"{base}/{tuan}", {"position": "Giám đốc"}).json()["position"] == "Giám đốc"
    # bad input: clear 400, nothing written
    for body in ({"name": "X", "email": "not-an-email"}, {"name": "X", "phone": "abc"}, {"name": ""}, {"x": 1}):
        assert api.post(base, body).status_code in (400, 422), body
    assert api.patch(f"{base}/{hoa}", {"email": "nope"}).status_code == 400
    with tenant_context(tenant_a):
        assert CustomerContact.objects.count() == 2
        assert CustomerContact.objects.get(pk=hoa).email == "hoa@minhphat.vn"
    # another Sales Staff member does not see this customer; a role without CRM rights is refused
    assert ApiClient(tenant_a, other_staff).get(base).status_code == 404
    assert ApiClient(tenant_a, other_staff).post(base, {"name": "Y"}).status_code == 404
    assert ApiClient(tenant_a, accountant).post(base, {"name": "Y"}).status_code == 403
    # the manager sees and removes
    manager = ApiClient(tenant_a, w.manager.user)
    assert len(manager.get(base).json()) == 2
    assert manager.delete(f"{base}/{tuan}").status_code == 204
    assert [c["id"] for c in api.get(base).json()] == [hoa]
    assert manager.delete(f"{base}/{tuan}").status_code == 404


def test_contacts_on_the_page(tenant_a):
    with tenant_context(tenant_a):
        w = world(tenant_a, 0)
    web = web_client(tenant_a, w.staff.user)
    page = f"/sales/customers/{w.customer.pk}/"
    assert web.get(f"{page}contacts/new/").status_code == 200
    r = web.post(f"{page}contacts/new/", {"name": "Anh Tuấn", "phone": "0901234567", "position": "Thủ kho"})
    assert r.status_code == 302
    with tenant_context(tenant_a):
        contact = CustomerContact.objects.get()
    html = web.get(page).content.decode()
    assert "Anh Tuấn" in html and "Thủ kho" in html and "0901234567" in html
    r = web.post(f"{page}contacts/new/", {"name": "X", "email": "bad"})
    assert r.status_code == 400
    assert web.get(f"{page}contacts/{contact.pk}/edit/").status_code == 200
    r = web.post(f"{page}contacts/{contact.pk}/edit/", {"name": "Anh Tuấn", "phone": "abc"})
    assert r.status_code == 400 and "phone" in r.content.decode().lower()
    r = web.post(f"{page}contacts/{contact.pk}/edit/", {"name": "Anh Tuấn Lê", "is_primary": "on"})
    assert r.status_code == 302
    with tenant_context(tenant_a):
        contact.refresh_from_db()
        assert (contact.name, contact.is_primary, CustomerContact.objects.count()) == ("Anh Tuấn Lê", True, 1)
    assert web.post(f"{page}contacts/{contact.pk}/delete/").status_code == 302
    with tenant_context(tenant_a):
        assert not CustomerContact.objects.exists()
    # a member without CRM rights
    with tenant_context(tenant_a):
        accountant = create_user(tenant_a, "warehouse_staff")
    assert web_client(tenant_a, accountant).get(f"{page}contacts/new/").status_code == 403


def test_tags_are_the_partys_shown_and_filtered(tenant_a, admin_a):
    with tenant_context(tenant_a):
        w = world(tenant_a, 0)
        from novasaas.inventory.tests.helpers import principal

        update_party(principal(tenant_a), w.customer.party_id, tags=["VIP miền Bắc", "Đại lý"])
        other = actions.create_customer(w.manager, party_id=party(w.manager, "Cửa hàng Hoa Mai").pk)
    api = ApiClient(tenant_a, w.manager.user)
    rows = api.get(f"{URL}/customers?tag=vip  miền bắc").json()["items"]
    assert [(c["id"], sorted(c["tags"])) for c in rows] == [(w.customer.pk, ["VIP miền Bắc", "Đại lý"])]
    assert {c["id"] for c in api.get(f"{URL}/customers").json()["items"]} == {w.customer.pk, other.pk}
    assert api.get(f"{URL}/customers/{other.pk}").json()["tags"] == []
    web = web_client(tenant_a, w.manager.user)
    html = web.get("/sales/customers/?tag=Đại+lý").content.decode()
    assert w.customer.code in html and other.code not in html
    assert "VIP miền Bắc" in web.get(f"/sales/customers/{w.customer.pk}/").content.decode()


def test_aging_and_purchase_history_on_the_customer_page(tenant_a, today):
    with tenant_context(tenant_a):
        w = world(tenant_a, 50)
        actions.update_customer(w.manager, w.customer.pk, payment_terms_days=0)
        invoices = []
        for qty in (2, 3):
            o = order(w, beer_line(w, qty, "10000"), {"description": "Lắp đặt", "quantity": "1", "unit_price": "5000"})
            actions.confirm_order(w.staff, o.pk)
            deliveries.deliver_order(w.staff, o.pk)
            invoices.append(deliveries.invoice_order(w.staff, o.pk))
        beer_line_id = invoices[0].lines.get(product_id=w.inv.beer.pk).pk
        returns.credit_invoice(w.staff, invoices[0].pk, lines=[{"line_id": beer_line_id, "quantity": "1"}])
        actions.receive_payment(w.staff, invoices[1].pk, amount="10000")
    api = ApiClient(tenant_a, w.staff.user)
    # history: beer 2 + 3 − 1 credited = 4 for 40,000; service 2 × 5,000
    rows = api.get(f"{URL}/customers/{w.customer.pk}/purchases").json()
    assert [(r["product_id"], D(r["quantity"]), D(r["net_amount"]), r["invoices"]) for r in rows] == [
        (w.inv.beer.pk, D(4), D(40000), 2),
        (None, D(2), D(10000), 2),
    ]
    assert rows[0]["last_date"] == today.isoformat()
    # aging from accounting: 27,500 − 11,000 credited + 38,500 − 10,000 paid = 45,000 open
    balance = api.get(f"{URL}/customers/{w.customer.pk}/balance").json()
    aging = {k: D(v) for k, v in balance["aging"].items()}
    assert aging["total"] == D(45000) == D(balance["receivable"])
    assert sum((aging[k] for k in ("current", "days_1_30", "days_31_60", "days_61_90", "over_90")), D(0)) == D(45000)
    html = web_client(tenant_a, w.staff.user).get(f"/sales/customers/{w.customer.pk}/").content.decode()
    aging_table = html[html.index('id="customer-aging"') :]
    assert "45.000" in aging_table[: aging_table.index("</table>")]
    purchases = html[html.index('id="customer-purchases"') :]
    purchases = purchases[: purchases.index("</table>")]
    assert w.inv.beer.name in purchases and "40.000" in purchases and "Lắp đặt" in purchases
    assert today.strftime("%d/%m/%Y") in purchases


def test_aging_buckets_by_days_past_due(tenant_a, today):
    """Accounting buckets by the posted due date: 45 days later the whole amount is overdue."""
    from novasaas.sales import reports

    with tenant_context(tenant_a):
        w = world(tenant_a, 10)
        o = order(w, beer_line(w, 1, "10000"))
        actions.confirm_order(w.staff, o.pk)
        deliveries.deliver_order(w.staff, o.pk)
        deliveries.invoice_order(w.staff, o.pk)
        later = reports.customer_aging(w.staff, w.customer, today + dt.timedelta(days=45))
        assert later["current"] == 0 and later["total"] == D(11000)
        now = reports.customer_aging(w.staff, w.customer, today)
        assert now["total"] == D(11000) and now["over_90"] == 0
