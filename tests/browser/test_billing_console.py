"""The Master Admin's revenue dashboard in a real browser: the billing demo's months of history, the
figures (MRR, ARPU) as the server computes them, the revenue chart drawn by the vendored Chart.js with the
invoiced revenue of each month, the MRR history table, a manual action (a discount with an end date)
applied from the dashboard, and Support Staff reading it without the actions."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client

from novasaas.billing import selectors
from novasaas.billing.demo import seed_billing_demo
from novasaas.billing.invoice_views import revenue_by_month
from novasaas.billing.models import Subscription
from novasaas.platform.tenancy import platform_context
from novasaas.platform.testing.fixtures import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _staff_page(browser, live_server, role):
    """A browser page signed in as platform staff (session cookie of a forced login)."""
    with platform_context():
        user = get_user_model().objects.create_user(f"{role}@novasaas.test", PASSWORD, platform_role=role)
    session = Client()
    session.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    context = browser.new_context(locale="vi-VN", base_url=live_server.url)
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": session.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    page = context.new_page()
    page.set_default_timeout(30000)
    return page


def _digits(text):
    return int(re.sub(r"\D", "", text) or 0)


def test_master_admin_revenue_dashboard(browser, live_server, today):
    seed_billing_demo(today=today, tenants=6, months=4, seed=11)
    with platform_context():
        subs = list(Subscription.objects.select_related("plan", "price").prefetch_related("addons__price"))
        mrr = sum((selectors.subscription_mrr(s) for s in subs), Decimal(0))
        paying = [s for s in subs if selectors.subscription_mrr(s) > 0]
        revenue = revenue_by_month(today)
        history = selectors.mrr_history(today)
    assert mrr > 0 and sum(revenue["values"]) > 0  # the demo has paying companies and invoices

    page = _staff_page(browser, live_server, "master_admin")
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))  # a script error on the dashboard
    page.on("console", lambda m: errors.append(m.text) if "Content Security Policy" in m.text else None)
    page.goto("/platform/billing/", timeout=90000, wait_until="load")  # a fresh server may be slow at first

    # the figures are the server's
    assert _digits(page.locator("#mrr").inner_text()) == int(mrr)
    assert _digits(page.locator("#arpu").inner_text()) == int((mrr / len(paying)).quantize(Decimal(1)))
    # the chart is drawn by Chart.js with the invoiced revenue of the last 12 months
    page.wait_for_function(
        "() => window.Chart && window.Chart.getChart(document.getElementById('billing-revenue-chart'))"
    )
    drawn = page.evaluate(
        """() => {
            const chart = window.Chart.getChart(document.getElementById('billing-revenue-chart'));
            return {labels: chart.data.labels, values: chart.data.datasets[0].data, type: chart.config.type};
        }"""
    )
    assert drawn == {"labels": revenue["labels"], "values": revenue["values"], "type": "bar"}
    box = page.locator("#billing-revenue-chart").bounding_box()
    assert box is not None and box["width"] > 100 and box["height"] > 20
    # the MRR history table: this month's row shows the MRR the daily runs recorded
    assert history[-1]["mrr"] > 0
    this_month = page.locator(f"#mrr-history tr:has-text('{today:%m/%Y}')").first
    assert _digits(this_month.locator("td").nth(1).inner_text()) == int(history[-1]["mrr"])

    # a manual action from the dashboard: 10 % off until a date, shown on the company's row
    tenant_row = page.locator("tbody tr:has(select[name=action])").first
    until = today + dt.timedelta(days=30)
    tenant_row.locator("select[name=action]").select_option("discount")
    tenant_row.locator("input[name=percent]").fill("10")
    tenant_row.locator("input[name=until]").fill(f"{until:%d/%m/%Y}")
    tenant_row.locator("input[name=until]").press("Escape")  # close the date picker
    tenant_row.locator("button.btn-outline-primary").click()
    page.wait_for_load_state("load")
    with platform_context():
        discounted = [s for s in Subscription.objects.all() if s.discount_percent]
    assert [(s.discount_percent, s.discount_until) for s in discounted] == [(Decimal(10), until)]
    assert f"{until:%d/%m/%Y}" in page.locator("tbody tr:has(select[name=action])").first.inner_text()
    assert errors == []

    # Support Staff reads the dashboard and its chart, without the manual actions
    support = _staff_page(browser, live_server, "support")
    support.goto("/platform/billing/", wait_until="load")
    assert _digits(support.locator("#mrr").inner_text()) == int(mrr)
    support.wait_for_function(
        "() => window.Chart && window.Chart.getChart(document.getElementById('billing-revenue-chart'))"
    )
    assert support.locator("select[name=action]").count() == 0
