"""The metered gateway: authorise → reserve → call → settle → record, for every AI request.

``prepare`` checks the right and the request id (idempotency) and writes the pending usage record;
``complete`` (JSON) and ``stream`` (chunks) walk the route: the company's own keys (BYOK) for the model's
provider, then OpenRouter keys, then shared credits when the company allows them and the model has a
rate. A shared route first reserves the estimate (prompt upper bound + max output tokens, in credits) on
the wallet and on the hard budgets with conditional UPDATEs, calls the provider, then settles on the usage
the provider reported (a broken stream: on what was produced) and releases the rest. A failing own key
(401/403/429/5xx/timeout) falls through to the next route and the record says ``fallback``.

Each step is its own short transaction in the tenant's context: nothing is locked during a provider call.
"""

from __future__ import annotations

import copy
import datetime as dt
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from novasaas.ai import budgets, credits, keys, providers
from novasaas.ai.models import (
    KeySource,
    KeyStatus,
    ModelRate,
    Provider,
    ProviderKey,
    UsageRecord,
    UsageStatus,
    Wallet,
)
from novasaas.billing import selectors as billing_selectors
from novasaas.identity.access import Principal
from novasaas.platform.tenancy import tenant_context
from novasaas.platform.tenant_cache import TenantCache

FEATURE_PERMISSION = {
    "chat": "core.ai.chat",
    "functions": "core.ai.functions",
    "api": "core.ai.chat",
    "rag": "core.ai.rag",
}
MAX_OUTPUT_TOKENS = 32_768
MESSAGE_OVERHEAD = 4  # tokens a chat format adds per message (OpenAI's documented 3–4)


class GatewayError(Exception):
    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


@dataclass
class Route:
    source: str  # byok | shared
    provider: str
    key: ProviderKey | None = None


@dataclass
class Prepared:
    principal: Principal
    usage: UsageRecord
    payload: dict[str, Any]
    routes: list[Route]
    rate: ModelRate | None
    estimate_in: int
    max_tokens: int
    started: float
    replay: dict[str, Any] | None = None
    held: list[tuple[int, int]] = field(default_factory=list)
    top_up: bool = False  # the wallet has an automatic top-up: checked after a shared settlement
    reserved_early: bool = False  # the first route (shared) was reserved when the request was registered


def estimate_prompt_tokens(messages: list[dict[str, Any]]) -> int:
    """An upper bound of the prompt's tokens: one per UTF-8 byte (a byte-level BPE token is at least one
    byte) plus the chat format's overhead. Pessimistic by design: the reservation must cover the request;
    settlement charges what the provider reports."""
    total = 3
    for message in messages:
        content = message.get("content") or ""
        text = content if isinstance(content, str) else str(content)
        total += MESSAGE_OVERHEAD + len(text.encode(errors="surrogatepass"))
        total += len(str(message.get("tool_calls") or "").encode(errors="surrogatepass"))
    return total


def estimate_text_tokens(text: str) -> int:
    """Tokens of generated text when a stream broke before its usage: ~4 bytes per token, rounded up."""
    return -(-len(text.encode(errors="surrogatepass")) // 4)


def provider_of(model: str, rate: ModelRate | None) -> str:
    if rate is not None:
        return rate.provider
    lowered = model.lower()
    if "/" in lowered:
        return Provider.OPENROUTER
    if lowered.startswith("claude"):
        return Provider.ANTHROPIC
    if lowered.startswith("gemini"):
        return Provider.GOOGLE
    return Provider.OPENAI


# Per-process caches (bounded, cleared by the process that changes the rows, other processes within the
# TTL): the rate of a model (platform catalogue) and a company's active own keys (sealed; opened per call).
RATES: TenantCache[tuple[ModelRate | None]] = TenantCache("ai.rates", ttl=10.0, maxsize=1000)


def rate_of(model: str) -> ModelRate | None:
    return RATES.get(0, model, lambda: (ModelRate.objects.filter(model=model, is_active=True).first(),))[0]


def _active_keys(tenant: Any) -> list[ProviderKey]:
    cached = keys.ACTIVE_KEYS.get(
        tenant.pk, "active", lambda: list(ProviderKey.objects.filter(status=KeyStatus.ACTIVE))
    )
    return [copy.copy(k) for k in cached]


def _routes(tenant: Any, model: str, rate: ModelRate | None) -> tuple[list[Route], Wallet | None]:
    native = provider_of(model, rate)
    now = timezone.now()
    candidates = [k for k in _active_keys(tenant) if k.provider in (native, Provider.OPENROUTER)]
    own = [k for k in candidates if keys.usable(k, now)]
    own.sort(key=lambda k: (k.provider != native, k.priority, k.pk))
    routes = [Route(KeySource.BYOK, k.provider, k) for k in own]
    wallet = Wallet.objects.filter(tenant=tenant).first()
    if rate is not None and (wallet is None or wallet.allow_shared) and settings.AI_SHARED_KEYS.get(native):
        routes.append(Route(KeySource.SHARED, native))
    return routes, wallet


def prepare(
    principal: Principal,
    *,
    model: str,
    messages: list[dict[str, Any]],
    max_tokens: int | None = None,
    feature: str = "chat",
    request_id: str = "",
    options: dict[str, Any] | None = None,
) -> Prepared:
    """Authorise and register the request. Raises PermissionDenied, GatewayError (400/402/409)."""
    principal.require(FEATURE_PERMISSION[feature])
    if not messages:
        raise GatewayError(_("A request needs at least one message."), 400)
    max_tokens = max_tokens or 1024
    if not 1 <= max_tokens <= MAX_OUTPUT_TOKENS:
        raise GatewayError(_("max_tokens is between 1 and %(n)d.") % {"n": MAX_OUTPUT_TOKENS}, 400)
    request_id = request_id or uuid.uuid4().hex
    tenant = principal.tenant
    started = time.perf_counter()
    with transaction.atomic(), tenant_context(tenant, savepoint=False):
        billing_selectors.require_ai_tier(tenant, feature)  # the plan's AI tier (§12.3)
        rate = rate_of(model)
        routes, wallet = _routes(tenant, model, rate)
        payload = {"model": model, "messages": messages, "max_tokens": max_tokens, **(options or {})}
        try:
            with transaction.atomic():
                usage = UsageRecord.objects.create(
                    request_id=request_id,
                    user=principal.user,
                    feature=feature,
                    model=model,
                    provider=provider_of(model, rate),
                )
        except IntegrityError:
            # the request id is known: a served request is answered again, anything else is a conflict
            existing = UsageRecord.objects.filter(request_id=request_id).first()
            if (
                existing
                and existing.status == UsageStatus.OK
                and existing.response is not None
                and existing.model == model
            ):
                return Prepared(principal, existing, {}, [], rate, 0, max_tokens, started, replay=existing.response)
            raise GatewayError(_("This request id was already used."), 409) from None
        prepared = Prepared(
            principal, usage, payload, routes, rate, estimate_prompt_tokens(messages), max_tokens, started
        )
        prepared.top_up = bool(wallet is not None and wallet.topup_threshold and wallet.topup_pack_id)
        refused: GatewayError | None = None
        if routes and routes[0].source == KeySource.SHARED:
            # only shared credits serve the request: reserve in the registering transaction (one commit
            # fewer); a refusal is recorded in it too and raised once it has committed
            try:
                _use(prepared, routes[0], 0)
                prepared.reserved_early = True
            except GatewayError as exc:
                refused = exc
    if refused is not None:
        raise refused
    if not routes:
        reason = (
            _("The model %(m)s has no credit rate: it can only be used with your own provider key.") % {"m": model}
            if rate is None
            else _("No provider key serves %(m)s and shared credits are not available.") % {"m": model}
        )
        _finish(prepared, UsageStatus.REFUSED, error=reason)
        raise GatewayError(reason, 400)
    return prepared


def _finish(p: Prepared, status: str, *, error: str = "", response: dict[str, Any] | None = None) -> None:
    usage = p.usage
    usage.status = status
    usage.error = error[:300]
    usage.response = response
    usage.latency_ms = int((time.perf_counter() - p.started) * 1000)
    usage.finished_at = timezone.now()
    if usage.key_source == KeySource.SHARED:
        usage.cost_vnd = usage.credits * credits.VND_PER_CREDIT
    with credits.in_tenant(p.principal.tenant):
        usage.save()


class _Refused(Exception):
    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


def _reserve(p: Prepared, route: Route) -> None:
    """Hold the estimate on the hard budgets and the wallet in one transaction; GatewayError 429/402 (and
    nothing held) when they cannot cover it."""
    assert p.rate is not None
    tenant = p.principal.tenant
    estimate = credits.credits_for(p.rate, p.estimate_in, p.max_tokens)
    user_id = p.principal.user.pk if p.principal.user else None
    try:
        # the savepoint-capable block outermost: a refusal rolls back to it and leaves any outer transaction usable
        with transaction.atomic(), credits.in_tenant(tenant):
            try:
                p.held = budgets.reserve(tenant, user_id, estimate)
            except budgets.BudgetExceeded as exc:
                raise _Refused(str(exc), 429) from exc
            if not credits.reserve(tenant, p.usage, estimate):
                raise _Refused(
                    _("Not enough AI credits for this request (%(n)s needed).") % {"n": f"{estimate:,}"}, 402
                )
    except _Refused as refused:
        p.held = []
        _finish(p, UsageStatus.REFUSED, error=str(refused))
        raise GatewayError(str(refused), refused.status) from refused
    p.usage.reserved_credits = estimate


def _settle(p: Prepared, route: Route, input_tokens: int, output_tokens: int) -> None:
    """Charge the reported usage, release the rest (wallet and budgets); the caller's transaction."""
    usage = p.usage
    usage.input_tokens, usage.output_tokens = input_tokens, output_tokens
    if route.source == KeySource.SHARED:
        assert p.rate is not None
        charged = credits.credits_for(p.rate, input_tokens, output_tokens)
        usage.credits = credits.settle(p.principal.tenant, usage, usage.reserved_credits, charged)
        budgets.settle(p.principal.tenant, p.held, usage.credits)


def _settle_and_finish(p: Prepared, route: Route, tokens: tuple[int, int], status: str, **finish: Any) -> None:
    """Settlement and the usage record in one transaction."""
    with transaction.atomic(), credits.in_tenant(p.principal.tenant):
        _settle(p, route, *tokens)
        _finish(p, status, **finish)
    if p.top_up and route.source == KeySource.SHARED:
        credits.maybe_top_up(p.principal.tenant)


def _undo_reservation(p: Prepared, route: Route) -> None:
    if route.source == KeySource.SHARED and p.usage.reserved_credits:
        credits.release(p.principal.tenant, p.usage, p.usage.reserved_credits)
        budgets.settle(p.principal.tenant, p.held, 0)
        p.usage.reserved_credits = 0


def _secret(p: Prepared, route: Route) -> str:
    if route.key is None:
        return settings.AI_SHARED_KEYS[route.provider]
    with tenant_context(p.principal.tenant):
        return keys.open_secret(route.key)


def _payload_for(route: Route, payload: dict[str, Any]) -> dict[str, Any]:
    if route.provider == Provider.OPENROUTER and "/" not in payload["model"]:
        native = provider_of(payload["model"], None)
        return {**payload, "model": f"{native}/{payload['model']}"}
    return payload


def _use(p: Prepared, route: Route, index: int) -> None:
    usage = p.usage
    usage.key_source, usage.provider = route.source, route.provider
    usage.provider_key = route.key
    usage.fallback = index > 0
    if route.source == KeySource.SHARED:
        _reserve(p, route)


def _failed(p: Prepared, route: Route, failure: providers.ProviderFailure, last: bool) -> None:
    _undo_reservation(p, route)
    if route.key is not None and failure.retryable:
        with tenant_context(p.principal.tenant):
            keys.record_failure(route.key, str(failure))
    if not failure.retryable or last:
        _finish(p, UsageStatus.FAILED, error=str(failure))
        status = 502 if failure.retryable else 400
        raise GatewayError(_("The AI provider failed: %(e)s") % {"e": failure}, status)


def _succeeded(p: Prepared, route: Route) -> None:
    if route.key is not None:
        with tenant_context(p.principal.tenant):
            keys.record_success(route.key)


def complete(p: Prepared) -> dict[str, Any]:
    """Serve a non-streamed request; the answer is stored for an idempotent replay."""
    if p.replay is not None:
        return p.replay
    for index, route in enumerate(p.routes):
        if not (index == 0 and p.reserved_early):
            _use(p, route, index)
        try:
            answer = providers.chat(route.provider, _secret(p, route), _payload_for(route, p.payload))
        except providers.ProviderFailure as failure:
            _failed(p, route, failure, last=index == len(p.routes) - 1)
            continue
        _succeeded(p, route)
        reported = answer.get("usage") or {}
        tokens = (int(reported.get("prompt_tokens") or 0), int(reported.get("completion_tokens") or 0))
        _settle_and_finish(p, route, tokens, UsageStatus.OK, response=answer)
        return answer
    raise AssertionError("unreachable: the last route either served or raised")  # pragma: no cover


def start_stream(p: Prepared) -> Iterator[dict[str, Any]]:
    """Open the stream on the first route that accepts the request (falling back before any chunk), and
    return the chunks; the request is settled when the iterator ends, breaks or is closed."""
    for index, route in enumerate(p.routes):
        if not (index == 0 and p.reserved_early):
            _use(p, route, index)
        try:
            chunks = providers.open_stream(route.provider, _secret(p, route), _payload_for(route, p.payload))
        except providers.ProviderFailure as failure:
            _failed(p, route, failure, last=index == len(p.routes) - 1)
            continue
        _succeeded(p, route)
        return _metered(p, route, chunks)
    raise AssertionError("unreachable")  # pragma: no cover


def _metered(p: Prepared, route: Route, chunks: Iterator[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    produced: list[str] = []
    reported: dict[str, Any] | None = None
    error = ""
    try:
        for chunk in chunks:
            if chunk.get("usage"):
                reported = chunk["usage"]
            for choice in chunk.get("choices") or []:
                delta = choice.get("delta") or {}
                produced.append(delta.get("content") or "")
                produced.append(str(delta.get("tool_calls") or ""))
            yield chunk
    except providers.ProviderFailure as failure:
        error = str(failure)
    finally:
        if reported is not None:
            tokens = (int(reported.get("prompt_tokens") or 0), int(reported.get("completion_tokens") or 0))
            _settle_and_finish(p, route, tokens, UsageStatus.OK)
        else:
            # broken or abandoned stream: the prompt (upper bound) and the text produced so far
            tokens = (p.estimate_in, min(estimate_text_tokens("".join(produced)), p.max_tokens))
            _settle_and_finish(p, route, tokens, UsageStatus.PARTIAL, error=error or "stream ended without usage")


def release_stale(minutes: int = 30) -> int:
    """Release the reservations of requests still pending after ``minutes`` (a process that died between
    reserve and settle): the credits held in the ledger go back to the wallet and the budgets, and the
    record is marked failed. Idempotent; returns how many requests were closed."""
    from django.db.models import Sum

    from novasaas.ai.models import BudgetPeriod, CreditEntry
    from novasaas.platform.models import Tenant
    from novasaas.platform.tenancy import platform_context

    cutoff = timezone.now() - dt.timedelta(minutes=minutes)
    with platform_context():
        stale = list(
            UsageRecord.objects.filter(status=UsageStatus.PENDING, created_at__lt=cutoff).values_list("tenant_id", "pk")
        )
        tenants = {t.pk: t for t in Tenant.objects.filter(pk__in={t for t, _pk in stale})}
    closed = 0
    for tenant_id, pk in stale:
        tenant = tenants[tenant_id]
        with transaction.atomic(), tenant_context(tenant, savepoint=False):
            usage = UsageRecord.objects.select_for_update().get(pk=pk)
            if usage.status != UsageStatus.PENDING:
                continue
            held = -int(CreditEntry.objects.filter(usage=usage).aggregate(s=Sum("credits"))["s"] or 0)
            if held > 0:
                credits.release(tenant, usage, held)
                month = budgets.month_of(usage.created_at)
                for budget in budgets.applicable(tenant, usage.user_id):
                    BudgetPeriod.objects.filter(budget=budget, month=month, reserved__gte=held).update(
                        reserved=F("reserved") - held
                    )
            usage.status = UsageStatus.FAILED
            usage.error = "abandoned: reservation released"
            usage.finished_at = timezone.now()
            usage.save(update_fields=["status", "error", "finished_at"])
            closed += 1
    return closed
