"""Demo data: modules register loaders that fill the demo tenant with realistic records."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from typing import Any

# the password of every demo user (``seed_demo`` prints them; the CRM loader's portal contact too)
DEMO_PASSWORD = os.environ.get("DEMO_PASSWORD", "Demo@12345!")
DEMO_DOMAIN = "demo.novasaas.vn"


def demo_start(today: dt.date) -> dt.date:
    """The first day of the demo year: the month 371 days back (Inventory's movements start 52 weeks back),
    so the demo covers 12 or 13 months. Every module's loader dates its records from it."""
    return (today - dt.timedelta(days=371)).replace(day=1)


PEOPLE = [
    "Nguyễn Văn An",
    "Trần Thị Bình",
    "Lê Hoàng Cường",
    "Phạm Thu Dung",
    "Hoàng Minh Đức",
    "Vũ Thị Giang",
    "Đặng Quốc Huy",
    "Bùi Thị Lan",
    "Đỗ Văn Long",
    "Hồ Thị Mai",
    "Ngô Đức Nam",
    "Dương Thị Oanh",
    "Lý Văn Phúc",
    "Trịnh Thị Quyên",
    "Mai Văn Sơn",
]

_loaders: list[tuple[str, Callable[[Any], None]]] = []
_order: dict[Callable[[Any], None], int] = {}


def register_loader(module: str, loader: Callable[[Any], None], *, order: int = 0) -> None:
    """``order``: loaders run by increasing order (then registration), so a loader that builds on other
    modules' demo data (the invoices of goods the warehouse received) runs after them."""
    _loaders.append((module, loader))
    _order[loader] = order


def load_module_data(tenant: Any) -> None:
    """Run each registered loader for an enabled module; loaders must be idempotent."""
    for module, loader in sorted(_loaders, key=lambda item: _order.get(item[1], 0)):
        if tenant.has_module(module):
            loader(tenant)


def refresh_planner_statistics() -> None:
    """PostgreSQL: ANALYZE after a bulk load (``seed_demo``, tests that load the demo).

    A demo year arrives faster than autovacuum re-analyses the tables; with statistics that still say
    "one row per tenant", the planner drives correlated subqueries through the tenant index (the VAT
    report's check of untaxed lines ran for minutes over a demo year, quadratic in its lines). Runs as
    the connection's login role outside any tenant scope: the owner's ANALYZE (the app role cannot
    analyse tables it does not own, and is skipped)."""
    from django.db import connection

    from novasaas.platform.tenancy import get_current_tenant

    if connection.vendor != "postgresql" or get_current_tenant() is not None:
        return
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
