"""State changes of Inventory (spec §6.2). Each action runs in one transaction, takes the acting
principal explicitly, checks the spec's permission, validates before writing, is audited and publishes
the events of ``inventory/events.py``.

Public interface for other modules (Sales, Purchasing): ``receive_goods``, ``issue_goods``,
``reserve``/``release`` (re-exported from ``ledger``; an issue with ``for_document`` consumes that
document's reservation).

One module per document or concept (every public name is re-exported here, so
``from novasaas.inventory.actions import X`` keeps working): ``catalogue`` (categories, units, products,
variants, warehouses, locations, settings), ``lines`` (document lines, lots and serials shared by every
document), ``movements`` (receipts, issues, put-away), ``adjustments``, ``transfers``, ``counts``,
``valuation`` (backdated revaluation, landed costs), ``reorder`` (reorder rules and alerts).
"""

from __future__ import annotations

from novasaas.inventory.actions.adjustments import approve_adjustment, create_adjustment, reject_adjustment
from novasaas.inventory.actions.catalogue import (
    PRODUCT_FIELDS,
    convert,
    default_warehouse,
    find_by_code,
    inventory_settings,
    save_category,
    save_location,
    save_product,
    save_settings,
    save_unit,
    save_variant,
    save_warehouse,
    set_my_warehouse,
    set_product_image,
)
from novasaas.inventory.actions.counts import (
    approve_count,
    cancel_count,
    create_count,
    record_counts,
    scan_count,
    submit_count,
)
from novasaas.inventory.actions.lines import needs_approval
from novasaas.inventory.actions.movements import (
    MOVEMENT_HEADER_FIELDS,
    approve_movement,
    cancel_movement,
    create_movement,
    issue_goods,
    pack_issue,
    pick_issue,
    put_away,
    receive_goods,
    scan_movement,
    suggest_picks,
    update_movement,
    validate_movement,
)
from novasaas.inventory.actions.reorder import check_reorder
from novasaas.inventory.actions.transfers import (
    approve_transfer,
    cancel_transfer,
    create_transfer,
    receive_transfer,
    ship_transfer,
)
from novasaas.inventory.actions.valuation import add_landed_cost, set_reorder_rule
from novasaas.inventory.ledger import InsufficientStock, MoveContext, release, reserve
from novasaas.platform.events import publish

__all__ = [
    "InsufficientStock",
    "MOVEMENT_HEADER_FIELDS",
    "MoveContext",
    "PRODUCT_FIELDS",
    "add_landed_cost",
    "approve_adjustment",
    "approve_count",
    "approve_movement",
    "approve_transfer",
    "cancel_count",
    "cancel_movement",
    "cancel_transfer",
    "check_reorder",
    "convert",
    "create_adjustment",
    "create_count",
    "create_movement",
    "create_transfer",
    "default_warehouse",
    "find_by_code",
    "inventory_settings",
    "issue_goods",
    "needs_approval",
    "pack_issue",
    "pick_issue",
    "publish",
    "put_away",
    "receive_goods",
    "receive_transfer",
    "record_counts",
    "reject_adjustment",
    "release",
    "reserve",
    "save_category",
    "save_location",
    "save_product",
    "save_settings",
    "save_unit",
    "save_variant",
    "save_warehouse",
    "scan_count",
    "scan_movement",
    "set_my_warehouse",
    "set_product_image",
    "set_reorder_rule",
    "ship_transfer",
    "submit_count",
    "suggest_picks",
    "update_movement",
    "validate_movement",
]
