from __future__ import annotations

from collections.abc import Iterator

import pytest

from novasaas.ai.fake_provider import FakeProvider

SHARED_KEY = "sk-shared-platform-0001"
VALID = "sk-test-valid-0001"


@pytest.fixture(scope="session")
def _fake_server() -> Iterator[FakeProvider]:
    fake = FakeProvider().start()
    yield fake
    fake.stop()


@pytest.fixture
def fake(_fake_server: FakeProvider, settings) -> Iterator[FakeProvider]:
    """The loopback fake provider, reset, with every provider's base URL and the shared keys pointing at it."""
    from novasaas.ai.catalogue import seed
    from novasaas.ai.models import CreditPack, ModelRate

    seed(ModelRate, CreditPack)  # a transactional test elsewhere may have flushed the seeded catalogue
    _fake_server.reset()
    _fake_server.behaviour.valid_keys = {VALID, SHARED_KEY}
    settings.AI_BASE_URLS = {p: _fake_server.base_url(p) for p in ("openai", "anthropic", "google", "openrouter")}
    settings.AI_SHARED_KEYS = {p: SHARED_KEY for p in ("openai", "anthropic", "google", "openrouter")}
    settings.AI_PROVIDER_TIMEOUT = 5.0
    yield _fake_server
    _fake_server.reset()
