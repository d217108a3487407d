"""Sales reads: what a principal may see (Sales Staff: their own customers and documents; a holder of
``crm.order.view_all`` everything), credit exposure, and the reads of other modules Sales needs."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import F, Q, QuerySet, Sum

from novasaas.identity.access import Principal
from novasaas.platform.models import Tenant
from novasaas.platform.money import MoneyField
from novasaas.sales.models import Customer, CustomerGroup, InvoiceStatus, OrderStatus, SalesInvoice, SalesOrder

ZERO = Decimal(0)


def sees_all(p: Principal) -> bool:
    return p.has("crm.order.view_all")


def visible_customers(p: Principal) -> QuerySet[Customer]:
    qs = Customer.objects.filter(tenant=p.tenant)
    if not sees_all(p):
        qs = qs.filter(salesperson_id=p.user.pk if p.user else -1)
    return qs


def visible_orders(p: Principal) -> QuerySet[SalesOrder]:
    qs = SalesOrder.objects.filter(tenant=p.tenant)
    if not sees_all(p):
        uid = p.user.pk if p.user else -1
        qs = qs.filter(Q(salesperson_id=uid) | Q(customer__salesperson_id=uid))
    return qs


def visible_invoices(p: Principal) -> QuerySet[SalesInvoice]:
    qs = SalesInvoice.objects.filter(tenant=p.tenant)
    if not sees_all(p):
        uid = p.user.pk if p.user else -1
        qs = qs.filter(Q(order__salesperson_id=uid) | Q(customer__salesperson_id=uid))
    return qs


def list_customers(p: Principal, q: str = "", *, include_inactive: bool = False, tag: str = "") -> QuerySet[Customer]:
    """Customers the principal sees; ``q`` words match code or name, ``tag`` a tag of the party
    (customer tags are the directory party's tags, edited on the party page)."""
    qs = visible_customers(p).select_related("party", "group", "salesperson").prefetch_related("party__party_tags__tag")
    if not include_inactive:
        qs = qs.filter(is_active=True)
    if tag.strip():
        qs = qs.filter(party__party_tags__tag__name__iexact=" ".join(tag.split())).distinct()
    for word in q.split()[:8]:
        qs = qs.filter(Q(code__icontains=word) | Q(party__name__icontains=word) | Q(party__code__icontains=word))
    return qs.order_by("code")


def get_customer(p: Principal, customer_id: int) -> Customer:
    return (  # type: ignore[no-any-return]
        visible_customers(p)
        .select_related("party", "group", "salesperson")
        .prefetch_related("party__party_tags__tag")
        .get(pk=customer_id)
    )


def list_groups(tenant: Tenant, include_inactive: bool = False) -> QuerySet[CustomerGroup]:
    qs = CustomerGroup.objects.filter(tenant=tenant)
    return qs if include_inactive else qs.filter(is_active=True)


def list_orders(p: Principal, status: str = "", customer_id: int | None = None) -> QuerySet[SalesOrder]:
    qs = visible_orders(p).select_related("customer__party")
    if status:
        qs = qs.filter(status=status)
    if customer_id:
        qs = qs.filter(customer_id=customer_id)
    return qs


def get_order(p: Principal, order_id: int) -> SalesOrder:
    return visible_orders(p).select_related("customer__party", "salesperson").get(pk=order_id)  # type: ignore[no-any-return]


def list_invoices(p: Principal, customer_id: int | None = None) -> QuerySet[SalesInvoice]:
    qs = visible_invoices(p).select_related("customer__party", "order").prefetch_related("lines", "deliveries")
    if customer_id:
        qs = qs.filter(customer_id=customer_id)
    return qs


def get_invoice(p: Principal, invoice_id: int) -> SalesInvoice:
    return (  # type: ignore[no-any-return]
        visible_invoices(p).select_related("customer__party", "order").prefetch_related("lines").get(pk=invoice_id)
    )  # type: ignore[no-any-return]


def open_receivable(tenant: Tenant, customer: Customer) -> Decimal:
    """What the customer owes: with ACC the posted balance of the receivable accounts (every source,
    opening balances included), else what is unpaid on Sales' own invoices."""
    if tenant.has_module("ACC"):
        from novasaas.accounting.selectors import party_balance

        return party_balance(tenant, customer.party_id).receivable
    from novasaas.sales.models import CustomerCreditEntry

    agg = SalesInvoice.objects.filter(customer=customer, status=InvoiceStatus.POSTED).aggregate(
        t=Sum("total"), p=Sum("paid"), c=Sum("credited")
    )
    credit = CustomerCreditEntry.objects.filter(customer=customer).aggregate(t=Sum("amount"))["t"] or ZERO
    return (agg["t"] or ZERO) - (agg["p"] or ZERO) - (agg["c"] or ZERO) - credit


def credit_exposure(tenant: Tenant, customer: Customer) -> Decimal:
    """Open receivable + what confirmed or (partly) delivered orders have not yet invoiced (the limit
    covers both)."""
    pending = SalesOrder.objects.filter(
        customer=customer, status__in=[OrderStatus.CONFIRMED, OrderStatus.PARTIAL, OrderStatus.DELIVERED]
    ).aggregate(t=Sum(F("total") - F("invoiced_amount") - F("closed_amount"), output_field=MoneyField()))["t"]
    return open_receivable(tenant, customer) + (pending or ZERO)


def active_member_user(tenant: Tenant, user_id: Any) -> Any:
    from novasaas.identity.models import Membership

    try:
        membership = (
            Membership.objects.filter(tenant=tenant, user_id=int(user_id), is_active=True)
            .select_related("user")
            .first()
        )
    except (TypeError, ValueError):
        return None
    return membership.user if membership else None


def list_salespeople(tenant: Tenant) -> list[Any]:
    """Active members holding the order right (for the salesperson picker)."""
    from novasaas.identity.grants import role_ids_holding
    from novasaas.identity.models import Membership

    roles = role_ids_holding("crm.order.create")
    members = Membership.objects.filter(tenant=tenant, is_active=True, role_links__role_id__in=roles).select_related(
        "user"
    )
    return sorted({m.user for m in members}, key=lambda u: u.email)


# --- reads of other modules (through their selectors) ------------------------------------------------


def product_for_sale(tenant: Tenant, product_id: Any) -> Any:
    """The active product ``product_id`` (Inventory's), or None."""
    from novasaas.inventory import selectors as inventory

    try:
        product = inventory.get_product(tenant, int(product_id))
    except (TypeError, ValueError, OverflowError):
        return None
    except Exception as exc:  # DoesNotExist of inventory's model
        if type(exc).__name__ == "DoesNotExist":
            return None
        raise
    return product if product.is_active else None


def warehouse_exists(tenant: Tenant, warehouse_id: Any) -> bool:
    from novasaas.inventory import selectors as inventory

    try:
        warehouse = inventory.get_warehouse(tenant, int(warehouse_id))
    except (TypeError, ValueError, OverflowError):
        return False
    return warehouse is not None and warehouse.is_active


def list_warehouses(tenant: Tenant) -> list[Any]:
    if not tenant.has_module("INV"):
        return []
    from novasaas.inventory import selectors as inventory

    return list(inventory.list_warehouses(tenant))


def list_products(tenant: Tenant) -> list[Any]:
    if not tenant.has_module("INV"):
        return []
    from novasaas.inventory import selectors as inventory

    return list(inventory.search_products(tenant, "")[:500])


def available_stock(tenant: Tenant, product_id: int, warehouse_id: int) -> Decimal:
    from novasaas.inventory import selectors as inventory

    return inventory.available(tenant, product_id, warehouse_id)
