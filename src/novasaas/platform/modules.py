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

        super().__init__(
            gettext("The module %(name)s (%(code)s) is not enabled for this company.") % {"name": name, "code": code}
        )


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


def offerable_modules() -> list[str]:
    """The optional modules a company can be given: built ones (their app registered its screens at
    start-up, see ``modules_with_screens``) whose dependencies are built too. Sign-up, the Master Admin
    portal and the API offer only these; a module becomes offerable when its app registers its menu."""
    built = modules_with_screens()
    return [c for c in OPTIONAL_MODULES if c in built and set(MODULES[c].depends_on) <= built]


def refuse_unbuilt_modules(codes: list[str], *, already: list[str] | tuple[str, ...] = ()) -> None:
    """Raise a ``ValidationError`` (400 in the API, a form error on the page) naming the modules of
    ``codes`` that are not built yet, unless the company already has them (kept, never newly enabled)."""
    from django.core.exceptions import ValidationError
    from django.utils.translation import gettext

    offer = set(offerable_modules()) | {"CORE"}
    refused = sorted({c for c in codes if c in MODULES} - offer - set(already))
    if refused:
        raise ValidationError(
            gettext("These modules have no screens yet and cannot be enabled: %(modules)s.")
            % {"modules": ", ".join(f"{MODULES[c].name} ({c})" for c in refused)},
            code="module_not_built",
        )


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


# --- module data, created when a module is enabled ---------------------------------------------------

_SETUPS: dict[str, list[Callable[[Any], Any]]] = {}


def register_setup(code: str, setup: Callable[[Any], Any]) -> None:
    """``setup(tenant)`` creates what module ``code`` needs before its first page (the chart of accounts,
    journals, virtual stock locations…). It runs when the module is enabled — at sign-up or when a Master
    Admin switches it on — in that transaction, never inside a GET; it must be idempotent."""
    setups = _SETUPS.setdefault(code, [])
    if setup not in setups:
        setups.append(setup)


def set_up_modules(tenant: Any, codes: Any) -> None:
    """Run the set-up of each of ``codes`` that the tenant has enabled (see ``register_setup``)."""
    for code in MODULES:
        if code in set(codes) and tenant.has_module(code):
            for setup in _SETUPS.get(code, []):
                setup(tenant)
