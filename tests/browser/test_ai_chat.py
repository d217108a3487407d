"""The assistant in a real browser: a question, then the answer streamed into the page by the static
script (no inline JavaScript under the Content-Security-Policy), from the loopback fake provider."""

import re

import pytest

from novasaas.ai import credits
from novasaas.ai.fake_provider import FakeProvider
from novasaas.platform.testing.fixtures import PASSWORD

from .conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def fake_provider(settings):
    from novasaas.ai.catalogue import seed
    from novasaas.ai.models import CreditPack, ModelRate

    seed(ModelRate, CreditPack)  # the seeded catalogue is gone after another transactional test's flush
    fake = FakeProvider().start()
    fake.behaviour.valid_keys = {"sk-shared-browser-0001"}
    fake.behaviour.reply = "Tồn kho bia Sài Gòn còn 120 thùng."
    fake.behaviour.delay = 0.2
    settings.AI_BASE_URLS = {p: fake.base_url(p) for p in ("openai", "anthropic", "google", "openrouter")}
    settings.AI_SHARED_KEYS = {p: "sk-shared-browser-0001" for p in settings.AI_BASE_URLS}
    yield fake
    fake.stop()


def test_a_question_gets_a_streamed_answer(page, tenant_a, admin_a, fake_provider):
    from novasaas.ai.tests.helpers import master_admin

    credits.add_credits(master_admin(), tenant_a, credits=1000)
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    sign_in(page, admin_a.email, PASSWORD)
    page.wait_for_url(re.compile(r"/$"))
    page.goto("/ai/chat/")
    page.fill("textarea[name=text]", "Tồn kho bia còn bao nhiêu?")
    with page.expect_navigation():
        page.click("form button.btn-primary")
    page.wait_for_selector("[data-answer-done='1']")
    assert page.locator("[data-answer-text]").inner_text() == fake_provider.behaviour.reply
    assert not [e for e in errors if "Content Security Policy" in e], errors
    page.reload()  # the answer is kept in the conversation's history
    assert fake_provider.behaviour.reply in page.content()
    assert credits.ledger_sum(tenant_a) == credits.balance(tenant_a) < 1000


def test_an_answer_from_documents_lists_its_cited_source(page, tenant_a, admin_a, fake_provider):
    from novasaas.ai import knowledge
    from novasaas.ai.tests.helpers import master_admin, principal
    from novasaas.platform.tenancy import tenant_context

    credits.add_credits(master_admin(), tenant_a, credits=1000)
    with tenant_context(tenant_a):
        knowledge.upload(
            principal(tenant_a, admin_a),
            filename="bao-hanh.txt",
            data="Sản phẩm được bảo hành 24 tháng.".encode(),
            title="Chính sách bảo hành",
        )
    sign_in(page, admin_a.email, PASSWORD)
    page.wait_for_url(re.compile(r"/$"))
    page.goto("/ai/chat/")
    page.fill("textarea[name=text]", "Bảo hành bao lâu?")
    page.check("input[name=use_documents]")
    with page.expect_navigation():
        page.click("form button.btn-primary")
    page.wait_for_selector("[data-answer-done='1']")
    assert page.locator("[data-answer-sources] li").all_inner_texts() == ["Chính sách bảo hành"]
    page.reload()  # the cited source is kept with the answer
    assert page.locator(".ai-sources li").all_inner_texts() == ["Chính sách bảo hành"]
