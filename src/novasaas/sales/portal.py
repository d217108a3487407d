"""The customer portal (spec §5, role Customer): a customer's contact person signs in and sees only
that customer's orders (with their deliveries and back-orders), invoices (open amount, PDF with VietQR),
quotations sent to them (accept / decline online) and the receivable balance.

Access: the principal holds ``crm.portal`` (role ``customer`` only) **and** has an active
``PortalAccount`` of an active customer; every read filters on that account's customer, so another
customer's id is a 404 like another tenant's. Staff rights are never needed nor granted: the portal role
holds nothing else, and staff pages and API operations refuse it (403).

Invitation: Sales Staff (their own customers) or the Sales Manager invite a contact person with an
email (``crm.customer.edit``) through identity's invitation (``invite_portal_user``: the same link and
set-password page as members); the account is linked to the user when the invitation is accepted
(``InvitationAccepted``). Portal users are not paid users of the plan (``billing.limits``).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from novasaas.identity.access import Principal
from novasaas.identity.catalogue import CUSTOMER
from novasaas.identity.events import InvitationAccepted
from novasaas.platform import audit
from novasaas.platform.events import subscriber
from novasaas.sales import quotations, selectors
from novasaas.sales.customers import check_contact
from novasaas.sales.models import (
    CustomerContact,
    OrderStatus,
    PortalAccount,
    Quotation,
    QuotationStatus,
    SalesInvoice,
    SalesOrder,
)

ZERO = Decimal(0)
# What a customer sees of quotations: those sent to them and what became of them (never drafts or
# superseded revisions, which are the company's working papers).
VISIBLE_QUOTATION_STATES = (QuotationStatus.SENT, QuotationStatus.ACCEPTED, QuotationStatus.DECLINED)


# --- the account -----------------------------------------------------------------------------------


def portal_account(p: Principal) -> PortalAccount:
    """The principal's portal account; 403 without ``crm.portal`` or without an active account of an
    active customer."""
    p.require("crm.portal")
    account = (
        PortalAccount.objects.select_related("customer__party", "contact")
        .filter(user_id=p.user.pk if p.user else -1, is_active=True, customer__is_active=True)
        .first()
    )
    if account is None:
        raise PermissionDenied(_("Your sign-in is not linked to a customer account. Ask your contact at the company."))
    return account  # type: ignore[no-any-return]


def list_accounts(p: Principal, customer_id: int) -> list[PortalAccount]:
    """The portal accounts of a customer the (staff) principal sees."""
    customer = selectors.get_customer(p, customer_id)
    return list(PortalAccount.objects.filter(customer=customer).select_related("contact", "user"))


def invite_contact(p: Principal, customer_id: int, contact_id: int, *, base_url: str = "") -> PortalAccount:
    """Invite a contact person of a customer the principal sees to the portal (``crm.customer.edit``).

    Refused (400) without an email on the contact, or when the contact already signed in to its account;
    a pending invitation is replaced by a new one (the old link stops working)."""
    return invite_contact_with_token(p, customer_id, contact_id, base_url=base_url)[0]


@transaction.atomic
def invite_contact_with_token(
    p: Principal, customer_id: int, contact_id: int, *, base_url: str = ""
) -> tuple[PortalAccount, str]:
    """``invite_contact``, also returning the invitation's token (the demo loader accepts it at once)."""
    p.require("crm.customer.edit")
    customer = selectors.visible_customers(p).select_for_update().get(pk=customer_id)
    contact = CustomerContact.objects.get(customer=customer, pk=contact_id)
    if not customer.is_active:
        raise ValidationError(_("Customer %(c)s is inactive.") % {"c": customer.code})
    if not contact.email:
        raise ValidationError({"email": [_("Add the contact person's email before inviting them.")]})
    account = PortalAccount.objects.select_for_update().filter(contact=contact).first()
    if account is not None and account.user_id is not None:
        raise ValidationError(_("%(name)s already has a portal account.") % {"name": contact.name})
    from novasaas.identity.actions import invite_portal_user, revoke_pending_invitation

    if account is not None and account.invitation_id is not None:
        revoke_pending_invitation(account.invitation_id)
    invitation, token = invite_portal_user(
        p, email=contact.email, role_code=CUSTOMER, base_url=base_url, template="sales/portal/email_invitation.txt"
    )
    if account is None:
        account = PortalAccount(customer=customer, contact=contact)
        before = None
    else:
        before = audit.snapshot(account)
    account.email, account.invitation, account.invited_by, account.is_active = contact.email, invitation, p.user, True
    account.save()
    if before is None:
        audit.record_created(account, p.user)
    else:
        audit.record_updated(account, p.user, before)
    return account, token


@transaction.atomic
def set_account_active(p: Principal, customer_id: int, account_id: int, active: bool) -> PortalAccount:
    """Stop (or give back) a contact's portal access (``crm.customer.edit``); the sign-in stays, it just
    sees nothing."""
    p.require("crm.customer.edit")
    customer = selectors.visible_customers(p).get(pk=customer_id)
    account = PortalAccount.objects.select_for_update().get(customer=customer, pk=account_id)
    before = audit.snapshot(account)
    account.is_active = active
    account.save(update_fields=["is_active"])
    audit.record_updated(account, p.user, before)
    return account


@subscriber(InvitationAccepted, module="CRM")
def link_account(event: InvitationAccepted, message_id: int | None = None) -> None:
    """The invited contact accepted: the portal account is theirs from now on."""
    PortalAccount.objects.filter(invitation_id=event.invitation_id, user__isnull=True).update(user_id=event.user_id)


@transaction.atomic
def update_own_contact(p: Principal, *, phone: str | None = None, email: str | None = None) -> CustomerContact:
    """The signed-in contact changes their own phone and email (as the company keeps them; their
    sign-in email is changed on their profile). Bad values: 400, nothing written."""
    account = portal_account(p)
    contact = CustomerContact.objects.select_for_update().get(pk=account.contact_id)
    before = audit.snapshot(contact)
    if phone is not None:
        contact.phone = phone.strip()
    if email is not None:
        contact.email = email.strip()
    check_contact(contact)
    contact.save(update_fields=["phone", "email"])
    audit.record_updated(contact, p.user, before)
    return contact


# --- what the customer sees ------------------------------------------------------------------------


def orders(account: PortalAccount) -> QuerySet[SalesOrder]:
    """The customer's orders but drafts (an order being prepared is not yet theirs), newest first."""
    return (
        SalesOrder.objects.filter(customer_id=account.customer_id)
        .exclude(status=OrderStatus.DRAFT)
        .order_by("-date", "-id")
    )


def get_order(account: PortalAccount, order_id: int) -> SalesOrder:
    return orders(account).prefetch_related("lines", "deliveries__lines").get(pk=order_id)  # type: ignore[no-any-return]


def invoices(account: PortalAccount) -> QuerySet[SalesInvoice]:
    return SalesInvoice.objects.filter(customer_id=account.customer_id).order_by("-date", "-id")


def get_invoice(account: PortalAccount, invoice_id: int) -> SalesInvoice:
    return (  # type: ignore[no-any-return]
        invoices(account).select_related("customer__party").prefetch_related("lines", "payments").get(pk=invoice_id)
    )


def open_amount(invoice: SalesInvoice) -> Decimal:
    """What the customer still owes on an invoice (total − credited − paid)."""
    return invoice.total - invoice.credited - invoice.paid  # type: ignore[no-any-return]


def quotations_of(account: PortalAccount) -> QuerySet[Quotation]:
    return Quotation.objects.filter(customer_id=account.customer_id, status__in=VISIBLE_QUOTATION_STATES).order_by(
        "-date", "-id"
    )


def get_quotation(account: PortalAccount, quotation_id: int) -> Quotation:
    return quotations_of(account).select_related("customer__party").prefetch_related("lines").get(pk=quotation_id)  # type: ignore[no-any-return]


def balance(p: Principal, account: PortalAccount) -> dict[str, Decimal]:
    """The receivable aging of the customer (the staff page's figures): ``current``, ``days_1_30`` …
    ``over_90``, ``unapplied`` credit and ``total`` owed."""
    from novasaas.sales.reports import customer_aging

    figures = customer_aging(p, account.customer, timezone.localdate())
    return {("days_" + k if k[0].isdigit() else k): v for k, v in figures.items()}


def loyalty_of(account: PortalAccount) -> dict[str, Any]:
    """The customer's loyalty points (balance, value, totals, expiring soon, the ledger): only the
    account's own customer (``loyalty.summary``). Redemption stays with the staff, on an order."""
    from novasaas.sales import loyalty

    return loyalty.summary(account.customer, timezone.localdate())


def account_info(account: PortalAccount) -> dict[str, Any]:
    """The customer as the portal shows it: name, code, tax code, addresses, contact persons."""
    from novasaas.parties.selectors import get_party

    party = get_party(account.tenant, account.customer.party_id)
    return {
        "customer_code": account.customer.code,
        "name": party.name,
        "tax_code": party.tax_code,
        "addresses": [str(a) for a in party.addresses.all()],
        "contacts": list(CustomerContact.objects.filter(customer_id=account.customer_id)),
        "me": account.contact,
        "payment_terms_days": account.customer.payment_terms_days,
    }


# --- answering a quotation ---------------------------------------------------------------------------


def _lock_quotation(account: PortalAccount, quotation_id: int) -> Quotation:
    return (  # type: ignore[no-any-return]
        quotations_of(account).select_for_update().select_related("customer").get(pk=quotation_id)
    )


@transaction.atomic
def accept_quotation(p: Principal, quotation_id: int) -> SalesOrder:
    """The contact accepts a quotation sent to their company online: exactly the staff's accept (a draft
    order with the same lines and totals), audited as the contact; the salesperson is notified."""
    account = portal_account(p)
    quotation = _lock_quotation(account, quotation_id)
    order = quotations.make_order_of(p, quotation)
    _tell_salesperson(p, quotation, gettext_lazy("%(who)s accepted quotation %(n)s online: order %(o)s"), order.number)
    return order


@transaction.atomic
def decline_quotation(p: Principal, quotation_id: int) -> Quotation:
    account = portal_account(p)
    quotation = quotations.decline(p, _lock_quotation(account, quotation_id))
    _tell_salesperson(p, quotation, gettext_lazy("%(who)s declined quotation %(n)s online"), "")
    return quotation


def _tell_salesperson(p: Principal, quotation: Quotation, message: Any, order_number: str) -> None:
    from novasaas.platform.notifications import notify

    recipient = quotation.salesperson_id or quotation.customer.salesperson_id or quotation.created_by_id
    if recipient is None:
        return
    who = (p.user.full_name or p.user.email) if p.user else ""
    with translation.override(p.tenant.locale):
        title = str(message) % {"who": who, "n": quotation.number, "o": order_number}
    url = f"/sales/orders/{quotation.order_id}/" if quotation.order_id else f"/sales/quotations/{quotation.pk}/"
    notify(p.tenant, [recipient], "sales", title, url=url)
