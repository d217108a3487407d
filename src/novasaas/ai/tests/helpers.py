from __future__ import annotations

from typing import Any

from novasaas.ai import credits, gateway
from novasaas.identity.access import principal_for
from novasaas.identity.models import Membership
from novasaas.platform.tenancy import platform_context, tenant_context
from novasaas.platform.testing.fixtures import admin_of


def principal(tenant: Any, user: Any = None) -> Any:
    user = user or admin_of(tenant)
    with tenant_context(tenant):
        return principal_for(Membership.objects.select_related("tenant", "user").get(user=user))


def master_admin() -> Any:
    from novasaas.identity.models import User

    with platform_context():
        user = User.objects.filter(email="master@novasaas.test").first()
        return user or User.objects.create_superuser("master@novasaas.test", "pw-Master-123456")


def grant(tenant: Any, n: int) -> None:
    credits.add_credits(master_admin(), tenant, credits=n)


def ask(p: Any, text: str = "Xin chào", *, model: str = "gpt-3.5-turbo", max_tokens: int = 100, **kw: Any) -> Any:
    prepared = gateway.prepare(
        p, model=model, messages=[{"role": "user", "content": text}], max_tokens=max_tokens, **kw
    )
    return prepared, gateway.complete(prepared)
