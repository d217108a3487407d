"""One definition of a late delivery (``selectors.late_orders``): the order list's "late" filter (page
``?late=1``, API ``late=true``), the late deliveries report (page, API) and the dashboard widget count
the same orders — issued ones (approved, partially received) past their expected date; an order
waiting for approval, a draft, a cancelled or a fully received order is not a late delivery."""

from __future__ import annotations

import datetime as dt

from novasaas.platform.dashboard import widgets_for
from novasaas.platform.tenancy import tenant_context
from novasaas.platform.testing.fixtures import ApiClient, web_client
from novasaas.purchasing import actions, reports, selectors
from novasaas.purchasing.tests.helpers import approved, beer_line, order, world

URL = "/api/v1/purchasing"


def _late_orders(w, today):
    """Orders in every state, all but one expected before today; returns the late deliveries."""
    placed = today - dt.timedelta(days=20)
    past = today - dt.timedelta(days=4)
    actions.update_settings(w.manager, approval_limit="1000000")
    late = approved(w, beer_line(w, 10), date=placed, expected_date=past)
    partial = approved(w, beer_line(w, 10), date=placed, expected_date=past)
    actions.receive_order(w.keeper, partial.pk, lines=[{"line_id": partial.lines.get().pk, "quantity": "4"}])
    received = approved(w, beer_line(w, 2), date=placed, expected_date=past)
    actions.receive_order(w.keeper, received.pk)
    waiting = actions.submit_order(w.staff, order(w, beer_line(w, 1000), date=placed, expected_date=past).pk)
    assert waiting.status == "waiting"
    order(w, beer_line(w, 1), date=placed, expected_date=past)  # a draft
    actions.cancel_order(w.manager, approved(w, beer_line(w, 1), date=placed, expected_date=past).pk)
    approved(w, beer_line(w, 1), date=placed, expected_date=today)  # due today: not late yet
    approved(w, beer_line(w, 1), date=placed)  # no expected date
    return {late.number, partial.number}


def test_order_list_report_and_widget_agree(tenant_a, tenant_b, today):
    with tenant_context(tenant_b):
        wb = world(tenant_b)
        other = approved(
            wb, beer_line(wb, 3), date=today - dt.timedelta(days=9), expected_date=today - dt.timedelta(days=1)
        )
    with tenant_context(tenant_a):
        w = world(tenant_a)
        expected = _late_orders(w, today)
        assert {o.number for o in selectors.late_orders(tenant_a, today)} == expected
        assert {o.number for o in selectors.list_orders(tenant_a, late_on=today)} == expected
        assert {r["order"] for r in reports.build(tenant_a, "late_deliveries", None, today).rows} == expected
        widget = {wd.key: ctx for wd, ctx in widgets_for(w.staff)}["scm.late_deliveries"]
        assert widget["value"] == len(expected) == 2
        # the open orders report still lists the waiting one (open, not a late delivery)
        open_rows = reports.build(tenant_a, "open_orders", None, today).rows
        assert expected < {r["order"] for r in open_rows} and len(open_rows) == 5

    for user in (w.staff.user, w.manager.user):
        api = ApiClient(tenant_a, user)
        assert {o["number"] for o in api.get(f"{URL}/orders?late=true&limit=100").json()["items"]} == expected
        report = api.get(f"{URL}/reports/late_deliveries?date_to={today.isoformat()}").json()
        assert {r["order"] for r in report["rows"]} == expected
    api = ApiClient(tenant_a, w.staff.user)
    assert len(api.get(f"{URL}/orders?limit=100").json()["items"]) == 8  # without the filter: all
    assert api.get(f"{URL}/orders?late=maybe").status_code == 422
    listing = web_client(tenant_a, w.staff.user).get("/purchasing/?late=1").content.decode()
    report_page = web_client(tenant_a, w.staff.user).get("/purchasing/late-deliveries/").content.decode()
    with tenant_context(tenant_a):
        for o in selectors.list_orders(tenant_a):
            assert (o.number in listing) == (o.number in expected) == (o.number in report_page), o.number
    assert f"/purchasing/orders/{other.pk}/" not in listing + report_page  # tenant B's late order
    api_b = ApiClient(tenant_b, wb.staff.user)
    assert [o["number"] for o in api_b.get(f"{URL}/orders?late=true").json()["items"]] == [other.number]
