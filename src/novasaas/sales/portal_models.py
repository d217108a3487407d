"""The customer portal's one table (imported by ``models``): which customer a portal user acts for.

A ``PortalAccount`` ties one contact person of a customer to the identity user who signs in for them
(role ``customer``). It is made when Sales invites the contact (``user`` empty while the invitation is
pending) and linked to the user when the invitation is accepted (``InvitationAccepted``). The portal
shows only that customer's documents; a deactivated account (or customer) sees nothing.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from novasaas.platform.models import TenantModel


class PortalAccount(TenantModel):
    customer = models.ForeignKey(
        "sales.Customer", on_delete=models.CASCADE, related_name="portal_accounts", verbose_name=_("customer")
    )
    contact = models.ForeignKey(
        "sales.CustomerContact", on_delete=models.CASCADE, related_name="portal_accounts", verbose_name=_("contact")
    )
    email = models.EmailField(_("email"), max_length=254)
    invitation = models.ForeignKey(
        "identity.Invitation", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("user"),
    )
    is_active = models.BooleanField(_("active"), default=True)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant", "contact"], name="sales_portal_account_contact_unique"),
            models.UniqueConstraint(
                fields=["tenant", "user"], condition=Q(user__isnull=False), name="sales_portal_account_user_unique"
            ),
        ]
        ordering = ["id"]

    def __str__(self) -> str:
        return self.email


class TicketStatus(models.TextChoices):
    OPEN = "open", _("Waiting for an answer")
    ANSWERED = "answered", _("Answered")
    CLOSED = "closed", _("Closed")


class SupportTicket(TenantModel):
    """A simple support ticket of a customer (spec §5, portal): opened by a portal contact, answered and
    closed by Sales; its ``messages`` are the conversation."""

    customer = models.ForeignKey(
        "sales.Customer", on_delete=models.PROTECT, related_name="tickets", verbose_name=_("customer")
    )
    subject = models.CharField(_("subject"), max_length=200)
    status = models.CharField(_("status"), max_length=10, choices=TicketStatus.choices, default=TicketStatus.OPEN)
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["tenant", "customer", "status"], name="sales_ticket_customer_idx")]
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.subject


class TicketMessage(TenantModel):
    ticket = models.ForeignKey(SupportTicket, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    from_customer = models.BooleanField(default=False)
    body = models.TextField(_("message"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
