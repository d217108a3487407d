"""AI API (/api/v1/ai/): provider keys, wallet and ledger, usage, budgets, rates (Master Admin), and the
OpenAI-compatible ``POST /ai/chat/completions`` metered like the chat page."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any, Literal

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.utils.translation import gettext as _
from ninja import File, Form, Router
from ninja.files import UploadedFile
from ninja.pagination import LimitOffsetPagination, paginate
from ninja.utils import check_csrf

from novasaas.ai import budgets, credits, gateway, keys, knowledge, plan, reports, selectors
from novasaas.ai import schemas as s
from novasaas.ai.models import ModelRate
from novasaas.identity.access import Principal
from novasaas.platform.api import ErrorOut, Id, module_auth
from novasaas.platform.models import Tenant
from novasaas.platform.reports import ReportFormat, ReportOut, file_response
from novasaas.platform.tenancy import platform_context
from novasaas.platform.transactions import atomic, register_self_managed

router = Router(tags=["ai"], auth=module_auth())
E = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut}
MANAGE = "core.ai.manage"
register_self_managed("/api/v1/ai/chat/")


def _p(request: HttpRequest, perm: str) -> Principal:
    principal: Principal = request.auth  # type: ignore[attr-defined]
    principal.require(perm)
    return principal


# --- keys ------------------------------------------------------------------------------------------


@router.get("/keys", response=list[s.KeyOut])
def list_keys(request: HttpRequest) -> Any:
    _p(request, MANAGE)
    return selectors.list_keys()


@router.post("/keys", response={201: s.KeyOut, **E})
def add_key(request: HttpRequest, data: s.KeyIn) -> Any:
    p = _p(request, MANAGE)
    return 201, keys.add_key(p, **data.model_dump())


@router.post("/keys/{int:key_id}/revoke", response={200: s.KeyOut, **E})
def revoke_key(request: HttpRequest, key_id: int) -> Any:
    p = _p(request, MANAGE)
    return keys.revoke_key(p, key_id)


# --- wallet, ledger, usage ---------------------------------------------------------------------------


@router.get("/wallet", response=s.WalletOut)
def get_wallet(request: HttpRequest) -> Any:
    return selectors.wallet(_p(request, MANAGE))


@router.patch("/wallet", response={200: s.WalletOut, **E})
def update_wallet(request: HttpRequest, data: s.WalletIn) -> Any:
    p = _p(request, MANAGE)
    credits.save_wallet_settings(p, **data.model_dump())
    return selectors.wallet(p)


@router.post("/wallet/purchase", response={201: s.EntryOut, **E})
def buy_pack(request: HttpRequest, data: s.PackBuyIn) -> Any:
    """Tenant Admin buys a credit pack: credits at once, a platform invoice issued at once."""
    return 201, credits.buy_pack(_p(request, MANAGE), data.pack)


@router.get("/ledger", response=list[s.EntryOut])
@paginate(LimitOffsetPagination)
def list_ledger(request: HttpRequest) -> Any:
    _p(request, MANAGE)
    return selectors.ledger()


@router.get("/usage", response=list[s.AiUsageOut])
@paginate(LimitOffsetPagination)
def list_usage(request: HttpRequest) -> Any:
    _p(request, MANAGE)
    return selectors.usage()


@router.get("/rates", response=list[s.RateOut])
def list_rates(request: HttpRequest) -> Any:
    _p(request, "core.ai.chat")
    return selectors.rates()


@router.get("/packs", response=list[s.PackOut])
def list_packs(request: HttpRequest) -> Any:
    _p(request, MANAGE)
    return selectors.packs()


@router.get("/byok-plans", response=list[s.ByokPlanOut])
def list_byok_plans(request: HttpRequest) -> Any:
    """The BYOK platform plans: how many providers the company's own keys may cover, and the monthly price."""
    _p(request, MANAGE)
    return selectors.byok_plans()


# --- budgets ---------------------------------------------------------------------------------------


@router.get("/budgets", response=list[s.AiBudgetOut])
def list_budgets(request: HttpRequest) -> Any:
    _p(request, MANAGE)
    return selectors.list_budgets()


@router.put("/budgets", response={200: s.AiBudgetOut, **E})
def save_budget(request: HttpRequest, data: s.BudgetIn) -> Any:
    p = _p(request, MANAGE)
    budget = budgets.save_budget(p, **data.model_dump())
    return next(b for b in selectors.list_budgets() if b["id"] == budget.pk)


# --- knowledge files (RAG) ---------------------------------------------------------------------------


@router.get("/knowledge", response={200: list[s.AiKnowledgeFileOut], **E})
def list_knowledge(request: HttpRequest) -> Any:
    _p(request, "core.ai.upload")
    return knowledge.list_files()


@router.post("/knowledge", response={201: s.AiKnowledgeFileOut, **E})
def upload_knowledge(request: HttpRequest, file: File[UploadedFile], title: Form[str] = "") -> Any:
    """Upload a knowledge file for the assistant (multipart; text, PDF or DOCX, at most 5 MB)."""
    p = _p(request, "core.ai.upload")
    data = file.read(knowledge.MAX_FILE_BYTES + 1)
    with atomic():
        return 201, knowledge.upload(p, filename=file.name or "", data=data, title=title[:200])


@router.delete("/knowledge/{int:file_id}", response={204: None, **E})
def delete_knowledge(request: HttpRequest, file_id: Id) -> Any:
    with atomic():
        knowledge.delete(_p(request, "core.ai.upload"), file_id)
    return 204, None


@router.get("/knowledge/search", response={200: list[s.AiSourceOut], **E})
def search_knowledge(request: HttpRequest, q: str = "") -> Any:
    """The sources the assistant would cite for the question ``q`` (uploaded knowledge and, with DMS, the
    documents the caller may view)."""
    p = _p(request, "core.ai.rag")
    plan.require(p.tenant, "rag")
    return [source.as_dict() for source in knowledge.retrieve(p, q[:500])]


# --- usage report ----------------------------------------------------------------------------------------


@router.get("/reports/usage", response={200: ReportOut, 503: ErrorOut, **E})
def usage_report(
    request: HttpRequest,
    month: str = "",
    format: ReportFormat = "json",
    by: Literal["day", "member", "feature"] = "day",
) -> Any:
    """The monthly usage report (``month`` YYYY-MM, default this month): by day, model and who paid
    (``by=day``), per member or per feature; JSON (the house report table) or the page's Excel/PDF
    (``format=xlsx|pdf``; 503 without a Unicode font)."""
    _p(request, MANAGE)
    report = reports.grouped_report(reports.parse_month(month[:7]), by)
    if format == "json":
        return report.as_json()
    return file_response(
        report,
        format,
        unavailable=lambda text: JsonResponse({"detail": text}, status=503),
    )


# --- Master Admin: rates and credits ---------------------------------------------------------------

platform_router = Router(tags=["ai"])


def _master(request: HttpRequest) -> Any:
    user = request.user
    if not user.is_authenticated or not getattr(user, "is_master_admin", False):
        raise PermissionDenied(_("Master Admin only."))
    if request.method not in ("GET", "HEAD", "OPTIONS") and check_csrf(request) is not None:
        raise PermissionDenied(_("CSRF check failed."))
    return user


@platform_router.put("/rates", response={200: s.RateOut, 400: ErrorOut, 403: ErrorOut})
def save_rate(request: HttpRequest, data: s.RateIn) -> Any:
    _master(request)
    with platform_context():
        rate, _created = ModelRate.objects.update_or_create(
            model=data.model, defaults=data.model_dump(exclude={"model"})
        )
    gateway.RATES.clear()  # this process at once, the others within the cache's TTL
    return rate


@platform_router.post("/credits", response={201: s.EntryOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut})
def add_credits(request: HttpRequest, data: s.CreditsIn) -> Any:
    user = _master(request)
    with platform_context():
        tenant = Tenant.objects.filter(slug=data.tenant).first()
    if tenant is None:
        return 404, {"detail": _("Not found.")}
    kind = "purchase" if data.pack else "grant"
    return 201, credits.add_credits(
        user, tenant, credits=data.credits, pack_code=data.pack, kind=kind, note=data.note, valid_days=data.valid_days
    )


# --- OpenAI-compatible endpoint --------------------------------------------------------------------


def _error(status: int, message: str) -> JsonResponse:
    kind = {402: "insufficient_quota", 409: "conflict", 429: "budget_exceeded", 502: "provider_error"}
    return JsonResponse(
        {"detail": message, "error": {"message": message, "type": kind.get(status, "invalid_request_error")}},
        status=status,
    )


def _request_id(request: HttpRequest) -> str:
    rid = request.headers.get("Idempotency-Key") or request.headers.get("X-Request-Id") or ""
    if rid and (len(rid) > 64 or not rid.isascii() or not rid.isprintable()):
        raise ValidationError(
            _("A request id (Idempotency-Key or X-Request-Id) is 1 to 64 printable ASCII characters.")
        )
    return rid


def _sse(chunks: Iterator[dict[str, Any]]) -> Iterator[bytes]:
    for chunk in chunks:
        yield f"data: {json.dumps(chunk, ensure_ascii=False)}\n\n".encode()
    yield b"data: [DONE]\n\n"


@router.post(
    "/chat/completions",
    response={200: s.ChatCompletionOut, 402: ErrorOut, 409: ErrorOut, 429: ErrorOut, 502: ErrorOut, **E},
    summary="OpenAI-compatible chat completion (metered)",
    description="The OpenAI chat-completions protocol, authenticated by a tenant API key (`Bearer nsk_…`) "
    "with the right `core.ai.chat`, or a session/JWT. With `stream: true` the answer is server-sent events "
    "(`text/event-stream`, OpenAI chunks, `data: [DONE]`). The request is routed to the company's own "
    "provider keys, then shared credits; `Idempotency-Key` or `X-Request-Id` makes it idempotent (a served "
    "request is answered again without a new charge). 402: not enough credits; 429: a hard budget is used "
    "up; 502: every provider failed. Headers `X-Request-Id`, `X-AI-Credits`, `X-AI-Key-Source`.",
    openapi_extra={"responses": {"200": {"content": {"text/event-stream": {"schema": {"type": "string"}}}}}},
)
def chat_completions(request: HttpRequest, data: s.ChatCompletionIn) -> Any:
    principal = _p(request, "core.ai.chat")
    body = data.model_dump(exclude_none=True)
    options = {k: body[k] for k in ("temperature", "top_p", "stop", "tools", "tool_choice", "user") if k in body}
    try:
        prepared = gateway.prepare(
            principal,
            model=data.model,
            messages=body["messages"],
            max_tokens=data.max_completion_tokens or data.max_tokens,
            feature="api",
            request_id=_request_id(request),
            options=options,
        )
        if data.stream:
            response: HttpResponse | StreamingHttpResponse = StreamingHttpResponse(
                _sse(gateway.start_stream(prepared)), content_type="text/event-stream"
            )
            response["Cache-Control"] = "no-cache"
            response["X-Accel-Buffering"] = "no"
        else:
            response = JsonResponse(gateway.complete(prepared))
            response["X-AI-Credits"] = str(prepared.usage.credits)
    except gateway.GatewayError as exc:
        return _error(exc.status, str(exc))
    response["X-Request-Id"] = prepared.usage.request_id
    response["X-AI-Key-Source"] = prepared.usage.key_source
    return response
