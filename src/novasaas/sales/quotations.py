"""Sales quotations: draft → sent → accepted (a draft order with the same lines) / declined.

A draft or sent quotation past its validity date is *expired* (shown "Hết hạn", not stored): it can no
longer be sent or accepted. Lines are validated and priced by the order's code (``actions._build_lines``,
``totals.document_totals``), so an accepted quotation's order has the same totals to the đồng. Rights
are ``crm.customer.view`` to see and ``crm.quotation.manage`` to write (accepting also needs
``crm.order.create``: it makes an order); Sales Staff see the quotations of their own customers only.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from novasaas.identity.access import Principal
from novasaas.platform import audit
from novasaas.platform.events import message_key, publish, subscriber
from novasaas.platform.models import EffectMarker
from novasaas.platform.numbering import next_number
from novasaas.platform.tenancy import current_tenant
from novasaas.sales import actions, events, selectors
from novasaas.sales.models import Quotation, QuotationLine, QuotationStatus, SalesOrder, SalesOrderLine
from novasaas.sales.totals import vat_code_valid_on

PREFIX = "BG"
DEFAULT_VALIDITY_DAYS = 30
Rows = actions.Rows


# --- reads -----------------------------------------------------------------------------------------


def visible_quotations(p: Principal) -> QuerySet[Quotation]:
    qs = Quotation.objects.filter(tenant=p.tenant)
    if not selectors.sees_all(p):
        uid = p.user.pk if p.user else -1
        qs = qs.filter(Q(salesperson_id=uid) | Q(customer__salesperson_id=uid))
    return qs


def list_quotations(p: Principal, status: str = "", customer_id: int | None = None) -> QuerySet[Quotation]:
    """``status`` is a stored state or ``expired`` (draft/sent past the validity date)."""
    qs = visible_quotations(p).select_related("customer__party")
    today = timezone.localdate()
    open_states = [QuotationStatus.DRAFT, QuotationStatus.SENT]
    if status == "expired":
        qs = qs.filter(status__in=open_states, valid_until__lt=today)
    elif status in (QuotationStatus.DRAFT, QuotationStatus.SENT):
        qs = qs.filter(status=status, valid_until__gte=today)
    elif status in QuotationStatus.values:
        qs = qs.filter(status=status)
    if customer_id:
        qs = qs.filter(customer_id=customer_id)
    return qs.order_by("-date", "-id")


def get_quotation(p: Principal, quotation_id: int) -> Quotation:
    return (  # type: ignore[no-any-return]
        visible_quotations(p).select_related("customer__party", "order").prefetch_related("lines").get(pk=quotation_id)
    )


def customer_email(quotation: Quotation) -> str:
    from novasaas.parties.models import ContactKind, PartyContact

    contact = (
        PartyContact.objects.filter(party_id=quotation.customer.party_id, kind=ContactKind.EMAIL)
        .order_by("-is_primary", "id")
        .first()
    )
    return contact.value if contact else ""


# --- writes ----------------------------------------------------------------------------------------


def default_validity_days() -> int:
    """The company's default validity of a new quotation (order settings; 30 days when never set)."""
    from novasaas.sales.policy import get_settings

    tenant = current_tenant()
    return get_settings(tenant).quotation_validity_days if tenant is not None else DEFAULT_VALIDITY_DAYS


def _valid_until(value: Any, on: dt.date) -> dt.date:
    if value in (None, ""):
        return on + dt.timedelta(days=default_validity_days())
    try:
        until = value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])
    except ValueError as exc:
        raise ValidationError({"valid_until": [_("Enter a valid date.")]}) from exc
    if until < on:
        raise ValidationError({"valid_until": [_("The validity date cannot be before the quotation date.")]})
    return until


@transaction.atomic
def create_quotation(
    p: Principal, *, customer_id: int, lines: Rows, date: Any = None, valid_until: Any = None, note: str = ""
) -> Quotation:
    """A draft quotation, numbered BG-<year>-<n> (gapless), valid for the company's default number of
    days (order settings, 30 unless changed) unless told otherwise."""
    p.require("crm.quotation.manage")
    customer = selectors.visible_customers(p).filter(is_active=True, pk=customer_id).select_related("group").first()
    if customer is None:
        raise ValidationError({"customer_id": [_("Choose an active customer.")]})
    on = actions._date(date)
    quotation = Quotation(
        customer=customer,
        date=on,
        valid_until=_valid_until(valid_until, on),
        salesperson_id=customer.salesperson_id or (p.user.pk if p.user else None),
        note=(note or "")[:2000],
        created_by=p.user,
    )
    built = actions._build_lines(p, lines, on, customer, QuotationLine)
    actions._set_totals(quotation, built)
    quotation.number = f"{PREFIX}-{on.year}-{next_number('sales.quotation', str(on.year)):05d}"
    quotation.save()
    for line in built:
        line.quotation = quotation
        line.tenant_id = quotation.tenant_id
    QuotationLine.objects.bulk_create(built)
    audit.record_created(quotation, p.user)
    return quotation


def _lock(p: Principal, quotation_id: int) -> Quotation:
    return visible_quotations(p).select_for_update().select_related("customer").get(pk=quotation_id)  # type: ignore[no-any-return]


def _refuse(quotation: Quotation, *allowed: str) -> None:
    actions.refuse_unless(quotation, _("Quotation %(n)s is %(s)s."), *allowed)


def _refuse_expired(quotation: Quotation) -> None:
    if quotation.is_expired():
        raise ValidationError(
            {
                "valid_until": [
                    _("Quotation %(n)s expired on %(d)s.")
                    % {"n": quotation.number, "d": quotation.valid_until.strftime("%d/%m/%Y")}
                ]
            }
        )


@transaction.atomic
def update_quotation(
    p: Principal,
    quotation_id: int,
    *,
    lines: Rows | None = None,
    date: Any = None,
    valid_until: Any = None,
    note: str | None = None,
) -> Quotation:
    """Change a draft quotation (its lines are replaced when ``lines`` is given)."""
    p.require("crm.quotation.manage")
    quotation = _lock(p, quotation_id)
    _refuse(quotation, QuotationStatus.DRAFT)
    before = audit.snapshot(quotation)
    if date not in (None, ""):
        quotation.date = actions._date(date)
    if valid_until not in (None, ""):
        quotation.valid_until = _valid_until(valid_until, quotation.date)
    elif quotation.valid_until < quotation.date:
        raise ValidationError({"valid_until": [_("The validity date cannot be before the quotation date.")]})
    if note is not None:
        quotation.note = note[:2000]
    if lines is not None or date not in (None, ""):
        rows = lines if lines is not None else [actions._line_row(li) for li in quotation.lines.all()]
        built = actions._build_lines(p, rows, quotation.date, quotation.customer, QuotationLine)
        if quotation.coupon_id:
            from novasaas.sales import promotions

            promotions.reprice(quotation, built)  # the coupon follows the new lines
        quotation.lines.all().delete()
        for line in built:
            line.quotation = quotation
            line.tenant_id = quotation.tenant_id
        QuotationLine.objects.bulk_create(built)
        actions._set_totals(quotation, built)
    quotation.save()
    audit.record_updated(quotation, p.user, before)
    return quotation


@transaction.atomic
def send_quotation(p: Principal, quotation_id: int, *, to: str = "") -> Quotation:
    """Mark the quotation sent and email its PDF (after commit, through the outbox) to ``to`` or the
    customer's email. A sent quotation may be sent again (another copy, e.g. to another address)."""
    p.require("crm.quotation.manage")
    quotation = _lock(p, quotation_id)
    _refuse(quotation, QuotationStatus.DRAFT, QuotationStatus.SENT)
    _refuse_expired(quotation)
    from novasaas.platform.pdf import font_path

    if font_path() is None:
        raise ValidationError({"to": [_("The PDF cannot be printed on this server (no Unicode font).")]})
    address = (to or "").strip() or customer_email(quotation)
    if not address:
        raise ValidationError({"to": [_("The customer has no email address: type one.")]})
    try:
        validate_email(address)
    except ValidationError as exc:
        raise ValidationError({"to": [_("Enter a valid email address.")]}) from exc
    actions.move_to(p, quotation, QuotationStatus.SENT, sent_to=address[:254], sent_at=timezone.now())
    publish(
        events.QuotationSent(
            tenant_id=p.tenant.pk,
            quotation_id=quotation.pk,
            to=address,
            locale=translation.get_language() or "vi",
        )
    )
    return quotation


@transaction.atomic
def accept_quotation(p: Principal, quotation_id: int, *, warehouse_id: Any = None) -> SalesOrder:
    """The customer accepted: a draft sales order with the quotation's lines (same amounts), linked
    both ways. Refused when the quotation expired."""
    p.require("crm.quotation.manage")
    p.require("crm.order.create")
    return make_order_of(p, _lock(p, quotation_id), warehouse_id=warehouse_id)


def make_order_of(p: Principal, quotation: Quotation, *, warehouse_id: Any = None) -> SalesOrder:
    """What accepting does, on a quotation the caller has locked and may accept (staff: ``accept_quotation``;
    the customer's contact on the portal: ``portal.accept_quotation``), audited as ``p.user``."""
    _refuse(quotation, QuotationStatus.DRAFT, QuotationStatus.SENT)
    _refuse_expired(quotation)
    if not quotation.customer.is_active:
        raise ValidationError({"customer_id": [_("Customer %(c)s is inactive.") % {"c": quotation.customer.code}]})
    on = timezone.localdate()
    lines = list(quotation.lines.all())
    for line in lines:
        if not vat_code_valid_on(line.vat_code, on):
            raise ValidationError(
                {"vat_code": [_("The reduced VAT rate 8%% is not valid on %(d)s.") % {"d": on.strftime("%d/%m/%Y")}]}
            )
    order = SalesOrder(
        customer=quotation.customer,
        date=on,
        warehouse_id=actions._warehouse(p, warehouse_id),
        salesperson_id=quotation.salesperson_id,
        note=quotation.note,
        currency=quotation.currency,
        untaxed=quotation.untaxed,
        vat=quotation.vat,
        total=quotation.total,
        coupon_id=quotation.coupon_id,
        coupon_discount=quotation.coupon_discount,
        created_by=p.user,
    )
    order.number = f"{actions.ORDER_PREFIX}-{on.year}-{next_number('sales.order', str(on.year)):05d}"
    order.save()
    copied = [
        SalesOrderLine(
            tenant_id=order.tenant_id,
            order=order,
            **{f: getattr(li, f) for f in _LINE_FIELDS},
        )
        for li in lines
    ]
    SalesOrderLine.objects.bulk_create(copied)
    audit.record_created(order, p.user)
    actions.move_to(p, quotation, QuotationStatus.ACCEPTED, order=order)
    return order


_LINE_FIELDS = (
    "position",
    "product_id",
    "description",
    "unit",
    "quantity",
    "unit_price",
    "discount_percent",
    "allowance",
    "vat_code",
    "is_stocked",
    "is_service",
    "net_amount",
    "vat_amount",
    "total",
)


MAX_REVISIONS = 99


@transaction.atomic
def revise_quotation(p: Principal, quotation_id: int, *, date: Any = None) -> Quotation:
    """A new draft quotation replacing a sent or declined one (expired too): the same customer, lines and
    note, dated ``date`` (today), valid for the company's default days, numbered ``<first number>-R<n>``;
    the old one becomes "revised" (it can no longer be sent or accepted). Only the latest revision can
    be revised again."""
    p.require("crm.quotation.manage")
    old = _lock(p, quotation_id)
    _refuse(old, QuotationStatus.SENT, QuotationStatus.DECLINED)
    if old.revision >= MAX_REVISIONS:
        raise ValidationError({"status": [_("At most %(n)d revisions.") % {"n": MAX_REVISIONS}]})
    on = actions._date(date)
    if on < old.date:
        raise ValidationError({"date": [_("A revision cannot be dated before the quotation it replaces.")]})
    customer = old.customer
    if not customer.is_active:
        raise ValidationError({"customer_id": [_("Choose an active customer.")]})
    first = old.number.split("-R")[0]
    new = Quotation(
        customer=customer,
        date=on,
        valid_until=_valid_until(None, on),
        salesperson_id=old.salesperson_id,
        note=old.note,
        created_by=p.user,
        revision_of=old,
        revision=old.revision + 1,
        number=f"{first}-R{old.revision + 1}",
    )
    rows = [actions._line_row(li) for li in old.lines.all()]
    built = actions._build_lines(p, rows, on, customer, QuotationLine)
    actions._set_totals(new, built)
    new.save()
    for line in built:
        line.quotation = new
        line.tenant_id = new.tenant_id
    QuotationLine.objects.bulk_create(built)
    audit.record_created(new, p.user)
    actions.move_to(p, old, QuotationStatus.REVISED)
    return new


@transaction.atomic
def decline_quotation(p: Principal, quotation_id: int) -> Quotation:
    p.require("crm.quotation.manage")
    return decline(p, _lock(p, quotation_id))


def decline(p: Principal, quotation: Quotation) -> Quotation:
    """What declining does, on a quotation the caller has locked and may decline (audited as ``p.user``)."""
    _refuse(quotation, QuotationStatus.DRAFT, QuotationStatus.SENT)
    actions.move_to(p, quotation, QuotationStatus.DECLINED)
    return quotation


# --- PDF and email ---------------------------------------------------------------------------------


def quotation_pdf(quotation: Quotation) -> bytes:
    """The quotation as PDF (Vietnamese): company header, customer, lines, totals, amount in words,
    validity date. ``platform.pdf.PdfUnavailable`` without a Unicode font."""
    from novasaas.sales import printing

    party = quotation.customer.party
    pdf = printing.start(quotation.tenant, "BÁO GIÁ", quotation.number, quotation.date)
    pdf.multi_cell(0, 5, f"Kính gửi: {party.name}", new_x="LMARGIN", new_y="NEXT")
    if party.tax_code:
        pdf.multi_cell(0, 5, f"Mã số thuế: {party.tax_code}", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    printing.priced_lines(pdf, list(quotation.lines.all()), quotation)
    pdf.ln(2)
    pdf.set_font("Body", "", 9.5)
    pdf.multi_cell(
        0, 5.5, f"Báo giá có hiệu lực đến ngày {quotation.valid_until:%d/%m/%Y}.", new_x="LMARGIN", new_y="NEXT"
    )
    if quotation.note:
        pdf.multi_cell(0, 5.5, f"Ghi chú: {quotation.note}", new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


@subscriber(events.QuotationSent, module="CRM", after_commit=True)
def email_quotation(event: events.QuotationSent, message_id: int | None = None) -> None:
    """Outbox handler: email the quotation's PDF once per recipient (docs/architecture.md "Delivery
    guarantees": Message-ID from the outbox message, an ``EffectMarker`` once the server accepted it)."""
    from novasaas.platform.notifications import email_message_id

    key = f"email:{message_key(message_id, event.to)}"[:300] if message_id is not None else ""
    if key and EffectMarker.objects.filter(key=key).exists():
        return
    quotation = Quotation.objects.select_related("customer__party", "tenant").get(pk=event.quotation_id)
    with translation.override(event.locale or "vi"):
        subject = _("Quotation %(n)s from %(c)s") % {"n": quotation.number, "c": quotation.tenant.name}
        body = _("Please find attached our quotation %(n)s, valid until %(d)s.") % {
            "n": quotation.number,
            "d": quotation.valid_until.strftime("%d/%m/%Y"),
        }
    headers = {"Message-ID": email_message_id(message_id)} if message_id is not None else {}
    message = EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [event.to], headers=headers)
    message.attach(f"{quotation.number}.pdf", quotation_pdf(quotation), "application/pdf")
    message.send()
    if key:
        EffectMarker.objects.create(tenant=current_tenant(), key=key)


# --- expiry notices --------------------------------------------------------------------------------


def notify_expiring(tenant: Any, on: dt.date | None = None) -> int:
    """Tell each sent quotation's salesperson (else its author) once that it expires within the
    company's notice period (``quotation_expiry_notice_days`` from ``on``, today by default) or has
    expired unanswered. A conditional UPDATE of ``expiry_notified_at`` claims the quotation first, so two
    runs at once never notify twice. Returns how many notices were sent."""
    from novasaas.platform.notifications import notify
    from novasaas.platform.tenancy import tenant_context
    from novasaas.sales.policy import get_settings

    day = on or timezone.localdate()
    sent = 0
    with tenant_context(tenant):
        limit = day + dt.timedelta(days=get_settings(tenant).quotation_expiry_notice_days)
        due = list(
            Quotation.objects.filter(status=QuotationStatus.SENT, valid_until__lte=limit, expiry_notified_at=None)
            .select_related("customer__party", "salesperson", "created_by")
            .order_by("valid_until", "id")
        )
        for quotation in due:
            recipient = quotation.salesperson or quotation.created_by
            if recipient is None:
                continue
            with transaction.atomic():
                claimed = Quotation.objects.filter(pk=quotation.pk, expiry_notified_at=None).update(
                    expiry_notified_at=timezone.now()
                )
                if not claimed:
                    continue
                values = {
                    "n": quotation.number,
                    "c": quotation.customer.party.name,
                    "d": f"{quotation.valid_until:%d/%m/%Y}",
                }
                title = (
                    _("Quotation %(n)s to %(c)s expired on %(d)s without an answer") % values
                    if quotation.valid_until < day
                    else _("Quotation %(n)s to %(c)s expires on %(d)s") % values
                )
                notify(tenant, [recipient], "sales", title, url=f"/sales/quotations/{quotation.pk}/")
                sent += 1
    return sent


def notify_expiring_all_tenants(on: dt.date | None = None) -> int:
    """The daily run over every tenant with CRM (``novasaas sales_quotation_expiry``)."""
    from novasaas.platform.models import Tenant
    from novasaas.platform.tenancy import platform_context

    with platform_context():
        tenants = [t for t in Tenant.objects.all() if t.has_module("CRM")]
    return sum(notify_expiring(t, on) for t in tenants)
