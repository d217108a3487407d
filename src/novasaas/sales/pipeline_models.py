"""Pipeline tables (spec §5: leads, opportunities, activities), imported by ``models``."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from novasaas.platform.models import TenantModel
from novasaas.platform.money import MoneyField

ZERO = Decimal(0)


class LeadSource(models.TextChoices):
    WEBSITE = "website", _("Website")
    REFERRAL = "referral", _("Referral")
    EVENT = "event", _("Event")
    CALL = "call", _("Cold call")
    OTHER = "other", pgettext_lazy("lead source", "Other")


class LeadStatus(models.TextChoices):
    NEW = "new", pgettext_lazy("lead", "New")
    CONTACTED = "contacted", pgettext_lazy("lead", "Contacted")
    QUALIFIED = "qualified", pgettext_lazy("lead", "Qualified")
    CONVERTED = "converted", pgettext_lazy("lead", "Converted")
    LOST = "lost", pgettext_lazy("lead", "Lost")


class Lead(TenantModel):
    name = models.CharField(_("contact name"), max_length=200)
    company = models.CharField(_("company"), max_length=200, blank=True)
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    source = models.CharField(_("source"), max_length=10, choices=LeadSource.choices, default=LeadSource.OTHER)
    status = models.CharField(_("status"), max_length=10, choices=LeadStatus.choices, default=LeadStatus.NEW)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    note = models.TextField(_("note"), blank=True)
    customer = models.ForeignKey(  # the customer it became (converted)
        "sales.Customer", on_delete=models.PROTECT, null=True, blank=True, related_name="leads", editable=False
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["tenant", "owner", "status"], name="sales_lead_owner_idx")]

    def __str__(self) -> str:
        return self.company or self.name


class Stage(models.TextChoices):
    PROSPECTING = "prospecting", _("Prospecting")
    QUALIFICATION = "qualification", _("Qualification")
    PROPOSAL = "proposal", _("Proposal")
    NEGOTIATION = "negotiation", _("Negotiation")
    WON = "won", pgettext_lazy("opportunity", "Won")
    LOST = "lost", pgettext_lazy("opportunity", "Lost")


STAGE_PROBABILITY = {"prospecting": 10, "qualification": 25, "proposal": 50, "negotiation": 75, "won": 100, "lost": 0}


class Opportunity(TenantModel):
    name = models.CharField(_("name"), max_length=200)
    customer = models.ForeignKey(
        "sales.Customer", on_delete=models.PROTECT, null=True, blank=True, related_name="opportunities"
    )
    lead = models.ForeignKey(Lead, on_delete=models.PROTECT, null=True, blank=True, related_name="opportunities")
    stage = models.CharField(_("stage"), max_length=14, choices=Stage.choices, default=Stage.PROSPECTING)
    expected_amount = MoneyField(_("expected amount"), default=ZERO)
    probability = models.PositiveSmallIntegerField(_("probability %"), default=10)
    close_date = models.DateField(_("expected close date"))
    lost_reason = models.CharField(_("lost reason"), max_length=200, blank=True)  # only when lost
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["close_date", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(probability__lte=100), name="sales_opportunity_probability_le_100"),
            models.CheckConstraint(condition=Q(expected_amount__gte=0), name="sales_opportunity_amount_ge_0"),
        ]
        indexes = [models.Index(fields=["tenant", "stage", "close_date"], name="sales_opportunity_stage_idx")]

    def __str__(self) -> str:
        return self.name


class ActivityKind(models.TextChoices):
    CALL = "call", _("Call")
    MEETING = "meeting", _("Meeting")
    EMAIL = "email", _("Email")
    TASK = "task", _("Task")


class Activity(TenantModel):
    """A call, meeting, email or task with a due date, about a customer, a lead or an opportunity."""

    kind = models.CharField(_("kind"), max_length=10, choices=ActivityKind.choices, default=ActivityKind.TASK)
    subject = models.CharField(_("subject"), max_length=200)
    due_date = models.DateField(_("due date"))
    done = models.BooleanField(_("done"), default=False)
    note = models.TextField(_("note"), blank=True)
    customer = models.ForeignKey(
        "sales.Customer", on_delete=models.CASCADE, null=True, blank=True, related_name="activities"
    )
    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, null=True, blank=True, related_name="activities")
    opportunity = models.ForeignKey(
        Opportunity, on_delete=models.CASCADE, null=True, blank=True, related_name="activities"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    reminded_at = models.DateTimeField(null=True, blank=True, editable=False)  # owner notified once

    class Meta:
        ordering = ["done", "due_date", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(customer__isnull=False) | Q(lead__isnull=False) | Q(opportunity__isnull=False),
                name="sales_activity_has_subject",
            )
        ]

    def __str__(self) -> str:
        return self.subject
