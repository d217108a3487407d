"""Reorder rules and the alert when available stock falls below the reorder level."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from novasaas.inventory import events, ledger
from novasaas.inventory.models import (
    Stock,
)
from novasaas.platform.events import publish
from novasaas.platform.tenant_cache import TenantCache

RULED_PRODUCTS: TenantCache[frozenset[int]] = TenantCache("inventory.reorder_rules")


def _ruled_products() -> frozenset[int]:
    from novasaas.inventory.models import ReorderRule

    return frozenset(ReorderRule.objects.values_list("product_id", flat=True).distinct())


def forget_reorder_rules(tenant_id: int) -> None:
    """Called when a rule changes (this process at once, others within 10 s)."""
    from django.db import transaction

    RULED_PRODUCTS.forget(tenant_id, "products")
    transaction.on_commit(lambda: RULED_PRODUCTS.forget(tenant_id, "products"))


# --- reorder alerts --------------------------------------------------------------------------------


def check_reorder(tenant: Any, stocks: Any) -> None:
    """Publish ``StockBelowReorderLevel`` and notify once each time available stock of a product in a
    warehouse (all its variants together) crosses below the reorder level of that product × warehouse;
    re-arm when it is back at or above it. An alert still unread from an earlier crossing is marked read
    when a new one is sent or the stock is back, so the dashboard lists each product × warehouse once."""
    from novasaas.inventory.models import ReorderRule
    from novasaas.platform.notifications import notify, withdraw

    stocks = list(stocks)
    pairs = {(stock.product_id, stock.warehouse_id) for stock in stocks}
    if not pairs:
        return
    # the usual case, read from the rows in memory: no level anywhere, nothing alerted, nothing to do
    ruled = RULED_PRODUCTS.get(tenant.pk, "products", _ruled_products)
    if not any(s.reorder_alerted or s.product.reorder_level > 0 or s.product_id in ruled for s in stocks):
        return
    groups: dict[tuple[int, int], list[Stock]] = {}
    for row in Stock.objects.filter(
        product_id__in={p for p, _w in pairs}, warehouse_id__in={w for _p, w in pairs}
    ).select_related("product", "warehouse"):
        if (row.product_id, row.warehouse_id) in pairs:
            groups.setdefault((row.product_id, row.warehouse_id), []).append(row)
    rules = {
        (r.product_id, r.warehouse_id): r.reorder_level
        for r in ReorderRule.objects.filter(product_id__in={p for p, _w in pairs})
    }
    for (product_id, warehouse_id), rows in sorted(groups.items()):
        product, warehouse = rows[0].product, rows[0].warehouse
        level = rules.get((product_id, warehouse_id), product.reorder_level)
        available = sum((row.available for row in rows), Decimal(0))
        alerted = any(row.reorder_alerted for row in rows)
        below = level > 0 and available < level
        url = f"/inventory/stock/{product_id}/?warehouse={warehouse_id}"
        ids = [row.pk for row in rows]
        if below and not alerted:
            Stock.objects.filter(pk__in=ids).update(reorder_alerted=True)
            publish(
                events.StockBelowReorderLevel(
                    tenant_id=tenant.pk,
                    product_id=product_id,
                    warehouse_id=warehouse_id,
                    available=str(available),
                    reorder_level=str(level),
                )
            )
            withdraw(tenant, "inventory.low_stock", url)
            notify(
                tenant,
                "inv.reorder.configure",
                "inventory.low_stock",
                _("Low stock: %(p)s in %(w)s") % {"p": product.name, "w": warehouse.code},
                body=_("Available %(a)s, reorder level %(l)s.")
                % {"a": ledger._qty(available, product), "l": ledger._qty(level, product)},
                url=url,
            )
        elif not below and alerted:
            Stock.objects.filter(pk__in=ids).update(reorder_alerted=False)
            withdraw(tenant, "inventory.low_stock", url)
