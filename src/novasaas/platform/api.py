"""API building blocks shared by every module: authentication, schemas, errors."""

from __future__ import annotations

from typing import Annotated, Any

from django.http import HttpRequest
from ninja import Schema
from ninja.security import HttpBearer
from ninja.utils import check_csrf
from pydantic import ConfigDict, Field, field_validator

from novasaas.platform.modules import ModuleDisabled
from novasaas.platform.text import control_character_message, has_control_characters

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


# A database id: positive and within a signed 64-bit column, so an absurd id is a 422, not a 500.
Id = Annotated[int, Field(ge=1, le=2**63 - 1)]


class StrictSchema(Schema):
    """The base of every input schema. Unknown fields are refused (a typo is a 422, not a silently ignored
    value), and so is text holding a control character (U+0000–U+001F but tab, newline, carriage return),
    in any field, also inside lists and dicts: it would break every xlsx export and XML document."""

    model_config = ConfigDict(extra="forbid")

    @field_validator("*", mode="before")
    @classmethod
    def _no_control_characters(cls, value: Any) -> Any:
        if has_control_characters(value):
            raise ValueError(control_character_message())
        return value


class ErrorOut(Schema):
    detail: Any


class ImportErrorLine(Schema):
    line: int
    messages: list[str]


class ImportErrors(Schema):
    """A refused import: what is wrong on which line (line 0 = the file itself)."""

    detail: str
    errors: list[ImportErrorLine]


class CsrfFailed(Exception):
    pass


class UnknownIds(Exception):
    """Ids in a request that name nothing in this tenant (an id of another tenant is unknown here): the
    API answers 404 with this message, rather than ignoring them or answering zeros."""


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
        return principal

    def authenticate(self, request: HttpRequest, token: str) -> Any:  # pragma: no cover - unused
        return None


def module_auth(module: str | None = None) -> list[TenantAuth]:
    return [TenantAuth(module)]
