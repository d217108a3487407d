"""Demo data of Sales: two customer groups, the directory's customer parties as customers of the demo
Sales Staff member, and a few draft orders (idempotent). Drafts only: nothing is reserved, issued or
posted, so the other modules' demo figures are unchanged (the year regenerated from sales documents is
listed under "Missing or partial" in docs/sales.md)."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from novasaas.platform import demo
from novasaas.platform.tenancy import tenant_context


def _member(tenant: Any, role: str) -> Any:
    from novasaas.identity.access import principal_for
    from novasaas.identity.models import Membership, MembershipRole

    ids = MembershipRole.objects.filter(role__code=role).values_list("membership_id", flat=True)
    membership = Membership.objects.select_related("tenant", "user").filter(pk__in=ids).order_by("pk").first()
    return principal_for(membership) if membership is not None else None


def load_demo_sales(tenant: Any) -> None:
    from novasaas.parties.models import Party
    from novasaas.sales import actions, selectors
    from novasaas.sales.models import CustomerGroup

    with tenant_context(tenant), transaction.atomic():
        if CustomerGroup.objects.filter(code="VIP").exists():
            return
        admin = _member(tenant, "tenant_admin")
        if admin is None:
            raise RuntimeError("the demo tenant has no Tenant Admin")
        staff = _member(tenant, "sales_staff") or admin
        vip = actions.save_group(admin, code="VIP", name="Khách VIP", discount_percent="5")
        regular = actions.save_group(admin, code="THUONG", name="Khách thường", discount_percent="0")
        parties = Party.objects.filter(is_active=True, code__startswith="KH").order_by("code")[:12]
        customers = []
        for i, party in enumerate(parties):
            customers.append(
                actions.create_customer(
                    admin,
                    party_id=party.pk,
                    group_id=(vip if i % 4 == 0 else regular).pk,
                    credit_limit=str(200_000_000 if i % 4 == 0 else 50_000_000),
                    payment_terms_days=30 if i % 4 == 0 else 15,
                    salesperson_id=staff.user.pk if staff.user else None,
                )
            )
        products = [p for p in selectors.list_products(tenant) if p.is_active and p.tracking == "none"][:6]
        warehouses = [w for w in selectors.list_warehouses(tenant) if w.is_active]
        if not customers or not products or not warehouses:
            return
        for n, customer in enumerate(customers[:3]):
            picked = {products[(n + k) % len(products)].pk for k in range(3)}
            lines = [{"product_id": pid, "quantity": str(12 * (n + k + 1))} for k, pid in enumerate(sorted(picked))]
            actions.create_order(
                staff, customer_id=customer.pk, warehouse_id=warehouses[0].pk, lines=lines, note="Đơn mẫu"
            )


demo.register_loader("CRM", load_demo_sales, order=20)  # after Inventory's catalogue and Accounting
