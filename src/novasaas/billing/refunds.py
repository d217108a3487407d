"""Refunds of money paid on platform invoices: numbered credit notes (``NSR-<year>-<00001>``, gapless), paid
back the way the money came, with a PDF like the invoices.

Rules: Master Admin only; a refund is a whole, positive amount of đồng, at most what was paid on the
invoice less what was refunded already, *by that method*: money paid through the payment gateway goes back
through it (``PaymentGateway.refund``, the credit note's number as the idempotency key); money paid by bank
transfer is sent back by the Master Admin from the bank, who records it with the bank's reference (no
gateway call). The invoice row is locked, so two refunds racing for the same money are serialised: the
second sees the first and is refused when it no longer fits (a database CHECK ``refunded ≤ paid`` backs
it). A refund is dated on or after its invoice. Its VAT is the invoice's VAT in proportion, counted
cumulatively (``VAT after = round(invoice VAT × refunded after / invoice total)``, this refund's VAT = VAT
after − VAT of the earlier refunds), so the refunds of a fully refunded invoice add up to its VAT to the
đồng. The invoice keeps its status (paid); ``refunded`` says how much came back. ``InvoiceRefunded`` is
published in the transaction (AI takes back a refunded pack's credits), then the gateway is called last,
so a refusal of the provider, or of a subscriber, writes nothing. Audited, and the tenant's admins are
notified (in-app + email).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from novasaas.billing.models import PaymentMethod, PlatformInvoice, PlatformPayment, PlatformRefund, RefundCounter
from novasaas.platform import audit, notifications
from novasaas.platform.models import AuditAction, Tenant
from novasaas.platform.money import round_money
from novasaas.platform.tenancy import platform_context, tenant_context


def refundable_by_method(invoice: PlatformInvoice) -> dict[str, Decimal]:
    """What can still be refunded of ``invoice`` per payment method: paid by it less refunded by it
    (summed in Python: exact Decimal on every database)."""
    left = dict.fromkeys(PaymentMethod.values, Decimal(0))
    for method, amount in PlatformPayment.objects.filter(invoice=invoice).values_list("method", "amount"):
        left[method] += amount
    for method, total in PlatformRefund.objects.filter(invoice=invoice).values_list("method", "total"):
        left[method] -= total
    return {m: max(Decimal(0), v) for m, v in left.items()}


@transaction.atomic
def refund_invoice(
    actor: Any,
    invoice_id: int,
    *,
    amount: Any,
    reason: str,
    on: dt.date | None = None,
    method: str = PaymentMethod.GATEWAY,
    reference: str = "",
) -> PlatformRefund:
    """Refund ``amount`` đồng (VAT included) of a paid invoice: through the payment gateway
    (``method="gateway"``), or record that it was sent back by bank transfer (``method="bank"``, with the
    bank's ``reference``). Bad input, more than can be refunded by that method, a date before the invoice
    or a refusal of the provider raise ``ValidationError`` and write nothing."""
    from novasaas.billing import invoicing
    from novasaas.billing.actions import _money
    from novasaas.billing.charges import publish_invoice_refunded

    if not getattr(actor, "is_master_admin", False):
        raise PermissionDenied(_("Master Admin only."))
    on = on or timezone.localdate()
    with platform_context():
        invoice = PlatformInvoice.objects.select_for_update().get(pk=invoice_id)
        tenant = Tenant.objects.get(pk=invoice.tenant_id)
    with tenant_context(tenant):
        amount = _money(amount, "amount")
        reason = (reason or "").strip()[:300]
        reference = (reference or "").strip()
        if method not in PaymentMethod.values:
            raise ValidationError({"method": [_("Refund through the payment gateway or by bank transfer.")]})
        if amount <= 0:
            raise ValidationError({"amount": [_("Enter a positive amount.")]})
        if not reason:
            raise ValidationError({"reason": [_("This field is required.")]})
        if method == PaymentMethod.BANK and not 1 <= len(reference) <= 100:
            raise ValidationError({"reference": [_("Enter the bank transfer's reference (1 to 100 characters).")]})
        if on < invoice.issued_on:
            raise ValidationError(
                _("A refund cannot be dated before its invoice (%(d)s).") % {"d": f"{invoice.issued_on:%d/%m/%Y}"}
            )
        refundable = min(invoice.paid - invoice.refunded, refundable_by_method(invoice)[method])
        if amount > refundable:
            raise ValidationError(
                {
                    "amount": [
                        _("More than can be refunded %(how)s (%(n)s đ paid that way and not refunded).")
                        % {
                            "how": _("by bank transfer")
                            if method == PaymentMethod.BANK
                            else _("through the payment gateway"),
                            "n": refundable,
                        }
                    ]
                }
            )
        earlier_vat = PlatformRefund.objects.filter(invoice=invoice).aggregate(v=Sum("vat"))["v"] or Decimal(0)
        vat = round_money(invoice.vat * (invoice.refunded + amount) / invoice.total) - Decimal(earlier_vat)
        vat = min(max(vat, Decimal(0)), amount)
        number = invoicing._next_number(on.year, counter=RefundCounter, prefix="NSR")
        refund = PlatformRefund.objects.create(
            tenant=tenant,
            invoice=invoice,
            number=number,
            issued_on=on,
            reason=reason,
            subtotal=amount - vat,
            vat=vat,
            total=amount,
            method=method,
            provider_ref=reference if method == PaymentMethod.BANK else "",
            created_by=actor,
        )
        refunded_before = invoice.refunded
        invoice.refunded += amount
        invoice.save(update_fields=["refunded"])
        publish_invoice_refunded(invoice, number, refunded_before)
        audit.record(
            AuditAction.CREATE,
            actor=actor,
            tenant=tenant,
            obj=refund,
            after={
                "number": number,
                "invoice": invoice.number,
                "total": amount,
                "vat": vat,
                "reason": reason,
                "method": method,
                "reference": refund.provider_ref,
            },
            message="refund recorded (bank transfer)" if method == PaymentMethod.BANK else "refund (gateway)",
        )
        notifications.notify(
            tenant,
            "core.subscription.manage",
            "billing",
            _("NovaSaaS refund %(n)s: %(t)s đ") % {"n": number, "t": f"{amount:,.0f}".replace(",", ".")},
            _("Refund of invoice %(i)s: %(r)s") % {"i": invoice.number, "r": reason},
            url="/billing/",
        )
        if method == PaymentMethod.GATEWAY:  # last: the money leaves only when everything else is written
            try:
                provider_ref = invoicing.gateway().refund(invoice, amount, number)
            except invoicing.GatewayError as exc:
                raise ValidationError(_("The payment provider refused the refund: %(e)s") % {"e": exc}) from exc
            refund.provider_ref = provider_ref[:100]
            refund.save(update_fields=["provider_ref"])
    return refund


def refund_pdf_bytes(refund: PlatformRefund) -> bytes:
    from novasaas.billing.invoicing import seller
    from novasaas.platform.pdf import render_table

    s = seller()
    invoice = refund.invoice
    rows: list[list[Any]] = [
        [
            _("Refund of invoice %(n)s (%(d)s): %(r)s")
            % {"n": invoice.number, "d": f"{invoice.issued_on:%d/%m/%Y}", "r": refund.reason},
            -refund.subtotal,
        ],
        [_("VAT %(r)s%%") % {"r": f"{invoice.vat_rate:g}"}, -refund.vat],
        [_("Total refunded"), -refund.total],
    ]
    subtitle = f"{s['name']} · MST {s['tax_code']} · {s['address']} · {refund.issued_on:%d/%m/%Y}"
    return render_table(_("Credit note %(n)s") % {"n": refund.number}, [_("Description"), _("Amount")], rows, subtitle)
