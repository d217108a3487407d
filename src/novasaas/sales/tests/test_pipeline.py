"""Pipeline: leads (CRUD, conversion into customer + opportunity), opportunities on the Kanban (move by
drag request or by the card's form), activities with due dates, the forecast to the đồng, roles and
two-tenant isolation."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from novasaas.platform.tenancy import tenant_context
from novasaas.platform.testing.fixtures import ApiClient, create_user, web_client
from novasaas.sales import pipeline
from novasaas.sales.models import Activity, Customer, LeadStatus, Opportunity
from novasaas.sales.tests.helpers import world

D = Decimal
URL = "/api/v1/sales"


def test_lead_conversion_opportunities_activities_and_forecast(tenant_a, today):
    with tenant_context(tenant_a):
        w = world(tenant_a, 0)
        lead = pipeline.create_lead(w.staff, name="Anh Minh", company="Công ty Minh Long", email="minh@ml.vn")
        assert lead.owner_id == w.staff.user.pk and lead.status == LeadStatus.NEW
        call = pipeline.log_activity(w.staff, kind="call", subject="Gọi lại", due_date=today, lead_id=lead.pk)
        opp = pipeline.convert_lead(w.staff, lead.pk, expected_amount="10000000", close_date=today)
        lead.refresh_from_db()
        customer = Customer.objects.get(pk=lead.customer_id)
        assert lead.status == LeadStatus.CONVERTED and customer.salesperson_id == w.staff.user.pk
        assert customer.party.name == "Công ty Minh Long" and opp.customer_id == customer.pk
        assert Activity.objects.get(pk=call.pk).customer_id == customer.pk  # follows the lead to the customer
        with pytest.raises(ValidationError):
            pipeline.convert_lead(w.staff, lead.pk)
        with pytest.raises(ValidationError):
            pipeline.update_lead(w.staff, lead.pk, name="x")
        pipeline.update_opportunity(w.staff, opp.pk, stage="proposal")  # default probability 50 %
        other = pipeline.create_opportunity(
            w.staff, name="Máy lọc", expected_amount="3333333", probability=33, close_date=today
        )
        later = pipeline.create_opportunity(
            w.manager, name="Năm sau", expected_amount="1000", close_date=today + dt.timedelta(days=40)
        )
        pipeline.create_opportunity(w.staff, name="Mất", expected_amount="999", stage="lost", close_date=today)
        assert Opportunity.objects.get(pk=opp.pk).probability == 50
        rows = pipeline.forecast(w.manager)
        # 10,000,000 × 50 % + 3,333,333 × 33 % = 5,000,000 + 1,099,999.89 → 6,099,999.89 → 6,100,000
        assert (rows[0].opportunities, rows[0].expected, rows[0].weighted) == (2, D(13333333), D(6100000))
        assert rows[1].weighted == D(100) and rows[1].month == f"{later.close_date:%Y-%m}"
        assert other.probability == 33
        with pytest.raises(PermissionDenied):
            pipeline.forecast(w.staff)  # Sales Manager only
        due = list(pipeline.due_activities(w.staff, today))
        assert [a.pk for a in due] == [call.pk]
        pipeline.complete_activity(w.staff, call.pk)
        assert not pipeline.due_activities(w.staff, today).exists()
        # refusals
        for bad in ({"subject": ""}, {"subject": "x"}, {"subject": "x", "kind": "fax", "lead_id": lead.pk}):
            with pytest.raises(ValidationError):
                pipeline.log_activity(w.staff, **bad)
        with pytest.raises(ValidationError):
            pipeline.update_opportunity(w.staff, opp.pk, probability=101)
        # Sales Staff do not see another member's opportunity
        with pytest.raises(Opportunity.DoesNotExist):
            pipeline.update_opportunity(w.staff, later.pk, stage="won")


def test_api_roles_and_isolation(tenant_a, tenant_b, admin_a):
    with tenant_context(tenant_b):
        wb = world(tenant_b, 0)
        their_lead = pipeline.create_lead(wb.staff, name="B")
        their_opp = pipeline.create_opportunity(wb.staff, name="B")
    api = ApiClient(tenant_a, admin_a)
    r = api.post(f"{URL}/leads", {"name": "Chị Lan", "company": "Lan Anh", "source": "website"})
    assert r.status_code == 201, r.content
    lead = r.json()
    assert api.patch(f"{URL}/leads/{lead['id']}", {"status": "qualified"}).json()["status"] == "qualified"
    assert api.patch(f"{URL}/leads/{lead['id']}", {"status": "converted"}).status_code in (400, 422)
    r = api.post(f"{URL}/leads/{lead['id']}/convert", {"expected_amount": "5000000"})
    assert r.status_code == 201, r.content
    opp = r.json()
    assert opp["stage"] == "prospecting" and opp["customer_id"]
    assert api.patch(f"{URL}/opportunities/{opp['id']}", {"stage": "won"}).json()["probability"] == 100
    r = api.post(f"{URL}/activities", {"kind": "meeting", "subject": "Gặp", "opportunity_id": opp["id"]})
    assert r.status_code == 201 and r.json()["customer_id"] == opp["customer_id"]
    assert api.post(f"{URL}/activities/{r.json()['id']}/done").json()["done"] is True
    assert api.post(f"{URL}/activities", {"subject": "x"}).status_code == 400
    assert api.get(f"{URL}/forecast").status_code == 200
    assert api.get(f"{URL}/opportunities?stage=won").json()["count"] == 1
    for path in (f"leads/{their_lead.pk}", f"opportunities/{their_opp.pk}"):
        assert api.get(f"{URL}/{path}").status_code == 404
        assert api.patch(f"{URL}/{path}", {"name": "x"}).status_code == 404
    assert api.post(f"{URL}/leads/{their_lead.pk}/convert", {}).status_code == 404
    assert api.post(f"{URL}/activities", {"subject": "x", "lead_id": their_lead.pk}).status_code == 400
    staff = ApiClient(tenant_a, create_user(tenant_a, "sales_staff"))
    assert staff.get(f"{URL}/leads").json()["count"] == 0  # not theirs
    assert staff.get(f"{URL}/forecast").status_code == 403
    accountant = ApiClient(tenant_a, create_user(tenant_a, "accountant"))
    for path in ("leads", "opportunities", "activities"):
        assert accountant.get(f"{URL}/{path}").status_code == 403
    web = web_client(tenant_a, admin_a)
    for path in (f"/sales/leads/{their_lead.pk}/", f"/sales/opportunities/{their_opp.pk}/"):
        assert web.get(path).status_code == 404
    assert web.post(f"/sales/opportunities/{their_opp.pk}/move/", {"stage": "won"}).status_code == 404


def test_pages_board_move_by_form_and_by_drag(tenant_a, admin_a, django_assert_max_num_queries):
    with tenant_context(tenant_a):
        w = world(tenant_a, 0)
        opps = [pipeline.create_opportunity(w.manager, name=f"Cơ hội {i}", customer_id=w.customer.pk) for i in range(8)]
    web = web_client(tenant_a, admin_a)
    with django_assert_max_num_queries(25):
        page = web.get("/sales/pipeline/")
    html = page.content.decode()
    assert page.status_code == 200 and "sales/pipeline.js" in html and 'draggable="true"' in html
    assert "<script>" not in html.split("sales-board", 1)[1]  # no inline script (CSP)
    assert web.post(f"/sales/opportunities/{opps[0].pk}/move/", {"stage": "negotiation"}).status_code == 302
    r = web.post(f"/sales/opportunities/{opps[1].pk}/move/", {"stage": "won"}, HTTP_X_REQUESTED_WITH="fetch")
    assert r.status_code == 204
    r = web.post(f"/sales/opportunities/{opps[1].pk}/move/", {"stage": "nowhere"}, HTTP_X_REQUESTED_WITH="fetch")
    assert r.status_code == 400
    with tenant_context(tenant_a):
        assert Opportunity.objects.get(pk=opps[0].pk).stage == "negotiation"
        assert Opportunity.objects.get(pk=opps[1].pk).probability == 100
    r = web.post("/sales/leads/", {"name": "Anh Tú", "source": "event"})
    assert r.status_code == 302
    lead_url = r["Location"]
    assert web.get(lead_url).status_code == 200
    r = web.post(lead_url, {"action": "activity", "kind": "task", "subject": "Gửi báo giá", "due_date": ""})
    assert r.status_code == 302
    r = web.post(lead_url, {"action": "convert", "expected_amount": "2000000"})
    assert r.status_code == 302 and "/sales/opportunities/" in r["Location"]
    assert web.get(r["Location"]).status_code == 200
    assert web.get("/sales/forecast/").status_code == 200
    assert web.get("/sales/leads/").status_code == 200
    staff = web_client(tenant_a, create_user(tenant_a, "sales_staff"))
    assert staff.get("/sales/forecast/").status_code == 403
