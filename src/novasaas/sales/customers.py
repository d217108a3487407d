"""What the customer page shows beyond the customer's own fields: contact persons (people to deal with
at the customer, a Sales model), and the purchase history (what the customer bought, per product, from
the invoice lines net of credit notes).

Rights: reading follows ``crm.customer.view`` and the customers the principal sees (Sales Staff: their
own); adding, changing or removing a contact person needs ``crm.customer.edit``.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Max, Sum
from django.utils.translation import gettext as _

from novasaas.identity.access import Principal
from novasaas.platform import audit
from novasaas.sales import selectors
from novasaas.sales.models import CustomerContact, SalesCreditNoteLine, SalesInvoiceLine

ZERO = Decimal(0)
CONTACT_FIELDS = ("name", "position", "phone", "email", "is_primary", "note")
MAX_CONTACTS = 50


def list_contacts(p: Principal, customer_id: int) -> list[CustomerContact]:
    customer = selectors.get_customer(p, customer_id)
    return list(CustomerContact.objects.filter(customer=customer))


@transaction.atomic
def save_contact(p: Principal, customer_id: int, contact_id: int | None = None, **fields: Any) -> CustomerContact:
    """Add (``contact_id`` None) or change a contact person of a customer the principal sees. Marking
    one primary unmarks the others."""
    p.require("crm.customer.edit")
    customer = selectors.visible_customers(p).select_for_update().get(pk=customer_id)
    unknown = set(fields) - set(CONTACT_FIELDS)
    if unknown:
        raise ValidationError({sorted(unknown)[0]: [_("Unknown field.")]})
    if contact_id is None:
        if CustomerContact.objects.filter(customer=customer).count() >= MAX_CONTACTS:
            raise ValidationError({"name": [_("At most %(n)d contact persons.") % {"n": MAX_CONTACTS}]})
        contact = CustomerContact(customer=customer)
        before = None
    else:
        contact = CustomerContact.objects.get(customer=customer, pk=contact_id)
        before = audit.snapshot(contact)
    for key, value in fields.items():
        if value is None:
            continue
        setattr(contact, key, value.strip() if isinstance(value, str) else value)
    if not contact.name:
        raise ValidationError({"name": [_("This field is required.")]})
    check_contact(contact)
    if contact.is_primary:
        CustomerContact.objects.filter(customer=customer, is_primary=True).exclude(pk=contact.pk).update(
            is_primary=False
        )
    contact.save()
    if before is None:
        audit.record_created(contact, p.user)
    else:
        audit.record_updated(contact, p.user, before)
    return contact


def check_contact(contact: CustomerContact) -> None:
    """The one check of a contact person's fields (staff page/API and the contact on the portal)."""
    if contact.phone:
        from novasaas.parties.text import normalize_phone

        digits = normalize_phone(contact.phone)
        if not 6 <= len(digits) <= 15 or not all(c in "0123456789 +-.()" for c in contact.phone):
            raise ValidationError({"phone": [_("Enter a valid phone number.")]})
    contact.full_clean(exclude=["customer", "tenant"])


@transaction.atomic
def delete_contact(p: Principal, customer_id: int, contact_id: int) -> None:
    p.require("crm.customer.edit")
    customer = selectors.visible_customers(p).get(pk=customer_id)
    contact = CustomerContact.objects.get(customer=customer, pk=contact_id)
    before = audit.snapshot(contact)
    contact.delete()
    audit.record_deleted(contact, p.user, before)


@dataclass(frozen=True)
class PurchaseRow:
    product_id: int | None
    description: str
    unit: str
    quantity: Decimal  # invoiced − credited
    net_amount: Decimal  # before VAT, net of credit notes
    invoices: int
    last_date: Any


def purchase_history(p: Principal, customer_id: int, limit: int = 100) -> list[PurchaseRow]:
    """What a customer bought, one row per product (lines without a product: per description), from its
    posted invoices less credit notes; largest amount first."""
    customer = selectors.get_customer(p, customer_id)
    rows: dict[Any, dict[str, Any]] = {}
    invoice_lines = SalesInvoiceLine.objects.filter(invoice__customer=customer).order_by()
    credit_lines = SalesCreditNoteLine.objects.filter(credit_note__customer=customer).order_by()
    for keys, qs in (
        (("product_id",), invoice_lines.filter(product_id__isnull=False)),
        (
            ("description",),
            invoice_lines.filter(product_id__isnull=True),
        ),
    ):
        for line in qs.values(*keys).annotate(
            q=Sum("quantity"),
            n=Sum("net_amount"),
            c=Count("invoice_id", distinct=True),
            d=Max("invoice__date"),
            text=Max("description"),
            u=Max("unit"),
        ):
            key = line.get("product_id") or ("-", line["text"])
            rows[key] = {"description": line["text"], "unit": line["u"], "q": line["q"], "n": line["n"]}
            rows[key].update(c=line["c"], d=line["d"])
    for line in credit_lines.values("product_id", "description").annotate(q=Sum("quantity"), n=Sum("net_amount")):
        key = line["product_id"] or ("-", line["description"])
        if key in rows:
            rows[key]["q"] -= line["q"] or ZERO
            rows[key]["n"] -= line["n"] or ZERO
    out = [
        PurchaseRow(
            product_id=key if isinstance(key, int) else None,
            description=r["description"],
            unit=r["unit"],
            quantity=r["q"],
            net_amount=r["n"],
            invoices=r["c"],
            last_date=r["d"],
        )
        for key, r in rows.items()
    ]
    out.sort(key=lambda r: (-r.net_amount, r.description))
    return out[:limit]
