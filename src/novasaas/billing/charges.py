"""Charges from other apps (an AI credit pack, an AI BYOK plan fee): the one public way for an app to
sell something through the platform's invoices (re-exported as ``billing.actions.add_charge``).

Like Stripe's invoice items: a charge is *pending* and goes on the tenant's next invoice (the daily
run's ``invoice_charges``, with the subscription's own charges), or, for a one-time purchase, it is
invoiced at once on a one-off invoice of its own (``invoice_now=True``, Stripe's one-off invoice with
``pending_invoice_items_behavior=exclude``). Either way the invoice follows billing's one rule
(tenant discount %, credit notes, VAT ``BILLING_VAT_PERCENT`` on the subtotal, gapless number, due in
``BILLING_DUE_DAYS``, dunning). Amounts are whole đồng before VAT, like every catalogue price.

Idempotent by ``source_ref`` (unique per tenant): the reference names what is sold (``ai-pack:<ledger
entry>``, ``ai-byok:<period start>``); a second call with a reference already charged changes nothing
and returns the first charge, so a caller's retry never charges twice.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from novasaas.billing.models import EXTERNAL_CHARGE_KINDS, Charge, PlatformInvoice, Subscription
from novasaas.platform import audit
from novasaas.platform.events import DomainEvent, publish
from novasaas.platform.models import AuditAction, Tenant
from novasaas.platform.tenancy import current_tenant_id, tenant_context


@dataclass(frozen=True, kw_only=True)
class SubscriptionPeriodStarted(DomainEvent):
    """A paid period of a subscription has started (first paid period, renewal, end of trial), published
    in the transaction that charges it: an app that sells a recurring fee with the subscription (AI BYOK
    plans) adds its charge for the period here, so it goes on the same invoice. Dates are ISO strings."""

    period_start: str
    period_end: str  # exclusive
    period: str  # monthly | annual


@dataclass(frozen=True, kw_only=True)
class InvoiceRefunded(DomainEvent):
    """Money paid on a platform invoice was refunded (a credit note ``NSR-…``), published in the refund's
    transaction before the money is paid back: an app that sold something on the invoice takes it back
    here (AI: the credits of a refunded pack), or the refund fails as a whole. ``refunded_before`` and
    ``refunded_after`` (VAT included, whole đồng as strings) over ``invoice_total`` say which share of the
    invoice has been refunded; ``charges`` are the invoice's charges (``kind``, ``source_ref``,
    ``amount``)."""

    invoice_id: int
    invoice_number: str
    refund_number: str
    invoice_total: str
    refunded_before: str
    refunded_after: str
    charges: list[dict[str, str]]


def publish_invoice_refunded(invoice: PlatformInvoice, refund_number: str, refunded_before: Any) -> None:
    """Publish ``InvoiceRefunded`` (in the tenant's context: the refund runs in it)."""
    rows = Charge.objects.filter(tenant_id=invoice.tenant_id, invoice=invoice).order_by("id")
    publish(
        InvoiceRefunded(
            tenant_id=invoice.tenant_id,
            invoice_id=invoice.pk,
            invoice_number=invoice.number,
            refund_number=refund_number,
            invoice_total=str(invoice.total),
            refunded_before=str(refunded_before),
            refunded_after=str(invoice.refunded),
            charges=[{"kind": c.kind, "source_ref": c.source_ref or "", "amount": str(c.amount)} for c in rows],
        )
    )


def publish_period_started(sub: Subscription) -> None:
    tenant = Tenant.objects.get(pk=sub.tenant_id)
    event = SubscriptionPeriodStarted(
        tenant_id=sub.tenant_id,
        period_start=sub.period_start.isoformat(),
        period_end=sub.period_end.isoformat(),
        period=sub.period,
    )
    if current_tenant_id() == tenant.pk:
        publish(event)
    else:
        with tenant_context(tenant):
            publish(event)


@dataclass(frozen=True)
class ChargeResult:
    charge: Charge
    invoice: PlatformInvoice | None  # the one-off invoice (invoice_now), or the one it already went on
    created: bool  # False: the reference was already charged (a retry)


def add_charge(
    tenant: Tenant,
    kind: str,
    description: str,
    amount: Any,
    on: dt.date | None,
    source_ref: str,
    *,
    invoice_now: bool = False,
) -> ChargeResult:
    """Charge ``tenant`` ``amount`` đồng (before VAT) for ``kind`` (``EXTERNAL_CHARGE_KINDS``), once per
    ``source_ref``. Pending until the next invoicing run, or invoiced at once with ``invoice_now``.

    Runs in the caller's transaction (an app writes its own record and the charge together, or neither)
    and in the tenant's context. Bad input raises ``ValidationError`` and writes nothing."""
    from novasaas.billing.actions import _money
    from novasaas.billing.invoicing import invoice_charges

    if kind not in EXTERNAL_CHARGE_KINDS:
        raise ValidationError({"kind": [_("Unknown charge kind.")]})
    amount = _money(amount, "amount")
    if amount <= 0:
        raise ValidationError({"amount": [_("A charge is a positive amount of đồng.")]})
    source_ref = (source_ref or "").strip()
    description = (description or "").strip()
    if not source_ref or len(source_ref) > 120:
        raise ValidationError({"source_ref": [_("A reference of 1 to 120 characters is required.")]})
    if not description:
        raise ValidationError({"description": [_("This field is required.")]})
    on = on or timezone.localdate()
    scope = tenant_context(tenant) if current_tenant_id() != tenant.pk else contextlib.nullcontext()
    with scope, transaction.atomic():
        charge = _existing(tenant, source_ref)
        created = False
        if charge is None:
            sub = Subscription.objects.filter(tenant_id=tenant.pk).first()
            try:
                with transaction.atomic():
                    charge = Charge.objects.create(
                        tenant=tenant,
                        subscription=sub,
                        kind=kind,
                        description=description[:300],
                        on=on,
                        amount=amount,
                        source_ref=source_ref,
                    )
                created = True
            except IntegrityError:  # a concurrent call with the same reference won
                charge = _existing(tenant, source_ref)
                if charge is None:  # pragma: no cover - the constraint names it
                    raise
            if created:
                audit.record(
                    AuditAction.CREATE,
                    tenant=tenant,
                    obj=charge,
                    after={"kind": kind, "amount": amount, "source_ref": source_ref, "on": on},
                    message="charge from another app",
                )
        invoice = None
        if charge.invoiced:
            invoice = PlatformInvoice.objects.filter(pk=charge.invoice_id or 0).first()
        elif invoice_now:
            invoice = invoice_charges(tenant, on=on, only=[charge.pk])
            charge.refresh_from_db()
    return ChargeResult(charge=charge, invoice=invoice, created=created)


def _existing(tenant: Tenant, source_ref: str) -> Charge | None:
    return Charge.objects.select_for_update().filter(tenant_id=tenant.pk, source_ref=source_ref).first()
