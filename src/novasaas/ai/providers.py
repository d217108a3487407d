"""The client side of the gateway: every provider is called through the OpenAI protocol (official ``openai``
SDK). OpenAI and OpenRouter speak it natively; Anthropic and Google offer OpenAI-compatible endpoints
(``/v1/chat/completions`` with a Bearer key), so one client serves the four providers of the spec.
Base URLs come from ``settings.AI_BASE_URLS`` (tests and the demo point them at the loopback fake)."""

from __future__ import annotations

import functools
from collections.abc import Iterator
from typing import Any

import openai
from django.conf import settings

DEFAULT_BASE_URLS = {
    "openai": "https://api.openai.com/v1",
    "anthropic": "https://api.anthropic.com/v1",
    "google": "https://generativelanguage.googleapis.com/v1beta/openai",
    "openrouter": "https://openrouter.ai/api/v1",
}


VALIDATION_TIMEOUT = 10.0


class ProviderFailure(Exception):
    """The provider refused or failed. ``retryable``: another key or provider may serve the request (401,
    403, 429, 5xx, timeout, connection); otherwise the request itself is wrong (400, 404, 422)."""

    def __init__(self, message: str, *, status: int | None, retryable: bool) -> None:
        super().__init__(message)
        self.status = status
        self.retryable = retryable


def base_url(provider: str) -> str:
    return settings.AI_BASE_URLS.get(provider) or DEFAULT_BASE_URLS[provider]


@functools.lru_cache(maxsize=256)
def _client(provider: str, url: str, secret: str, timeout: float) -> openai.OpenAI:
    # one client (and its connection pool) per key; the SDK's own retries are off: the gateway falls back
    return openai.OpenAI(api_key=secret, base_url=url, max_retries=0, timeout=timeout)


def client(provider: str, secret: str) -> openai.OpenAI:
    return _client(provider, base_url(provider), secret, settings.AI_PROVIDER_TIMEOUT)


def _failure(exc: Exception) -> ProviderFailure:
    if isinstance(exc, openai.APITimeoutError):
        return ProviderFailure("timeout", status=None, retryable=True)
    if isinstance(exc, openai.APIConnectionError):
        return ProviderFailure("connection failed", status=None, retryable=True)
    if isinstance(exc, openai.APIStatusError):
        status = exc.status_code
        retryable = status in (401, 403, 408, 429) or status >= 500
        return ProviderFailure(f"provider answered {status}", status=status, retryable=retryable)
    return ProviderFailure(str(exc)[:200], status=None, retryable=True)


def validate_key(provider: str, secret: str) -> None:
    """A cheap authenticated call (list models); raises ProviderFailure when the key is refused."""
    try:  # a short timeout: the admin is waiting on the page
        _client(
            provider, base_url(provider), secret, min(settings.AI_PROVIDER_TIMEOUT, VALIDATION_TIMEOUT)
        ).models.list()
    except openai.OpenAIError as exc:
        raise _failure(exc) from exc


def chat(provider: str, secret: str, payload: dict[str, Any]) -> dict[str, Any]:
    try:
        completion = client(provider, secret).chat.completions.create(**payload, stream=False)
    except openai.OpenAIError as exc:
        raise _failure(exc) from exc
    except (TypeError, ValueError) as exc:  # e.g. text that cannot be encoded: the request is wrong
        raise ProviderFailure("the request could not be sent", status=None, retryable=False) from exc
    return completion.model_dump(exclude_none=True)


def open_stream(provider: str, secret: str, payload: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Start a streamed completion asking for usage in the last chunk. Raises ProviderFailure before the
    first chunk when the provider refuses; later failures end the iterator with ProviderFailure."""
    try:
        stream = client(provider, secret).chat.completions.create(
            **payload, stream=True, stream_options={"include_usage": True}
        )
    except openai.OpenAIError as exc:
        raise _failure(exc) from exc
    except (TypeError, ValueError) as exc:
        raise ProviderFailure("the request could not be sent", status=None, retryable=False) from exc

    def chunks() -> Iterator[dict[str, Any]]:
        try:
            for chunk in stream:
                yield chunk.model_dump(exclude_none=True)
        except openai.OpenAIError as exc:
            raise _failure(exc) from exc
        except Exception as exc:  # a dropped connection surfaces as the HTTP library's own error
            raise ProviderFailure(f"stream broken: {type(exc).__name__}", status=None, retryable=False) from exc
        finally:
            stream.close()

    return chunks()
