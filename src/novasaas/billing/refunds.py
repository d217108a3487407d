"""Refunds of money paid on platform invoices: numbered credit notes (``NSR-<year>-<00001>``, gapless), paid
back through the payment gateway (``PaymentGateway.refund``), with a PDF like the invoices.

Rules: Master Admin only; a refund is a whole, positive amount of đồng, at most what was paid on the
invoice less what was refunded already (the invoice row is locked, so two refunds racing for the same
money are serialised: the second sees the first and is refused when it no longer fits; a database CHECK
``refunded ≤ paid`` backs it). Its VAT is the invoice's VAT in proportion, counted cumulatively
(``VAT after = round(invoice VAT × refunded after / invoice total)``, this refund's VAT = VAT after − VAT of
the earlier refunds), so the refunds of a fully refunded invoice add up to its VAT to the đồng. The
invoice keeps its status (paid); ``refunded`` says how much came back. Audited, and the tenant's admins
are notified (in-app + email).
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

from novasaas.billing.models import PlatformInvoice, PlatformRefund, RefundCounter
from novasaas.platform import audit, notifications
from novasaas.platform.models import AuditAction, Tenant
from novasaas.platform.money import round_money
from novasaas.platform.tenancy import platform_context, tenant_context


@transaction.atomic
def refund_invoice(
    actor: Any, invoice_id: int, *, amount: Any, reason: str, on: dt.date | None = None
) -> PlatformRefund:
    """Refund ``amount`` đồng (VAT included) of a paid invoice through the payment gateway."""
    from novasaas.billing import invoicing
    from novasaas.billing.actions import _money

    if not getattr(actor, "is_master_admin", False):
        raise PermissionDenied(_("Master Admin only."))
    on = on or timezone.localdate()
    with platform_context():
        invoice = PlatformInvoice.objects.select_for_update().get(pk=invoice_id)
        tenant = Tenant.objects.get(pk=invoice.tenant_id)
    with tenant_context(tenant):
        amount = _money(amount, "amount")
        reason = (reason or "").strip()[:300]
        if amount <= 0:
            raise ValidationError({"amount": [_("Enter a positive amount.")]})
        if not reason:
            raise ValidationError({"reason": [_("This field is required.")]})
        refundable = invoice.paid - invoice.refunded
        if amount > refundable:
            raise ValidationError(
                {"amount": [_("More than can be refunded (%(n)s đ paid and not refunded).") % {"n": refundable}]}
            )
        earlier_vat = PlatformRefund.objects.filter(invoice=invoice).aggregate(v=Sum("vat"))["v"] or Decimal(0)
        vat = round_money(invoice.vat * (invoice.refunded + amount) / invoice.total) - Decimal(earlier_vat)
        vat = min(max(vat, Decimal(0)), amount)
        number = invoicing._next_number(on.year, counter=RefundCounter, prefix="NSR")
        try:
            provider_ref = invoicing.gateway().refund(invoice, amount, number)
        except invoicing.GatewayError as exc:
            raise ValidationError(_("The payment provider refused the refund: %(e)s") % {"e": exc}) from exc
        refund = PlatformRefund.objects.create(
            tenant=tenant,
            invoice=invoice,
            number=number,
            issued_on=on,
            reason=reason,
            subtotal=amount - vat,
            vat=vat,
            total=amount,
            provider_ref=provider_ref[:100],
            created_by=actor,
        )
        invoice.refunded += amount
        invoice.save(update_fields=["refunded"])
        audit.record(
            AuditAction.CREATE,
            actor=actor,
            tenant=tenant,
            obj=refund,
            after={"number": number, "invoice": invoice.number, "total": amount, "vat": vat, "reason": reason},
        )
        notifications.notify(
            tenant,
            "core.subscription.manage",
            "billing",
            _("NovaSaaS refund %(n)s: %(t)s đ") % {"n": number, "t": f"{amount:,.0f}".replace(",", ".")},
            _("Refund of invoice %(i)s: %(r)s") % {"i": invoice.number, "r": reason},
            url="/billing/",
        )
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
