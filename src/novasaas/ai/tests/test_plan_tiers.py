"""The plan's AI tier (§12.3) on the pages and the API: Free = no AI, Starter = chat, Business = + answers
from documents (RAG), Professional = + company-data look-ups; a company without a subscription is free."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from novasaas.ai.models import ChatMessage, KnowledgeFile, UsageRecord
from novasaas.ai.tests.helpers import grant
from novasaas.billing.tests.helpers import subscribe
from novasaas.platform.tenancy import tenant_context
from novasaas.platform.testing.fixtures import ApiClient, admin_of, create_tenant, web_client

CHAT = "/api/v1/ai/chat/completions"
NOT_IN_PLAN = ("does not include", "không bao gồm")


def _company(plan: str, today):
    tenant = create_tenant(modules=["CRM", "INV"])
    subscribe(tenant, plan, on=today)
    return tenant


def _ask(client, **extra):
    return client.post("/ai/chat/", {"model": "gpt-3.5-turbo", "text": "Tồn kho thế nào?", **extra})


def _refused(response) -> bool:
    text = response.content.decode()
    return response.status_code == 403 and any(s in text for s in NOT_IN_PLAN)


@pytest.mark.date_sensitive
def test_free_plan_has_no_assistant_on_the_page_or_the_api(db, today, fake):
    free = _company("free", today)
    grant(free, 1000)
    client = web_client(free, admin_of(free))
    with translation.override("en"):
        page = client.get("/ai/chat/")
    assert page.status_code == 200 and b'id="ai-plan-notice"' in page.content
    assert b'name="text"' not in page.content  # no question form
    assert _refused(_ask(client))
    api = ApiClient(free, admin_of(free))
    r = api.post(CHAT, {"model": "gpt-3.5-turbo", "messages": [{"role": "user", "content": "chào"}]})
    assert r.status_code == 403
    with tenant_context(free):
        assert not ChatMessage.objects.exists() and not UsageRecord.objects.exists()
    assert fake.counters.served == 0


@pytest.mark.date_sensitive
def test_starter_chats_but_neither_documents_nor_look_ups(db, today, fake):
    starter = _company("starter", today)
    grant(starter, 1000)
    client = web_client(starter, admin_of(starter))
    page = client.get("/ai/chat/")
    assert b'name="text"' in page.content and b'id="ai-plan-notice"' not in page.content
    assert b'name="use_documents"' not in page.content and b'name="use_tools"' not in page.content
    r = _ask(client)
    assert r.status_code == 302
    raw = b"".join(client.post(r.url.replace("/ai/chat/", "/ai/chat/answer/")).streaming_content).decode()
    events = [json.loads(p[6:]) for p in raw.split("\n\n") if p.startswith("data: ")]
    assert events[-1] == {"done": True}
    # a forged POST of an option above the tier is refused and nothing is stored
    assert _refused(_ask(client, use_documents="on"))
    assert _refused(_ask(client, use_tools="on"))
    with tenant_context(starter):
        assert ChatMessage.objects.filter(role="user").count() == 1
    api = ApiClient(starter, admin_of(starter))
    assert api.get("/api/v1/ai/knowledge/search", {"q": "kho"}).status_code == 403
    upload = SimpleUploadedFile("kho.txt", "Kho Hà Nội mở cửa 8 giờ.".encode(), content_type="text/plain")
    assert client.post("/ai/knowledge/", {"file": upload}).status_code == 403
    assert b'id="ai-plan-notice"' in client.get("/ai/knowledge/").content
    with tenant_context(starter):
        assert not KnowledgeFile.objects.exists()


@pytest.mark.date_sensitive
def test_business_answers_from_documents_professional_looks_up_data(db, today, fake):
    business, professional = _company("business", today), _company("professional", today)
    grant(business, 1000)
    client = web_client(business, admin_of(business))
    page = client.get("/ai/chat/")
    assert b'name="use_documents"' in page.content and b'name="use_tools"' not in page.content
    upload = SimpleUploadedFile("kho.txt", "Kho Hà Nội mở cửa 8 giờ.".encode(), content_type="text/plain")
    assert client.post("/ai/knowledge/", {"file": upload}).status_code == 302
    assert ApiClient(business, admin_of(business)).get("/api/v1/ai/knowledge/search", {"q": "kho"}).status_code == 200
    assert _ask(client, use_documents="on").status_code == 302
    assert _refused(_ask(client, use_tools="on"))
    page = web_client(professional, admin_of(professional)).get("/ai/chat/")
    assert b'name="use_documents"' in page.content and b'name="use_tools"' in page.content


def test_a_company_without_subscription_is_not_restricted(tenant_a, fake):
    page = web_client(tenant_a, admin_of(tenant_a)).get("/ai/chat/")
    assert b'name="use_documents"' in page.content and b'name="use_tools"' in page.content
