"""Demo data of Purchasing: the directory's suppliers as vendors with price lists for a few products,
purchase orders in different states (draft, waiting for approval, approved, cancelled) and one
requisition (idempotent). Nothing is received, billed or paid, so the other modules' demo figures are
unchanged (the demo year bought through purchase orders is listed under "Missing or partial" in
docs/purchasing.md)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone

from novasaas.platform import demo
from novasaas.platform.tenancy import tenant_context


def _member(tenant: Any, role: str) -> Any:
    from novasaas.identity.access import principal_for
    from novasaas.identity.models import Membership, MembershipRole

    ids = MembershipRole.objects.filter(role__code=role).values_list("membership_id", flat=True)
    membership = Membership.objects.select_related("tenant", "user").filter(pk__in=ids).order_by("pk").first()
    return principal_for(membership) if membership is not None else None


def load_demo_purchasing(tenant: Any) -> None:
    from novasaas.parties.actions import SUPPLIER_PREFIX
    from novasaas.parties.models import Party
    from novasaas.purchasing import actions, requisitions, selectors
    from novasaas.purchasing.models import Vendor

    with tenant_context(tenant), transaction.atomic():
        if Vendor.objects.exists():
            return
        admin = _member(tenant, "tenant_admin")
        if admin is None:
            raise RuntimeError("the demo tenant has no Tenant Admin")
        staff = _member(tenant, "purchase_staff") or admin
        parties = list(Party.objects.filter(is_active=True, code__startswith=SUPPLIER_PREFIX).order_by("code")[:3])
        products = [p for p in selectors.list_products(tenant) if p.is_active and p.tracking == "none"][:4]
        warehouses = [w for w in selectors.list_warehouses(tenant) if w.is_active]
        vendors = [
            actions.create_vendor(admin, party_id=party.pk, payment_terms_days=30 if i == 0 else 15)
            for i, party in enumerate(parties)
        ]
        if not vendors or not products or not warehouses:
            return
        start = dt.date(timezone.localdate().year, 1, 1)
        for vendor in vendors:
            for product in products:
                actions.save_price(
                    admin,
                    vendor.pk,
                    product_id=product.pk,
                    price=str(max(product.cost_price, 1000)),
                    lead_time_days=3 if vendor == vendors[0] else 7,
                    valid_from=start.isoformat(),
                )
        actions.update_settings(admin, approval_limit="20000000", price_tolerance_percent="1")
        wh = warehouses[0].pk

        def make(vendor: Any, qty: int) -> Any:
            lines = [{"product_id": p.pk, "quantity": str(qty * (k + 1))} for k, p in enumerate(products[:2])]
            return actions.create_order(staff, vendor_id=vendor.pk, warehouse_id=wh, lines=lines, note="Đơn mẫu")

        make(vendors[0], 10)  # draft
        actions.submit_order(staff, make(vendors[-1], 24).pk)  # small: approved at once
        big = make(vendors[0], 2000)
        if big.total > selectors.get_settings(tenant).approval_limit:
            actions.submit_order(staff, big.pk)  # waits for the Purchase Manager when staff exists
        actions.cancel_order(staff, make(vendors[-1], 5).pk)
        requisitions.create_requisition(staff, product_id=products[0].pk, warehouse_id=wh, quantity="48")


demo.register_loader("SCM", load_demo_purchasing, order=25)  # after Inventory's catalogue and the parties
