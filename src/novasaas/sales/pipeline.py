"""Pipeline: leads → (conversion) customer + opportunity; opportunities move through stages (Kanban);
activities (call, meeting, email, task with a due date) on customers, leads and opportunities; the
revenue forecast = Σ expected amount × probability by month of the expected close date.

Rights: ``crm.lead.manage``, ``crm.opportunity.manage``, ``crm.activity.log`` (Sales Manager and
Staff), ``crm.forecast.view`` (Sales Manager). Sales Staff see their own leads, opportunities and
activities (owner) — and those on their customers; ``crm.order.view_all`` sees all. Anything else 404.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from novasaas.identity.access import Principal
from novasaas.platform import audit
from novasaas.platform.money import round_money
from novasaas.sales import actions, selectors
from novasaas.sales.models import (
    Activity,
    ActivityKind,
    Lead,
    LeadSource,
    LeadStatus,
    Opportunity,
    Stage,
)
from novasaas.sales.pipeline_models import STAGE_PROBABILITY

ZERO = Decimal(0)
_UNSET: Any = object()

# --- reads -----------------------------------------------------------------------------------------


def _uid(p: Principal) -> int:
    return p.user.pk if p.user else -1


def visible_leads(p: Principal) -> QuerySet[Lead]:
    qs = Lead.objects.filter(tenant=p.tenant)
    return qs if selectors.sees_all(p) else qs.filter(owner_id=_uid(p))


def visible_opportunities(p: Principal) -> QuerySet[Opportunity]:
    qs = Opportunity.objects.filter(tenant=p.tenant)
    if selectors.sees_all(p):
        return qs
    return qs.filter(Q(owner_id=_uid(p)) | Q(customer__salesperson_id=_uid(p)))


def visible_activities(p: Principal) -> QuerySet[Activity]:
    qs = Activity.objects.filter(tenant=p.tenant)
    if selectors.sees_all(p):
        return qs
    return qs.filter(Q(owner_id=_uid(p)) | Q(customer__salesperson_id=_uid(p)))


def board(p: Principal) -> list[tuple[str, str, list[Opportunity], Decimal]]:
    """The Kanban columns: (stage, label, opportunities, Σ expected amount)."""
    by_stage: dict[str, list[Opportunity]] = {s: [] for s in Stage.values}
    for opp in visible_opportunities(p).select_related("customer__party", "owner"):
        by_stage[opp.stage].append(opp)
    return [
        (value, str(label), by_stage[value], sum((o.expected_amount for o in by_stage[value]), ZERO))
        for value, label in Stage.choices
    ]


@dataclass
class ForecastRow:
    month: str  # "2026-12"
    opportunities: int
    expected: Decimal  # Σ expected amount
    weighted: Decimal  # Σ expected amount × probability, whole đồng


def forecast(p: Principal, *, owner_id: int | None = None) -> list[ForecastRow]:
    """Open opportunities (not won or lost) by month of their close date: Σ amount and Σ amount ×
    probability (rounded per month, half up)."""
    p.require("crm.forecast.view")
    qs = visible_opportunities(p).exclude(stage__in=[Stage.WON, Stage.LOST])
    if owner_id:
        qs = qs.filter(owner_id=owner_id)
    months: dict[str, list[Decimal]] = {}
    for opp in qs.only("close_date", "expected_amount", "probability"):
        row = months.setdefault(f"{opp.close_date:%Y-%m}", [ZERO, ZERO, ZERO])
        row[0] += 1
        row[1] += opp.expected_amount
        row[2] += opp.expected_amount * opp.probability / 100
    return [ForecastRow(m, int(r[0]), r[1], round_money(r[2])) for m, r in sorted(months.items())]


@dataclass
class OwnerForecastRow:
    owner_id: int | None
    owner: str  # the owner's email, "" without an owner
    opportunities: int
    expected: Decimal
    weighted: Decimal  # Σ amount × probability, rounded per owner, half up


def forecast_by_owner(p: Principal) -> list[OwnerForecastRow]:
    """Open opportunities per owner (Sales Staff: their own): Σ amount and Σ amount × probability;
    largest weighted first."""
    p.require("crm.forecast.view")
    qs = visible_opportunities(p).exclude(stage__in=[Stage.WON, Stage.LOST]).select_related("owner")
    owners: dict[int | None, list[Any]] = {}
    for opp in qs.only("owner__email", "expected_amount", "probability"):
        row = owners.setdefault(opp.owner_id, [opp.owner.email if opp.owner else "", 0, ZERO, ZERO])
        row[1] += 1
        row[2] += opp.expected_amount
        row[3] += opp.expected_amount * opp.probability / 100
    rows = [OwnerForecastRow(k, r[0], r[1], r[2], round_money(r[3])) for k, r in owners.items()]
    return sorted(rows, key=lambda r: (-r.weighted, r.owner))


@dataclass
class LostReasonRow:
    reason: str  # "" when none was given
    opportunities: int
    expected: Decimal  # Σ expected amount lost


def lost_reasons(p: Principal) -> list[LostReasonRow]:
    """Lost opportunities (those the principal sees) per reason, the same reason whatever its case or
    spacing; most frequent first."""
    p.require("crm.forecast.view")
    rows: dict[str, LostReasonRow] = {}
    for reason, amount in (
        visible_opportunities(p).filter(stage=Stage.LOST).values_list("lost_reason", "expected_amount")
    ):
        text = " ".join(reason.split())
        row = rows.get(text.lower())
        if row is None:
            row = rows[text.lower()] = LostReasonRow(text, 0, ZERO)
        row.opportunities += 1
        row.expected += amount
    return sorted(rows.values(), key=lambda r: (-r.opportunities, -r.expected, r.reason))


# --- leads -----------------------------------------------------------------------------------------


def _text(value: Any, field: str, size: int, *, required: bool = False) -> str:
    text = str(value or "").strip()
    if required and not text:
        raise ValidationError({field: [_("This field is required.")]})
    return text[:size]


def _owner(p: Principal, owner_id: Any) -> Any:
    if owner_id in (None, "") or (p.user is not None and int(owner_id) == p.user.pk):
        return p.user
    p.require("crm.customer.assign")  # giving it to someone else: Sales Manager
    return actions._member(p, owner_id, "owner_id")


def _apply_lead(p: Principal, lead: Lead, fields: dict[str, Any]) -> None:
    if "name" in fields:
        lead.name = _text(fields["name"], "name", 200, required=True)
    if "company" in fields:
        lead.company = _text(fields["company"], "company", 200)
    if "email" in fields:
        lead.email = _text(fields["email"], "email", 254)
        if lead.email:
            try:
                validate_email(lead.email)
            except ValidationError as exc:
                raise ValidationError({"email": [_("Enter a valid email address.")]}) from exc
    if "phone" in fields:
        lead.phone = _text(fields["phone"], "phone", 30)
    if "source" in fields:
        if fields["source"] not in LeadSource.values:
            raise ValidationError({"source": [_("Choose a source.")]})
        lead.source = fields["source"]
    if "status" in fields:
        if fields["status"] not in (LeadStatus.NEW, LeadStatus.CONTACTED, LeadStatus.QUALIFIED, LeadStatus.LOST):
            raise ValidationError({"status": [_("Choose new, contacted, qualified or lost (convert to convert).")]})
        lead.status = fields["status"]
    if "note" in fields:
        lead.note = _text(fields["note"], "note", 4000)
    if "owner_id" in fields:
        lead.owner = _owner(p, fields["owner_id"])


LEAD_FIELDS = {"name", "company", "email", "phone", "source", "status", "note", "owner_id"}


@transaction.atomic
def create_lead(p: Principal, **fields: Any) -> Lead:
    p.require("crm.lead.manage")
    unknown = set(fields) - LEAD_FIELDS
    if unknown:
        raise ValidationError({sorted(unknown)[0]: [_("Unknown field.")]})
    lead = Lead(owner=p.user)
    _apply_lead(p, lead, {"name": "", **fields})
    lead.save()
    audit.record_created(lead, p.user)
    return lead


MAX_BULK = 500


@transaction.atomic
def assign_leads(p: Principal, lead_ids: list[int], owner_id: Any) -> int:
    """Give many leads to one owner at once (Sales Manager: ``crm.customer.assign``); the owner is told in
    one notification. All or nothing: an unknown or converted lead refuses the whole request. Returns how
    many leads changed owner."""
    from novasaas.platform.notifications import notify

    p.require("crm.lead.manage")
    p.require("crm.customer.assign")
    ids = sorted({int(i) for i in lead_ids})
    if not ids or len(ids) > MAX_BULK:
        raise ValidationError({"lead_ids": [_("Choose from 1 to %(n)d leads.") % {"n": MAX_BULK}]})
    owner = actions._member(p, owner_id, "owner_id")
    leads = list(visible_leads(p).select_for_update().filter(pk__in=ids).order_by("id"))
    missing = sorted(set(ids) - {lead.pk for lead in leads})
    if missing:
        raise ValidationError({"lead_ids": [_("Unknown leads: %(ids)s.") % {"ids": ", ".join(map(str, missing))}]})
    converted = [str(lead) for lead in leads if lead.status == LeadStatus.CONVERTED]
    if converted:
        raise ValidationError(
            {"lead_ids": [_("Converted leads cannot be reassigned: %(l)s.") % {"l": ", ".join(converted)}]}
        )
    changed = 0
    for lead in leads:
        if lead.owner_id == owner.pk:
            continue
        before = audit.snapshot(lead)
        lead.owner = owner
        lead.save(update_fields=["owner"])
        audit.record_updated(lead, p.user, before)
        changed += 1
    if changed and owner.pk != _uid(p):
        notify(p.tenant, [owner], "sales", _("%(n)d leads were assigned to you") % {"n": changed}, url="/sales/leads/")
    return changed


@transaction.atomic
def update_lead(p: Principal, lead_id: int, **fields: Any) -> Lead:
    p.require("crm.lead.manage")
    lead = visible_leads(p).select_for_update().get(pk=lead_id)
    if lead.status == LeadStatus.CONVERTED:
        raise ValidationError({"status": [_("A converted lead cannot be changed.")]})
    unknown = set(fields) - LEAD_FIELDS
    if unknown:
        raise ValidationError({sorted(unknown)[0]: [_("Unknown field.")]})
    before = audit.snapshot(lead)
    _apply_lead(p, lead, fields)
    lead.save()
    audit.record_updated(lead, p.user, before)
    return lead


@transaction.atomic
def convert_lead(
    p: Principal, lead_id: int, *, opportunity_name: str = "", expected_amount: Any = None, close_date: Any = None
) -> Opportunity:
    """The lead becomes a customer (a new party of the directory with its email and phone, and the
    customer role, the lead's owner as salesperson) and an opportunity at stage prospecting."""
    from novasaas.parties.actions import create_party

    p.require("crm.lead.manage")
    p.require("crm.customer.create")
    p.require("crm.opportunity.manage")
    lead = visible_leads(p).select_for_update().get(pk=lead_id)
    if lead.status in (LeadStatus.CONVERTED, LeadStatus.LOST):
        raise ValidationError({"status": [_("Lead %(l)s is %(s)s.") % {"l": lead, "s": lead.get_status_display()}]})
    contacts = [{"kind": k, "value": v} for k, v in (("email", lead.email), ("phone", lead.phone)) if v]
    party = create_party(p, name=lead.company or lead.name, contacts=contacts, role="customer")
    customer = actions.create_customer(p, party_id=party.pk, salesperson_id=lead.owner_id or None)
    opportunity = _save_opportunity(
        p,
        Opportunity(lead=lead, owner=lead.owner or p.user),
        {
            "name": opportunity_name or str(lead),
            "customer_id": customer.pk,
            "expected_amount": expected_amount if expected_amount not in (None, "") else "0",
            "close_date": close_date,
        },
    )
    before = audit.snapshot(lead)
    lead.status = LeadStatus.CONVERTED
    lead.customer = customer
    lead.save(update_fields=["status", "customer"])
    audit.record_updated(lead, p.user, before)
    Activity.objects.filter(lead=lead).update(customer=customer)
    return opportunity


# --- opportunities ---------------------------------------------------------------------------------

OPPORTUNITY_FIELDS = {
    "name",
    "customer_id",
    "stage",
    "expected_amount",
    "probability",
    "close_date",
    "owner_id",
    "lost_reason",
}


def _save_opportunity(p: Principal, opp: Opportunity, fields: dict[str, Any]) -> Opportunity:
    unknown = set(fields) - OPPORTUNITY_FIELDS
    if unknown:
        raise ValidationError({sorted(unknown)[0]: [_("Unknown field.")]})
    creating = opp.pk is None
    before = None if creating else audit.snapshot(opp)
    if "name" in fields or creating:
        opp.name = _text(fields.get("name"), "name", 200, required=True)
    if "customer_id" in fields:
        cid = fields["customer_id"]
        opp.customer = (
            None
            if cid in (None, "")
            else selectors.visible_customers(p).filter(pk=cid, is_active=True).first()
            or _refuse("customer_id", _("Choose an active customer."))
        )
    if "stage" in fields:
        if fields["stage"] not in Stage.values:
            raise ValidationError({"stage": [_("Choose a stage.")]})
        if fields["stage"] != opp.stage and "probability" not in fields:
            opp.probability = STAGE_PROBABILITY[fields["stage"]]
        opp.stage = fields["stage"]
    if "expected_amount" in fields or creating:
        amount = actions._money(fields.get("expected_amount") or "0", "expected_amount")
        assert amount is not None
        opp.expected_amount = amount
    if "probability" in fields:
        try:
            probability = int(str(fields["probability"]))
        except ValueError:
            probability = -1
        if not 0 <= probability <= 100:
            raise ValidationError({"probability": [_("Enter a whole percentage from 0 to 100.")]})
        opp.probability = probability
    if "close_date" in fields or creating:
        value = fields.get("close_date")
        opp.close_date = actions._date(value) if value not in (None, "") else timezone.localdate()
    if "owner_id" in fields:
        opp.owner = _owner(p, fields["owner_id"])
    if fields.get("lost_reason") not in (None, ""):
        if opp.stage != Stage.LOST:
            raise ValidationError({"lost_reason": [_("Only a lost opportunity has a lost reason.")]})
        opp.lost_reason = _text(fields["lost_reason"], "lost_reason", 200)
    elif opp.stage != Stage.LOST:
        opp.lost_reason = ""  # reopened: the reason no longer holds
    opp.save()
    if before is None:
        audit.record_created(opp, p.user)
    else:
        audit.record_updated(opp, p.user, before)
    return opp


def _refuse(field: str, message: str) -> Any:
    raise ValidationError({field: [message]})


@transaction.atomic
def create_opportunity(p: Principal, **fields: Any) -> Opportunity:
    p.require("crm.opportunity.manage")
    opp = Opportunity(owner=p.user, probability=STAGE_PROBABILITY[Stage.PROSPECTING])
    return _save_opportunity(p, opp, fields)


@transaction.atomic
def update_opportunity(p: Principal, opportunity_id: int, **fields: Any) -> Opportunity:
    """Change an opportunity; moving it to another ``stage`` (the Kanban's drag or its select) sets the
    stage's default probability unless ``probability`` is given too."""
    p.require("crm.opportunity.manage")
    opp = visible_opportunities(p).select_for_update(of=("self",)).get(pk=opportunity_id)
    return _save_opportunity(p, opp, fields)


# --- activities ------------------------------------------------------------------------------------

ACTIVITY_FIELDS = {"kind", "subject", "due_date", "note", "customer_id", "lead_id", "opportunity_id"}


@transaction.atomic
def log_activity(p: Principal, **fields: Any) -> Activity:
    """A call, meeting, email or task (due date) about a customer, lead or opportunity the principal
    sees (at least one)."""
    p.require("crm.activity.log")
    unknown = set(fields) - ACTIVITY_FIELDS
    if unknown:
        raise ValidationError({sorted(unknown)[0]: [_("Unknown field.")]})
    kind = fields.get("kind") or ActivityKind.TASK
    if kind not in ActivityKind.values:
        raise ValidationError({"kind": [_("Choose call, meeting, email or task.")]})
    activity = Activity(
        kind=kind,
        subject=_text(fields.get("subject"), "subject", 200, required=True),
        note=_text(fields.get("note"), "note", 4000),
        due_date=actions._date(fields.get("due_date")),
        owner=p.user,
    )
    targets = (
        ("customer_id", selectors.visible_customers(p), "customer"),
        ("lead_id", visible_leads(p), "lead"),
        ("opportunity_id", visible_opportunities(p), "opportunity"),
    )
    for field, qs, attr in targets:
        value = fields.get(field)
        if value not in (None, ""):
            target = qs.filter(pk=value).first()  # type: ignore[misc]
            if target is None:
                raise ValidationError({field: [_("Choose one you can see.")]})
            setattr(activity, attr, target)
    if activity.customer_id is None and activity.lead_id is None and activity.opportunity_id is None:
        raise ValidationError({"customer_id": [_("Choose a customer, a lead or an opportunity.")]})
    if activity.opportunity_id and activity.customer_id is None:
        activity.customer_id = activity.opportunity.customer_id  # type: ignore[union-attr]
    activity.save()
    audit.record_created(activity, p.user)
    return activity


@transaction.atomic
def complete_activity(p: Principal, activity_id: int) -> Activity:
    p.require("crm.activity.log")
    activity = visible_activities(p).select_for_update(of=("self",)).get(pk=activity_id)
    if not activity.done:
        before = audit.snapshot(activity)
        activity.done = True
        activity.save(update_fields=["done"])
        audit.record_updated(activity, p.user, before)
    return activity


def due_activities(p: Principal, on: dt.date | None = None) -> QuerySet[Activity]:
    """Open activities due on or before ``on`` (today): the reminder list of the dashboard widget."""
    day = on or timezone.localdate()
    return visible_activities(p).filter(done=False, due_date__lte=day).order_by("due_date", "id")


def remind_due_activities(tenant: Any, on: dt.date | None = None) -> int:
    """Notify each open activity's owner once when it falls due (due date ≤ ``on``, today by default):
    a conditional UPDATE of ``reminded_at`` claims the activity first, so two runs at once (or a run
    again the same day) never notify twice. Activities without an owner are skipped. Returns how many
    reminders were sent."""
    from novasaas.platform.notifications import notify
    from novasaas.platform.tenancy import tenant_context

    day = on or timezone.localdate()
    sent = 0
    with tenant_context(tenant):
        due = list(
            Activity.objects.filter(done=False, due_date__lte=day, reminded_at__isnull=True, owner__isnull=False)
            .select_related("owner")
            .order_by("due_date", "id")
        )
        for activity in due:
            with transaction.atomic():
                claimed = Activity.objects.filter(pk=activity.pk, reminded_at__isnull=True).update(
                    reminded_at=timezone.now()
                )
                if not claimed:
                    continue
                url = _activity_url(activity)
                notify(
                    tenant,
                    [activity.owner],
                    "sales",
                    _("Activity due %(d)s: %(s)s") % {"d": f"{activity.due_date:%d/%m/%Y}", "s": activity.subject},
                    body=activity.note[:500],
                    url=url,
                )
                sent += 1
    return sent


def _activity_url(activity: Activity) -> str:
    if activity.opportunity_id:
        return f"/sales/opportunities/{activity.opportunity_id}/"
    if activity.lead_id:
        return f"/sales/leads/{activity.lead_id}/"
    return f"/sales/customers/{activity.customer_id}/"


def remind_all_tenants(on: dt.date | None = None) -> int:
    """The daily run over every tenant with CRM (``novasaas sales_remind_activities``)."""
    from novasaas.platform.models import Tenant
    from novasaas.platform.tenancy import platform_context

    with platform_context():
        tenants = [t for t in Tenant.objects.all() if t.has_module("CRM")]
    return sum(remind_due_activities(t, on) for t in tenants)
