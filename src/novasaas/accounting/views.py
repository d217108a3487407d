"""Pages of the accounting module: thin views over actions, selectors and reports (htmx filters)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views import View

from novasaas.accounting import actions, exports, reports, selectors
from novasaas.accounting.excel import XLSX_TYPE, EntryImportError, import_entries, import_template
from novasaas.accounting.forms import (
    AccountEditForm,
    EntryForm,
    FiscalYearForm,
    ImportForm,
    JournalForm,
    LineFormSet,
    RangeForm,
    SettingsForm,
    SubAccountForm,
    TaxRateForm,
    TemplateForm,
)
from novasaas.accounting.models import EntryState
from novasaas.identity.access import Principal, require_perm
from novasaas.platform.modules import ModuleDisabled

PAGE_SIZE = 50
NEW_LINES = 4


class AccPermissionView(LoginRequiredMixin, View):
    """Signed-in members of a tenant with ACC and ``permission``; the chart is set up on first use."""

    permission = "acc.ledger.view"
    principal: Principal

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        tenant = getattr(request, "tenant", None)
        if tenant is not None and not tenant.has_module("ACC"):
            raise ModuleDisabled("ACC")
        self.principal = require_perm(request, self.permission)
        actions.ensure_chart(self.principal.tenant)
        try:
            return super().dispatch(request, *args, **kwargs)
        except ObjectDoesNotExist as exc:
            raise Http404 from exc

    @property
    def tenant(self) -> Any:
        return self.principal.tenant

    def fail(self, request: HttpRequest, exc: ValidationError) -> None:
        for msg in exc.messages:
            messages.error(request, msg)


def _xlsx(content: bytes, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
    return response


def _range(request: HttpRequest) -> tuple[RangeForm, dt.date | None, dt.date | None]:
    form = RangeForm(request.GET or None)
    if form.is_bound and form.is_valid():
        return form, form.cleaned_data["date_from"], form.cleaned_data["date_to"]
    today = timezone.localdate()
    return RangeForm(initial={"date_from": dt.date(today.year, 1, 1), "date_to": today}), None, None


class HomeView(AccPermissionView):
    def get(self, request: HttpRequest) -> HttpResponse:
        pending = selectors.list_entries(self.tenant, state=EntryState.PENDING)[:20]
        drafts = selectors.list_entries(self.tenant, state=EntryState.DRAFT)[:20]
        return render(
            request,
            "accounting/home.html",
            {"chart": selectors.get_chart(self.tenant), "pending": pending, "drafts": drafts},
        )


# --- chart ---------------------------------------------------------------------------------------------


class ChartView(AccPermissionView):
    def get(self, request: HttpRequest, form: SubAccountForm | None = None, status: int = 200) -> HttpResponse:
        q = request.GET.get("q", "")[:100]
        accounts = list(selectors.list_accounts(self.tenant, q=q))
        parents = [a for a in selectors.list_accounts(self.tenant) if a.is_active]
        return render(
            request,
            "accounting/chart.html",
            {
                "accounts": accounts,
                "q": q,
                "used": selectors.accounts_with_lines(self.tenant),
                "chart": selectors.get_chart(self.tenant),
                "form": form or SubAccountForm(accounts=parents),
            },
            status=status,
        )


class AccountCreateView(AccPermissionView):
    permission = "acc.coa.configure"

    def post(self, request: HttpRequest) -> HttpResponse:
        parents = [a for a in selectors.list_accounts(self.tenant) if a.is_active]
        form = SubAccountForm(request.POST, accounts=parents)
        if form.is_valid():
            try:
                account = actions.create_account(self.principal, **form.cleaned_data)
                messages.success(request, _("Account %(code)s created.") % {"code": account.code})
                return redirect("accounting-chart")
            except ValidationError as exc:
                for key, msgs in exc.message_dict.items():
                    form.add_error(key if key in form.fields else None, msgs)
        view = ChartView()
        view.principal = self.principal
        return view.get(request, form=form, status=400)


class AccountEditView(AccPermissionView):
    permission = "acc.coa.configure"

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        account = selectors.get_account(self.tenant, pk)
        form = AccountEditForm(
            initial={"name_vi": account.name_vi, "name_en": account.name_en, "needs_partner": account.needs_partner}
        )
        return render(request, "accounting/account_form.html", {"account": account, "form": form})

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        account = selectors.get_account(self.tenant, pk)
        form = AccountEditForm(request.POST)
        if form.is_valid():
            try:
                actions.update_account(self.principal, pk, **form.cleaned_data)
                messages.success(request, _("Account %(code)s saved.") % {"code": account.code})
                return redirect("accounting-chart")
            except ValidationError as exc:
                form.add_error(None, exc)
        return render(request, "accounting/account_form.html", {"account": account, "form": form}, status=400)


class AccountStateView(AccPermissionView):
    permission = "acc.coa.configure"
    operation = "deactivate"

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        selectors.get_account(self.tenant, pk)
        try:
            if self.operation == "delete":
                actions.delete_account(self.principal, pk)
                messages.success(request, _("Account deleted."))
            else:
                actions.set_account_active(self.principal, pk, self.operation == "activate")
                messages.success(request, _("Account saved."))
        except ValidationError as exc:
            self.fail(request, exc)
            return redirect("accounting-chart")
        return redirect("accounting-chart")


class AccountLedgerView(AccPermissionView):
    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        form, start, end = _range(request)
        ledger = selectors.account_ledger(self.tenant, pk, start, end)
        if request.GET.get("format") == "xlsx":
            return _xlsx(exports.ledger_xlsx(ledger), f"ledger-{ledger.account.code}")
        return render(request, "accounting/ledger.html", {"ledger": ledger, "form": form})


# --- settings, periods, journals ------------------------------------------------------------------------


class SettingsView(AccPermissionView):
    permission = "acc.coa.configure"

    def context(self, **extra: Any) -> dict[str, Any]:
        settings = selectors.get_settings(self.tenant)
        return {
            "form": SettingsForm(initial={"approval_threshold": settings.approval_threshold}),
            "template_form": TemplateForm(initial={"template": selectors.get_chart(self.tenant).template}),
            "mappings": selectors.role_mappings(self.tenant),
            "accounts": selectors.list_accounts(self.tenant, postable=True),
            **extra,
        }

    def get(self, request: HttpRequest) -> HttpResponse:
        return render(request, "accounting/settings.html", self.context())

    def post(self, request: HttpRequest) -> HttpResponse:
        try:
            if "approval_threshold" in request.POST:
                form = SettingsForm(request.POST)
                if not form.is_valid():
                    return render(request, "accounting/settings.html", self.context(form=form), status=400)
                actions.update_settings(self.principal, approval_threshold=form.cleaned_data["approval_threshold"])
            elif "template" in request.POST:
                tform = TemplateForm(request.POST)
                if not tform.is_valid():
                    return render(request, "accounting/settings.html", self.context(template_form=tform), status=400)
                actions.apply_chart_template(self.principal, tform.cleaned_data["template"])
            elif "role" in request.POST:
                account_id = request.POST.get("account_id", "")
                if not account_id.isdigit() or len(account_id) > 18:
                    raise ValidationError(_("Choose an account."))
                actions.set_account_mapping(self.principal, request.POST["role"][:60], int(account_id))
            messages.success(request, _("Settings saved."))
        except ValidationError as exc:
            self.fail(request, exc)
            return render(request, "accounting/settings.html", self.context(), status=400)
        return redirect("accounting-settings")


class PeriodsView(AccPermissionView):
    def get(self, request: HttpRequest, form: FiscalYearForm | None = None, status: int = 200) -> HttpResponse:
        years = selectors.list_years(self.tenant)
        return render(
            request, "accounting/periods.html", {"years": years, "form": form or FiscalYearForm()}, status=status
        )


class FiscalYearCreateView(AccPermissionView):
    permission = "acc.period.configure"

    def post(self, request: HttpRequest) -> HttpResponse:
        form = FiscalYearForm(request.POST)
        if form.is_valid():
            try:
                year = actions.create_fiscal_year(self.principal, form.cleaned_data["start_date"])
                messages.success(request, _("Fiscal year %(name)s created.") % {"name": year.name})
                return redirect("accounting-periods")
            except ValidationError as exc:
                for key, msgs in exc.message_dict.items():
                    form.add_error(key if key in form.fields else None, msgs)
        view = PeriodsView()
        view.principal = self.principal
        return view.get(request, form=form, status=400)


class PeriodStateView(AccPermissionView):
    permission = "acc.period.close"
    operation = "close"

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        selectors.get_period(self.tenant, pk)
        fn = {"close": actions.close_period, "reopen": actions.reopen_period, "lock": actions.lock_period}
        try:
            period = fn[self.operation](self.principal, pk)
            messages.success(request, _("Period %(p)s: %(s)s.") % {"p": period, "s": period.get_state_display()})
        except ValidationError as exc:
            self.fail(request, exc)
        return redirect("accounting-periods")


class JournalsView(AccPermissionView):
    def get(self, request: HttpRequest, form: JournalForm | None = None, status: int = 200) -> HttpResponse:
        return render(
            request,
            "accounting/journals.html",
            {"journals": selectors.list_journals(self.tenant), "form": form or JournalForm()},
            status=status,
        )

    def post(self, request: HttpRequest) -> HttpResponse:
        self.principal.require("acc.coa.configure")
        form = JournalForm(request.POST)
        if form.is_valid():
            try:
                actions.create_journal(self.principal, **form.cleaned_data)
                messages.success(request, _("Journal created."))
                return redirect("accounting-journals")
            except ValidationError as exc:
                for key, msgs in exc.message_dict.items():
                    form.add_error(key if key in form.fields else None, msgs)
        return self.get(request, form=form, status=400)


# --- entries -------------------------------------------------------------------------------------------------


class EntryListView(AccPermissionView):
    def get(self, request: HttpRequest) -> HttpResponse:
        g = request.GET
        filters: dict[str, Any] = {"q": g.get("q", "")[:100]}
        state = g.get("state", "")
        filters["state"] = state if state in EntryState.values else ""
        journal = g.get("journal", "")
        filters["journal_id"] = int(journal) if journal.isdigit() and len(journal) < 18 else None
        form, start, end = _range(request)
        filters["date_from"], filters["date_to"] = start, end
        qs = selectors.list_entries(self.tenant, **filters)
        page = Paginator(qs, PAGE_SIZE).get_page(g.get("page"))
        context = {
            "page": page,
            "filters": filters,
            "range_form": form,
            "states": EntryState.choices,
            "journals": selectors.list_journals(self.tenant),
            "querystring": g.urlencode() if len(g.urlencode()) < 1000 else "",
        }
        partial = request.headers.get("HX-Request") and not request.headers.get("HX-History-Restore-Request")
        response = render(request, "accounting/_entries.html" if partial else "accounting/entries.html", context)
        patch_vary_headers(response, ["HX-Request"])
        return response


def _partners(tenant: Any) -> list[tuple[int, str]]:
    from novasaas.parties import selectors as parties

    return [(p.pk, f"{p.code} {p.name}"[:80]) for p in parties.search_parties(tenant)[:500]]


class EntryFormView(AccPermissionView):
    """A multi-line entry form: any number of lines ("Add lines" re-renders with more), totals
    checked server-side; "Save draft" or "Save and post"."""

    permission = "acc.entry.create"

    def forms(
        self, data: Any = None, initial: dict[str, Any] | None = None, lines: list[dict[str, Any]] | None = None
    ) -> dict[str, Any]:
        journals = [j for j in selectors.list_journals(self.tenant) if j.is_active]
        partners = _partners(self.tenant)
        formset = LineFormSet(
            data, initial=lines or [{} for _i in range(NEW_LINES)], prefix="lines", form_kwargs={"partners": partners}
        )
        if data is None and not lines:
            formset.extra = 0
        return {"form": EntryForm(data, initial=initial, journals=journals), "lines": formset}

    def render_form(
        self, request: HttpRequest, forms: dict[str, Any], entry: Any = None, status: int = 200, **extra: Any
    ) -> HttpResponse:
        accounts = selectors.list_accounts(self.tenant, postable=True)
        return render(
            request,
            "accounting/entry_form.html",
            {**forms, "entry": entry, "accounts": accounts, **extra},
            status=status,
        )

    def get(self, request: HttpRequest, pk: int | None = None) -> HttpResponse:
        entry = None
        if pk is not None:
            entry = selectors.get_entry(self.tenant, pk)
            if entry.state != EntryState.DRAFT:
                messages.error(request, _("Only a draft can be changed."))
                return redirect("accounting-entry-detail", pk=pk)
            initial = {"journal": entry.journal.code, "date": entry.date, "memo": entry.memo}
            lines = [
                {
                    "account": ln.account.code,
                    "debit": ln.debit or None,
                    "credit": ln.credit or None,
                    "partner_id": ln.partner_id,
                    "memo": ln.memo,
                }
                for ln in selectors.entry_lines(self.tenant, entry)
            ]
            return self.render_form(request, self.forms(initial=initial, lines=lines), entry)
        return self.render_form(request, self.forms(initial={"journal": "GEN", "date": timezone.localdate()}))

    def post(self, request: HttpRequest, pk: int | None = None) -> HttpResponse:
        entry = selectors.get_entry(self.tenant, pk) if pk is not None else None
        forms = self.forms(request.POST)
        form, formset = forms["form"], forms["lines"]
        valid = form.is_valid() and formset.is_valid()
        kept = [f for f in formset.forms if valid and not f.is_blank()] if valid else []
        if "more" in request.POST:  # re-render with more blank lines, keeping what was typed
            keys = ("account", "debit", "credit", "partner_id", "memo", "tax_rate", "tax_base", "paid_in_cash")
            rows = [{k: f.data.get(f.add_prefix(k), "") for k in keys} for f in formset.forms]
            rows += [{} for _i in range(NEW_LINES)]
            fresh = self.forms(initial=dict(form.data.items()), lines=rows)
            fresh["form"] = EntryForm(request.POST, journals=[j for j in selectors.list_journals(self.tenant)])
            return self.render_form(request, fresh, entry)
        totals = None
        if valid:
            lines = [
                {
                    "account": f.cleaned_data["account"],
                    "debit": f.cleaned_data["debit"] or 0,
                    "credit": f.cleaned_data["credit"] or 0,
                    "partner_id": f.cleaned_data["partner_id"],
                    "memo": f.cleaned_data["memo"],
                }
                for f in kept
            ]
            totals = (sum(x["debit"] for x in lines), sum(x["credit"] for x in lines))
            try:
                data = form.cleaned_data
                if entry is None:
                    entry = actions.create_entry(
                        self.principal, journal_id=data["journal"], date=data["date"], lines=lines, memo=data["memo"]
                    )
                else:
                    actions.update_entry(
                        self.principal,
                        entry.pk,
                        journal_id=data["journal"],
                        date=data["date"],
                        memo=data["memo"],
                        lines=lines,
                    )
                if "post" in request.POST:
                    entry = actions.post_entry(self.principal, entry.pk)
                    if entry.state == EntryState.PENDING:
                        messages.info(request, _("The entry is above the approval threshold: it waits for approval."))
                    else:
                        messages.success(request, _("Entry %(ref)s posted.") % {"ref": entry.reference})
                else:
                    messages.success(request, _("Draft saved."))
                return redirect("accounting-entry-detail", pk=entry.pk)
            except ValidationError as exc:
                self._attach(form, kept, exc)
        return self.render_form(request, forms, entry, status=400, totals=totals)

    @staticmethod
    def _attach(form: Any, kept: list[Any], exc: ValidationError) -> None:
        if not hasattr(exc, "error_dict"):
            form.add_error(None, exc)
            return
        import re

        for key, msgs in exc.message_dict.items():
            match = re.match(r"lines\[(\d+)\]\.(\w+)", key)
            if match and int(match.group(1)) < len(kept):
                target = kept[int(match.group(1))]
                field = match.group(2) if match.group(2) in target.fields else None
                target.add_error(field if field != "partner_id" or "partner_id" in target.fields else None, msgs)
            elif key in form.fields:
                form.add_error(key, msgs)
            elif key == "journal_id":
                form.add_error("journal", msgs)
            else:
                form.add_error(None, msgs)


class EntryDetailView(AccPermissionView):
    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        entry = selectors.get_entry(self.tenant, pk)
        lines = selectors.entry_lines(self.tenant, entry)
        from novasaas.parties import selectors as parties

        names = parties.party_summaries(self.tenant, [ln.partner_id for ln in lines if ln.partner_id])
        return render(
            request,
            "accounting/entry_detail.html",
            {
                "entry": entry,
                "lines": lines,
                "partners": {k: f"{v.code} {v.name}" for k, v in names.items()},
                "source_url": selectors.source_link(entry),
                "reversal": entry.reversals.first(),
            },
        )


class EntryActionView(AccPermissionView):
    operation = "post"

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        entry = selectors.get_entry(self.tenant, pk)
        try:
            if self.operation == "post":
                entry = actions.post_entry(self.principal, pk)
                if entry.state == EntryState.PENDING:
                    messages.info(request, _("The entry is above the approval threshold: it waits for approval."))
                else:
                    messages.success(request, _("Entry %(ref)s posted.") % {"ref": entry.reference})
            elif self.operation == "approve":
                entry = actions.approve_entry(self.principal, pk)
                messages.success(request, _("Entry %(ref)s approved and posted.") % {"ref": entry.reference})
            elif self.operation == "reject":
                actions.reject_entry(self.principal, pk, request.POST.get("reason", "")[:500])
                messages.success(request, _("Entry sent back to draft."))
            elif self.operation == "reverse":
                reversal = actions.reverse_entry(self.principal, pk)
                messages.success(request, _("Reversal %(ref)s posted.") % {"ref": reversal.reference})
                return redirect("accounting-entry-detail", pk=reversal.pk)
            elif self.operation == "delete":
                actions.delete_entry(self.principal, pk)
                messages.success(request, _("Draft deleted."))
                return redirect("accounting-entries")
        except ValidationError as exc:
            self.fail(request, exc)
        return redirect("accounting-entry-detail", pk=entry.pk)


class EntryPostView(EntryActionView):
    permission = "acc.entry.create"
    operation = "post"


class EntryApproveView(EntryActionView):
    permission = "acc.entry.approve"
    operation = "approve"


class EntryRejectView(EntryActionView):
    permission = "acc.entry.approve"
    operation = "reject"


class EntryReverseView(EntryActionView):
    permission = "acc.entry.reverse"
    operation = "reverse"


class EntryDeleteView(EntryActionView):
    permission = "acc.entry.create"
    operation = "delete"


class EntryImportView(AccPermissionView):
    permission = "acc.entry.import"

    def get(self, request: HttpRequest) -> HttpResponse:
        if request.GET.get("template"):
            return _xlsx(import_template(), "entries-template")
        return render(request, "accounting/import.html", {"form": ImportForm()})

    def post(self, request: HttpRequest) -> HttpResponse:
        form = ImportForm(request.POST, request.FILES)
        errors = None
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                created = import_entries(self.principal, upload, upload.name or "", post=form.cleaned_data["post"])
                messages.success(request, _("%(n)d entries imported.") % {"n": len(created)})
                return redirect("accounting-entries")
            except EntryImportError as exc:
                errors = exc.lines
        return render(request, "accounting/import.html", {"form": form, "errors": errors}, status=400)


# --- reports ---------------------------------------------------------------------------------------------------


class TrialBalanceView(AccPermissionView):
    def get(self, request: HttpRequest) -> HttpResponse:
        form, start, end = _range(request)
        tb = selectors.trial_balance(self.tenant, start, end)
        if request.GET.get("format") == "xlsx":
            return _xlsx(exports.trial_balance_xlsx(tb), "trial-balance")
        return render(request, "accounting/trial_balance.html", {"tb": tb, "form": form})


class JournalReportView(AccPermissionView):
    def get(self, request: HttpRequest) -> HttpResponse:
        form, start, end = _range(request)
        listing = selectors.journal_listing(self.tenant, start, end)
        if request.GET.get("format") == "xlsx":
            return _xlsx(exports.journal_xlsx(listing), "general-journal")
        return render(request, "accounting/journal_report.html", {"listing": listing, "form": form})


class StatementView(AccPermissionView):
    permission = "acc.statement.view"
    form_code = "B01-DNN"

    def get(self, request: HttpRequest) -> HttpResponse:
        form, start, end = _range(request)
        today = timezone.localdate()
        if self.form_code == "B01-DNN":
            st = reports.balance_sheet(self.tenant, end or today)
        else:
            st = reports.income_statement(self.tenant, start or dt.date(today.year, 1, 1), end or today)
        if request.GET.get("format") == "xlsx":
            return _xlsx(exports.statement_xlsx(st), st.form)
        return render(request, "accounting/statement.html", {"st": st, "form": form})


class BalanceSheetView(StatementView):
    form_code = "B01-DNN"


class IncomeStatementView(StatementView):
    form_code = "B02-DNN"


# --- taxes ------------------------------------------------------------------------------------------------------


class TaxRatesView(AccPermissionView):
    def get(self, request: HttpRequest, form: TaxRateForm | None = None, status: int = 200) -> HttpResponse:
        return render(
            request,
            "accounting/taxes.html",
            {"rates": selectors.list_tax_rates(self.tenant), "form": form or TaxRateForm()},
            status=status,
        )

    def post(self, request: HttpRequest) -> HttpResponse:
        self.principal.require("acc.tax.configure")
        form = TaxRateForm(request.POST)
        if form.is_valid():
            try:
                actions.create_tax_rate(self.principal, **form.cleaned_data)
                messages.success(request, _("Tax rate created."))
                return redirect("accounting-taxes")
            except ValidationError as exc:
                for key, msgs in exc.message_dict.items():
                    form.add_error(key if key in form.fields else None, msgs)
        return self.get(request, form=form, status=400)


class VatReportView(AccPermissionView):
    permission = "acc.tax.report"

    def get(self, request: HttpRequest) -> HttpResponse:
        from novasaas.accounting import taxes

        form, start, end = _range(request)
        today = timezone.localdate()
        start = start or dt.date(today.year, today.month, 1)
        end = end or today
        direction = request.GET.get("direction", "output")
        direction = direction if direction in ("output", "input") else "output"
        if request.GET.get("format") == "xlsx":
            if request.GET.get("form") == "01":
                return _xlsx(exports.vat_return_xlsx(taxes.vat_return(self.tenant, start, end), start, end), "01-GTGT")
            data = taxes.listing(self.tenant, start, end, direction)
            return _xlsx(exports.vat_listing_xlsx(data, direction, start, end), f"vat-{direction}")
        figures = taxes.vat_return(self.tenant, start, end)
        return render(
            request,
            "accounting/vat.html",
            {
                "form": RangeForm(initial={"date_from": start, "date_to": end}),
                "output": taxes.listing(self.tenant, start, end, "output"),
                "input": taxes.listing(self.tenant, start, end, "input"),
                "figures": [(k, taxes.VAT_RETURN_LABELS.get(k, ""), v) for k, v in figures.items()],
                "start": start,
                "end": end,
            },
        )
