"""Pages: the assistant (question → streamed answer, history per member, tools) and the token page."""

from __future__ import annotations

import json

from novasaas.ai.models import ChatMessage, Conversation, ProviderKey, UsageRecord
from novasaas.ai.tests.conftest import VALID
from novasaas.ai.tests.helpers import grant
from novasaas.identity.catalogue import EMPLOYEE, MANAGER, SALES_STAFF
from novasaas.platform.tenancy import tenant_context
from novasaas.platform.testing.fixtures import admin_of, create_user, web_client


def _events(response):
    raw = b"".join(response.streaming_content).decode()
    return [json.loads(part[6:]) for part in raw.split("\n\n") if part.startswith("data: ")]


def _ask(client, text="Tồn kho thế nào?", pk=None, **extra):
    url = f"/ai/chat/{pk}/" if pk else "/ai/chat/"
    return client.post(url, {"model": "gpt-3.5-turbo", "text": text, **extra})


def test_a_question_is_answered_by_a_stream_and_kept_in_the_history(tenant_a, fake):
    grant(tenant_a, 1000)
    staff = create_user(tenant_a, SALES_STAFF)
    client = web_client(tenant_a, staff)
    assert client.get("/ai/chat/").status_code == 200
    r = _ask(client)
    assert r.status_code == 302
    with tenant_context(tenant_a):
        conversation = Conversation.objects.get()
    page = client.get(r.url)
    assert f'data-answer-url="/ai/chat/answer/{conversation.pk}/"'.encode() in page.content
    events = _events(client.post(f"/ai/chat/answer/{conversation.pk}/"))
    assert "".join(e.get("delta", "") for e in events) == fake.behaviour.reply and events[-1] == {"done": True}
    with tenant_context(tenant_a):
        assert [m.role for m in ChatMessage.objects.all()] == ["user", "assistant"]
        assert ChatMessage.objects.get(role="assistant").usage.status == "ok"
    # answered: nothing pending, a second POST calls nobody
    assert _events(client.post(f"/ai/chat/answer/{conversation.pk}/")) == [{"done": True}]
    assert fake.counters.served == 1
    assert fake.behaviour.reply.encode() in client.get(r.url).content


def test_conversations_are_private_to_their_member_and_tenant(tenant_a, tenant_b, fake):
    grant(tenant_a, 100)
    a1 = create_user(tenant_a, SALES_STAFF)
    a2 = create_user(tenant_a, SALES_STAFF)
    r = _ask(web_client(tenant_a, a1))
    pk = int(r.url.strip("/").split("/")[-1])
    assert web_client(tenant_a, a2).get(f"/ai/chat/{pk}/").status_code == 404
    assert web_client(tenant_a, a2).post(f"/ai/chat/answer/{pk}/").status_code == 404
    assert web_client(tenant_b, admin_of(tenant_b)).get(f"/ai/chat/{pk}/").status_code == 404
    assert _ask(web_client(tenant_a, a2), pk=pk).status_code == 404


def test_an_employee_has_no_assistant(tenant_a):
    client = web_client(tenant_a, create_user(tenant_a, EMPLOYEE))
    assert client.get("/ai/chat/").status_code == 403


def test_no_credits_is_a_clear_message_in_the_stream(tenant_a, fake):
    client = web_client(tenant_a, admin_of(tenant_a))
    r = _ask(client)
    events = _events(client.post(r.url.replace("/ai/chat/", "/ai/chat/answer/")))
    assert "Not enough AI credits" in events[-1]["error"] or "Không đủ" in events[-1]["error"]


def test_tools_run_as_the_member_and_only_for_enabled_modules(tenant_a, fake):
    from novasaas.identity.catalogue import SALES_MANAGER

    grant(tenant_a, 1000)
    fake.behaviour.tool_call = ("open_sales_orders", {})
    client = web_client(tenant_a, create_user(tenant_a, SALES_MANAGER))
    r = _ask(client, "Đơn hàng đang mở?", use_tools="on")
    events = _events(client.post(r.url.replace("/ai/chat/", "/ai/chat/answer/")))
    assert {"tool": "open_sales_orders"} in events and events[-1] == {"done": True}
    with tenant_context(tenant_a):
        assert UsageRecord.objects.filter(feature="functions", status="ok").count() == 2  # tool round + answer
    # a Manager holds the right to use functions but no CRM/INV right: no tool is offered, a plain answer
    manager = web_client(tenant_a, create_user(tenant_a, MANAGER))
    r = _ask(manager, "Đơn hàng đang mở?", use_tools="on")
    events = _events(manager.post(r.url.replace("/ai/chat/", "/ai/chat/answer/")))
    assert not any("tool" in e for e in events) and events[-1] == {"done": True}
    with tenant_context(tenant_a):
        assert UsageRecord.objects.filter(feature="chat", status="ok").count() == 1


def test_tools_offered_follow_module_and_rights(tenant_a):
    from novasaas.ai import tools
    from novasaas.ai.tests.helpers import principal
    from novasaas.identity.catalogue import SALES_MANAGER
    from novasaas.platform.tenancy import platform_context

    sales = principal(tenant_a, create_user(tenant_a, SALES_MANAGER))
    assert [t.name for t in tools.available(sales)] == ["open_sales_orders"]
    admin = principal(tenant_a)
    assert {t.name for t in tools.available(admin)} == {"stock_of_product", "open_sales_orders"}
    with platform_context():
        tenant_a.enabled_modules = [m for m in tenant_a.enabled_modules if m != "INV"]
        tenant_a.save(update_fields=["enabled_modules"])
    admin.tenant.enabled_modules = tenant_a.enabled_modules
    assert [t.name for t in tools.available(admin)] == ["open_sales_orders"]
    assert "no tool" in tools.call(admin, "stock_of_product", "{}")


def test_a_staff_member_cannot_ask_for_tools(tenant_a, fake):
    client = web_client(tenant_a, create_user(tenant_a, SALES_STAFF))
    assert _ask(client, use_tools="on").status_code == 403
    with tenant_context(tenant_a):
        assert not Conversation.objects.exists()


def test_token_page_for_the_tenant_admin_only(tenant_a, fake):
    grant(tenant_a, 500)
    admin = web_client(tenant_a, admin_of(tenant_a))
    page = admin.get("/ai/tokens/")
    assert page.status_code == 200 and b"ai-balance" in page.content
    assert web_client(tenant_a, create_user(tenant_a, MANAGER)).get("/ai/tokens/").status_code == 403
    r = admin.post("/ai/tokens/keys/", {"provider": "openai", "secret": VALID, "label": "main", "priority": 1})
    assert r.status_code == 302
    page = admin.get("/ai/tokens/")
    assert VALID.encode() not in page.content and f"…{VALID[-4:]}".encode() in page.content
    bad = admin.post("/ai/tokens/keys/", {"provider": "openai", "secret": "sk-nope-nope-0000", "priority": 1})
    assert bad.status_code == 400
    with tenant_context(tenant_a):
        key = ProviderKey.objects.get()
    assert admin.post(f"/ai/tokens/keys/{key.pk}/revoke/").status_code == 302
    assert admin.post("/ai/tokens/budget/", {"user_id": "", "limit_credits": 100, "mode": "hard"}).status_code == 302
    assert admin.post("/ai/tokens/wallet/", {}).status_code == 302
    with tenant_context(tenant_a):
        key.refresh_from_db()
        assert key.status == "revoked"
    page = admin.get("/ai/tokens/")
    assert "Từ chối khi đạt".encode() in page.content or b"Refuse when reached" in page.content
    # a budget in VND is shown in VND; neither limit is a 400
    assert admin.post("/ai/tokens/budget/", {"user_id": "", "limit_vnd": 50_000, "mode": "soft"}).status_code == 302
    page = admin.get("/ai/tokens/").content.decode()
    assert "50.000" in page or "50,000" in page
    assert admin.post("/ai/tokens/budget/", {"user_id": "", "mode": "soft"}).status_code == 400


def test_a_key_of_another_tenant_cannot_be_revoked_from_the_page(tenant_a, tenant_b, fake):
    web_client(tenant_b, admin_of(tenant_b)).post(
        "/ai/tokens/keys/", {"provider": "openai", "secret": VALID, "priority": 1}
    )
    with tenant_context(tenant_b):
        key = ProviderKey.objects.get()
    assert web_client(tenant_a, admin_of(tenant_a)).post(f"/ai/tokens/keys/{key.pk}/revoke/").status_code == 404


def test_token_page_query_count_does_not_grow_with_usage(tenant_a, fake, django_assert_max_num_queries):
    grant(tenant_a, 10_000)
    admin = web_client(tenant_a, admin_of(tenant_a))
    for i in range(3):
        _ask(admin, f"q{i}")
    with django_assert_max_num_queries(40):
        admin.get("/ai/tokens/")
