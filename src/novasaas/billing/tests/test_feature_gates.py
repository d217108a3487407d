"""Plan features refused at their point of use (§12.3): multi-currency on a journal line (accounting),
a language other than the company's (language switch), branding (logo, theme colour in the company
settings). Business lacks all three, Professional has multi-currency and multi-language, the White Label
add-on gives branding; a tenant without subscription is not restricted."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from novasaas.accounting import actions as acc
from novasaas.accounting.tests.helpers import principal as acc_principal
from novasaas.billing import actions
from novasaas.billing.tests.helpers import subscribe
from novasaas.inventory.tests.helpers import principal
from novasaas.platform.models import Tenant
from novasaas.platform.tenancy import platform_context, tenant_context
from novasaas.platform.testing.fixtures import ApiClient, admin_of, create_tenant, web_client

pytestmark = [pytest.mark.django_db, pytest.mark.date_sensitive]


def _usd_entry(tenant: Tenant, day: dt.date) -> object:
    fm = acc_principal(tenant, "finance_manager")
    rows = [
        {"account": "1122", "debit": "100", "credit": "0", "currency": "USD", "exchange_rate": "25000"},
        {"account": "1111", "debit": "0", "credit": "2500000"},
    ]
    return acc.create_entry(fm, journal_id="GEN", date=day, lines=rows)


def _accounting_tenant(plan: str, today: dt.date) -> Tenant:
    t = create_tenant(modules=["ACC"])
    subscribe(t, plan, on=today)
    acc.ensure_chart(t)
    return t


def test_a_foreign_currency_line_needs_multi_currency(today):
    business, professional = _accounting_tenant("business", today), _accounting_tenant("professional", today)
    with translation.override("en"), tenant_context(business):
        with pytest.raises(ValidationError) as exc:
            _usd_entry(business, today)
        message = exc.value.message_dict["lines[0].currency"][0]
        assert "Business" in message and "multi-currency" in message and "/billing/" in message
        assert not acc.JournalEntry.objects.exists()  # nothing written
        # a VND-only entry is not a multi-currency use
        fm = acc_principal(business, "finance_manager")
        acc.create_entry(
            fm,
            journal_id="GEN",
            date=today,
            lines=[
                {"account": "1111", "debit": "100", "credit": "0"},
                {"account": "5111", "debit": "0", "credit": "100"},
            ],
        )
    with tenant_context(professional):
        assert _usd_entry(professional, today).pk


def test_a_foreign_currency_line_through_the_api_is_a_400(today):
    business = _accounting_tenant("business", today)
    api = ApiClient(business, admin_of(business))
    body = {
        "journal": "GEN",
        "date": today.isoformat(),
        "lines": [
            {"account": "1122", "debit": "100", "credit": "0", "currency": "USD", "exchange_rate": "25000"},
            {"account": "1111", "debit": "0", "credit": "2500000"},
        ],
    }
    r = api.post("/api/v1/accounting/entries", body, HTTP_ACCEPT_LANGUAGE="en")
    assert r.status_code == 400, r.content
    assert "đa tiền tệ" in str(r.json()["detail"])


def test_switching_to_another_language_needs_multi_language(today):
    business, professional = create_tenant(modules=["CRM"]), create_tenant(modules=["CRM"])
    subscribe(business, "business", on=today)
    subscribe(professional, "professional", on=today)
    client = web_client(business, admin_of(business))
    r = client.post("/i18n/setlang/", {"language": "en", "next": "/billing/"}, follow=True)
    assert all(c.value != "en" for c in client.cookies.values())
    body = r.content.decode()
    assert "đa ngôn ngữ" in body  # the refusal, in the company's language
    with platform_context():
        assert admin_of(business).locale != "en"
    # the company's own language is always allowed
    assert client.post("/i18n/setlang/", {"language": "vi", "next": "/"}).status_code == 302
    other = web_client(professional, admin_of(professional))
    other.post("/i18n/setlang/", {"language": "en", "next": "/"})
    with platform_context():
        assert admin_of(professional).locale == "en"


def _png() -> SimpleUploadedFile:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(buf, "PNG")
    return SimpleUploadedFile("logo.png", buf.getvalue(), content_type="image/png")


def test_branding_needs_white_label(today):
    business = create_tenant(modules=["CRM"])
    subscribe(business, "business", on=today)
    api = ApiClient(business, admin_of(business))
    r = api.patch("/api/v1/settings/company", {"theme_color": "#123abc"}, HTTP_ACCEPT_LANGUAGE="en")
    assert r.status_code == 400 and "thương hiệu riêng" in r.json()["detail"]["theme_color"][0]
    client = web_client(business, admin_of(business))
    r = client.post("/settings/company/", {"name": "Company X", "logo": _png()})
    assert r.status_code == 200 and "thương hiệu riêng (white label)" in r.content.decode()
    with platform_context():
        fresh = Tenant.objects.get(pk=business.pk)
    assert not fresh.logo and fresh.theme_color != "#123abc"  # nothing written
    # other company settings are not branding
    assert api.patch("/api/v1/settings/company", {"phone": "0281234567"}).status_code == 200
    with tenant_context(business):
        actions.set_quantity(principal(business), addon_code="white-label", quantity=1, on=today)
    assert api.patch("/api/v1/settings/company", {"theme_color": "#123abc"}).status_code == 200
    assert client.post("/settings/company/", {"name": "Company X", "logo": _png()}).status_code == 302
    with platform_context():
        assert Tenant.objects.get(pk=business.pk).logo


def test_a_tenant_without_subscription_uses_every_feature(tenant_a, today):
    api = ApiClient(tenant_a, admin_of(tenant_a))
    assert api.patch("/api/v1/settings/company", {"theme_color": "#123abc"}).status_code == 200
    client = web_client(tenant_a, admin_of(tenant_a))
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    with platform_context():
        assert admin_of(tenant_a).locale == "en"


def test_the_api_rate_window_is_the_configured_shared_cache(today, monkeypatch, settings):
    from django.core.cache import cache
    from django.utils import timezone

    from novasaas.billing import features
    from novasaas.billing.tests.test_features import _key
    from novasaas.config.settings import _caches

    business = create_tenant(modules=["CRM"])
    subscribe(business, "business", on=today)
    fixed = timezone.now()
    monkeypatch.setattr(features.timezone, "now", lambda: fixed)
    key = _key(business)
    cache.set(features.api_window_key(business), 60, timeout=120)  # the 60 requests other processes counted
    assert key.get("/api/v1/billing/subscription").status_code == 429
    cache.delete(features.api_window_key(business))
    assert key.get("/api/v1/billing/subscription").status_code == 200
    # REDIS_URL makes the cache Redis (shared by every process); never in tests
    redis = _caches({"REDIS_URL": "redis://127.0.0.1:6379/0"}, False)["default"]
    assert redis["BACKEND"].endswith("RedisCache") and redis["LOCATION"] == "redis://127.0.0.1:6379/0"
    assert _caches({"REDIS_URL": "redis://127.0.0.1:6379/0"}, True)["default"]["BACKEND"].endswith("LocMemCache")
    assert _caches({}, False)["default"]["BACKEND"].endswith("LocMemCache")
    # an unreachable shared cache lets the request through (logged), it does not take the API down
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:1/0"}
    }
    assert key.get("/api/v1/billing/subscription").status_code == 200
