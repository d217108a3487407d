"""Two tenants: every AI table keeps each tenant's rows to itself (keys, wallets, ledgers, usage, budgets,
alerts, conversations, knowledge files and passages, and the full-text index), and the other tenant's ids
answer 404 on pages and API."""

from __future__ import annotations

from novasaas.ai import budgets, chat, keys, knowledge
from novasaas.ai.models import BudgetMode, Conversation, ProviderKey
from novasaas.ai.tests.conftest import VALID
from novasaas.ai.tests.helpers import ask, grant, principal
from novasaas.platform.tenancy import tenant_context
from novasaas.platform.testing.fixtures import admin_of, web_client
from novasaas.platform.testing.isolation import assert_every_table_isolated


def _fill(tenant, fake):
    grant(tenant, 1000)
    p = principal(tenant)
    fake.behaviour.prompt_tokens, fake.behaviour.completion_tokens = 1000, 1000
    with tenant_context(tenant):
        keys.add_key(p, provider="openrouter", secret=VALID)
        budgets.save_budget(p, user_id=None, limit_credits=2, mode=BudgetMode.SOFT)  # alerts at the first answer
        conversation = chat.post_question(p, conversation_id=None, model="gpt-3.5-turbo", text="Xin chào")
        knowledge.upload(p, filename="so-tay.txt", data="Bảo hành 24 tháng.".encode(), title=f"Sổ tay {tenant.slug}")
    ask(p, max_tokens=1000)  # served by the own OpenRouter key (BYOK)
    with tenant_context(tenant):
        ProviderKey.objects.update(status="revoked")
    ask(p, max_tokens=1000)  # shared credits: ledger, budget period and alerts
    list(chat.answer(p, conversation.pk))
    return conversation


def test_every_table_is_isolated(tenant_a, tenant_b, fake):
    _fill(tenant_a, fake)
    conversation_b = _fill(tenant_b, fake)
    assert_every_table_isolated("ai", tenant_a, tenant_b, min_models=12)
    # the full-text index too: each tenant finds only its own passage
    for tenant in (tenant_a, tenant_b):
        with tenant_context(tenant):
            found = knowledge.retrieve(principal(tenant), "bảo hành")
        assert [s.title for s in found] == [f"Sổ tay {tenant.slug}"]
    with tenant_context(tenant_b):
        key_b = ProviderKey.objects.get()
    admin_a = web_client(tenant_a, admin_of(tenant_a))
    assert admin_a.get(f"/ai/chat/{conversation_b.pk}/").status_code == 404
    assert admin_a.post(f"/ai/chat/answer/{conversation_b.pk}/").status_code == 404
    assert admin_a.post(f"/ai/tokens/keys/{key_b.pk}/revoke/").status_code == 404
    with tenant_context(tenant_a):
        assert not Conversation.objects.filter(pk=conversation_b.pk).exists()
