"""Pipeline pages: leads (list, form, detail with conversion and activities), the opportunities'
Kanban (drag and drop through ``sales/pipeline.js``, or each card's stage select + button: keyboard),
opportunity detail with activities, and the forecast."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from novasaas.sales import forms, pipeline, selectors
from novasaas.sales.models import LeadStatus, Stage
from novasaas.sales.views import PAGE_SIZE, SalesView, _attach


def _customers(p: Any) -> list[tuple[int, str]]:
    return [(c.pk, f"{c.code} {c.party.name}") for c in selectors.list_customers(p)]


def _five_years_after(day: dt.date) -> dt.date:
    """The same day five years later; 29 February becomes 28 February (no 500 on a leap day)."""
    try:
        return day.replace(year=day.year + 5)
    except ValueError:
        return day.replace(year=day.year + 5, day=28)


class LeadListView(SalesView):
    permission = "crm.lead.manage"

    def get(self, request: HttpRequest, form: Any = None, status: int = 200) -> HttpResponse:
        state = request.GET.get("status", "")
        qs = pipeline.visible_leads(self.principal).select_related("owner")
        if state in LeadStatus.values:
            qs = qs.filter(status=state)
        context = {
            "page": Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page")),
            "statuses": LeadStatus.choices,
            "status": state,
            "form": form or forms.LeadForm(),
            "owners": selectors.list_salespeople(self.principal.tenant)
            if self.principal.has("crm.customer.assign")
            else [],
        }
        return render(request, "sales/leads.html", context, status=status)

    def post(self, request: HttpRequest) -> HttpResponse:
        form = forms.LeadForm(request.POST)
        if form.is_valid():
            try:
                lead = pipeline.create_lead(self.principal, **form.cleaned_data)
                messages.success(request, _("Lead %(l)s created.") % {"l": lead})
                return redirect("sales-lead", pk=lead.pk)
            except ValidationError as exc:
                _attach(form, exc)
        return self.get(request, form=form, status=400)


class LeadAssignView(SalesView):
    """The lead list's "assign the selected to": Sales Manager (``crm.customer.assign``)."""

    permission = "crm.customer.assign"

    def post(self, request: HttpRequest) -> HttpResponse:
        try:
            ids = [int(i) for i in request.POST.getlist("lead_ids")]
            owner = int(request.POST.get("owner_id") or 0)
        except ValueError:
            ids, owner = [], 0
        try:
            n = pipeline.assign_leads(self.principal, ids, owner or None)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            view = LeadListView()
            view.setup(request)
            view.principal = self.principal
            return view.get(request, status=400)
        messages.success(request, _("%(n)d leads assigned.") % {"n": n})
        return redirect("sales-leads")


class LeadDetailView(SalesView):
    permission = "crm.lead.manage"

    def get(self, request: HttpRequest, pk: int, error: str = "", status: int = 200) -> HttpResponse:
        lead = pipeline.visible_leads(self.principal).get(pk=pk)
        context = {
            "lead": lead,
            "activities": list(lead.activities.all()),
            "opportunities": list(lead.opportunities.all()),
            "activity_form": forms.ActivityForm(),
            "statuses": [c for c in LeadStatus.choices if c[0] != LeadStatus.CONVERTED],
            "error": error,
        }
        return render(request, "sales/lead.html", context, status=status)

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        p = self.principal
        pipeline.visible_leads(p).get(pk=pk)
        action = request.POST.get("action", "")
        try:
            if action == "convert":
                opp = pipeline.convert_lead(p, pk, expected_amount=request.POST.get("expected_amount") or None)
                messages.success(request, _("Lead converted: customer and opportunity created."))
                return redirect("sales-opportunity", pk=opp.pk)
            if action == "status":
                pipeline.update_lead(p, pk, status=request.POST.get("status", ""))
            elif action == "activity":
                _log(p, request, lead_id=pk)
            else:
                raise Http404
        except ValidationError as exc:
            return self.get(request, pk, error=" ".join(exc.messages), status=400)
        return redirect("sales-lead", pk=pk)


def _log(p: Any, request: HttpRequest, **target: Any) -> None:
    form = forms.ActivityForm(request.POST)
    if not form.is_valid():
        raise ValidationError([e for errors in form.errors.values() for e in errors])
    pipeline.log_activity(p, **form.cleaned_data, **target)


class BoardView(SalesView):
    """The Kanban: a column per stage; a card moves by drag and drop or its select + "Move"."""

    permission = "crm.opportunity.manage"

    def get(self, request: HttpRequest, form: Any = None, status: int = 200) -> HttpResponse:
        p = self.principal
        context = {
            "columns": pipeline.board(p),
            "stages": Stage.choices,
            "form": form or forms.OpportunityForm(customers=_customers(p)),
        }
        return render(request, "sales/pipeline.html", context, status=status)

    def post(self, request: HttpRequest) -> HttpResponse:
        p = self.principal
        form = forms.OpportunityForm(request.POST, customers=_customers(p))
        if form.is_valid():
            try:
                opp = pipeline.create_opportunity(p, **form.cleaned_data)
                messages.success(request, _("Opportunity %(o)s created.") % {"o": opp})
                return redirect("sales-pipeline")
            except ValidationError as exc:
                _attach(form, exc)
        return self.get(request, form=form, status=400)


class OpportunityMoveView(SalesView):
    """POST ``stage``: from the card's form (redirects to the board) or the drag script (204)."""

    permission = "crm.opportunity.manage"

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        try:
            pipeline.update_opportunity(self.principal, pk, stage=request.POST.get("stage", ""))
        except ValidationError as exc:
            if request.headers.get("X-Requested-With") == "fetch":
                return HttpResponse(" ".join(exc.messages), status=400, content_type="text/plain; charset=utf-8")
            messages.error(request, " ".join(exc.messages))
            return redirect("sales-pipeline")
        if request.headers.get("X-Requested-With") == "fetch":
            return HttpResponse(status=204)
        return redirect("sales-pipeline")


class OpportunityDetailView(SalesView):
    permission = "crm.opportunity.manage"

    def get(self, request: HttpRequest, pk: int, error: str = "", status: int = 200) -> HttpResponse:
        opp = pipeline.visible_opportunities(self.principal).select_related("customer__party", "lead").get(pk=pk)
        context = {
            "opp": opp,
            "activities": list(opp.activities.all()),
            "activity_form": forms.ActivityForm(),
            "error": error,
        }
        return render(request, "sales/opportunity.html", context, status=status)

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        pipeline.visible_opportunities(self.principal).get(pk=pk)
        try:
            if request.POST.get("action") == "done":
                pipeline.complete_activity(self.principal, int(request.POST.get("activity") or 0))
            elif request.POST.get("action") == "lost":
                reason = request.POST.get("lost_reason", "")
                if not reason.strip():
                    raise ValidationError({"lost_reason": [_("Say why the opportunity was lost.")]})
                pipeline.update_opportunity(self.principal, pk, stage=Stage.LOST, lost_reason=reason[:200])
            else:
                _log(self.principal, request, opportunity_id=pk)
        except ValidationError as exc:
            return self.get(request, pk, error=" ".join(exc.messages), status=400)
        return redirect("sales-opportunity", pk=pk)


class ForecastView(SalesView):
    permission = "crm.forecast.view"

    def get(self, request: HttpRequest) -> HttpResponse:
        by_owner = pipeline.forecast_by_owner(self.principal)
        try:
            owner = int(request.GET.get("owner") or 0) or None
        except ValueError:
            owner = None
        rows = pipeline.forecast(self.principal, owner_id=owner)
        total = sum((r.weighted for r in rows), 0)
        context = {
            "rows": rows,
            "total": total,
            "by_owner": by_owner,
            "owner": owner,
            "owner_total": sum((r.weighted for r in by_owner), 0),
            "lost": pipeline.lost_reasons(self.principal),
        }
        return render(request, "sales/forecast.html", context)


class ReportView(SalesView):
    """``/sales/reports/?report=sales|aging&by=…&date_from=…&date_to=…&as_of=…[&format=xlsx|pdf]``."""

    permission = "crm.report.view"

    def get(self, request: HttpRequest) -> HttpResponse:
        import datetime as dt

        from django.utils import timezone

        from novasaas.sales import reports

        def day(name: str, default: dt.date) -> dt.date:
            try:
                return dt.date.fromisoformat(request.GET.get(name, "")[:10])
            except ValueError:
                return default

        today = timezone.localdate()
        from novasaas.sales import analytics

        kind = request.GET.get("report", "sales")
        kind = kind if kind in ("sales", "aging", "margin", "abc", "rfm") else "sales"
        by = request.GET.get("by", "customer")
        date_from, date_to = day("date_from", today.replace(day=1)), day("date_to", today)
        date_to = min(max(date_to, date_from), _five_years_after(date_from))
        as_of = day("as_of", today)
        if kind == "aging":
            report = reports.ar_aging(self.principal, as_of)
        elif kind == "margin":
            report = analytics.order_margin(self.principal, date_from, date_to)
        elif kind == "abc":
            report = analytics.abc_by_margin(self.principal, date_from, date_to)
        elif kind == "rfm":
            report = analytics.rfm(self.principal, as_of)
        else:
            report = reports.sales_by(
                self.principal, by, date_from, min(max(date_to, date_from), _five_years_after(date_from))
            )
        fmt = request.GET.get("format", "")
        if fmt in ("xlsx", "pdf"):
            return reports.file_response(
                report,
                fmt,
                unavailable=lambda text: HttpResponse(text, status=503, content_type="text/plain; charset=utf-8"),
            )
        context = {
            "report": report,
            "rows": report.page_rows(),
            "totals": report.page_totals(),
            "kind": kind,
            "kinds": [
                ("sales", _("Sales")),
                ("aging", _("Receivables aging")),
                ("margin", _("Margin per order")),
                ("abc", _("ABC by margin")),
                ("rfm", _("Customer RFM")),
            ],
            "by": by if by in reports.DIMENSIONS else "customer",
            "dimensions": reports.DIMENSIONS,
            "date_from": date_from,
            "date_to": date_to,
            "as_of": as_of,
            "query": request.GET.urlencode(),
        }
        return render(request, "sales/reports.html", context)
