"""Pipeline by owner: assigning leads in bulk (Sales Manager, all or nothing, one notice to the owner;
API and page), the forecast per owner to the đồng and lost reasons (API and page; Sales Manager), the
pipeline dashboard widget."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from novasaas.platform.models import Notification
from novasaas.platform.tenancy import tenant_context
from novasaas.platform.testing.fixtures import ApiClient, create_user, web_client
from novasaas.sales import pipeline
from novasaas.sales.models import Lead, LeadStatus
from novasaas.sales.tests.helpers import world

D = Decimal
URL = "/api/v1/sales"


def test_bulk_lead_assignment_api_and_page(tenant_a):
    with tenant_context(tenant_a):
        w = world(tenant_a, 0)
        leads = [pipeline.create_lead(w.manager, name=f"Khách {i}") for i in range(4)]
        Lead.objects.filter(pk=leads[3].pk).update(status=LeadStatus.CONVERTED)
    manager = ApiClient(tenant_a, w.manager.user)
    staff = ApiClient(tenant_a, w.staff.user)
    ids = [lead.pk for lead in leads[:3]]
    assert staff.get(f"{URL}/leads").json()["count"] == 0
    # refusals, nothing changed: a converted lead, an unknown id, a non-member owner, Sales Staff
    assert (
        manager.post(f"{URL}/leads/assign", {"lead_ids": [*ids, leads[3].pk], "owner_id": w.staff.user.pk}).status_code
        == 400
    )
    assert (
        manager.post(f"{URL}/leads/assign", {"lead_ids": [*ids, 10**9], "owner_id": w.staff.user.pk}).status_code == 400
    )
    assert manager.post(f"{URL}/leads/assign", {"lead_ids": ids, "owner_id": 10**9}).status_code == 400
    assert manager.post(f"{URL}/leads/assign", {"lead_ids": [], "owner_id": w.staff.user.pk}).status_code in (400, 422)
    assert staff.post(f"{URL}/leads/assign", {"lead_ids": ids, "owner_id": w.staff.user.pk}).status_code == 403
    with tenant_context(tenant_a):
        assert set(Lead.objects.values_list("owner_id", flat=True)) == {w.manager.user.pk}
    r = manager.post(f"{URL}/leads/assign", {"lead_ids": ids[:2], "owner_id": w.staff.user.pk})
    assert r.status_code == 200 and r.json() == {"assigned": 2}
    assert {row["id"] for row in staff.get(f"{URL}/leads").json()["items"]} == set(ids[:2])
    with tenant_context(tenant_a):
        notes = list(Notification.objects.filter(kind="sales", recipient=w.staff.user))
        assert len(notes) == 1 and "2" in notes[0].title
    # the page: checkboxes for the manager only, assign the third
    web = web_client(tenant_a, w.manager.user)
    assert 'name="lead_ids"' in web.get("/sales/leads/").content.decode()
    assert 'name="lead_ids"' not in web_client(tenant_a, w.staff.user).get("/sales/leads/").content.decode()
    assert web.post("/sales/leads/assign/", {"lead_ids": [ids[2]], "owner_id": w.staff.user.pk}).status_code == 302
    assert web.post("/sales/leads/assign/", {"owner_id": w.staff.user.pk}).status_code == 400
    assert web_client(tenant_a, w.staff.user).post("/sales/leads/assign/", {"lead_ids": [ids[0]]}).status_code == 403
    with tenant_context(tenant_a):
        assert Lead.objects.filter(owner=w.staff.user).count() == 3


def test_forecast_by_owner_to_the_dong(tenant_a, today):
    with tenant_context(tenant_a):
        w = world(tenant_a, 0)
        close = today + dt.timedelta(days=10)
        pipeline.create_opportunity(w.staff, name="A", expected_amount="10000001", probability=50, close_date=close)
        pipeline.create_opportunity(w.staff, name="B", expected_amount="3000000", probability=25, close_date=close)
        pipeline.create_opportunity(w.manager, name="C", expected_amount="7000000", probability=10, close_date=close)
        pipeline.create_opportunity(
            w.manager, name="D", expected_amount="9000000", stage="lost", close_date=close
        )  # lost: not forecast
    manager = ApiClient(tenant_a, w.manager.user)
    rows = manager.get(f"{URL}/forecast/by-owner").json()
    # staff: 10,000,001 × 50 % + 3,000,000 × 25 % = 5,000,000.5 + 750,000 → 5,750,001 (half up)
    assert [(r["owner_id"], r["opportunities"], D(r["expected"]), D(r["weighted"])) for r in rows] == [
        (w.staff.user.pk, 2, D(13000001), D(5750001)),
        (w.manager.user.pk, 1, D(7000000), D(700000)),
    ]
    # the forecast is the Sales Manager's (crm.forecast.view)
    assert ApiClient(tenant_a, w.staff.user).get(f"{URL}/forecast/by-owner").status_code == 403
    web = web_client(tenant_a, w.manager.user)
    html = web.get("/sales/forecast/").content.decode()
    table = html[html.index('id="forecast-by-owner"') :]
    assert w.staff.user.email in table and "5.750.001" in table and "700.000" in table
    filtered = web.get(f"/sales/forecast/?owner={w.manager.user.pk}").content.decode()
    months = filtered[: filtered.index('id="forecast-by-owner"')]
    assert "700.000" in months and "5.750.001" not in months
    assert web.get("/sales/forecast/?owner=abc").status_code == 200
    # the dashboard widget: Σ weighted of the open opportunities
    assert "6.450.001" in web.get("/").content.decode()
    accountant = create_user(tenant_a, "warehouse_staff")
    assert ApiClient(tenant_a, accountant).get(f"{URL}/forecast/by-owner").status_code == 403


def test_lost_reasons_api_page_and_summary(tenant_a, today):
    with tenant_context(tenant_a):
        w = world(tenant_a, 0)
        a = pipeline.create_opportunity(w.staff, name="A", expected_amount="1000000", close_date=today)
        b = pipeline.create_opportunity(w.staff, name="B", expected_amount="2000000", close_date=today)
        c = pipeline.create_opportunity(w.staff, name="C", expected_amount="4000000", close_date=today)
    api = ApiClient(tenant_a, w.staff.user)
    # a reason only on a lost opportunity; nothing written when refused
    assert api.patch(f"{URL}/opportunities/{a.pk}", {"lost_reason": "Giá cao"}).status_code == 400
    assert api.get(f"{URL}/opportunities/{a.pk}").json()["lost_reason"] == ""
    r = api.patch(f"{URL}/opportunities/{a.pk}", {"stage": "lost", "lost_reason": "Giá cao"})
    assert r.status_code == 200 and r.json()["lost_reason"] == "Giá cao" and r.json()["probability"] == 0
    assert api.patch(f"{URL}/opportunities/{b.pk}", {"stage": "lost", "lost_reason": " giá  cao "}).status_code == 200
    # on the page: the reason is required
    web = web_client(tenant_a, w.staff.user)
    page = f"/sales/opportunities/{c.pk}/"
    assert 'id="mark-lost"' in web.get(page).content.decode()
    assert web.post(page, {"action": "lost", "lost_reason": "  "}).status_code == 400
    assert web.post(page, {"action": "lost", "lost_reason": "Chọn đối thủ"}).status_code == 302
    assert "Chọn đối thủ" in web.get(page).content.decode()
    manager = ApiClient(tenant_a, w.manager.user)
    rows = manager.get(f"{URL}/lost-reasons").json()
    assert [(r["reason"], r["opportunities"], D(r["expected"])) for r in rows] == [
        ("Giá cao", 2, D(3000000)),
        ("Chọn đối thủ", 1, D(4000000)),
    ]
    html = web_client(tenant_a, w.manager.user).get("/sales/forecast/").content.decode()
    assert "Chọn đối thủ" in html[html.index('id="lost-reasons"') :]
    # reopening clears the reason
    assert api.patch(f"{URL}/opportunities/{a.pk}", {"stage": "proposal"}).json()["lost_reason"] == ""
    assert api.get(f"{URL}/lost-reasons").status_code == 403  # Sales Staff: no forecast right
