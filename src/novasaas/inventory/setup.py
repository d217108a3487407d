"""What a tenant needs before its first inventory page: the virtual locations (supplier, customer,
adjustment, transit…) and the settings row. Run when INV is enabled (platform.modules.register_setup)."""

from __future__ import annotations

from typing import Any

from novasaas.platform.tenancy import tenant_context


def set_up_inventory(tenant: Any) -> None:
    from novasaas.inventory import ledger
    from novasaas.inventory.actions.catalogue import inventory_settings

    with tenant_context(tenant):
        ledger.ensure_virtual_locations()
        inventory_settings()
