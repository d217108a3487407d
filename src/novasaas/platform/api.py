"""API building blocks shared by every module: authentication, schemas, errors."""

from __future__ import annotations

import datetime as dt
import re
import types
import typing
from typing import TYPE_CHECKING, Annotated, Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Schema
from ninja.security import HttpBearer
from ninja.utils import check_csrf
from pydantic import ConfigDict, Field, PlainSerializer, ValidationInfo, WithJsonSchema, field_validator

from novasaas.platform.modules import ModuleDisabled
from novasaas.platform.text import compose, control_character_message, has_control_characters

if TYPE_CHECKING:
    from novasaas.identity.access import Principal

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


# A database id: positive and within a signed 64-bit column, so an absurd id is a 422, not a 500.
Id = Annotated[int, Field(ge=1, le=2**63 - 1)]


def _clock_text(value: dt.time) -> str:
    return value.isoformat(timespec="seconds")


# A time of day without a zone (a shift's start, a check-in): "08:00" or "08:00:00" in, "08:00:00" out.
# JSON Schema's ``format: time`` is RFC 3339's full-time, which requires an offset, so the schema says
# what is sent and what is read.
Clock = Annotated[
    dt.time,
    PlainSerializer(_clock_text, return_type=str),
    WithJsonSchema(
        {"type": "string", "pattern": r"^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9])?$", "examples": ["08:00"]}
    ),
]


ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
INTEGER = re.compile(r"-?[0-9]+")


def scalar_kind(annotation: Any) -> type | None:
    """``dt.datetime``, ``dt.date``, ``bool`` or ``int`` when a field holds one of them (alone or optional)."""
    if typing.get_origin(annotation) is Annotated:
        return scalar_kind(typing.get_args(annotation)[0])
    if annotation in (dt.datetime, dt.date, bool, int):
        return typing.cast(type, annotation)
    if typing.get_origin(annotation) not in (typing.Union, types.UnionType):
        return None  # a list, a dict, a model: its items are checked where they are validated
    kinds = {scalar_kind(arg) for arg in typing.get_args(annotation) if arg is not type(None)}
    return kinds.pop() if len(kinds) == 1 else None


def wrongly_typed(kind: type | None, value: Any, *, text_is_json: bool) -> str | None:
    """Why ``value`` is no ``kind`` as the OpenAPI document describes it, or None. Pydantic would read a
    number as a Unix timestamp (``0`` → 1970-01-01) and ``0``/``"no"`` as false; the document says a date
    is an ISO string (``2026-12-31``) and a JSON boolean is ``true``/``false``."""
    if kind is int:  # beyond a 64-bit column: SQLite reads a LIMIT/OFFSET literal that large as a float
        if isinstance(value, bool):  # pydantic would read false as 0 and true as 1
            return _("Expected a whole number.")
        text = str(value) if isinstance(value, int | str) and not isinstance(value, bool) else ""
        if INTEGER.fullmatch(text) and (len(text.lstrip("-")) > 19 or not -(2**63) <= int(text) < 2**63):
            return _("A number is out of range.")
        return None
    if value is None or kind is None or isinstance(value, kind):
        return None
    if kind is bool:
        if isinstance(value, str) and not text_is_json:
            return None  # a query string or form field: "true"/"false"
        return _("Expected true or false.")
    if not isinstance(value, str) or not (ISO_DATE.fullmatch(value) if kind is dt.date else ISO_DATE.match(value)):
        return _("Expected a date written YYYY-MM-DD.") if kind is dt.date else _("Expected an ISO 8601 date and time.")
    return None


class StrictSchema(Schema):
    """The base of every input schema. Unknown fields are refused (a typo is a 422, not a silently ignored
    value), and so is text holding a control character (U+0000–U+001F but tab, newline, carriage return),
    in any field, also inside lists and dicts: it would break every xlsx export and XML document. Dates
    and booleans are what the document says (``wrongly_typed``), never a number read as one."""

    model_config = ConfigDict(extra="forbid")

    @field_validator("*", mode="before")
    @classmethod
    def _no_control_characters(cls, value: Any, info: ValidationInfo) -> Any:
        if has_control_characters(value):
            raise ValueError(control_character_message())
        field = cls.model_fields.get(info.field_name or "")
        request = (info.context or {}).get("request")
        json_body = getattr(request, "content_type", "") == "application/json"
        problem = wrongly_typed(scalar_kind(field.annotation) if field else None, value, text_is_json=json_body)
        if problem:
            raise ValueError(problem)
        return compose(value)


class ErrorOut(Schema):
    detail: Any


class ImportErrorLine(Schema):
    line: int
    messages: list[str]


class ImportErrors(Schema):
    """A refused import: what is wrong on which line (line 0 = the file itself). ``errors`` is empty when
    the request itself is refused before any line is read (e.g. a body that is not JSON)."""

    detail: Any
    errors: list[ImportErrorLine] = []


class CsrfFailed(Exception):
    pass


class UnknownIds(Exception):
    """Ids in a request that name nothing in this tenant (an id of another tenant is unknown here): the
    API answers 404 with this message, rather than ignoring them or answering zeros."""


# Checks run on every authenticated API request after the module gate, e.g. billing's plan API access
# and rate limit; registered by the app that owns them in its ``ready()`` (platform imports no module).
REQUEST_CHECKS: list[typing.Callable[[Any], None]] = []


class TenantAuth(HttpBearer):
    """Accepts the principal resolved by TenantMiddleware (JWT, API key, or session + CSRF).

    ``TenantAuth("ACC")`` also enforces the module gate: 403 when the tenant lacks the module.
    """

    def __init__(self, module: str | None = None) -> None:
        self.module = module
        super().__init__()

    def __call__(self, request: HttpRequest) -> Any:
        principal = getattr(request, "principal", None)
        if principal is None:
            return None
        if principal.via in ("session", "support") and request.method not in SAFE_METHODS:
            if check_csrf(request) is not None:
                raise CsrfFailed()
        if self.module and not principal.tenant.has_module(self.module):
            raise ModuleDisabled(self.module)
        for check in REQUEST_CHECKS:
            check(principal)
        return principal

    def authenticate(self, request: HttpRequest, token: str) -> Any:  # pragma: no cover - unused
        return None


def module_auth(module: str | None = None) -> list[TenantAuth]:
    return [TenantAuth(module)]


def principal_with(request: HttpRequest, perm: str) -> Principal:
    """The API request's principal (set by ``TenantAuth``), refused with 403 without ``perm``: the
    preamble of every module's endpoint (``_p = principal_with`` in the module's api.py)."""
    principal: Principal = request.auth  # type: ignore[attr-defined]
    principal.require(perm)
    return principal
