"""Small helpers shared by the accounting tests."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils import timezone

from novasaas.platform.tenancy import tenant_context


def principal(tenant: Any, *roles: str) -> Any:
    from novasaas.identity.access import principal_for
    from novasaas.identity.models import Membership
    from novasaas.platform.testing.fixtures import admin_of, create_user

    user = create_user(tenant, *roles) if roles else admin_of(tenant)
    with tenant_context(tenant):
        return principal_for(Membership.objects.select_related("tenant", "user").get(user=user))


def make_party(tenant: Any, name: str = "Công ty TNHH Hoàng Long") -> int:
    from novasaas.parties.models import Party

    with tenant_context(tenant):
        return Party.objects.create(name=name, code=f"KH{Party.objects.count() + 1:05d}").pk


def lines(*rows: tuple[Any, ...]) -> list[dict[str, Any]]:
    """``("1111", "100", "0")`` or ``("131", "100", "0", party_id)`` → line dicts."""
    out = []
    for row in rows:
        code, debit, credit, *rest = row
        out.append(
            {
                "account": code,
                "debit": Decimal(str(debit)),
                "credit": Decimal(str(credit)),
                "partner_id": rest[0] if rest else None,
            }
        )
    return out


def post(p: Any, *rows: tuple[Any, ...], day: dt.date | None = None, memo: str = "test") -> Any:
    from novasaas.accounting import actions

    entry = actions.create_entry(p, journal_id="GEN", date=day or timezone.localdate(), lines=lines(*rows), memo=memo)
    return actions.post_entry(p, entry.pk)
