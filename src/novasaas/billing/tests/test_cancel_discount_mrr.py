"""Cancellation by the tenant, reminders before the trial ends, per-tenant discounts, the MRR history
with its new / expansion / contraction / churn split, and the Master Admin's tenant page."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import translation

from novasaas.billing import actions, console, invoicing, selectors
from novasaas.billing.models import MrrSnapshot, PlatformInvoice
from novasaas.billing.tests.helpers import D0, master_client, sub_of, subscribe
from novasaas.inventory.tests.helpers import principal
from novasaas.platform.models import Notification
from novasaas.platform.tenancy import platform_context, tenant_context
from novasaas.platform.testing.fixtures import ApiClient, admin_of, create_tenant, create_user, web_client

D = Decimal


def _invoices(t):
    with tenant_context(t):
        return list(PlatformInvoice.objects.filter(tenant_id=t.pk).order_by("id"))


def test_cancel_at_period_end_resume_and_end(db):
    t = create_tenant(modules=["CRM", "INV"])
    subscribe(t, "starter")  # paid period 1 March – 1 April 2026
    with tenant_context(t):
        admin = principal(t)
        sub = actions.cancel_subscription(admin, on=D0 + dt.timedelta(days=5))
        assert sub.cancel_at_period_end and sub.cancelled_on == dt.date(2026, 3, 6)
        with pytest.raises(actions.ValidationError):
            actions.cancel_subscription(admin, on=D0 + dt.timedelta(days=6))
        actions.resume_subscription(admin, on=D0 + dt.timedelta(days=7))
        assert not sub_of(t).cancel_at_period_end
        with pytest.raises(actions.ValidationError):
            actions.resume_subscription(admin, on=D0 + dt.timedelta(days=7))
        actions.cancel_subscription(admin, on=D0 + dt.timedelta(days=8))
    invoicing.run_billing_day(dt.date(2026, 3, 31))
    assert sub_of(t).status == "active"  # still the paid period
    invoicing.run_billing_day(dt.date(2026, 4, 1))
    assert sub_of(t).status == "cancelled"
    assert [i.subtotal for i in _invoices(t)] == [D(500_000)]  # nothing charged after the end, no refund
    # the ended workspace is read-only, its data kept; it may subscribe again
    from novasaas.billing.middleware import forget

    forget(t.pk)
    api = ApiClient(t, admin_of(t))
    assert api.post("/api/v1/inventory/warehouses", {"code": "DN", "name": "Kho Đà Nẵng"}).status_code == 403
    assert api.get("/api/v1/inventory/warehouses").status_code == 200
    r = ApiClient(t, admin_of(t)).post("/api/v1/billing/subscription/plan", {"plan": "starter"})
    assert r.status_code == 200 and r.json()["status"] == "active"


def test_cancel_through_page_and_api_by_role(db, today):
    t = create_tenant(modules=["CRM", "INV"])
    subscribe(t, "business", on=today)
    manager = ApiClient(t, create_user(t, "manager"))
    assert manager.post("/api/v1/billing/subscription/cancel").status_code == 403
    api = ApiClient(t, admin_of(t))
    r = api.post("/api/v1/billing/subscription/cancel")
    assert r.status_code == 200 and r.json()["cancel_at_period_end"] is True
    assert api.post("/api/v1/billing/subscription/cancel").status_code == 400
    r = api.post("/api/v1/billing/subscription/resume")
    assert r.status_code == 200 and r.json()["cancel_at_period_end"] is False
    c = web_client(t, admin_of(t))
    assert 'id="cancel-subscription"' in c.get("/billing/").content.decode()
    assert c.post("/billing/cancel/").status_code == 302
    assert 'id="cancel-notice"' in c.get("/billing/").content.decode()
    assert c.post("/billing/cancel/", {"resume": "1"}).status_code == 302
    assert not sub_of(t).cancel_at_period_end
    mc = web_client(t, create_user(t, "manager"))
    assert 'id="cancel-subscription"' not in mc.get("/billing/").content.decode()
    assert mc.post("/billing/cancel/").status_code == 403


def test_trial_reminders_7_3_1_days_once_each(db):
    t = create_tenant(modules=["CRM", "INV"])
    subscribe(t, "business", trial=True)  # trial 1 → 15 March 2026 (14 days)
    admin = admin_of(t)

    def reminders():
        with tenant_context(t), translation.override("en"):
            return [n.title for n in Notification.objects.filter(recipient=admin, kind="billing").order_by("id")]

    for day in range(1, 8):  # 2 → 8 March: 13 … 7 days left
        invoicing.run_billing_day(D0 + dt.timedelta(days=day))
    assert len(reminders()) == 1  # on 8 March, 7 days left
    invoicing.run_billing_day(D0 + dt.timedelta(days=7))
    assert len(reminders()) == 1  # the same day again: nothing twice
    for day in range(8, 14):
        invoicing.run_billing_day(D0 + dt.timedelta(days=day))
    assert len(reminders()) == 3  # 12 March (3 days) and 14 March (1 day)
    with tenant_context(t):
        titles = [n.title for n in Notification.objects.filter(recipient=admin, kind="billing").order_by("id")]
    assert ["7" in titles[0], "3" in titles[1], "1" in titles[2]] == [True, True, True]


def test_a_trial_extended_by_the_master_admin_is_reminded_again(db):
    t = create_tenant(modules=["CRM", "INV"])
    subscribe(t, "business", trial=True)
    invoicing.run_billing_day(dt.date(2026, 3, 14))  # 1 day left
    assert sub_of(t).trial_reminders_sent == 3
    _c, master = master_client()
    console.manual_action(master, t, "extend_trial", days=10)
    assert sub_of(t).trial_reminders_sent == 0
    assert invoicing.run_billing_day(dt.date(2026, 3, 18))["trial_reminded"] == 1  # 7 days left of 25 March


def test_per_tenant_discount_on_invoices(db):
    t, other = create_tenant(modules=["CRM", "INV"]), create_tenant(modules=["CRM", "INV"])
    mc, master = master_client()
    subscribe(t, "business", trial=True)
    subscribe(other, "business", trial=True)
    r = mc.post(f"/platform/billing/tenants/{t.pk}/action/", {"action": "discount", "percent": "15"})
    assert r.status_code == 302
    for bad in ("-1", "101", "abc", "1.005"):
        with pytest.raises(actions.ValidationError):
            console.manual_action(master, t, "discount", percent=bad)
    assert sub_of(t).discount_percent == D(15)
    invoicing.run_billing_day(dt.date(2026, 3, 15))  # trial over: Business 2,000,000 invoiced
    (inv,) = _invoices(t)
    # 2,000,000 − 15 % = 1,700,000; VAT 10 % = 170,000
    assert (inv.discount, inv.subtotal, inv.vat, inv.total) == (D(300_000), D(1_700_000), D(170_000), D(1_870_000))
    with tenant_context(t):
        assert [ln.amount for ln in inv.lines.all()] == [D(2_000_000), D(-300_000)]
    (other_inv,) = _invoices(other)
    assert (other_inv.discount, other_inv.total) == (D(0), D(2_200_000))
    data = ApiClient(t, admin_of(t)).get("/api/v1/billing/invoices").json()
    assert data[0]["discount"] == "300000"
    # Support Staff reads but cannot apply a discount
    sc, _support = master_client("support")
    r = sc.post(f"/platform/billing/tenants/{t.pk}/action/", {"action": "discount", "percent": "50"})
    assert r.status_code == 403
    assert sub_of(t).discount_percent == D(15)


def _snap(tenant, month, mrr):
    with platform_context():
        MrrSnapshot.objects.create(tenant=tenant, month=month, mrr=D(mrr))


def test_mrr_history_split_and_churn_rate(db, today):
    a, b, c, d = (create_tenant() for _ in range(4))
    m = [selectors.add_months(today.replace(day=1), -i) for i in (3, 2, 1, 0)]  # oldest first
    # month 0: a 500k, b 2M, c 2M
    for t, v in ((a, 500_000), (b, 2_000_000), (c, 2_000_000)):
        _snap(t, m[0], v)
    # month 1: a up to 2M (expansion 1.5M), b down to 500k (contraction 1.5M), c gone (churn 2M), d new 5M
    for t, v in ((a, 2_000_000), (b, 500_000), (d, 5_000_000)):
        _snap(t, m[1], v)
    # month 2: same; month 3: b churns
    for t, v in ((a, 2_000_000), (b, 500_000), (d, 5_000_000)):
        _snap(t, m[2], v)
    for t, v in ((a, 2_000_000), (d, 5_000_000)):
        _snap(t, m[3], v)
    with platform_context():
        rows = selectors.mrr_history(today, months=3)
    assert [r["month"] for r in rows] == m[1:]
    one, two, three = rows
    assert (one["mrr"], one["new"], one["expansion"], one["contraction"], one["churned"]) == (
        D(7_500_000),
        D(5_000_000),
        D(1_500_000),
        D(1_500_000),
        D(2_000_000),
    )
    assert (one["churned_tenants"], one["churn_rate"]) == (1, D("33.3"))  # 1 of 3 paying the month before
    assert (two["new"], two["churned"], two["churn_rate"]) == (D(0), D(0), D("0.0"))
    assert (three["mrr"], three["churned"], three["churn_rate"]) == (D(7_000_000), D(500_000), D("33.3"))
    mc, _m = master_client("support")
    body = mc.get("/platform/billing/").content.decode()
    assert 'id="mrr-history"' in body and "33.3 %" in body
    r = mc.get("/api/v1/platform/billing/mrr-history")
    assert r.status_code == 200 and len(r.json()) == 12 and r.json()[-1]["mrr"] == "7000000"
    assert mc.get("/platform/billing/?format=xlsx").status_code == 200


def test_the_daily_run_records_each_tenants_mrr_for_the_month(db):
    t = create_tenant(modules=["CRM", "INV"])
    subscribe(t, "starter", period="annual")
    invoicing.run_billing_day(dt.date(2026, 3, 20))
    invoicing.run_billing_day(dt.date(2026, 3, 21))
    with platform_context():
        (snap,) = MrrSnapshot.objects.filter(tenant=t)
    # annual Starter: 500,000 × 12 × 80 % = 4,800,000 a year → 400,000 a month
    assert (snap.month, snap.mrr, snap.plan) == (dt.date(2026, 3, 1), D(400_000), "starter")


def test_master_admin_tenant_page(db, today):
    t, other = create_tenant(modules=["CRM", "INV"]), create_tenant(modules=["CRM", "INV"])
    subscribe(t, "starter", on=today)
    subscribe(other, "business", on=today)
    create_user(t, "manager")
    invoicing.invoice_charges(t, on=today)
    invoicing.invoice_charges(other, on=today)
    mc, _master = master_client()
    body = mc.get(f"/platform/billing/tenants/{t.pk}/").content.decode()
    assert 'id="tenant-plan">Starter' in body and 'id="tenant-users">2<' in body
    (inv,) = _invoices(t)
    assert inv.number in body and "started" in body
    assert _invoices(other)[0].number not in body
    sc, _s = master_client("support")
    body = sc.get(f"/platform/billing/tenants/{t.pk}/").content.decode()
    assert 'id="tenant-plan"' in body and "billing-manual-action" not in body and "/action/" not in body
    # a tenant's own admin is refused
    assert web_client(t, admin_of(t)).get(f"/platform/billing/tenants/{t.pk}/").status_code == 403
    assert mc.get("/platform/billing/tenants/999999/").status_code == 404  # last: a 4xx rolls back on PostgreSQL


def test_a_discount_with_an_end_date_on_page_and_api(db, today):
    """The Master Admin's per-tenant discount runs up to its end date (inclusive): invoices issued after
    it take none. Page and API; Master Admin only, audited; bad input changes nothing."""
    import json

    from novasaas.billing.pricing import add_months
    from novasaas.platform.models import AuditLog

    t, other = create_tenant(modules=["CRM", "INV"]), create_tenant(modules=["CRM", "INV"])
    subscribe(t, "starter", on=today)  # 500,000 a month, charged on ``today``
    subscribe(other, "starter", on=today)
    mc, master = master_client()
    until = today + dt.timedelta(days=10)
    url = f"/platform/billing/tenants/{t.pk}/action/"
    r = mc.post(url, {"action": "discount", "percent": "20", "until": f"{until:%d/%m/%Y}", "next": "tenant"})
    assert r.status_code == 302
    assert (sub_of(t).discount_percent, sub_of(t).discount_until) == (D(20), until)
    page = mc.get(f"/platform/billing/tenants/{t.pk}/").content.decode()
    assert f"{until:%d/%m/%Y}" in page and 'name="until"' in page
    # refused on the page, nothing changed: a past end date, a date that does not exist
    mc.post(url, {"action": "discount", "percent": "30", "until": f"{today - dt.timedelta(days=1):%d/%m/%Y}"})
    mc.post(url, {"action": "discount", "percent": "30", "until": "31/02/2030"})
    assert (sub_of(t).discount_percent, sub_of(t).discount_until) == (D(20), until)
    # the invoice issued on the last day takes it; the next period's (after the end date) does not
    inv = invoicing.invoice_charges(t, on=until)
    assert (inv.discount, inv.subtotal, inv.total) == (D(100_000), D(400_000), D(440_000))
    invoicing.invoice_charges(other, on=until)
    invoicing.run_billing_day(add_months(today, 1))  # renewal: 500,000 charged and invoiced
    renewal = _invoices(t)[-1]
    assert renewal.pk != inv.pk and (renewal.discount, renewal.total) == (D(0), D(550_000))
    assert [i.discount for i in _invoices(other)] == [D(0), D(0)]

    # the API: set, read back by the tenant, remove
    def api(client, body, tenant_id=t.pk):
        return client.post(
            f"/api/v1/platform/billing/tenants/{tenant_id}/discount", json.dumps(body), content_type="application/json"
        )

    later = add_months(today, 3)
    r = api(mc, {"percent": "12.5", "until": later.isoformat()})
    assert r.status_code == 200, r.content
    assert r.json() == {"tenant_id": t.pk, "discount_percent": "12.50", "discount_until": later.isoformat()}
    sub = ApiClient(t, admin_of(t)).get("/api/v1/billing/subscription").json()
    assert (sub["discount_percent"], sub["discount_until"]) == ("12.50", later.isoformat())
    assert ApiClient(other, admin_of(other)).get("/api/v1/billing/subscription").json()["discount_until"] is None
    assert f"{later:%d/%m/%Y}" in web_client(t, admin_of(t)).get("/billing/").content.decode()
    # bad input: 400/422/404, nothing changed
    assert api(mc, {"percent": "10", "until": (today - dt.timedelta(days=1)).isoformat()}).status_code == 400
    assert api(mc, {"percent": "101"}).status_code == 422
    assert api(mc, {"percent": "1.005"}).status_code == 422
    assert api(mc, {"percent": "10", "until": "2030-02-31"}).status_code == 422
    assert api(mc, {"percent": "10"}, tenant_id=999_999).status_code == 404
    no_sub = create_tenant(modules=["CRM"])
    assert api(mc, {"percent": "10"}, tenant_id=no_sub.pk).status_code == 400
    assert (sub_of(t).discount_percent, sub_of(t).discount_until) == (D("12.5"), later)
    # roles: Support Staff and a tenant's own admin are refused
    support, _s = master_client("support")
    assert api(support, {"percent": "50"}).status_code == 403
    assert api(web_client(t, admin_of(t)), {"percent": "50"}).status_code == 403
    # 0 % removes the discount and its end date
    r = api(mc, {"percent": "0", "until": later.isoformat()})
    assert r.json()["discount_until"] is None and sub_of(t).discount_percent == 0
    with platform_context():
        audited = AuditLog.objects.filter(tenant=t, message="Master Admin: discount").count()
    assert audited == 3  # page once, API twice; the refused attempts left nothing
