"""Two-tenant isolation of every table of an app, the models taken from the app registry.

A model added later is covered without editing the test, and the check cannot pass on empty tables:
both tenants must hold rows of every model before it asserts that neither sees the other's.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.apps import apps

from novasaas.platform.tenancy import platform_context, tenant_context


def tenant_models(app_label: str) -> list[Any]:
    """Every model of ``app_label`` with a ``tenant`` field."""
    return [m for m in apps.get_app_config(app_label).get_models() if any(f.name == "tenant" for f in m._meta.fields)]


def assert_every_table_isolated(
    app_label: str, tenant_a: Any, tenant_b: Any, *, min_models: int = 1, allow_empty: Iterable[Any] = ()
) -> None:
    """Both tenants hold rows of every model of the app (except ``allow_empty``, each with a reason in
    the caller), and inside each tenant's context the default manager returns exactly its own rows."""
    models = tenant_models(app_label)
    assert len(models) >= min_models, (app_label, len(models))
    skipped = set(allow_empty)
    for model in models:
        with platform_context():
            by_tenant = {t.pk: model.objects.filter(tenant=t).count() for t in (tenant_a, tenant_b)}
        if model not in skipped:
            assert by_tenant[tenant_a.pk] > 0 and by_tenant[tenant_b.pk] > 0, (model.__name__, by_tenant)
        for tenant in (tenant_a, tenant_b):
            with tenant_context(tenant):
                assert model.objects.count() == by_tenant[tenant.pk], model.__name__
                assert not model.objects.exclude(tenant=tenant).exists(), model.__name__
