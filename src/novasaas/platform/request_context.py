"""The request's client IP, kept in a context variable for audit entries written deep in actions."""

from __future__ import annotations

from contextvars import ContextVar

_ip: ContextVar[str | None] = ContextVar("novasaas_ip", default=None)


def set_request_ip(ip: str | None) -> object:
    return _ip.set(ip)


def reset_request_ip(token: object) -> None:
    _ip.reset(token)  # type: ignore[arg-type]


def get_request_ip() -> str | None:
    return _ip.get()


def client_ip(request: object) -> str | None:
    meta = getattr(request, "META", {})
    return meta.get("REMOTE_ADDR") or None
