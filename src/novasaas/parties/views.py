"""Pages of the parties directory: thin views over actions and selectors, htmx live search."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views import View

from novasaas.identity.access import Principal, require_perm
from novasaas.parties import actions, selectors
from novasaas.parties.excel import XLSX_TYPE, PartyImportError, export_workbook, import_parties
from novasaas.parties.forms import (
    AddressFormSet,
    BankAccountFormSet,
    ContactFormSet,
    ImportForm,
    MergeForm,
    PartyForm,
    kept_forms,
    rows,
)
from novasaas.parties.models import Party, PartyKind

PAGE_SIZE = 50


class PartyPermissionView(LoginRequiredMixin, View):
    """Signed-in members with ``permission``. Parties are CORE: no module gate."""

    permission = "core.parties.view"
    principal: Principal

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.principal = require_perm(request, self.permission)
        return super().dispatch(request, *args, **kwargs)

    def get_party(self, pk: int) -> Party:
        try:
            return selectors.get_party(self.principal.tenant, pk)
        except Party.DoesNotExist as exc:
            raise Http404 from exc


class PartyListView(PartyPermissionView):
    def get(self, request: HttpRequest) -> HttpResponse:
        q = request.GET.get("q", "")[:200]
        kind = request.GET.get("kind", "")
        kind = kind if kind in PartyKind.values else ""
        inactive = request.GET.get("inactive") == "1"
        qs = selectors.search_parties(self.principal.tenant, q, kind=kind or None, include_inactive=inactive)
        page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
        context = {"page": page, "q": q, "kind": kind, "inactive": inactive, "kinds": PartyKind.choices}
        # A history restore (back button after hx-push-url) needs the whole page, not the partial.
        partial = request.headers.get("HX-Request") and not request.headers.get("HX-History-Restore-Request")
        response = render(request, "parties/_table.html" if partial else "parties/list.html", context)
        patch_vary_headers(response, ["HX-Request"])
        return response


class PartyDetailView(PartyPermissionView):
    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        party = self.get_party(pk)
        merged_into = (
            selectors.party_summary(self.principal.tenant, party.merged_into_id) if party.merged_into_id else None
        )
        return render(
            request,
            "parties/detail.html",
            {
                "party": party,
                "tags": selectors.tag_names(party),
                "merged_into": merged_into,
            },
        )


class PartyFormMixin(PartyPermissionView):
    permission = "core.parties.edit"
    template_name = "parties/form.html"

    def forms(self, data: Any = None, party: Party | None = None) -> dict[str, Any]:
        initial: dict[str, Any] = {}
        addr: list[dict[str, Any]] = []
        contacts: list[dict[str, Any]] = []
        banks: list[dict[str, Any]] = []
        if party is not None:
            initial = {f: getattr(party, f) for f in actions.SCALAR_FIELDS}
            initial["tags"] = ", ".join(selectors.tag_names(party))
            addr = [{f: getattr(a, f) for f in actions.ADDRESS_FIELDS} for a in party.addresses.all()]
            contacts = [{f: getattr(c, f) for f in actions.CONTACT_FIELDS} for c in party.contacts.all()]
            banks = [{f: getattr(b, f) for f in actions.BANK_FIELDS} for b in party.bank_accounts.all()]
        form = PartyForm(data, initial=initial)
        if party is not None:  # the code, and so the role's series, is fixed at creation
            form.fields["role"].disabled = True
            form.fields["role"].initial = "supplier" if party.code.startswith(actions.SUPPLIER_PREFIX) else "customer"
        return {
            "form": form,
            "addresses": AddressFormSet(data, initial=addr, prefix="addresses"),
            "contacts": ContactFormSet(data, initial=contacts, prefix="contacts"),
            "bank_accounts": BankAccountFormSet(data, initial=banks, prefix="bank_accounts"),
        }

    def render_forms(
        self, request: HttpRequest, forms: dict[str, Any], party: Party | None, status: int = 200
    ) -> HttpResponse:
        return render(request, self.template_name, {**forms, "party": party}, status=status)

    def save(self, request: HttpRequest, forms: dict[str, Any], party: Party | None) -> HttpResponse:
        form = forms["form"]
        valid = all(f.is_valid() for f in forms.values())
        if valid:
            data = {k: v for k, v in form.cleaned_data.items() if k not in ("tags", "role")}
            nested: dict[str, Any] = {k: rows(forms[k]) for k in ("addresses", "contacts", "bank_accounts")}
            try:
                if party is None:
                    role = form.cleaned_data["role"] or "customer"
                    party = actions.create_party(self.principal, **data, **nested, tags=form.cleaned_tags(), role=role)
                    messages.success(request, _("Party %(code)s created.") % {"code": party.code})
                else:
                    actions.update_party(self.principal, party.pk, **data, **nested, tags=form.cleaned_tags())
                    messages.success(request, _("Party %(code)s saved.") % {"code": party.code})
                return redirect("parties-detail", pk=party.pk)
            except ValidationError as exc:
                self.attach_errors(forms, exc)
        return self.render_forms(request, forms, party, status=400)

    @staticmethod
    def attach_errors(forms: dict[str, Any], exc: ValidationError) -> None:
        form = forms["form"]
        if not hasattr(exc, "error_dict"):
            for msg in exc.messages:
                form.add_error(None, msg)
            return
        for key, msgs in exc.message_dict.items():
            target, field = form, key if key in form.fields else None
            if "[" in key:  # addresses[0].line → that row of the formset
                name, rest = key.split("[", 1)
                index_text, _sep, sub = rest.partition("]")
                sub = sub.lstrip(".")
                kept = kept_forms(forms[name]) if name in forms else []
                index = int(index_text) if index_text.isdigit() else -1
                if 0 <= index < len(kept):
                    target = kept[index]
                    field = sub if sub in target.fields else None
            for msg in msgs:
                target.add_error(field, msg)


class PartyCreateView(PartyFormMixin):
    def get(self, request: HttpRequest) -> HttpResponse:
        return self.render_forms(request, self.forms(), None)

    def post(self, request: HttpRequest) -> HttpResponse:
        return self.save(request, self.forms(request.POST), None)


class PartyEditView(PartyFormMixin):
    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        party = self.get_party(pk)
        return self.render_forms(request, self.forms(party=party), party)

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        party = self.get_party(pk)
        return self.save(request, self.forms(request.POST, party=party), party)


class PartyDeactivateView(PartyPermissionView):
    permission = "core.parties.edit"

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        party = self.get_party(pk)
        actions.deactivate_party(self.principal, party.pk)
        messages.success(request, _("Party %(code)s deactivated.") % {"code": party.code})
        return redirect("parties-detail", pk=party.pk)


class PartyReactivateView(PartyPermissionView):
    permission = "core.parties.edit"

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        party = self.get_party(pk)
        try:
            actions.reactivate_party(self.principal, party.pk)
            messages.success(request, _("Party %(code)s reactivated.") % {"code": party.code})
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        return redirect("parties-detail", pk=party.pk)


class PartyMergeView(PartyPermissionView):
    permission = "core.parties.merge"

    def candidates(self, party: Party) -> list[Any]:
        return selectors.find_duplicates(self.principal.tenant, party)

    def render_page(
        self, request: HttpRequest, party: Party, form: MergeForm, cands: list[Any], status: int = 200
    ) -> HttpResponse:
        return render(request, "parties/merge.html", {"party": party, "form": form, "candidates": cands}, status=status)

    def make_form(self, data: Any, cands: list[Any]) -> MergeForm:
        return MergeForm(data, candidates=[(c.party.pk, str(c.party)) for c in cands])

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        party = self.get_party(pk)
        cands = self.candidates(party)
        return self.render_page(request, party, self.make_form(None, cands), cands)

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        party = self.get_party(pk)
        cands = self.candidates(party)
        form = self.make_form(request.POST, cands)
        if form.is_valid():
            ids = [int(i) for i in form.cleaned_data["duplicates"]]
            codes = form.codes()
            found = dict(Party.objects.filter(code__in=codes, is_active=True).values_list("code", "pk"))
            unknown = [c for c in codes if c not in found]
            if unknown:
                form.add_error("other_codes", _("Unknown or inactive codes: %s") % ", ".join(unknown))
            else:
                ids.extend(found.values())
                try:
                    actions.merge_parties(self.principal, party.pk, ids)
                    messages.success(request, _("Parties merged into %(code)s.") % {"code": party.code})
                    return redirect("parties-detail", pk=party.pk)
                except ValidationError as exc:
                    for msg in exc.messages:
                        form.add_error(None, msg)
        return self.render_page(request, party, form, cands, status=400)


class PartyExportView(PartyPermissionView):
    permission = "core.parties.import"

    def get(self, request: HttpRequest) -> HttpResponse:
        response = HttpResponse(export_workbook(self.principal.tenant), content_type=XLSX_TYPE)
        response["Content-Disposition"] = 'attachment; filename="parties.xlsx"'
        return response


class PartyImportView(PartyPermissionView):
    permission = "core.parties.import"

    def get(self, request: HttpRequest) -> HttpResponse:
        return render(request, "parties/import.html", {"form": ImportForm()})

    def post(self, request: HttpRequest) -> HttpResponse:
        form = ImportForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                created = import_parties(self.principal, form.cleaned_data["file"])
            except PartyImportError as exc:
                return render(request, "parties/import.html", {"form": form, "errors": exc.lines}, status=400)
            messages.success(request, _("%(n)d parties imported.") % {"n": len(created)})
            return redirect("parties-list")
        return render(request, "parties/import.html", {"form": form}, status=400)


class PartyPickerView(PartyPermissionView):
    """The party picker's search (JSON for ``app.js``): active parties of the company matching every
    word typed (name, code, tax code, phone… accent-insensitive), at most ``PICKER_LIMIT``."""

    def get(self, request: HttpRequest) -> HttpResponse:
        from novasaas.parties.fields import party_label
        from novasaas.platform.search import PICKER_LIMIT, picker_response

        qs = selectors.search_parties(self.principal.tenant, request.GET.get("q", "")[:200])
        return picker_response(qs[:PICKER_LIMIT], party_label)
