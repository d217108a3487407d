"""Small helpers shared by the inventory tests: principals per role and a ready catalogue."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from novasaas.inventory import actions
from novasaas.inventory.models import Product, Unit, Warehouse


def principal(tenant: Any, *roles: str) -> Any:
    """A Principal of a new member of ``tenant`` with ``roles`` (the tenant admin when none)."""
    from novasaas.identity.access import principal_for
    from novasaas.identity.models import Membership
    from novasaas.platform.testing.fixtures import admin_of, create_user

    user = create_user(tenant, *roles) if roles else admin_of(tenant)
    return principal_for(Membership.objects.select_related("tenant", "user").get(user=user))


@dataclass
class Setup:
    manager: Any
    staff: Any
    chai: Unit
    thung: Unit
    beer: Product
    wh: Warehouse
    wh2: Warehouse


def setup_catalogue(tenant: Any) -> Setup:
    """Call inside tenant_context: units chai/thùng (24), a beer, two warehouses."""
    manager = principal(tenant, "warehouse_manager")
    staff = principal(tenant, "warehouse_staff")
    chai = actions.save_unit(manager, code="chai", name="Chai")
    thung = actions.save_unit(manager, code="thung", name="Thùng", base_id=chai.pk, factor="24")
    beer = actions.save_product(
        manager,
        name="Bia Sài Gòn 330ml",
        stock_unit_id=chai.pk,
        purchase_unit_id=thung.pk,
        cost_price=Decimal("10000"),
        sale_price=Decimal("15000"),
    )
    wh = actions.save_warehouse(manager, code="HN", name="Kho Hà Nội")
    wh2 = actions.save_warehouse(manager, code="HCM", name="Kho TP.HCM")
    return Setup(manager, staff, chai, thung, beer, wh, wh2)


def receive(
    s: Setup, qty: Any, cost: Any = "10000", product: Product | None = None, wh: Warehouse | None = None, **line: Any
) -> Any:
    return actions.receive_goods(
        s.manager,
        warehouse_id=(wh or s.wh).pk,
        lines=[{"product_id": (product or s.beer).pk, "quantity": str(qty), "unit_cost": str(cost), **line}],
    )


def issue(s: Setup, qty: Any, product: Product | None = None, wh: Warehouse | None = None, **kw: Any) -> Any:
    return actions.issue_goods(
        s.manager,
        warehouse_id=(wh or s.wh).pk,
        lines=[{"product_id": (product or s.beer).pk, "quantity": str(qty)}],
        **kw,
    )


def brute_valuation(as_of: Any) -> dict[tuple[int, int], tuple[Decimal, Decimal]]:
    """Quantity and value per product × warehouse at the end of ``as_of``, recomputed from every move
    and value entry dated up to it (the definition the valuation report must match)."""
    from novasaas.inventory.models import Location, LocationUsage, StockMove, ValueEntry

    wh_of = dict(Location.objects.filter(usage=LocationUsage.INTERNAL).values_list("pk", "warehouse_id"))
    totals: dict[tuple[int, int], list[Decimal]] = {}
    for m in StockMove.objects.filter(date__lte=as_of):
        src, dst = wh_of.get(m.from_location_id), wh_of.get(m.to_location_id)
        if src == dst:
            continue
        if dst is not None:
            acc = totals.setdefault((m.product_id, dst), [Decimal(0), Decimal(0)])
            acc[0] += m.quantity
            acc[1] += m.value
        if src is not None:
            acc = totals.setdefault((m.product_id, src), [Decimal(0), Decimal(0)])
            acc[0] -= m.quantity
            acc[1] -= m.value
    for e in ValueEntry.objects.filter(date__lte=as_of):
        totals.setdefault((e.product_id, e.warehouse_id), [Decimal(0), Decimal(0)])[1] += e.value
    return {k: (q, v) for k, (q, v) in totals.items() if q != 0 or v != 0}


def reported_valuation(tenant: Any, as_of: Any) -> dict[tuple[int, int], tuple[Decimal, Decimal]]:
    from novasaas.inventory import selectors

    return {(r.product.pk, r.warehouse.pk): (r.quantity, r.value) for r in selectors.valuation(tenant, as_of)}
