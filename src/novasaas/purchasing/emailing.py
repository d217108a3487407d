"""Email of a purchase order's PDF to the vendor (spec §8 "PDF and email to the vendor").

``send_order`` checks the order and the address and publishes ``PurchaseOrderSent``; the email leaves
after commit through the outbox (``email_order``: Message-ID from the outbox message, an
``EffectMarker`` once the server accepted it, so a redelivery sends nothing twice) — the same path as
sales' quotations.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from novasaas.identity.access import Principal
from novasaas.platform.events import message_key, publish, subscriber
from novasaas.platform.models import EffectMarker
from novasaas.platform.tenancy import current_tenant
from novasaas.purchasing import actions, events, selectors
from novasaas.purchasing.models import OrderStatus, PurchaseOrder

SENDABLE = (OrderStatus.APPROVED, OrderStatus.PARTIAL)


def vendor_email(order: PurchaseOrder) -> str:
    """The vendor party's primary (else first) email contact, or ""."""
    from novasaas.parties.models import ContactKind, PartyContact

    contact = (
        PartyContact.objects.filter(party_id=order.vendor.party_id, kind=ContactKind.EMAIL)
        .order_by("-is_primary", "id")
        .first()
    )
    return contact.value if contact else ""


@transaction.atomic
def send_order(p: Principal, order_id: int, *, to: str = "") -> PurchaseOrder:
    """Email the approved order's PDF to ``to`` or the vendor's email (again on a second call, e.g. to
    another address). Drafts, orders waiting for approval and finished ones are refused."""
    p.require("scm.po.create")
    order = actions._lock(order_id)
    actions._refuse_status(order, *SENDABLE)
    from novasaas.platform.pdf import font_path

    if font_path() is None:
        raise ValidationError({"to": [_("The PDF cannot be printed on this server (no Unicode font).")]})
    address = (to or "").strip() or vendor_email(order)
    if not address:
        raise ValidationError({"to": [_("The vendor has no email address: type one.")]})
    try:
        validate_email(address)
    except ValidationError as exc:
        raise ValidationError({"to": [_("Enter a valid email address.")]}) from exc
    actions._set_status(p, order, order.status, sent_to=address[:254], sent_at=timezone.now())
    publish(
        events.PurchaseOrderSent(
            tenant_id=p.tenant.pk, order_id=order.pk, to=address, locale=translation.get_language() or "vi"
        )
    )
    return order


@subscriber(events.PurchaseOrderSent, module="SCM", after_commit=True)
def email_order(event: events.PurchaseOrderSent, message_id: int | None = None) -> None:
    """Outbox handler: email the order's PDF once per outbox message and recipient."""
    from novasaas.platform.notifications import email_message_id
    from novasaas.purchasing.pdf import order_pdf

    key = f"email:{message_key(message_id, event.to)}"[:300] if message_id is not None else ""
    if key and EffectMarker.objects.filter(key=key).exists():
        return
    order = PurchaseOrder.objects.select_related("vendor__party", "tenant").get(pk=event.order_id)
    warehouse = selectors.warehouse_names(order.tenant).get(order.warehouse_id, "")
    with translation.override(event.locale or "vi"):
        subject = _("Purchase order %(n)s from %(c)s") % {"n": order.number, "c": order.tenant.name}
        body = _("Please find attached our purchase order %(n)s. Please confirm the delivery date.") % {
            "n": order.number
        }
    headers = {"Message-ID": email_message_id(message_id)} if message_id is not None else {}
    message = EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [event.to], headers=headers)
    message.attach(f"{order.number}.pdf", order_pdf(order, warehouse), "application/pdf")
    message.send()
    if key:
        EffectMarker.objects.create(tenant=current_tenant(), key=key)
