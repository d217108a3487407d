"""The module catalogue (spec §1.2) and the module gate.

A tenant has a set of enabled modules (``Tenant.enabled_modules``; CORE is always on). Pages and API
of a disabled module answer 403 with a clear message, its menu entries are hidden, and its event
subscribers do not run for that tenant.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import wraps
from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Module:
    code: str
    name: Any
    required: bool = False
    depends_on: tuple[str, ...] = ()


MODULES: dict[str, Module] = {
    m.code: m
    for m in (
        Module("CORE", _("ERP Core"), required=True),
        Module("HRM", _("Human resources")),
        Module("CRM", _("Customers and sales")),
        Module("INV", _("Inventory")),
        Module("ACC", _("Accounting and finance")),
        Module("SCM", _("Purchasing and supply chain"), depends_on=("INV",)),
        Module("PM", _("Projects")),
        Module("DMS", _("Documents")),
    )
}

OPTIONAL_MODULES = [code for code, m in MODULES.items() if not m.required]


class ModuleDisabled(PermissionDenied):
    """Raised by the module gate; a PermissionDenied, so pages answer 403 (the API maps it too)."""

    def __init__(self, code: str) -> None:
        self.code = code
        module = MODULES.get(code)
        name = module.name if module else code
        from django.utils.translation import gettext

        super().__init__(gettext("The module %(name)s (%(code)s) is not enabled for this company.")
                         % {"name": name, "code": code})


def normalize_modules(codes: list[str]) -> list[str]:
    """Validate a module selection and add what it depends on; CORE is implicit."""
    unknown = sorted(set(codes) - set(MODULES))
    if unknown:
        raise ValueError(f"unknown module(s): {', '.join(unknown)}")
    selected = {c for c in codes if c != "CORE"}
    for code in list(selected):
        selected.update(MODULES[code].depends_on)
    return [c for c in OPTIONAL_MODULES if c in selected]


def module_enabled(tenant: Any, code: str) -> bool:
    return tenant is not None and tenant.has_module(code)


@dataclass
class NavEntry:
    module: str
    label: Any
    url_name: str
    permission: str | None = None
    icon: str = "bi-circle"
    children: list[NavEntry] = field(default_factory=list)


NAVIGATION: list[NavEntry] = []


def modules_with_screens() -> set[str]:
    """Modules that have pages (a menu entry registered at start-up): a tenant may have a module
    enabled before its screens exist, and nothing should promise what is not there yet."""
    return {"CORE"} | {e.module for e in NAVIGATION}


def register_nav(entry: NavEntry) -> None:
    NAVIGATION.append(entry)


def requires_module(code: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """View decorator: 403 with a clear page when the request's tenant lacks the module."""

    def decorator(view: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(view)
        def wrapped(request: Any, *args: Any, **kwargs: Any) -> Any:
            if not module_enabled(getattr(request, "tenant", None), code):
                raise ModuleDisabled(code)
            return view(request, *args, **kwargs)

        wrapped.required_module = code  # type: ignore[attr-defined]
        return wrapped

    return decorator
