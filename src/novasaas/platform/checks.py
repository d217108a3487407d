"""System checks that keep the tenancy rules true as modules are added."""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.core import checks
from django.db import models

from novasaas.platform.models import TenantManager, TenantModel


@checks.register(checks.Tags.models)
def check_tenant_models(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    errors: list[checks.CheckMessage] = []
    for model in apps.get_models():
        if not issubclass(model, TenantModel):
            continue
        label = model._meta.label
        managers = (model._default_manager, model._base_manager)
        if not all(isinstance(m, TenantManager) for m in managers):
            errors.append(checks.Error(f"{label}: default and base manager must be TenantManager", id="novasaas.E001"))
        for field in model._meta.local_fields:
            if getattr(field, "unique", False) and not field.primary_key:
                errors.append(
                    checks.Error(
                        f"{label}.{field.name}: unique=True on a tenant table; "
                        "use a UniqueConstraint starting with tenant",
                        id="novasaas.E002",
                    )
                )
        for constraint in model._meta.constraints:
            fields = constraint.fields if isinstance(constraint, models.UniqueConstraint) else ()
            if fields and fields[0] != "tenant":
                errors.append(
                    checks.Error(
                        f"{label}: unique constraint {constraint.name} must start with tenant", id="novasaas.E003"
                    )
                )
        for together in model._meta.unique_together:
            if together[0] != "tenant":
                errors.append(checks.Error(f"{label}: unique_together must start with tenant", id="novasaas.E003"))
        for m2m in model._meta.local_many_to_many:
            through = m2m.remote_field.through
            if through is None or through._meta.auto_created or not issubclass(through, TenantModel):
                errors.append(
                    checks.Error(
                        f"{label}.{m2m.name}: many-to-many needs an explicit TenantModel through", id="novasaas.E004"
                    )
                )
    return errors


# Commands that never serve requests nor sign anything, run at build time without the production secrets.
OFFLINE_COMMANDS = frozenset({"makemigrations", "makemessages", "compilemessages", "collectstatic"})


@checks.register()
def check_secrets(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """A real deployment (DEBUG off) refuses to start with a missing, default or short secret."""
    import sys

    from django.conf import settings

    if len(sys.argv) > 1 and sys.argv[1] in OFFLINE_COMMANDS:
        return []
    return [
        checks.Error(problem, hint="See README, Configuration.", id="novasaas.E010")
        for problem in getattr(settings, "SECRET_PROBLEMS", [])
    ]


def refuse_insecure_secrets() -> None:
    """For the WSGI/ASGI entry points, which run no system checks: raise ImproperlyConfigured."""
    from django.conf import settings
    from django.core.exceptions import ImproperlyConfigured

    problems = getattr(settings, "SECRET_PROBLEMS", [])
    if problems:
        raise ImproperlyConfigured(" ".join(problems))
