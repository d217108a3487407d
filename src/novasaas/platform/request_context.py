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
    """The client's address: REMOTE_ADDR, or behind ``TRUSTED_PROXY_COUNT`` reverse proxies the address
    the outermost of them saw, read from the right of X-Forwarded-For. Entries to the left of it were
    written by the client and are never trusted. Used by the lockout (django-axes), audit and sessions."""
    from django.conf import settings

    meta = getattr(request, "META", {})
    remote = meta.get("REMOTE_ADDR") or None
    count = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    if count <= 0:
        return remote
    hops = [h.strip() for h in meta.get("HTTP_X_FORWARDED_FOR", "").split(",") if h.strip()]
    if not hops:
        return remote
    chain = [*hops, remote or ""]
    candidate = chain[-(count + 1)] if len(chain) > count else chain[0]
    return _valid_ip(candidate) or remote


def _valid_ip(value: str) -> str | None:
    import ipaddress

    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return None
