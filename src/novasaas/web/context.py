"""Template context for the shell: tenant, principal, navigation filtered by module and permission."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from novasaas.platform.modules import NAVIGATION


def shell(request: HttpRequest) -> dict[str, Any]:
    principal = getattr(request, "principal", None)
    tenant = getattr(request, "tenant", None)
    nav = []
    if principal is not None and tenant is not None:
        for entry in NAVIGATION:
            if tenant is None or not tenant.has_module(entry.module):
                continue
            if entry.permission and not principal.has(entry.permission):
                continue
            nav.append(entry)
    return {"principal": principal, "tenant": tenant, "nav_entries": nav}
