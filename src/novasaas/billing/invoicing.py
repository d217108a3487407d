"""Platform invoices to tenants, their payments (Master Admin or a payment gateway), and the daily
billing run: renewals, trial ends, invoicing, dunning reminders and read-only suspension.

Invoices are numbered gaplessly per year (``InvoiceCounter`` row locked while a number is taken),
itemised from the tenant's uninvoiced charges, with VAT (10 % by default) on the subtotal, whole đồng.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
from decimal import Decimal
from typing import Any, Protocol

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from novasaas.billing import actions
from novasaas.billing.middleware import forget as read_only_cache_forget
from novasaas.billing.models import (
    Charge,
    ChargeKind,
    InvoiceCounter,
    InvoiceStatus,
    MrrSnapshot,
    PaymentMethod,
    PlatformCredit,
    PlatformInvoice,
    PlatformInvoiceLine,
    PlatformPayment,
    Subscription,
    SubscriptionStatus,
)
from novasaas.platform import audit, notifications
from novasaas.platform.models import AuditAction, Tenant
from novasaas.platform.money import round_money
from novasaas.platform.tenancy import platform_context, tenant_context

notifications.register_kind(notifications.NotificationKind("billing", gettext_lazy("Billing"), email_default=True))

SELLER_DEFAULT = {
    "name": "Công ty Cổ phần NovaSaaS",
    "tax_code": "0100109106",
    "address": "Hà Nội, Việt Nam",
    "bank": "Vietcombank 0011000000000",
}


def seller() -> dict[str, str]:
    """The platform's legal data (``settings.BILLING_SELLER`` overrides the development default)."""
    return {**SELLER_DEFAULT, **getattr(settings, "BILLING_SELLER", {})}


def vat_rate() -> Decimal:
    return Decimal(str(getattr(settings, "BILLING_VAT_PERCENT", "10")))


def due_days() -> int:
    return int(getattr(settings, "BILLING_DUE_DAYS", 7))


def grace_days() -> int:
    """Days after the due date before an unpaid tenant becomes read-only."""
    return int(getattr(settings, "BILLING_GRACE_DAYS", 14))


REMINDER_DAYS = (0, 3, 7)  # after the due date


def _next_number(year: int, *, counter: Any = InvoiceCounter, prefix: str = "NS") -> str:
    """The next gapless number of the year (invoices ``NS-``, refund credit notes ``NSR-``): the
    counter row is locked until the transaction ends, and rolled back with it."""
    row = counter.objects.select_for_update().filter(year=year).first()
    if row is None:
        try:
            with transaction.atomic():
                counter.objects.create(year=year)
        except IntegrityError:
            pass  # created by a concurrent transaction: lock it below
        row = counter.objects.select_for_update().get(year=year)
    value = row.next_value
    counter.objects.filter(year=year).update(next_value=value + 1)
    return f"{prefix}-{year}-{value:05d}"


@transaction.atomic
def invoice_charges(
    tenant: Tenant, *, on: dt.date | None = None, only: list[int] | None = None
) -> PlatformInvoice | None:
    """Invoice every uninvoiced charge of ``tenant`` (None when there is nothing to invoice), notify
    the tenant's admins (in-app and email through the outbox). ``only``: just these charges (a one-off
    invoice of ``add_charge(..., invoice_now=True)``; the others wait for the next run)."""
    on = on or timezone.localdate()
    with tenant_context(tenant):
        pending = Charge.objects.select_for_update().filter(tenant_id=tenant.pk, invoiced=False)
        if only is not None:
            pending = pending.filter(pk__in=only)
        charges = list(pending.order_by("id"))
        if not charges:
            return None
        gross = sum((c.amount for c in charges), Decimal(0))
        terms = Subscription.objects.filter(tenant_id=tenant.pk).only("discount_percent", "discount_until").first()
        percent = terms.discount_on(on) if terms else Decimal(0)  # up to its end date, inclusive
        discount = round_money(gross * percent / 100)
        credits, credit = _take_credits(tenant, gross - discount)
        subtotal = gross - discount - credit
        rate = vat_rate()
        vat = round_money(subtotal * rate / 100)
        invoice = PlatformInvoice.objects.create(
            tenant=tenant,
            number=_next_number(on.year),
            issued_on=on,
            due_on=on + dt.timedelta(days=due_days()),
            discount=discount,
            credit=credit,
            subtotal=subtotal,
            vat_rate=rate,
            vat=vat,
            total=subtotal + vat,
        )
        PlatformInvoiceLine.objects.bulk_create(
            [
                PlatformInvoiceLine(
                    invoice=invoice, tenant=tenant, kind=c.kind, description=c.description, amount=c.amount
                )
                for c in charges
            ]
        )
        if discount:
            PlatformInvoiceLine.objects.create(
                invoice=invoice,
                tenant=tenant,
                kind=ChargeKind.DISCOUNT,
                description=_("Discount %(p)s %%") % {"p": f"{percent.normalize():f}"},
                amount=-discount,
            )
        for row in credits:
            row.invoice = invoice
            row.save(update_fields=["invoice"])
            PlatformInvoiceLine.objects.create(
                invoice=invoice,
                tenant=tenant,
                kind=ChargeKind.CREDIT,
                description=_("Credit note: %(d)s") % {"d": row.description},
                amount=-row.amount,
            )
        Charge.objects.filter(pk__in=[c.pk for c in charges]).update(invoiced=True, invoice=invoice)
        audit.record(
            AuditAction.CREATE, tenant=tenant, obj=invoice, after={"number": invoice.number, "total": invoice.total}
        )
        if invoice.total > 0:
            notifications.notify(
                tenant,
                "core.subscription.manage",
                "billing",
                _("NovaSaaS invoice %(n)s: %(t)s đ due %(d)s")
                % {
                    "n": invoice.number,
                    "t": f"{invoice.total:,.0f}".replace(",", "."),
                    "d": f"{invoice.due_on:%d/%m/%Y}",
                },
                _("Pay by bank transfer with the reference %(n)s, or online from the Subscription page.")
                % {"n": invoice.number},
                url="/billing/",
            )
        else:
            invoice.status = InvoiceStatus.PAID
            invoice.paid_at = timezone.now()
            invoice.save(update_fields=["status", "paid_at"])
    return invoice


def _take_credits(tenant: Tenant, room: Decimal) -> tuple[list[PlatformCredit], Decimal]:
    """The tenant's unapplied credit notes that fit in ``room`` (oldest first, locked); a credit larger
    than what is left is split: the part used goes on this invoice, the rest waits for the next one."""
    taken: list[PlatformCredit] = []
    total = Decimal(0)
    for row in PlatformCredit.objects.select_for_update().filter(tenant_id=tenant.pk, invoice__isnull=True):
        left = room - total
        if left <= 0:
            break
        if row.amount > left:
            PlatformCredit.objects.create(
                tenant_id=tenant.pk,
                kind=row.kind,
                description=row.description,
                amount=row.amount - left,
                created_on=row.created_on,
                promotion=row.promotion,
            )
            row.amount = left
            row.save(update_fields=["amount"])
        taken.append(row)
        total += row.amount
    return taken, total


def _reactivate_if_settled(tenant: Tenant) -> None:
    sub = Subscription.objects.select_for_update().filter(tenant_id=tenant.pk).first()
    if sub is None or sub.status not in (SubscriptionStatus.PAST_DUE, SubscriptionStatus.READ_ONLY):
        return
    if PlatformInvoice.objects.filter(tenant_id=tenant.pk, status=InvoiceStatus.ISSUED).exists():
        return
    before = sub.status
    sub.status = SubscriptionStatus.ACTIVE
    sub.updated_at = timezone.now()
    sub.save(update_fields=["status", "updated_at"])
    read_only_cache_forget(tenant.pk)
    actions._event(sub, "reactivated", was=before)
    audit.record(
        AuditAction.UPDATE,
        tenant=tenant,
        obj=sub,
        before={"status": before},
        after={"status": sub.status},
        message="reactivated on payment",
    )


@transaction.atomic
def record_payment(
    invoice_id: int, *, amount: Any, reference: str, method: str = PaymentMethod.BANK, actor: Any = None
) -> PlatformPayment | None:
    """Record a payment of an invoice. A Master Admin records bank transfers; the gateway records its
    own (``actor`` None). The same reference twice records nothing (None): callbacks are idempotent.
    Paid in full, the invoice is paid and a past-due or read-only tenant is active again."""
    if method == PaymentMethod.BANK and not getattr(actor, "is_master_admin", False):
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied(_("Master Admin only."))
    with platform_context():
        invoice = PlatformInvoice.objects.select_for_update().get(pk=invoice_id)
        tenant = Tenant.objects.get(pk=invoice.tenant_id)
    with tenant_context(tenant):
        amount = actions._money(amount, "amount")
        reference = (reference or "").strip()[:100]
        if amount <= 0 or not reference:
            raise ValidationError(_("Enter a positive amount and a reference."))
        if PlatformPayment.objects.filter(method=method, reference=reference).exists():
            return None
        if invoice.status != InvoiceStatus.ISSUED:
            raise ValidationError(_("This invoice is not awaiting payment."))
        if invoice.paid + amount > invoice.total:
            raise ValidationError(_("More than the amount due (%(due)s).") % {"due": invoice.total - invoice.paid})
        payment = PlatformPayment.objects.create(
            invoice=invoice, tenant=tenant, method=method, reference=reference, amount=amount, recorded_by=actor
        )
        invoice.paid += amount
        if invoice.paid == invoice.total:
            invoice.status = InvoiceStatus.PAID
            invoice.paid_at = timezone.now()
        invoice.save(update_fields=["paid", "status", "paid_at"])
        audit.record(
            AuditAction.CREATE,
            actor=actor,
            tenant=tenant,
            obj=payment,
            after={"invoice": invoice.number, "amount": amount, "method": method, "reference": reference},
        )
        if invoice.status == InvoiceStatus.PAID:
            _reactivate_if_settled(tenant)
    return payment


# --- payment gateway --------------------------------------------------------------------------------


class PaymentGateway(Protocol):
    """What a payment provider adapter offers: a payment link for an invoice, and the verification of
    its signed callback (returns the invoice number, amount and the provider's transaction id)."""

    def payment_url(self, invoice: PlatformInvoice) -> str: ...

    def verify_callback(self, body: bytes, signature: str) -> dict[str, Any]: ...

    def refund(self, invoice: PlatformInvoice, amount: Decimal, reference: str) -> str:
        """Pay ``amount`` of ``invoice`` back; returns the provider's refund id (``GatewayError`` when
        refused). ``reference`` (the credit note's number) is the idempotency key of the request."""
        ...


class GatewayError(Exception):
    """A callback whose signature or content does not verify: answered 400, nothing recorded."""


class FakeGateway:
    """The test and development gateway: HMAC-SHA256 of the raw body with ``BILLING_GATEWAY_SECRET``."""

    def __init__(self, secret: str | None = None) -> None:
        self.secret = (secret or getattr(settings, "BILLING_GATEWAY_SECRET", "") or settings.SECRET_KEY).encode()
        self.refunds: list[tuple[str, Decimal, str]] = []  # what this instance paid back (tests)

    def sign(self, body: bytes) -> str:
        return hmac.new(self.secret, body, hashlib.sha256).hexdigest()

    def payment_url(self, invoice: PlatformInvoice) -> str:
        return f"/billing/invoices/{invoice.pk}/?pay=fake"

    def refund(self, invoice: PlatformInvoice, amount: Decimal, reference: str) -> str:
        self.refunds.append((invoice.number, amount, reference))
        return f"fake-refund-{reference}"

    def verify_callback(self, body: bytes, signature: str) -> dict[str, Any]:
        if not hmac.compare_digest(self.sign(body), signature or ""):
            raise GatewayError("bad signature")
        try:
            data = json.loads(body)
            return {
                "invoice": str(data["invoice"]),
                "amount": Decimal(str(data["amount"])),
                "transaction": str(data["transaction"]),
            }
        except (ValueError, KeyError, TypeError, ArithmeticError) as exc:
            raise GatewayError("bad body") from exc


def gateway() -> PaymentGateway:
    return FakeGateway()


def handle_callback(body: bytes, signature: str) -> PlatformPayment | None:
    """Verify a gateway callback and record its payment once (a repeated callback returns None)."""
    data = gateway().verify_callback(body, signature)
    with platform_context():
        invoice = PlatformInvoice.objects.filter(number=data["invoice"]).first()
    if invoice is None:
        raise GatewayError("unknown invoice")
    return record_payment(
        invoice.pk, amount=data["amount"], reference=data["transaction"], method=PaymentMethod.GATEWAY
    )


# --- the daily run -------------------------------------------------------------------------------------


def run_billing_day(on: dt.date | None = None) -> dict[str, int]:
    """Once a day (worker task ``billing.tasks.billing_day``): renew ended periods and trials, invoice
    new charges, remind unpaid invoices at the due date, +3 and +7 days, and make a tenant read-only
    when an invoice is unpaid ``grace_days()`` after its due date. Idempotent for a given day."""
    on = on or timezone.localdate()
    counts = {"renewed": 0, "invoiced": 0, "reminded": 0, "read_only": 0, "trial_reminded": 0}
    with platform_context():
        subscribed = set(Subscription.objects.values_list("tenant_id", flat=True))
        # another app's charges (an AI pack) may name a tenant without subscription: invoiced and dunned
        others = set(Charge.objects.filter(invoiced=False).values_list("tenant_id", flat=True)) | set(
            PlatformInvoice.objects.filter(status=InvoiceStatus.ISSUED).values_list("tenant_id", flat=True)
        )
    for tenant_id in sorted(subscribed | others):
        with platform_context():
            tenant = Tenant.objects.get(pk=tenant_id)
        with tenant_context(tenant):
            if tenant_id in subscribed and actions.renew(tenant, on=on):
                counts["renewed"] += 1
            if invoice_charges(tenant, on=on):
                counts["invoiced"] += 1
            reminded, suspended = _dun(tenant, on)
            counts["reminded"] += reminded
            counts["read_only"] += suspended
            counts["trial_reminded"] += remind_trial_end(tenant, on)
            snapshot_mrr(tenant, on)
    return counts


TRIAL_REMINDER_DAYS = (7, 3, 1)  # days before the trial ends


@transaction.atomic
def remind_trial_end(tenant: Tenant, on: dt.date) -> int:
    """Remind the tenant's admins 7, 3 and 1 day(s) before its trial ends, once each (a run that
    missed days sends one reminder for the thresholds passed). Returns 1 when a reminder went out."""
    sub = Subscription.objects.select_for_update().select_related("plan").filter(tenant_id=tenant.pk).first()
    if sub is None or sub.status != SubscriptionStatus.TRIALING or sub.trial_ends_on is None:
        return 0
    left = (sub.trial_ends_on - on).days
    due = sum(1 for d in TRIAL_REMINDER_DAYS if 0 < left <= d)
    if due <= sub.trial_reminders_sent:
        return 0
    sub.trial_reminders_sent = due
    sub.save(update_fields=["trial_reminders_sent"])
    amount = actions.amount_of(sub)
    notifications.notify(
        tenant,
        "core.subscription.manage",
        "billing",
        _("Your NovaSaaS trial ends in %(n)s day(s)") % {"n": left},
        _(
            "The trial ends on %(d)s. Then the plan %(plan)s is invoiced (%(t)s đ per period); you can change"
            " the plan or cancel on the Subscription page."
        )
        % {"d": f"{sub.trial_ends_on:%d/%m/%Y}", "plan": sub.plan.name, "t": f"{amount:,.0f}".replace(",", ".")},
        url="/billing/",
    )
    actions._event(sub, "trial_reminder", days_left=left)
    return 1


def snapshot_mrr(tenant: Tenant, on: dt.date) -> MrrSnapshot | None:
    """Record the tenant's MRR for the month of ``on`` (the last run of the month wins)."""
    from novasaas.billing.selectors import subscription_mrr

    sub = (
        Subscription.objects.select_related("plan", "price")
        .prefetch_related("addons__addon", "addons__price")
        .filter(tenant_id=tenant.pk)
        .first()
    )
    if sub is None:
        return None
    snapshot, _created = MrrSnapshot.objects.update_or_create(
        tenant=tenant,
        month=on.replace(day=1),
        defaults={"mrr": subscription_mrr(sub), "plan": sub.plan.code, "updated_at": timezone.now()},
    )
    return snapshot


@transaction.atomic
def _dun(tenant: Tenant, on: dt.date) -> tuple[int, int]:
    reminded = 0
    overdue_since: dt.date | None = None
    for invoice in PlatformInvoice.objects.select_for_update().filter(tenant_id=tenant.pk, status=InvoiceStatus.ISSUED):
        late = (on - invoice.due_on).days
        due_reminders = sum(1 for d in REMINDER_DAYS if late >= d)
        if due_reminders > invoice.reminders_sent:
            invoice.reminders_sent = due_reminders
            invoice.save(update_fields=["reminders_sent"])
            notifications.notify(
                tenant,
                "core.subscription.manage",
                "billing",
                _("Reminder: NovaSaaS invoice %(n)s is due") % {"n": invoice.number},
                _("%(t)s đ due %(d)s. Without payment the workspace becomes read-only %(g)s days after the due date.")
                % {"t": invoice.total - invoice.paid, "d": f"{invoice.due_on:%d/%m/%Y}", "g": grace_days()},
                url="/billing/",
            )
            reminded += 1
        if late >= 0:
            overdue_since = min(overdue_since or invoice.due_on, invoice.due_on)
    sub = Subscription.objects.select_for_update().filter(tenant_id=tenant.pk).first()
    if (
        sub is None
        or overdue_since is None
        or sub.status in (SubscriptionStatus.CANCELLED, SubscriptionStatus.READ_ONLY)
    ):
        return reminded, 0
    before = sub.status
    target = SubscriptionStatus.READ_ONLY if (on - overdue_since).days >= grace_days() else SubscriptionStatus.PAST_DUE
    if target == before:
        return reminded, 0
    if target == SubscriptionStatus.READ_ONLY and _fall_back_to_free(tenant, sub):
        return reminded, 0
    sub.status = target
    sub.updated_at = timezone.now()
    sub.save(update_fields=["status", "updated_at"])
    read_only_cache_forget(tenant.pk)
    actions._event(sub, target, overdue_since=overdue_since)
    audit.record(
        AuditAction.UPDATE,
        tenant=tenant,
        obj=sub,
        before={"status": before},
        after={"status": target},
        message="dunning",
    )
    return reminded, int(target == SubscriptionStatus.READ_ONLY)


def _fall_back_to_free(tenant: Tenant, sub: Subscription) -> bool:
    """A trial that ended unpaid: the tenant moves to Free Forever instead of read-only when its data
    fits Free Forever's limits (§12.7: never loses data); its unpaid invoices are voided. A tenant that
    ever paid, or whose data does not fit, goes read-only."""
    from novasaas.billing.models import Plan, SubscriptionEvent

    free = Plan.objects.filter(code="free", is_active=True).first()
    was_trial = SubscriptionEvent.objects.filter(subscription=sub, kind="renewed", detail__was="trialing").exists()
    ever_paid = PlatformInvoice.objects.filter(tenant_id=tenant.pk, status=InvoiceStatus.PAID, total__gt=0).exists()
    if free is None or not was_trial or ever_paid or actions.over_limits(sub, free):
        return False
    before = {"status": sub.status, "plan": sub.plan.code}
    voided = list(PlatformInvoice.objects.filter(tenant_id=tenant.pk, status=InvoiceStatus.ISSUED, paid=0))
    PlatformInvoice.objects.filter(pk__in=[i.pk for i in voided]).update(status=InvoiceStatus.VOID)
    sub.plan, sub.price, sub.next_plan = free, actions.current_price(plan=free), None
    sub.extra_users, sub.next_extra_users = 0, None
    sub.status = SubscriptionStatus.ACTIVE
    sub.updated_at = timezone.now()
    sub.save()
    sub.addons.all().delete()
    actions._apply_modules(tenant, free, keep=False)
    read_only_cache_forget(tenant.pk)
    actions._event(sub, "fell_back_to_free", voided=[i.number for i in voided])
    audit.record(
        AuditAction.UPDATE,
        tenant=tenant,
        obj=sub,
        before=before,
        after={"status": sub.status, "plan": free.code},
        message="unpaid trial: Free Forever",
    )
    return True
