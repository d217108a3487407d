"""The client side of the gateway. OpenAI, OpenRouter and Google are called through the OpenAI protocol
(official ``openai`` SDK; Google through its OpenAI-compatible endpoint); Anthropic through its native
Messages API (official ``anthropic`` SDK, ``anthropic_native.py``) unless ``settings.AI_ANTHROPIC_NATIVE``
is False (then its OpenAI-compatible endpoint). Every answer is returned in the OpenAI shapes the gateway
meters. Base URLs come from ``settings.AI_BASE_URLS`` (tests and the demo point them at the loopback fake)."""

from __future__ import annotations

import functools
from collections.abc import Iterator
from typing import Any

import anthropic
import openai
from django.conf import settings

from novasaas.ai import anthropic_native

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


def native_anthropic(provider: str) -> bool:
    return provider == "anthropic" and getattr(settings, "AI_ANTHROPIC_NATIVE", True)


SDK_ERRORS = (openai.OpenAIError, anthropic.AnthropicError)


def _failure(exc: Exception) -> ProviderFailure:
    if isinstance(exc, (openai.APITimeoutError, anthropic.APITimeoutError)):
        return ProviderFailure("timeout", status=None, retryable=True)
    if isinstance(exc, (openai.APIConnectionError, anthropic.APIConnectionError)):
        return ProviderFailure("connection failed", status=None, retryable=True)
    if isinstance(exc, (openai.APIStatusError, anthropic.APIStatusError)):
        status = exc.status_code
        retryable = status in (401, 403, 408, 429) or status >= 500
        return ProviderFailure(f"provider answered {status}", status=status, retryable=retryable)
    return ProviderFailure(str(exc)[:200], status=None, retryable=True)


def validate_key(provider: str, secret: str) -> None:
    """A cheap authenticated call (list models); raises ProviderFailure when the key is refused."""
    timeout = min(settings.AI_PROVIDER_TIMEOUT, VALIDATION_TIMEOUT)  # the admin is waiting on the page
    try:
        if native_anthropic(provider):
            anthropic_native.validate(base_url(provider), secret, timeout)
        else:
            _client(provider, base_url(provider), secret, timeout).models.list()
    except SDK_ERRORS as exc:
        raise _failure(exc) from exc


def chat(provider: str, secret: str, payload: dict[str, Any]) -> dict[str, Any]:
    try:
        if native_anthropic(provider):
            return anthropic_native.create(base_url(provider), secret, settings.AI_PROVIDER_TIMEOUT, payload)
        completion = client(provider, secret).chat.completions.create(**payload, stream=False)
    except SDK_ERRORS as exc:
        raise _failure(exc) from exc
    except (TypeError, ValueError) as exc:  # e.g. text that cannot be encoded: the request is wrong
        raise ProviderFailure("the request could not be sent", status=None, retryable=False) from exc
    return completion.model_dump(exclude_none=True)


def open_stream(provider: str, secret: str, payload: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Start a streamed completion asking for usage in the last chunk. Raises ProviderFailure before the
    first chunk when the provider refuses; later failures end the iterator with ProviderFailure."""
    native: Iterator[dict[str, Any]] | None = None
    try:
        if native_anthropic(provider):
            stream, native = anthropic_native.stream(base_url(provider), secret, settings.AI_PROVIDER_TIMEOUT, payload)
        else:
            stream = client(provider, secret).chat.completions.create(
                **payload, stream=True, stream_options={"include_usage": True}
            )
    except SDK_ERRORS as exc:
        raise _failure(exc) from exc
    except (TypeError, ValueError) as exc:
        raise ProviderFailure("the request could not be sent", status=None, retryable=False) from exc

    def chunks() -> Iterator[dict[str, Any]]:
        try:
            if native is not None:
                yield from native
            else:
                for chunk in stream:
                    yield chunk.model_dump(exclude_none=True)
        except SDK_ERRORS as exc:
            raise _failure(exc) from exc
        except Exception as exc:  # a dropped connection surfaces as the HTTP library's own error
            raise ProviderFailure(f"stream broken: {type(exc).__name__}", status=None, retryable=False) from exc
        finally:
            stream.close()

    return chunks()
