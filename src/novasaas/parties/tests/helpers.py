"""Small helpers shared by the parties tests."""

from __future__ import annotations

import itertools
from typing import Any

from novasaas.platform.mst import check_digit

_n = itertools.count(1)


def make_mst(seed: int | None = None) -> str:
    """A valid 10-digit tax code (check digit computed), distinct per call."""
    n = next(_n) if seed is None else seed
    while True:
        nine = f"0{(n * 7919) % 10**8:08d}"
        digit = check_digit(nine)
        if digit is not None:
            return nine + str(digit)
        n += 1000


def party_payload(name: str = "Công ty TNHH Thương mại Hoàng Long", **extra: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": name,
        "kind": "company",
        "tax_code": make_mst(),
        "addresses": [{"line": "12 Nguyễn Trãi", "ward": "Phường Bến Thành", "province": "TP. Hồ Chí Minh"}],
        "contacts": [
            {"kind": "phone", "value": "+84 912 345 678"},
            {"kind": "email", "value": "info@hoanglong.vn"},
        ],
        "bank_accounts": [{"bank_name": "Vietcombank", "account_number": "0071001234567", "holder": name}],
        "tags": ["khách hàng", "VIP"],
    }
    data.update(extra)
    return data


def principal(tenant: Any, *roles: str) -> Any:
    """A Principal of a new member of ``tenant`` with ``roles`` (call inside tenant_context)."""
    from novasaas.identity.access import principal_for
    from novasaas.identity.models import Membership
    from novasaas.platform.testing.fixtures import admin_of, create_user

    user = create_user(tenant, *roles) if roles else admin_of(tenant)
    return principal_for(Membership.objects.select_related("tenant", "user").get(user=user))
