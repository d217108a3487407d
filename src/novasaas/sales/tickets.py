"""Support tickets (spec §5, customer portal): a portal contact opens a ticket with a first message and
writes to it; Sales Staff (their own customers) and the Sales Manager read, answer and close it.

Status: open (waiting for Sales) → answered (Sales wrote last) → open again when the customer writes;
closed by Sales (nobody writes to a closed ticket: 400). The customer sees only their customer's tickets
(another's id: 404); staff see the tickets of the customers they see (``selectors.visible_customers``).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from novasaas.identity.access import Principal
from novasaas.platform import audit
from novasaas.sales import portal, selectors
from novasaas.sales.models import SupportTicket, TicketMessage, TicketStatus

MAX_BODY = 5000


def _body(value: Any) -> str:
    body = str(value or "").strip()
    if not body:
        raise ValidationError({"body": [_("Write a message.")]})
    if len(body) > MAX_BODY:
        raise ValidationError({"body": [_("At most %(n)d characters.") % {"n": MAX_BODY}]})
    return body


# --- the customer (portal) ----------------------------------------------------------------------------


def portal_tickets(p: Principal) -> QuerySet[SupportTicket]:
    account = portal.portal_account(p)
    return SupportTicket.objects.filter(customer_id=account.customer_id)


def portal_ticket(p: Principal, ticket_id: int) -> SupportTicket:
    return portal_tickets(p).prefetch_related("messages__author").get(pk=ticket_id)  # type: ignore[no-any-return]


@transaction.atomic
def open_ticket(p: Principal, *, subject: Any, body: Any) -> SupportTicket:
    """The signed-in contact opens a ticket for their customer; the salesperson is notified."""
    account = portal.portal_account(p)
    subject_text = str(subject or "").strip()
    if not subject_text:
        raise ValidationError({"subject": [_("Give the ticket a subject.")]})
    if len(subject_text) > 200:
        raise ValidationError({"subject": [_("At most %(n)d characters.") % {"n": 200}]})
    text = _body(body)
    ticket = SupportTicket.objects.create(customer_id=account.customer_id, subject=subject_text, opened_by=p.user)  # type: ignore[misc]
    TicketMessage.objects.create(ticket=ticket, author=p.user, from_customer=True, body=text)  # type: ignore[misc]
    audit.record_created(ticket, p.user)
    _tell_salesperson(p, ticket, account.customer)
    return ticket


@transaction.atomic
def customer_writes(p: Principal, ticket_id: int, body: Any) -> SupportTicket:
    ticket = portal_tickets(p).select_for_update().get(pk=ticket_id)
    return _write(p, ticket, body, from_customer=True)


# --- Sales --------------------------------------------------------------------------------------------


def staff_tickets(p: Principal, status: str = "") -> QuerySet[SupportTicket]:
    p.require("crm.customer.view")
    qs = SupportTicket.objects.filter(customer__in=selectors.visible_customers(p)).select_related("customer__party")
    if status in TicketStatus.values:
        qs = qs.filter(status=status)
    return qs


def staff_ticket(p: Principal, ticket_id: int) -> SupportTicket:
    return staff_tickets(p).prefetch_related("messages__author").get(pk=ticket_id)  # type: ignore[no-any-return]


@transaction.atomic
def staff_writes(p: Principal, ticket_id: int, body: Any) -> SupportTicket:
    p.require("crm.customer.edit")
    ticket = staff_tickets(p).select_for_update().get(pk=ticket_id)
    return _write(p, ticket, body, from_customer=False)


@transaction.atomic
def close_ticket(p: Principal, ticket_id: int) -> SupportTicket:
    p.require("crm.customer.edit")
    ticket = staff_tickets(p).select_for_update().get(pk=ticket_id)
    if ticket.status == TicketStatus.CLOSED:
        raise ValidationError(_("The ticket is already closed."))
    before = audit.snapshot(ticket)
    ticket.status, ticket.closed_at = TicketStatus.CLOSED, timezone.now()
    ticket.save(update_fields=["status", "closed_at"])
    audit.record_updated(ticket, p.user, before)
    return ticket


def _write(p: Principal, ticket: SupportTicket, body: Any, *, from_customer: bool) -> SupportTicket:
    if ticket.status == TicketStatus.CLOSED:
        raise ValidationError(_("The ticket is closed."))
    text = _body(body)
    TicketMessage.objects.create(ticket=ticket, author=p.user, from_customer=from_customer, body=text)  # type: ignore[misc]
    ticket.status = TicketStatus.OPEN if from_customer else TicketStatus.ANSWERED
    ticket.save(update_fields=["status"])
    if from_customer:
        _tell_salesperson(p, ticket, ticket.customer)
    return ticket


def _tell_salesperson(p: Principal, ticket: SupportTicket, customer: Any) -> None:
    from novasaas.platform.notifications import notify

    if customer.salesperson_id is None:
        return
    title = _("%(c)s wrote on ticket “%(s)s”") % {"c": customer.code, "s": ticket.subject[:80]}
    notify(p.tenant, [customer.salesperson_id], "sales", title, url=f"/sales/tickets/{ticket.pk}/")
