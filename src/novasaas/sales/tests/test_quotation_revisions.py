"""Quotation revisions: a sent or declined quotation is replaced by a new draft <number>-R<n> with the
same lines and totals; the old one can no longer be sent, accepted or revised again. API, page, roles."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from novasaas.platform.tenancy import tenant_context
from novasaas.platform.testing.fixtures import ApiClient, create_user, web_client
from novasaas.sales import quotations
from novasaas.sales.models import Quotation, QuotationStatus
from novasaas.sales.tests.helpers import beer_line, world

D = Decimal
URL = "/api/v1/sales"


def _sent(w, today):
    q = quotations.create_quotation(
        w.staff,
        customer_id=w.customer.pk,
        date=today,
        lines=[beer_line(w, 3, "15333"), {"description": "Lắp đặt", "quantity": "1", "unit_price": "500000"}],
        note="Giao trong tuần",
    )
    Quotation.objects.filter(pk=q.pk).update(status=QuotationStatus.SENT)
    return q


def test_revise_through_the_api(tenant_a, today):
    with tenant_context(tenant_a):
        w = world(tenant_a, 10)
        q = _sent(w, today)
        draft = quotations.create_quotation(w.staff, customer_id=w.customer.pk, lines=[beer_line(w, 1)])
        expected_lines = [(li.description, li.quantity) for li in q.lines.all()]
    api = ApiClient(tenant_a, w.staff.user)
    assert api.post(f"{URL}/quotations/{draft.pk}/revise", {}).status_code == 400  # a draft is edited instead
    before = (today - dt.timedelta(days=1)).isoformat()
    assert api.post(f"{URL}/quotations/{q.pk}/revise", {"date": before}).status_code == 400
    with tenant_context(tenant_a):
        assert Quotation.objects.count() == 2 and Quotation.objects.get(pk=q.pk).status == QuotationStatus.SENT
    r = api.post(f"{URL}/quotations/{q.pk}/revise", {})
    assert r.status_code == 201, r.content
    rev = r.json()
    assert rev["number"] == f"{q.number}-R1" and rev["status"] == "draft" and rev["revision"] == 1
    assert rev["revision_of_id"] == q.pk and D(rev["total"]) == q.total and rev["note"] == "Giao trong tuần"
    assert [(li["description"], D(li["quantity"])) for li in rev["lines"]] == expected_lines
    old = api.get(f"{URL}/quotations/{q.pk}").json()
    assert old["status"] == "revised" and old["revised_by_id"] == rev["id"]
    # the replaced quotation: no send, accept or second revision
    assert api.post(f"{URL}/quotations/{q.pk}/accept", {}).status_code == 400
    assert api.post(f"{URL}/quotations/{q.pk}/revise", {}).status_code == 400
    # the revision, once sent and declined, is revised again: -R2 of the first number
    with tenant_context(tenant_a):
        Quotation.objects.filter(pk=rev["id"]).update(status=QuotationStatus.DECLINED)
    second = api.post(f"{URL}/quotations/{rev['id']}/revise", {}).json()
    assert second["number"] == f"{q.number}-R2" and second["revision"] == 2
    # roles: another Sales Staff member does not see it; a member without the right is refused
    other = ApiClient(tenant_a, create_user(tenant_a, "sales_staff"))
    assert other.post(f"{URL}/quotations/{second['id']}/revise", {}).status_code == 404
    outsider = ApiClient(tenant_a, create_user(tenant_a, "warehouse_staff"))
    assert outsider.post(f"{URL}/quotations/{second['id']}/revise", {}).status_code == 403


def test_revise_on_the_page(tenant_a, today):
    with tenant_context(tenant_a):
        w = world(tenant_a, 10)
        q = _sent(w, today)
    web = web_client(tenant_a, w.staff.user)
    page = web.get(f"/sales/quotations/{q.pk}/").content.decode()
    assert f"/sales/quotations/{q.pk}/revise/" in page
    r = web.post(f"/sales/quotations/{q.pk}/revise/")
    assert r.status_code == 302
    with tenant_context(tenant_a):
        rev = Quotation.objects.get(revision_of=q)
    assert r["Location"] == f"/sales/quotations/{rev.pk}/edit/"
    page = web.get(f"/sales/quotations/{q.pk}/").content.decode()
    assert rev.number in page and f"/sales/quotations/{q.pk}/revise/" not in page
    assert q.number in web.get(f"/sales/quotations/{rev.pk}/").content.decode()
    assert web.post(f"/sales/quotations/{q.pk}/revise/").status_code == 400
