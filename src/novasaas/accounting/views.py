"""Pages of the accounting module: thin views over actions, selectors and reports (htmx filters)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views import View

from novasaas.accounting import actions, exports, reports, selectors, statutory
from novasaas.accounting.excel import XLSX_TYPE, EntryImportError, import_entries, import_template
from novasaas.accounting.forms import (
    AccountEditForm,
    AttachmentForm,
    DimensionForm,
    EntryForm,
    FiscalYearForm,
    ImportForm,
    JournalForm,
    LineFormSet,
    PaymentForm,
    QuickForm,
    RangeForm,
    SettingsForm,
    SubAccountForm,
    TaxRateForm,
    TemplateForm,
)
from novasaas.accounting.fx import FOREIGN_CURRENCIES
from novasaas.accounting.models import EntryState
from novasaas.identity.access import Principal, require_perm
from novasaas.platform.dates import parse_date
from novasaas.platform.modules import ModuleDisabled
from novasaas.platform.money import format_amount
from novasaas.platform.numbers import typed as typed_number

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


def _file(request: HttpRequest, build: Any, name: str) -> HttpResponse:
    """The report as Excel (``format=xlsx``) or PDF (``format=pdf``)."""
    from novasaas.accounting.pdf import PdfUnavailable

    if request.GET.get("format") == "pdf":
        try:
            content = build("pdf")
        except PdfUnavailable as exc:
            return HttpResponse(str(exc), status=503, content_type="text/plain; charset=utf-8")
        response = HttpResponse(content, content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="{name}.pdf"'
        return response
    return _xlsx(build("xlsx"), name)


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
        if request.GET.get("format") in ("xlsx", "pdf"):
            return _file(request, lambda fmt: exports.ledger_xlsx(ledger, fmt=fmt), f"ledger-{ledger.account.code}")
        return render(request, "accounting/ledger.html", {"ledger": ledger, "form": form})


# --- settings, periods, journals ------------------------------------------------------------------------


class SettingsView(AccPermissionView):
    permission = "acc.coa.configure"

    def context(self, **extra: Any) -> dict[str, Any]:
        settings = selectors.get_settings(self.tenant)
        return {
            "form": SettingsForm(
                initial={"approval_threshold": settings.approval_threshold, "vat_period": settings.vat_period}
            ),
            "template_form": TemplateForm(initial={"template": selectors.get_chart(self.tenant).template}),
            "mappings": selectors.role_mappings(self.tenant),
            "accounts": selectors.list_accounts(self.tenant, postable=True),
            **self.stock_context(),
            **extra,
        }

    def stock_context(self) -> dict[str, Any]:
        from novasaas.accounting import stock_accounts

        if not self.tenant.has_module("INV"):
            return {}
        return {
            "stock_warehouses": stock_accounts.list_warehouse_accounts(self.tenant),
            "stock_roles": stock_accounts.STOCK_ROLES,
            "transit_account": stock_accounts.transit_account(self.tenant),
        }

    def get(self, request: HttpRequest) -> HttpResponse:
        return render(request, "accounting/settings.html", self.context())

    def post(self, request: HttpRequest) -> HttpResponse:
        try:
            if "approval_threshold" in request.POST:
                form = SettingsForm(request.POST)
                if not form.is_valid():
                    return render(request, "accounting/settings.html", self.context(form=form), status=400)
                actions.update_settings(
                    self.principal,
                    approval_threshold=form.cleaned_data["approval_threshold"],
                    vat_period=form.cleaned_data["vat_period"] or None,
                )
            elif "template" in request.POST:
                tform = TemplateForm(request.POST)
                if not tform.is_valid():
                    return render(request, "accounting/settings.html", self.context(template_form=tform), status=400)
                actions.apply_chart_template(self.principal, tform.cleaned_data["template"])
            elif "warehouse_id" in request.POST or "transit_account_id" in request.POST:
                self.save_stock_account(request)
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

    def save_stock_account(self, request: HttpRequest) -> None:
        from novasaas.accounting import stock_accounts

        def optional_id(raw: str) -> int | None:
            if raw == "":
                return None
            if not raw.isdigit() or len(raw) > 18:
                raise ValidationError(_("Choose an account."))
            return int(raw)

        if "transit_account_id" in request.POST:
            stock_accounts.set_transit_account(self.principal, optional_id(request.POST["transit_account_id"]))
            return
        warehouse_id = optional_id(request.POST.get("warehouse_id", ""))
        if warehouse_id is None:
            raise ValidationError(_("Unknown warehouse."))
        stock_accounts.set_warehouse_account(
            self.principal,
            warehouse_id,
            request.POST.get("stock_role", "inventory")[:60],
            optional_id(request.POST.get("account_id", "")),
        )


class PeriodsView(AccPermissionView):
    def get(self, request: HttpRequest, form: FiscalYearForm | None = None, status: int = 200) -> HttpResponse:
        years = list(selectors.list_years(self.tenant))
        ordered = sorted(years, key=lambda y: y.start_date)
        for before, year in zip([None, *ordered[:-1]], ordered, strict=True):
            # offer 4212 → 4211 in an open year that follows a closed one
            year.offer_carry_forward = (  # type: ignore[attr-defined]
                before is not None and before.state == "closed" and year.state == "open"
            )
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


class FiscalYearCloseView(AccPermissionView):
    permission = "acc.period.close"

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        try:
            entries = actions.close_fiscal_year(self.principal, pk)
            messages.success(request, _("Fiscal year closed (%(n)d closing entries).") % {"n": len(entries)})
        except ValidationError as exc:
            self.fail(request, exc)
        return redirect("accounting-periods")


class FiscalYearCarryForwardView(AccPermissionView):
    permission = "acc.period.close"

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        try:
            entry = actions.carry_forward_result(self.principal, pk)
            if entry is None:
                messages.info(request, _("Nothing to carry forward: 4212 has no balance."))
            else:
                messages.success(request, _("Result of prior years carried to 4211 (%(ref)s).") % {"ref": entry})
        except ValidationError as exc:
            self.fail(request, exc)
        return redirect("accounting-periods")


class FiscalYearUndoCloseView(AccPermissionView):
    permission = "acc.period.close"

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        try:
            entries = actions.undo_year_closing(self.principal, pk, reason=request.POST.get("reason", "")[:500])
            messages.success(
                request, _("Year-end closing undone (%(n)d closing entries reversed).") % {"n": len(entries)}
            )
        except ValidationError as exc:
            self.fail(request, exc)
        return redirect("accounting-periods")


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


class DimensionsView(AccPermissionView):
    """Departments and projects (Finance Manager: ``acc.coa.configure``): create, rename, (de)activate."""

    permission = "acc.ledger.view"

    def get(self, request: HttpRequest, form: DimensionForm | None = None, status: int = 200) -> HttpResponse:
        from novasaas.accounting.dimensions import list_dimensions

        return render(
            request,
            "accounting/dimensions.html",
            {"dimensions": list_dimensions(self.tenant), "form": form or DimensionForm()},
            status=status,
        )

    def post(self, request: HttpRequest) -> HttpResponse:
        from novasaas.accounting import dimensions

        self.principal.require("acc.coa.configure")
        action = request.POST.get("action", "create")
        if action in ("rename", "activate", "deactivate"):
            pk = request.POST.get("id", "")
            if not pk.isdigit() or len(pk) > 18:
                raise Http404
            try:
                if action == "rename":
                    dimensions.update_dimension(self.principal, int(pk), name=request.POST.get("name", "")[:120])
                else:
                    dimensions.update_dimension(self.principal, int(pk), is_active=action == "activate")
            except ValidationError as exc:
                self.fail(request, exc)
                return self.get(request, status=400)
            messages.success(request, _("Saved."))
            return redirect("accounting-dimensions")
        form = DimensionForm(request.POST)
        if form.is_valid():
            try:
                dimensions.create_dimension(self.principal, **form.cleaned_data)
                messages.success(request, _("Department or project created."))
                return redirect("accounting-dimensions")
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
        rates = sorted({(r.code, r.code) for r in selectors.list_tax_rates(self.tenant)})
        from novasaas.accounting.dimensions import list_dimensions

        dims = [(d.pk, f"{d.code} {d.name}"[:60]) for d in list_dimensions(self.tenant, active_only=True)]
        formset = LineFormSet(
            data,
            initial=lines or [{} for _i in range(NEW_LINES)],
            prefix="lines",
            form_kwargs={"partners": partners, "rates": rates, "dimensions": dims},
        )
        if data is None and not lines:
            formset.extra = 0
        return {"form": EntryForm(data, initial=initial, journals=journals), "lines": formset}

    def render_form(
        self, request: HttpRequest, forms: dict[str, Any], entry: Any = None, status: int = 200, **extra: Any
    ) -> HttpResponse:
        # the account pickers load accounts from the server as one types (accounting/pickers.py); the page
        # names the accounts already chosen
        chosen = {str(f["account"].value() or "").strip() for f in forms["lines"]} - {""}
        accounts = selectors.list_accounts(self.tenant).filter(code__in=chosen)
        language = translation.get_language() or "vi"
        account_labels = {a.code: f"{a.code} {a.display_name(language)}" for a in accounts}
        has_dimensions = len(forms["lines"].form_kwargs.get("dimensions", ())) > 0
        return render(
            request,
            "accounting/entry_form.html",
            {
                **forms,
                "entry": entry,
                "account_labels": account_labels,
                "has_dimensions": has_dimensions,
                "currencies": FOREIGN_CURRENCIES,
                **extra,
            },
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
                    "tax_rate": ln.tax_rate.code if ln.tax_rate else "",
                    "tax_base": ln.tax_base or None,
                    "paid_in_cash": ln.paid_in_cash,
                    "dimension": ln.dimension_id,
                    # a currency line is typed in its currency
                    **(
                        {
                            "debit": ln.amount_currency if ln.debit else None,
                            "credit": ln.amount_currency if ln.credit else None,
                            "currency": ln.currency,
                            "exchange_rate": ln.exchange_rate.normalize() if ln.exchange_rate else None,
                        }
                        if ln.currency and ln.fx_adjusts_id is None
                        else {}
                    ),
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
            keys = (
                "account",
                "debit",
                "credit",
                "partner_id",
                "memo",
                "tax_rate",
                "tax_base",
                "paid_in_cash",
                "currency",
                "exchange_rate",
                "dimension",
            )
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
                    "tax_rate": f.cleaned_data["tax_rate"] or None,
                    "tax_base": f.cleaned_data["tax_base"] or 0,
                    "paid_in_cash": f.cleaned_data["paid_in_cash"],
                    "dimension": f.cleaned_data["dimension"],
                    "currency": f.cleaned_data["currency"] or "",
                    "exchange_rate": f.cleaned_data["exchange_rate"],
                }
                for f in kept
            ]
            debit, credit = sum(x["debit"] for x in lines), sum(x["credit"] for x in lines)
            totals = (debit, credit, abs(debit - credit))
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
        return _entry_page(self, request, pk)


def _cash_voucher_kind(tenant: Any, entry: Any, lines: list[Any]) -> str:
    """ "receipt" / "payment" when the posted entry moves cash on hand (its page offers the voucher)."""
    from novasaas.accounting import vouchers

    if entry.state != "posted":
        return ""
    net = vouchers.cash_movement([(ln.account.code, ln.debit, ln.credit, ln.partner_id) for ln in lines])
    return "receipt" if net > 0 else "payment" if net < 0 else ""


def _entry_page(
    view: AccPermissionView, request: HttpRequest, pk: int, status: int = 200, attachment_form: Any = None
) -> HttpResponse:
    """The entry detail page (also re-rendered with status 400 when an attachment is refused)."""
    from novasaas.accounting import attachments
    from novasaas.parties import selectors as parties

    entry = selectors.get_entry(view.tenant, pk)
    lines = selectors.entry_lines(view.tenant, entry)
    names = parties.party_summaries(view.tenant, [ln.partner_id for ln in lines if ln.partner_id])
    debit, credit = sum((ln.debit for ln in lines), Decimal(0)), sum((ln.credit for ln in lines), Decimal(0))
    return render(
        request,
        "accounting/entry_detail.html",
        {
            "entry": entry,
            "lines": lines,
            "totals": (debit, credit, abs(debit - credit)),
            "partners": {k: f"{v.code} {v.name}" for k, v in names.items()},
            "source_url": selectors.source_link(entry),
            "reversal": entry.reversals.first(),
            "cash_voucher": _cash_voucher_kind(view.tenant, entry, lines),
            "attachments": attachments.list_attachments(view.tenant, entry.pk),
            "attachment_form": attachment_form or AttachmentForm(),
            "max_mb": attachments.MAX_BYTES // (1024 * 1024),
        },
        status=status,
    )


class EntryAttachmentView(AccPermissionView):
    """Upload (POST, ``acc.entry.create``), download (GET, ``acc.ledger.view``) and delete (POST with
    ``delete``, drafts only) of an entry's attachments."""

    def get(self, request: HttpRequest, pk: int, att: int | None = None) -> HttpResponse:
        from novasaas.accounting import attachments
        from novasaas.accounting.api import attachment_response

        if att is None:
            return redirect("accounting-entry-detail", pk=pk)
        return attachment_response(attachments.get_attachment(self.tenant, pk, att))

    def post(self, request: HttpRequest, pk: int, att: int | None = None) -> HttpResponse:
        from novasaas.accounting import attachments

        self.principal.require("acc.entry.create")
        selectors.get_entry(self.tenant, pk)
        if att is not None:
            try:
                attachments.delete_attachment(self.principal, pk, att)
            except ValidationError as exc:
                self.fail(request, exc)
                return _entry_page(self, request, pk, status=400)
            messages.success(request, _("Attachment removed."))
            return redirect("accounting-entry-detail", pk=pk)
        form = AttachmentForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                attachments.add_attachment(self.principal, pk, upload, upload.name or "")
                messages.success(request, _("Attachment added."))
                return redirect("accounting-entry-detail", pk=pk)
            except ValidationError as exc:
                for msgs in exc.message_dict.values():
                    form.add_error("file", msgs)
        return _entry_page(self, request, pk, status=400, attachment_form=form)


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
        if request.GET.get("format") in ("xlsx", "pdf"):
            return _file(request, lambda fmt: exports.trial_balance_xlsx(tb, fmt=fmt), "trial-balance")
        return render(request, "accounting/trial_balance.html", {"tb": tb, "form": form})


class JournalReportView(AccPermissionView):
    def get(self, request: HttpRequest) -> HttpResponse:
        form, start, end = _range(request)
        listing = selectors.journal_listing(self.tenant, start, end)
        if request.GET.get("format") in ("xlsx", "pdf"):
            return _file(request, lambda fmt: exports.journal_xlsx(listing, fmt=fmt), "general-journal")
        return render(request, "accounting/journal_report.html", {"listing": listing, "form": form})


class StatementView(AccPermissionView):
    permission = "acc.statement.view"
    form_code = "B01-DNN"

    def get(self, request: HttpRequest) -> HttpResponse:
        form, start, end = _range(request)
        today = timezone.localdate()
        if self.form_code == "B01-DNN":
            st = reports.balance_sheet(self.tenant, end or today)
        elif self.form_code == "B03-DNN":
            st = reports.cash_flow(self.tenant, start or dt.date(today.year, 1, 1), end or today)
        else:
            st = reports.income_statement(self.tenant, start or dt.date(today.year, 1, 1), end or today)
        if request.GET.get("format") in ("xlsx", "pdf"):
            return _file(request, lambda fmt: statutory.export(self.tenant, st, fmt), st.form)
        legal = statutory.build(self.tenant, st)
        return render(request, "accounting/statement.html", {"st": st, "legal": legal, "form": form})


class BalanceSheetView(StatementView):
    form_code = "B01-DNN"


class IncomeStatementView(StatementView):
    form_code = "B02-DNN"


class CashFlowView(StatementView):
    form_code = "B03-DNN"


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
        if request.GET.get("format") in ("xlsx", "pdf"):
            if request.GET.get("form") == "01":
                figures = taxes.vat_return(self.tenant, start, end)
                return _file(request, lambda fmt: exports.vat_return_xlsx(figures, start, end, fmt=fmt), "01-GTGT")
            data = taxes.listing(self.tenant, start, end, direction)
            return _file(
                request, lambda fmt: exports.vat_listing_xlsx(data, direction, start, end, fmt=fmt), f"vat-{direction}"
            )
        from novasaas.accounting.models import VatFiling

        figures = taxes.vat_return(self.tenant, start, end)
        period = taxes.filing_period(self.tenant, start)
        filings = list(VatFiling.objects.filter(tenant=self.tenant).select_related("filed_by")[:24])
        return render(
            request,
            "accounting/vat.html",
            {
                "filings": filings,
                "filing": next((f for f in filings if (f.period_start, f.period_end) == (start, end)), None),
                "can_file": period == (start, end) and end < today,
                "form": RangeForm(initial={"date_from": start, "date_to": end}),
                "output": taxes.listing(self.tenant, start, end, "output"),
                "input": taxes.listing(self.tenant, start, end, "input"),
                "untaxed": taxes.untaxed_vat_lines(self.tenant, start, end),
                "figures": [(k, taxes.VAT_RETURN_LABELS.get(k, ""), v) for k, v in figures.items()],
                "start": start,
                "end": end,
            },
        )


# --- receivables and payables ---------------------------------------------------------------------------------


class VatFilingView(AccPermissionView):
    permission = "acc.tax.report"

    def post(self, request: HttpRequest) -> HttpResponse:
        from novasaas.accounting import taxes

        raw_start, raw_refund = request.POST.get("date_from", "")[:10], request.POST.get("refund_requested", "0")
        try:
            try:
                start = parse_date(raw_start)
                if start is None:
                    raise ValueError("empty")
            except ValueError as exc:
                raise ValidationError(_("Enter a valid date.")) from exc
            filing = taxes.file_vat_return(self.principal, start, typed_number(raw_refund.strip()[:20] or "0", 0))
            messages.success(request, _("VAT return %(p)s filed.") % {"p": filing})
            end = filing.period_end
        except ValidationError as exc:
            self.fail(request, exc)
            return redirect("accounting-vat")
        return redirect(f"{reverse('accounting-vat')}?date_from={start:%Y-%m-%d}&date_to={end:%Y-%m-%d}")


class AgingView(AccPermissionView):
    permission = "acc.aging.view"

    def get(self, request: HttpRequest) -> HttpResponse:
        from novasaas.accounting import receivables
        from novasaas.parties import selectors as parties

        kind = request.GET.get("kind", "receivable")
        kind = kind if kind in ("receivable", "payable") else "receivable"
        form, _start, end = _range(request)
        as_of = end or timezone.localdate()
        rows, total = receivables.aging(self.tenant, kind, as_of)
        if request.GET.get("format") in ("xlsx", "pdf"):
            return _file(
                request, lambda fmt: exports.aging_xlsx(self.tenant, kind, as_of, rows, total, fmt=fmt), f"aging-{kind}"
            )
        names = parties.party_summaries(self.tenant, [r.party_id for r in rows])
        party = request.GET.get("party", "")
        items = (
            receivables.open_items(self.tenant, kind, party_id=int(party), as_of=as_of)
            if party.isdigit() and len(party) < 18
            else None
        )
        return render(
            request,
            "accounting/aging.html",
            {
                "kind": kind,
                "as_of": as_of,
                "rows": [(r, names.get(r.party_id)) for r in rows],
                "total": total,
                "items": items,
                "form": form,
            },
        )


class ReminderView(AccPermissionView):
    permission = "acc.reminder.send"

    def post(self, request: HttpRequest) -> HttpResponse:
        from novasaas.accounting import receivables

        ids = [int(x) for x in request.POST.getlist("party") if x.isdigit() and len(x) < 18] or None
        reminded = receivables.send_reminders(self.principal, ids)
        messages.success(request, _("Reminders sent to %(n)d customers.") % {"n": len(reminded)})
        return redirect("accounting-aging")


class PaymentVoucherView(AccPermissionView):
    """The printed cash voucher (Phiếu thu / Phiếu chi, with the amount in words) of a cash payment."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        from novasaas.accounting import receivables, vouchers
        from novasaas.accounting.pdf import PdfUnavailable
        from novasaas.parties import selectors as parties

        payment = receivables.list_payments(self.tenant).get(pk=pk)
        party = parties.party_summaries(self.tenant, [payment.party_id]).get(payment.party_id)
        try:
            content = vouchers.voucher_pdf(self.tenant, payment, party)
        except ValidationError as exc:
            return HttpResponse(" ".join(exc.messages), status=400, content_type="text/plain; charset=utf-8")
        except PdfUnavailable as exc:
            return HttpResponse(str(exc), status=503, content_type="text/plain; charset=utf-8")
        response = HttpResponse(content, content_type="application/pdf")
        name = "phieu-thu" if payment.kind == "receipt" else "phieu-chi"
        response["Content-Disposition"] = f'inline; filename="{name}-{payment.pk}.pdf"'
        return response


class EntryVoucherView(AccPermissionView):
    """The printed cash voucher (Phiếu thu / Phiếu chi) of a posted entry that moves cash on hand."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        from novasaas.accounting import vouchers
        from novasaas.accounting.pdf import PdfUnavailable

        entry = selectors.get_entry(self.tenant, pk)
        try:
            name, content = vouchers.entry_voucher_pdf(self.tenant, entry)
        except ValidationError as exc:
            return HttpResponse(" ".join(exc.messages), status=400, content_type="text/plain; charset=utf-8")
        except PdfUnavailable as exc:
            return HttpResponse(str(exc), status=503, content_type="text/plain; charset=utf-8")
        response = HttpResponse(content, content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="{name}"'
        return response


class PaymentsView(AccPermissionView):
    def context(self, form: PaymentForm | None = None) -> dict[str, Any]:
        from novasaas.accounting import receivables
        from novasaas.parties import selectors as parties

        payments = list(receivables.list_payments(self.tenant)[:200])
        names = parties.party_summaries(self.tenant, [p.party_id for p in payments])
        return {
            "payments": [(p, names.get(p.party_id)) for p in payments],
            "form": form or PaymentForm(partners=_partners(self.tenant), initial={"date": timezone.localdate()}),
        }

    def get(self, request: HttpRequest) -> HttpResponse:
        return render(request, "accounting/payments.html", self.context())

    def post(self, request: HttpRequest) -> HttpResponse:
        from novasaas.accounting import receivables

        self.principal.require("acc.payment.record")
        form = PaymentForm(request.POST, partners=_partners(self.tenant))
        if form.is_valid():
            try:
                payment = receivables.record_payment(self.principal, **form.cleaned_data)
                if payment.state == "pending":
                    messages.info(request, _("The payment waits for Finance Manager approval."))
                else:
                    messages.success(request, _("Payment posted."))
                return redirect("accounting-payments")
            except ValidationError as exc:
                for key, msgs in exc.message_dict.items():
                    form.add_error(key if key in form.fields else None, msgs)
        return render(request, "accounting/payments.html", self.context(form), status=400)


class PaymentDecisionView(AccPermissionView):
    permission = "acc.payment.approve"
    operation = "approve"

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        from novasaas.accounting import receivables

        try:
            if self.operation == "approve":
                receivables.approve_payment(self.principal, pk)
                messages.success(request, _("Payment approved and posted."))
            else:
                receivables.reject_payment(self.principal, pk)
                messages.success(request, _("Payment rejected."))
        except ValidationError as exc:
            self.fail(request, exc)
        return redirect("accounting-payments")


# --- budgets ----------------------------------------------------------------------------------------------------


class BudgetListView(AccPermissionView):
    permission = "acc.budget.view"

    def get(self, request: HttpRequest, status: int = 200, error: str = "") -> HttpResponse:
        from novasaas.accounting.models import Budget

        return render(
            request,
            "accounting/budgets.html",
            {
                "budgets": Budget.objects.select_related("fiscal_year"),
                "years": selectors.list_years(self.tenant),
                "error": error,
            },
            status=status,
        )

    def post(self, request: HttpRequest) -> HttpResponse:
        from novasaas.accounting import budgets

        self.principal.require("acc.budget.manage")
        year = request.POST.get("fiscal_year_id", "")
        try:
            if not year.isdigit() or len(year) > 18:
                raise ValidationError(_("Choose a fiscal year."))
            budget = budgets.create_budget(
                self.principal, fiscal_year_id=int(year), name=request.POST.get("name", "")[:120]
            )
            return redirect("accounting-budget-detail", pk=budget.pk)
        except ValidationError as exc:
            return self.get(request, status=400, error="; ".join(exc.messages))


class BudgetDetailView(AccPermissionView):
    permission = "acc.budget.view"

    def get(self, request: HttpRequest, pk: int, status: int = 200, error: str = "") -> HttpResponse:
        from novasaas.accounting import budgets
        from novasaas.accounting.dimensions import list_dimensions
        from novasaas.accounting.models import BudgetLine

        dim_text, kind = request.GET.get("dimension", ""), request.GET.get("kind", "")
        dimension_id = int(dim_text) if dim_text.isdigit() and len(dim_text) < 19 else None
        kind = kind if kind in ("department", "project") else ""
        budget, rows = budgets.budget_vs_actual(self.tenant, pk, dimension_id=dimension_id, kind=kind)
        if request.GET.get("format") in ("xlsx", "pdf"):
            return _file(request, lambda fmt: exports.budget_xlsx(budget, rows, fmt=fmt), "budget-vs-actual")
        lines = (
            BudgetLine.objects.filter(budget=budget)
            .select_related("account", "period", "dimension")
            .order_by("dimension__kind", "dimension__code", "account__code", "period__start_date")
        )
        text = "\n".join(
            f"{ln.account.code};{ln.period.number};{ln.amount}"
            + (f";{ln.dimension.kind}:{ln.dimension.code}" if ln.dimension is not None else "")
            for ln in lines
        )
        return render(
            request,
            "accounting/budget_detail.html",
            {
                "budget": budget,
                "rows": rows,
                "groups": budgets.group_rows(rows),
                "dimensions": list_dimensions(self.tenant),
                "dimension_id": dimension_id,
                "kind": kind,
                "text": request.POST.get("lines", text),
                "error": error,
            },
            status=status,
        )

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        from novasaas.accounting import budgets

        self.principal.require("acc.budget.manage")
        parsed: list[tuple[Any, ...]] = []
        try:
            for n, raw in enumerate(request.POST.get("lines", "")[:200_000].splitlines(), start=1):
                if not raw.strip():
                    continue
                parts = [x.strip() for x in raw.replace(",", ";").split(";")]
                if len(parts) not in (3, 4) or not parts[1].isdigit() or len(parts[1]) > 2:
                    raise ValidationError(
                        _("Line %(n)d: write account;period;amount, optionally ;department or project.") % {"n": n}
                    )
                parsed.append((parts[0], int(parts[1]), parts[2], parts[3] if len(parts) == 4 else None))
            budgets.set_budget_lines(self.principal, pk, parsed)
            messages.success(request, _("Budget saved."))
            return redirect("accounting-budget-detail", pk=pk)
        except ValidationError as exc:
            return self.get(request, pk, status=400, error="; ".join(exc.messages))


# --- banking ------------------------------------------------------------------------------------------------------


class BankListView(AccPermissionView):
    def get(self, request: HttpRequest, status: int = 200, error: str = "") -> HttpResponse:
        from novasaas.accounting.models import BankAccount

        accounts = [a for a in selectors.list_accounts(self.tenant, postable=True) if a.code.startswith("112")]
        return render(
            request,
            "accounting/banks.html",
            {"banks": BankAccount.objects.select_related("account"), "accounts": accounts, "error": error},
            status=status,
        )

    def post(self, request: HttpRequest) -> HttpResponse:
        from novasaas.accounting import banking

        self.principal.require("acc.bank.configure")
        account = request.POST.get("account_id", "")
        try:
            if not account.isdigit() or len(account) > 18:
                raise ValidationError(_("Choose an account."))
            bank = banking.create_bank_account(
                self.principal,
                name=request.POST.get("name", "")[:120],
                bank_name=request.POST.get("bank_name", "")[:120],
                number=request.POST.get("number", "")[:60],
                account_id=int(account),
            )
            return redirect("accounting-bank-detail", pk=bank.pk)
        except ValidationError as exc:
            return self.get(request, status=400, error="; ".join(exc.messages))


class BankDetailView(AccPermissionView):
    def get(self, request: HttpRequest, pk: int, status: int = 200, errors: Any = None) -> HttpResponse:
        from novasaas.accounting import banking

        can_reconcile = self.principal.has("acc.reconcile")
        rec = banking.reconciliation(self.tenant, pk) if can_reconcile else None
        props = banking.proposals(self.tenant, pk) if can_reconcile else []
        from novasaas.accounting.models import BankAccount, BankTransaction

        bank = BankAccount.objects.get(pk=pk)
        return render(
            request,
            "accounting/bank_detail.html",
            {
                "bank": bank,
                "rec": rec,
                "proposals": props,
                "errors": errors,
                "transactions": BankTransaction.objects.filter(bank_account=bank)[:300],
                "profiles": (
                    banking.statement_profiles(self.tenant, pk) if self.principal.has("acc.bank.import") else []
                ),
            },
            status=status,
        )

    def mapping_page(
        self,
        request: HttpRequest,
        pk: int,
        token: str,
        header_row: int | None = None,
        mapping: Any = None,
        status: int = 200,
        errors: Any = None,
        save_profile: str = "",
    ) -> HttpResponse:
        """The preview of a stashed upload with the column-mapping form."""
        from novasaas.accounting import banking, statements
        from novasaas.accounting.models import BankAccount

        bank = BankAccount.objects.get(pk=pk)
        pv = statements.preview(statements.stashed_upload(self.tenant.pk, token), header_row, mapping)
        numbers = {title.lower(): n for n, title in reversed(pv.columns) if title}
        chosen: dict[str, int] = {}
        for name, ref in (pv.mapping.get("columns") or {}).items():
            if isinstance(ref, int):
                chosen[name] = ref
            elif isinstance(ref, str) and ref.lower() in numbers:
                chosen[name] = numbers[ref.lower()]
        labels = {
            "date": _("Date"),
            "amount": _("Amount (signed)"),
            "debit": _("Money out (debit)"),
            "credit": _("Money in (credit)"),
            "description": pgettext("accounting", "Description"),
            "reference": _("Reference"),
            "balance": _("Balance (optional check)"),
        }
        return render(
            request,
            "accounting/bank_mapping.html",
            {
                "bank": bank,
                "token": token,
                "preview": pv,
                "fields": [(f, labels[f], chosen.get(f)) for f in statements.FIELDS],
                "mapping": pv.mapping,
                "date_formats": list(statements.DATE_FORMATS),
                "errors": errors,
                "save_profile": save_profile,
                "profiles": banking.statement_profiles(self.tenant, pk),
            },
            status=status,
        )

    def _posted_mapping(self, request: HttpRequest, pk: int, token: str) -> dict[str, Any]:
        """The mapping chosen in the form: columns by title when the header row names them once."""
        from novasaas.accounting import statements

        header_text = request.POST.get("header_row", "1")
        header_row = int(header_text) if header_text.isdigit() and len(header_text) < 3 else -1
        pv = statements.preview(statements.stashed_upload(self.tenant.pk, token), max(header_row, 0))
        titles = {n: t for n, t in pv.columns}
        all_titles = [t.lower() for _n, t in pv.columns if t]
        columns: dict[str, int | str] = {}
        for name in statements.FIELDS:
            raw = request.POST.get(f"col_{name}", "")
            if not raw:
                continue
            if not raw.isdigit() or len(raw) > 3:
                columns[name] = raw[:100]
                continue
            title = titles.get(int(raw), "")
            columns[name] = title if header_row > 0 and title and all_titles.count(title.lower()) == 1 else int(raw)
        return {
            "columns": columns,
            "date_format": request.POST.get("date_format", "")[:20],
            "decimal_separator": request.POST.get("decimal_separator", "")[:2],
            "thousands_separator": {"space": " ", "none": ""}.get(
                request.POST.get("thousands_separator", ""), request.POST.get("thousands_separator", "")[:2]
            ),
            "header_row": header_row,
            "skip_undated": bool(request.POST.get("skip_undated")),
        }

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        from novasaas.accounting import banking, statements
        from novasaas.accounting.models import BankTransaction

        action = request.POST.get("action", "")
        token = request.POST.get("token", "")[:40]
        try:
            if action in ("import", "preview"):
                upload = request.FILES.get("file")
                if upload is None:
                    raise ValidationError(_("Choose a file."))
                profile_text = request.POST.get("profile", "")
                profile_id = int(profile_text) if profile_text.isdigit() and len(profile_text) < 19 else None
                if action == "preview":
                    self.principal.require("acc.bank.import")
                    data = upload.read(statements.MAX_BYTES + 1)
                    statements.read_table(data)  # refuse unreadable files before keeping them
                    profile = next((x for x in banking.statement_profiles(self.tenant, pk) if x.pk == profile_id), None)
                    token = statements.stash_upload(self.tenant.pk, data)
                    return self.mapping_page(request, pk, token, mapping=profile.mapping if profile else None)
                result = banking.import_statement(self.principal, pk, upload, upload.name or "", profile_id=profile_id)
                self._imported(request, result)
            elif action == "repreview":
                self.principal.require("acc.bank.import")
                mapping = self._posted_mapping(request, pk, token)
                return self.mapping_page(
                    request,
                    pk,
                    token,
                    header_row=max(mapping["header_row"], 0),
                    mapping=mapping,
                    save_profile=request.POST.get("save_profile", "")[:80],
                )
            elif action == "import_mapped":
                self.principal.require("acc.bank.import")
                mapping = self._posted_mapping(request, pk, token)
                save_profile = request.POST.get("save_profile", "")[:80]
                try:
                    data = statements.stashed_upload(self.tenant.pk, token)
                    import io

                    result = banking.import_statement(
                        self.principal, pk, io.BytesIO(data), "", mapping=mapping, save_profile=save_profile
                    )
                except (EntryImportError, ValidationError) as exc:
                    lines = exc.lines if isinstance(exc, EntryImportError) else None
                    if lines is None:
                        from novasaas.accounting.excel import LineError

                        lines = [LineError(0, exc.messages)]
                    return self.mapping_page(
                        request,
                        pk,
                        token,
                        header_row=max(mapping["header_row"], 0),
                        mapping=mapping,
                        status=400,
                        errors=lines,
                        save_profile=save_profile,
                    )
                statements.drop_stash(self.tenant.pk, token)
                self._imported(request, result)
            elif action == "delete_profile":
                profile_text = request.POST.get("profile", "")
                if not profile_text.isdigit() or len(profile_text) > 18:
                    raise ValidationError(_("Unknown profile."))
                profile = next(
                    (x for x in banking.statement_profiles(self.tenant, pk) if x.pk == int(profile_text)), None
                )
                if profile is None:
                    raise Http404
                banking.delete_statement_profile(self.principal, profile.pk)
                messages.success(request, _("Profile deleted."))
            elif action in ("match", "fee"):
                tx, line = request.POST.get("tx", ""), request.POST.get("line", "")
                if not tx.isdigit() or len(tx) > 18:
                    raise ValidationError(_("Unknown line."))
                BankTransaction.objects.get(pk=int(tx), bank_account_id=pk)
                if action == "fee":
                    banking.post_fee(self.principal, int(tx))
                else:
                    if not line.isdigit() or len(line) > 18:
                        raise ValidationError(_("Unknown line."))
                    banking.match(self.principal, int(tx), int(line))
                messages.success(request, _("Matched."))
        except EntryImportError as exc:
            return self.get(request, pk, status=400, errors=exc.lines)
        except ValidationError as exc:
            self.fail(request, exc)
        return redirect("accounting-bank-detail", pk=pk)

    @staticmethod
    def _imported(request: HttpRequest, result: dict[str, Any]) -> None:
        messages.success(
            request,
            _("%(n)d statement lines imported, %(s)d already there.")
            % {"n": result["created"], "s": result["skipped"]},
        )
        if result.get("closing_balance") is not None:
            messages.info(
                request,
                _("Statement balances check: opening %(o)s, closing %(c)s.")
                % {"o": format_amount(result["opening_balance"]), "c": format_amount(result["closing_balance"])},
            )


# --- daily shortcuts ----------------------------------------------------------------------------------------------


class DailyView(AccPermissionView):
    """Confirm revenue (``acc.revenue.confirm``) and record expenses (``acc.expense.record``)."""

    def forms(self, data: Any = None, which: str = "") -> dict[str, Any]:
        partners = _partners(self.tenant)
        rates = sorted({(r.code, r.code) for r in selectors.list_tax_rates(self.tenant)})
        today = timezone.localdate()
        return {
            kind: QuickForm(
                data if which == kind else None,
                prefix=kind,
                kind=kind,
                partners=partners,
                rates=rates,
                initial={"date": today, "tax_rate": "VAT10"},
            )
            for kind in ("revenue", "expense")
        }

    def get(self, request: HttpRequest, forms: dict[str, Any] | None = None, status: int = 200) -> HttpResponse:
        return render(request, "accounting/daily.html", {"forms": forms or self.forms()}, status=status)

    def post(self, request: HttpRequest) -> HttpResponse:
        from novasaas.accounting import quick

        which = "expense" if request.POST.get("kind") == "expense" else "revenue"
        self.principal.require("acc.expense.record" if which == "expense" else "acc.revenue.confirm")
        forms = self.forms(request.POST, which)
        form = forms[which]
        if form.is_valid():
            d = dict(form.cleaned_data)
            account = d.pop("account")
            d["tax_rate"] = d["tax_rate"] or None
            try:
                if which == "expense":
                    entry = quick.record_expense(self.principal, expense_account=account, **d)
                else:
                    entry = quick.confirm_revenue(self.principal, revenue_account=account, **d)
                messages.success(request, _("Entry %(ref)s posted.") % {"ref": entry.reference or entry.pk})
                return redirect("accounting-entry-detail", pk=entry.pk)
            except ValidationError as exc:
                for key, msgs in exc.message_dict.items() if hasattr(exc, "error_dict") else [(None, exc.messages)]:
                    form.add_error(key if key in form.fields else None, msgs)
        return self.get(request, forms=forms, status=400)


class AllocateView(AccPermissionView):
    """Manual reconciliation from the open items of a party (``acc.reconcile``)."""

    permission = "acc.reconcile"

    def post(self, request: HttpRequest) -> HttpResponse:
        from novasaas.accounting import receivables

        values = [request.POST.get(k, "") for k in ("payment_line", "invoice_line")]
        back = request.POST.get("back", "")
        try:
            if not all(v.isdigit() and len(v) < 18 for v in values):
                raise ValidationError(_("Unknown line."))
            receivables.allocate(
                self.principal,
                payment_line_id=int(values[0]),
                invoice_line_id=int(values[1]),
                amount=typed_number(request.POST.get("amount", "")[:30], 2),
            )
            messages.success(request, _("Matched."))
        except ValidationError as exc:
            self.fail(request, exc)
        if back.startswith("/accounting/aging/"):
            return redirect(back)
        return redirect("accounting-aging")


class StockReconciliationView(AccPermissionView):
    """Inventory valuation against the stock accounts (spec §11.3); the Finance Manager can post the
    difference as an opening balance when Accounting was switched on after stock was kept."""

    def get(self, request: HttpRequest) -> HttpResponse:
        from novasaas.accounting import stock_reconciliation as stock

        as_of = None
        raw = request.GET.get("as_of", "")
        if raw:
            try:
                as_of = parse_date(raw)
            except ValueError:
                messages.error(request, _("Enter a valid date."))
        rec = stock.stock_reconciliation(self.tenant, as_of)
        can_post = self.principal.has("acc.entry.approve")
        return render(request, "accounting/stock_reconciliation.html", {"rec": rec, "can_post": can_post})

    def post(self, request: HttpRequest) -> HttpResponse:
        from novasaas.accounting import stock_reconciliation as stock

        try:
            entry = stock.post_inventory_opening_balance(self.principal)
        except ValidationError as exc:
            self.fail(request, exc)
            return redirect("accounting-stock-reconciliation")
        messages.success(request, _("Opening balance entry %(n)s posted.") % {"n": entry.reference or entry.pk})
        return redirect("accounting-entry-detail", entry.pk)


class CostOfSalesView(AccPermissionView):
    """Cost of goods sold for a month or date range (spec §7.2.2 "Tính giá vốn"): opening + receipts −
    closing per stock account, 632 posted and, with Inventory, the inventory ledger's cost of sales; without
    Inventory the accountant enters the counted closing stock, previews and posts Dr 632 / Cr stock."""

    permission = "acc.cost.calculate"

    def _range(self, data: Any) -> tuple[dt.date, dt.date]:
        from novasaas.accounting import cost

        if data.get("date_from") or data.get("date_to"):
            try:
                start, end = parse_date(data.get("date_from")), parse_date(data.get("date_to"))
                if start is None or end is None:
                    raise ValueError("empty")
            except ValueError as exc:
                raise ValidationError(_("Enter a valid date.")) from exc
            return start, end
        month = data.get("month") or timezone.localdate().strftime("%Y-%m")
        return cost.month_range(month)

    def _render(
        self, request: HttpRequest, calc: Any, status: int = 200, typed: dict[int, str] | None = None
    ) -> HttpResponse:
        """``typed``: what the accountant typed as counted closing stock, shown again after a refusal."""
        context = {"calc": calc, "month": calc.date_from.strftime("%Y-%m") if calc else "", "typed": typed or {}}
        return render(request, "accounting/cost_of_sales.html", context, status=status)

    def get(self, request: HttpRequest) -> HttpResponse:
        from novasaas.accounting import cost

        try:
            start, end = self._range(request.GET)
            calc = cost.cost_of_sales(self.tenant, start, end)
        except ValidationError as exc:
            self.fail(request, exc)
            today = timezone.localdate()
            start, end = cost.month_range(today.strftime("%Y-%m"))
            return self._render(request, cost.cost_of_sales(self.tenant, start, end), status=400)
        return self._render(request, calc)

    def post(self, request: HttpRequest) -> HttpResponse:
        from novasaas.accounting import cost

        raw = {k[len("closing_") :]: typed_number(v, 2) for k, v in request.POST.items() if k.startswith("closing_")}
        try:
            start, end = self._range(request.POST)
            counted = cost.parse_counted(raw)
            if request.POST.get("action") != "post":
                return self._render(request, cost.cost_of_sales(self.tenant, start, end, counted))
            entry = cost.post_periodic_cogs(self.principal, start, end, counted)
        except ValidationError as exc:
            self.fail(request, exc)
            try:
                start, end = self._range(request.POST)
                calc = cost.cost_of_sales(self.tenant, start, end)
            except ValidationError:
                start, end = cost.month_range(timezone.localdate().strftime("%Y-%m"))
                calc = cost.cost_of_sales(self.tenant, start, end)
            typed = {int(k): str(v)[:30] for k, v in raw.items() if k.isdigit()}
            return self._render(request, calc, status=400, typed=typed)
        messages.success(request, _("Cost of goods sold entry %(n)s posted.") % {"n": entry.reference or entry.pk})
        return redirect("accounting-entry-detail", entry.pk)


class ExchangeRatesView(AccPermissionView):
    """The exchange-rate table: Accountants read it, the Finance Manager adds, corrects, deletes and
    imports rates (CSV/Excel)."""

    def get(self, request: HttpRequest, form: Any = None, status: int = 200) -> HttpResponse:
        from novasaas.accounting import fx
        from novasaas.accounting.forms import ExchangeRateForm

        currency = request.GET.get("currency", "")[:3].upper()
        rates = fx.list_rates(self.tenant, currency if currency in FOREIGN_CURRENCIES else "", limit=500)
        return render(
            request,
            "accounting/exchange_rates.html",
            {
                "rates": rates,
                "form": form or ExchangeRateForm(initial={"date": timezone.localdate(), "currency": "USD"}),
                "import_form": ImportForm(),
                "currencies": FOREIGN_CURRENCIES,
                "currency": currency,
            },
            status=status,
        )

    def post(self, request: HttpRequest) -> HttpResponse:
        from novasaas.accounting import fx
        from novasaas.accounting.forms import ExchangeRateForm

        self.principal.require("acc.coa.configure")
        op = request.POST.get("op", "create")
        try:
            if op == "delete":
                fx.delete_rate(self.principal, int(request.POST.get("id", "0") or 0))
                messages.success(request, _("Exchange rate deleted."))
                return redirect("accounting-exchange-rates")
            if op == "update":
                fx.update_rate(
                    self.principal,
                    int(request.POST.get("id", "0") or 0),
                    rate=typed_number(request.POST.get("rate", ""), 6),
                )
                messages.success(request, _("Exchange rate saved."))
                return redirect("accounting-exchange-rates")
            if op == "import":
                upload = request.FILES.get("file")
                if upload is None:
                    raise ValidationError({"file": [_("Choose a file.")]})
                count = fx.import_rates(self.principal, upload, upload.name or "")
                messages.success(request, _("%(n)d exchange rates imported.") % {"n": count})
                return redirect("accounting-exchange-rates")
        except (ValueError, ValidationError) as exc:
            msgs = exc.messages if isinstance(exc, ValidationError) else [_("Unknown rate.")]
            for msg in msgs:
                messages.error(request, msg)
            return self.get(request, status=400)
        form = ExchangeRateForm(request.POST)
        if form.is_valid():
            try:
                fx.create_rate(self.principal, **form.cleaned_data)
                messages.success(request, _("Exchange rate saved."))
                return redirect("accounting-exchange-rates")
            except ValidationError as exc:
                for key, msgs in exc.message_dict.items():
                    form.add_error(key if key in form.fields else None, msgs)
        return self.get(request, form=form, status=400)


class RevaluationView(AccPermissionView):
    """Period-end revaluation of foreign-currency items: the computation for a date, then posting."""

    permission = "acc.period.close"

    def get(self, request: HttpRequest, status: int = 200) -> HttpResponse:
        from novasaas.accounting import fx
        from novasaas.accounting.forms import RevaluationForm

        form = RevaluationForm(request.GET or None)
        preview = None
        if form.is_bound and form.is_valid():
            preview = fx.revaluation_preview(self.tenant, form.cleaned_data["date"])
        elif not form.is_bound:
            form = RevaluationForm(initial={"date": timezone.localdate()})
        return render(request, "accounting/revaluation.html", {"form": form, "preview": preview}, status=status)

    def post(self, request: HttpRequest) -> HttpResponse:
        from novasaas.accounting import fx
        from novasaas.accounting.forms import RevaluationForm

        form = RevaluationForm(request.POST)
        if not form.is_valid():
            for msgs in form.errors.values():
                for msg in msgs:
                    messages.error(request, str(msg))
            return render(request, "accounting/revaluation.html", {"form": form, "preview": None}, status=400)
        try:
            entry = fx.revalue(self.principal, form.cleaned_data["date"])
        except ValidationError as exc:
            self.fail(request, exc)
            preview = fx.revaluation_preview(self.tenant, form.cleaned_data["date"])
            return render(request, "accounting/revaluation.html", {"form": form, "preview": preview}, status=400)
        messages.success(request, _("Revaluation posted: %(ref)s.") % {"ref": entry.reference})
        return redirect("accounting-entry-detail", pk=entry.pk)
