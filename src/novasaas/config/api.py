"""The REST API root: /api/v1/ (OpenAPI at /api/v1/openapi.json, docs at /api/v1/docs)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.db import DataError, IntegrityError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from ninja import NinjaAPI
from ninja.errors import AuthenticationError
from ninja.errors import ValidationError as RequestInvalid

from novasaas.billing.limits import UPGRADE_URL, LimitReached
from novasaas.platform.api import CsrfFailed, UnknownIds, scalar_kind, wrongly_typed
from novasaas.platform.excel import XLSX_TYPE
from novasaas.platform.imports import FileTooLarge
from novasaas.platform.modules import ModuleDisabled

FILE_TYPES = {"xlsx": XLSX_TYPE, "pdf": "application/pdf"}


def document_file_formats(document: dict[str, Any]) -> None:
    """An operation whose ``format`` query parameter offers xlsx or pdf answers that file with 200 (and 503
    with a JSON ``detail`` when the machine has no Unicode font for PDF): say so in its responses, so the
    document is derived from the parameter the operation declares rather than kept by hand per report."""
    for operations in document["paths"].values():
        for operation in operations.values():
            param = next(
                (p for p in operation.get("parameters", ()) if p["in"] == "query" and p["name"] == "format"), None
            )
            if param is None:
                continue
            declared = str(param["schema"].get("enum") or param["schema"].get("pattern") or "")
            responses = operation["responses"]
            ok = responses.get(200) or responses.get("200")
            for fmt, media_type in FILE_TYPES.items():
                if fmt in declared and ok is not None:
                    ok.setdefault("content", {})[media_type] = {"schema": {"type": "string", "format": "binary"}}
            if "pdf" in declared and 503 not in responses and "503" not in responses:
                responses[503] = _error("PDF unavailable (no Unicode font on the server)")


def _error(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorOut"}}},
    }


def document_common_errors(document: dict[str, Any]) -> None:
    """The errors the exception handlers below answer for any operation, whatever its own ``response=``
    says: 422 for a parameter or body field that is unknown or badly typed (``detail`` lists them with
    their ``loc``); 400 for a value a business rule refuses; 404 where a path or query id may name nothing
    of this company; 409 for a write that conflicts with an existing record; 401 and 403 where the
    operation needs credentials."""
    for operations in document["paths"].values():
        for method, operation in operations.items():
            params = operation.get("parameters", ())
            ids = any(p["in"] == "path" or (p["in"] == "query" and p["name"].endswith("_id")) for p in params)
            common = [
                (422, True, "Invalid request: unknown or badly typed parameter or field"),
                (400, True, "Refused: a value breaks a business rule"),
                (404, ids, "An id names nothing of this company"),
                (409, method != "get", "Conflicts with an existing record"),
                (401, bool(operation.get("security")), "Authentication required"),
                (403, bool(operation.get("security")), "Permission or module missing"),
            ]
            responses = operation["responses"]
            for status, applies, description in common:
                if applies and status not in responses and str(status) not in responses:
                    responses[status] = _error(description)


class NovaApi(NinjaAPI):
    def get_openapi_schema(self, *, path_prefix: str | None = None, path_params: Any = None) -> Any:
        document = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        document_file_formats(document)
        document_common_errors(document)
        return document


api = NovaApi(
    title="NovaSaaS API",
    version="1.0.0",
    urls_namespace="api-v1",
    description="Multi-tenant ERP for Vietnamese SMEs. Authenticate with `POST /api/v1/auth/login` "
    "(Bearer JWT) or a tenant API key (`Authorization: Bearer nsk_…`). Any POST may carry an "
    "`Idempotency-Key` header (1–255 printable ASCII characters): for 24 hours the same key with the same "
    "request returns the first successful response again (header `Idempotent-Replayed: true`) without "
    "creating anything twice; the same key with another request is a 422.",
)


def _query_fields(view_func: Any) -> dict[str, Any] | None:
    """The query parameters the operation declares (its own, a ``Query[Schema]``'s fields, pagination's
    ``limit``/``offset``) with their types; None for a function ninja did not register."""
    operation = getattr(view_func, "_ninja_operation", None)
    if operation is None:
        return None
    fields: dict[str, Any] = {}
    for model in operation.models:
        if model.__ninja_param_source__ != "query":
            continue
        flat = getattr(model, "__ninja_flatten_map__", None) or {
            field.alias or name: (name,) for name, field in model.model_fields.items()
        }
        for name, path in flat.items():
            annotation: Any = model
            for step in path:
                inner = getattr(annotation, "model_fields", {}).get(step)
                annotation = inner.annotation if inner is not None else None
            fields[name] = annotation
    return fields


def check_query_parameters(view_func: Callable[..., Any]) -> Callable[..., Any]:
    """A query parameter the operation does not declare is a 422 naming it, like a badly typed one,
    instead of being ignored: ``?warehouse=3`` for ``warehouse_id`` or ``?state=posted`` on a list
    without that filter would otherwise answer everything as if filtered. A date must be written as the
    document says (``2026-12-31``): pydantic alone would read ``?date_to=0`` as 1 January 1970. Runs after
    authentication and the declared parameters' validation (ninja's "operation" decorators), for every
    operation."""
    fields = _query_fields(view_func)

    @wraps(view_func)
    def checked(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        if fields is None:
            return view_func(request, *args, **kwargs)
        errors = [
            {
                "type": "unknown_parameter",
                "loc": ["query", name],
                "msg": _("Unknown query parameter."),
                "ctx": {"allowed": sorted(fields)},
            }
            for name in sorted(set(request.GET) - set(fields))
        ]
        for name, annotation in fields.items():
            for value in request.GET.getlist(name):
                problem = wrongly_typed(scalar_kind(annotation), value, text_is_json=False)
                if problem:
                    errors.append({"type": "wrong_type", "loc": ["query", name], "msg": problem})
        if errors:
            raise RequestInvalid(errors)
        return view_func(request, *args, **kwargs)

    return checked


api.add_decorator(check_query_parameters, mode="operation")


def _validation_detail(exc: ValidationError) -> object:
    if hasattr(exc, "error_dict"):
        return {field: [str(m) for m in msgs] for field, msgs in exc.message_dict.items()}
    return [str(m) for m in exc.messages]


@api.exception_handler(ValidationError)
def on_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    return api.create_response(request, {"detail": _validation_detail(exc)}, status=400)


@api.exception_handler(FileTooLarge)
def on_file_too_large(request: HttpRequest, exc: FileTooLarge) -> HttpResponse:
    return api.create_response(request, {"detail": " ".join(exc.messages), "errors": exc.as_json()}, status=413)


@api.exception_handler(ModuleDisabled)
def on_module_disabled(request: HttpRequest, exc: ModuleDisabled) -> HttpResponse:
    return api.create_response(request, {"detail": str(exc), "module": exc.code}, status=403)


@api.exception_handler(LimitReached)
def on_limit_reached(request: HttpRequest, exc: LimitReached) -> HttpResponse:
    return api.create_response(
        request, {"detail": str(exc), "limit": exc.limit, "upgrade_url": UPGRADE_URL}, status=403
    )


@api.exception_handler(PermissionDenied)
def on_permission_denied(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return api.create_response(request, {"detail": str(exc) or _("Permission denied.")}, status=403)


@api.exception_handler(CsrfFailed)
def on_csrf(request: HttpRequest, exc: CsrfFailed) -> HttpResponse:
    return api.create_response(request, {"detail": _("CSRF check failed.")}, status=403)


@api.exception_handler(ObjectDoesNotExist)
@api.exception_handler(Http404)
def on_not_found(request: HttpRequest, exc: Exception) -> HttpResponse:
    return api.create_response(request, {"detail": _("Not found.")}, status=404)


@api.exception_handler(UnknownIds)
def on_unknown_ids(request: HttpRequest, exc: UnknownIds) -> HttpResponse:
    return api.create_response(request, {"detail": str(exc)}, status=404)


@csrf_exempt  # it changes nothing; an API client's PATCH to a wrong URL gets JSON, not the CSRF page
def not_found(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
    """Any /api/ URL no route matches, e.g. ``/api/v1/parties/abc`` (a path id that is not a number): a
    JSON 404 like every other API error, not the site's HTML page."""
    return JsonResponse({"detail": _("Not found.")}, status=404)


@api.exception_handler(AuthenticationError)
def on_auth(request: HttpRequest, exc: Exception) -> HttpResponse:
    return api.create_response(request, {"detail": _("Authentication required.")}, status=401)


@api.exception_handler(DataError)
def on_data_error(request: HttpRequest, exc: DataError) -> HttpResponse:
    # e.g. a NUL character or a value too long for its column: the input is bad, nothing was written
    return api.create_response(
        request, {"detail": _("Invalid data: %(e)s") % {"e": str(exc).splitlines()[0]}}, status=400
    )


@api.exception_handler(IntegrityError)
def on_integrity_error(request: HttpRequest, exc: IntegrityError) -> HttpResponse:
    return api.create_response(request, {"detail": _("This conflicts with an existing record.")}, status=409)


@api.exception_handler(OverflowError)
def on_overflow(request: HttpRequest, exc: OverflowError) -> HttpResponse:
    # an id or number beyond 64 bits (SQLite raises OverflowError, PostgreSQL a DataError)
    return api.create_response(request, {"detail": _("A number is out of range.")}, status=400)


@api.exception_handler(ValueError)
def on_value_error(request: HttpRequest, exc: ValueError) -> HttpResponse:
    return api.create_response(request, {"detail": str(exc)}, status=400)


def register_routers() -> None:
    from novasaas.identity.api import auth_router, platform_router
    from novasaas.identity.api import router as identity_router

    api.add_router("/auth", auth_router)
    api.add_router("/platform", platform_router)
    api.add_router("", identity_router)
    from novasaas.accounting.api import router as accounting_router
    from novasaas.inventory.api import router as inventory_router
    from novasaas.parties.api import router as parties_router
    from novasaas.sales.api import router as sales_router

    api.add_router("/parties", parties_router)
    api.add_router("/accounting", accounting_router)
    api.add_router("/inventory", inventory_router)
    api.add_router("/sales", sales_router)
    from novasaas.sales.portal_api import router as portal_router

    api.add_router("/portal", portal_router)
    from novasaas.purchasing.api import router as purchasing_router

    api.add_router("/purchasing", purchasing_router)
    from novasaas.hrm.api import router as hrm_router

    api.add_router("/hrm", hrm_router)
    from novasaas.billing.api import platform_router as billing_platform_router
    from novasaas.billing.api import router as billing_router

    api.add_router("/billing", billing_router)
    api.add_router("/platform/billing", billing_platform_router)
    from novasaas.ai.api import platform_router as ai_platform_router
    from novasaas.ai.api import router as ai_router

    api.add_router("/ai", ai_router)
    api.add_router("/ai/platform", ai_platform_router)
    from novasaas.projects.api import router as projects_router

    api.add_router("/projects", projects_router)
    from novasaas.documents.api import router as documents_router

    api.add_router("/documents", documents_router)


register_routers()
