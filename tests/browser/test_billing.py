"""Billing in a real browser: sign-up on a plan → trial → upgrade → trial end invoiced → the Master Admin
records the bank transfer → the tenant sees its invoice paid."""

import datetime as dt
import re

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client

from novasaas.billing import invoicing
from novasaas.billing.models import PlatformInvoice, Subscription
from novasaas.platform.tenancy import platform_context
from novasaas.platform.testing.fixtures import PASSWORD

from .conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_signup_trial_upgrade_invoice_paid(browser, live_server):
    tenant_page = browser.new_context(locale="vi-VN", base_url=live_server.url).new_page()
    tenant_page.set_default_timeout(30000)

    # sign-up on Starter: a Starter trial (the first page of a fresh server may be slow to compile)
    tenant_page.goto("/signup/?plan=starter", timeout=90000, wait_until="domcontentloaded")
    tenant_page.fill("input[name=company_name]", "Công ty Hoa Sen")
    tenant_page.fill("input[name=slug]", "hoasen")
    tenant_page.fill("input[name=full_name]", "Nguyễn Văn An")
    tenant_page.fill("input[name=email]", "an@hoasen.test")
    tenant_page.fill("input[name=password]", PASSWORD)
    tenant_page.click("form button.btn-primary")
    tenant_page.wait_for_url(re.compile(r"/signup/sent/"))
    with platform_context():
        sub = Subscription.objects.select_related("plan").get(tenant__slug="hoasen")
    assert (sub.plan.code, sub.status) == ("starter", "trialing")

    sign_in(tenant_page, "an@hoasen.test", PASSWORD)
    tenant_page.wait_for_url(re.compile(r"/$"))
    tenant_page.goto("/billing/")
    assert tenant_page.locator("#sub-status").is_visible() and "Starter" in tenant_page.content()

    # upgrade to Business during the trial (free, at once)
    tenant_page.click("form:has(input[name=plan][value=business]) button")
    tenant_page.wait_for_load_state("load")
    with platform_context():
        sub = Subscription.objects.select_related("plan").get(tenant__slug="hoasen")
    assert (sub.plan.code, sub.status) == ("business", "trialing")

    # the trial ends: the daily run invoices the first period
    invoicing.run_billing_day(sub.trial_ends_on)
    with platform_context():
        invoice = PlatformInvoice.objects.get(tenant__slug="hoasen")
    assert invoice.status == "issued" and invoice.total == 2_200_000  # Business 2,000,000 + VAT 10 %
    tenant_page.goto("/billing/")
    assert invoice.number in tenant_page.content()

    # the Master Admin records the bank transfer on the console
    with platform_context():
        master = get_user_model().objects.create_user("master@novasaas.test", PASSWORD, platform_role="master_admin")
    session = Client()
    session.force_login(master, backend="django.contrib.auth.backends.ModelBackend")
    master_context = browser.new_context(locale="vi-VN", base_url=live_server.url)
    master_context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": session.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    master_page = master_context.new_page()
    master_page.set_default_timeout(30000)
    master_page.goto("/platform/billing/")
    row = master_page.locator(f"tr:has-text('{invoice.number}')")
    row.locator("input[name=amount]").fill("2200000")
    row.locator("input[name=reference]").fill("VCB-HOASEN-1")
    row.locator("button").click()
    master_page.wait_for_load_state("load")
    with platform_context():
        invoice.refresh_from_db()
        sub.refresh_from_db()
    assert invoice.status == "paid" and sub.status == "active"
    assert sub.period_end > sub.trial_ends_on - dt.timedelta(days=1)

    tenant_page.goto(f"/billing/invoices/{invoice.pk}/")
    assert invoice.number in tenant_page.content()
