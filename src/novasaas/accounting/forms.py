"""Forms of the accounting pages (validation of business rules stays in the actions)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from novasaas.accounting.models import DimensionKind, JournalKind
from novasaas.parties.fields import PartyChoiceField
from novasaas.platform.dates import DateInput
from novasaas.platform.numbers import NumberField
from novasaas.platform.text import Form

DATE = DateInput()


class SubAccountForm(Form):
    parent_id = forms.TypedChoiceField(label=_("Parent account"), coerce=int)
    code = forms.CharField(label=_("Code"), max_length=20)
    name_vi = forms.CharField(label=_("Vietnamese name"), max_length=200)
    name_en = forms.CharField(label=_("English name"), max_length=200, required=False)

    def __init__(self, *args: Any, accounts: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["parent_id"].choices = [(a.pk, f"{a.code} {a.name_vi}") for a in accounts]  # type: ignore[attr-defined]


class AccountEditForm(Form):
    name_vi = forms.CharField(label=_("Vietnamese name"), max_length=200)
    name_en = forms.CharField(label=_("English name"), max_length=200, required=False)
    needs_partner = forms.BooleanField(label=_("Needs partner"), required=False)


class FiscalYearForm(Form):
    start_date = forms.DateField(label=_("Start date"), widget=DATE)


class JournalForm(Form):
    code = forms.CharField(label=_("Code"), max_length=10)
    name = forms.CharField(label=_("Name"), max_length=120)
    kind = forms.ChoiceField(label=_("Kind"), choices=JournalKind.choices)


class SettingsForm(Form):
    approval_threshold = NumberField(label=_("Approval threshold (VND)"), min_value=0, max_digits=17, decimal_places=2)
    vat_period = forms.ChoiceField(
        label=_("VAT filing period"), choices=[("month", _("Monthly")), ("quarter", _("Quarterly"))], required=False
    )


class TemplateForm(Form):
    template = forms.ChoiceField(
        label=_("Chart template"),
        choices=[("tt133", _("Circular 133/2016 (SMEs)")), ("tt99", _("Circular 99/2025"))],
    )


class EntryForm(Form):
    journal = forms.ChoiceField(label=_("Journal"))
    date = forms.DateField(label=_("Date"), widget=DATE)
    memo = forms.CharField(label=pgettext_lazy("accounting", "Description"), max_length=500, required=False)

    def __init__(self, *args: Any, journals: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["journal"].choices = [(j.code, f"{j.code} — {j.name}") for j in journals]  # type: ignore[attr-defined]


class LineForm(Form):
    account = forms.CharField(label=_("Account"), max_length=20, required=False)
    debit = NumberField(label=_("Debit"), min_value=0, max_digits=17, decimal_places=2, required=False)
    credit = NumberField(label=_("Credit"), min_value=0, max_digits=17, decimal_places=2, required=False)
    partner_id = PartyChoiceField(label=_("Partner"), required=False)
    memo = forms.CharField(label=pgettext_lazy("accounting", "Description"), max_length=300, required=False)
    tax_rate = forms.ChoiceField(label=_("VAT"), required=False)
    tax_base = NumberField(label=_("Tax base"), min_value=0, max_digits=17, decimal_places=2, required=False)
    paid_in_cash = forms.BooleanField(label=_("Cash"), required=False)
    dimension = forms.TypedChoiceField(label=_("Department / project"), coerce=int, required=False, empty_value=None)
    currency = forms.CharField(label=_("Currency"), max_length=3, required=False)
    exchange_rate = NumberField(label=_("Exchange rate"), min_value=0, max_digits=16, decimal_places=6, required=False)

    def __init__(self, *args: Any, partners: Any = (), rates: Any = (), dimensions: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["partner_id"].choices = [("", "—"), *partners]  # type: ignore[attr-defined]
        self.fields["tax_rate"].choices = [("", "—"), *rates]  # type: ignore[attr-defined]
        self.fields["dimension"].choices = [("", "—"), *dimensions]  # type: ignore[attr-defined]

    def is_blank(self) -> bool:
        data = getattr(self, "cleaned_data", {}) or {}
        return not any(data.get(k) for k in ("account", "debit", "credit", "partner_id", "memo"))


LineFormSet = forms.formset_factory(LineForm, extra=0, max_num=200, absolute_max=200, validate_max=True)


class ImportForm(Form):
    file = forms.FileField(label=_("CSV or Excel file"))
    post = forms.BooleanField(label=_("Post the entries"), required=False, initial=True)


class RangeForm(Form):
    date_from = forms.DateField(label=_("From"), widget=DATE, required=False)
    date_to = forms.DateField(label=_("To"), widget=DATE, required=False)


class TaxRateForm(Form):
    code = forms.RegexField(label=_("Code"), max_length=20, regex=r"^[A-Za-z0-9_.-]+$")
    name = forms.CharField(label=_("Name"), max_length=120)
    rate = NumberField(label=_("Rate (%)"), min_value=0, max_value=100, max_digits=8, decimal_places=4)
    is_exempt = forms.BooleanField(label=_("Exempt"), required=False)
    valid_from = forms.DateField(label=_("Valid from"), widget=DATE)
    valid_to = forms.DateField(label=_("Valid to"), widget=DATE, required=False)


class PaymentForm(Form):
    kind = forms.ChoiceField(
        label=_("Kind"), choices=[("receipt", _("Receipt from a customer")), ("payment", _("Payment to a supplier"))]
    )
    party_id = PartyChoiceField(label=_("Partner"))
    date = forms.DateField(label=_("Date"), widget=DATE)
    amount = NumberField(label=_("Amount"), min_value=Decimal("0.01"), max_digits=17, decimal_places=2)
    method = forms.ChoiceField(label=_("Method"), choices=[("bank", _("Bank")), ("cash", _("Cash"))])
    currency = forms.ChoiceField(label=_("Currency"), required=False)
    exchange_rate = NumberField(
        label=_("Exchange rate"),
        min_value=0,
        max_digits=16,
        decimal_places=6,
        required=False,
        help_text=_("VND per unit; empty: the rate table"),
    )
    memo = forms.CharField(label=pgettext_lazy("accounting", "Description"), max_length=300, required=False)

    def __init__(self, *args: Any, partners: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["party_id"].choices = list(partners)  # type: ignore[attr-defined]
        from novasaas.accounting.fx import FOREIGN_CURRENCIES

        self.fields["currency"].choices = [("", "VND"), *((c, c) for c in FOREIGN_CURRENCIES)]  # type: ignore[attr-defined]


class QuickForm(Form):
    date = forms.DateField(label=_("Date"), widget=DATE)
    amount = NumberField(label=_("Amount before VAT"), min_value=Decimal("0.01"), max_digits=17, decimal_places=2)
    account = forms.CharField(label=_("Account"), max_length=20, required=False)
    tax_rate = forms.ChoiceField(label=_("VAT"), required=False)
    settlement = forms.ChoiceField(label=_("Settlement"))
    partner_id = PartyChoiceField(label=_("Partner"), required=False)
    memo = forms.CharField(label=pgettext_lazy("accounting", "Description"), max_length=300, required=False)

    def __init__(self, *args: Any, kind: str = "revenue", partners: Any = (), rates: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        first = (
            ("receivable", _("On credit (receivable)")) if kind == "revenue" else ("payable", _("On credit (payable)"))
        )
        self.fields["settlement"].choices = [first, ("bank", _("Bank")), ("cash", _("Cash"))]  # type: ignore[attr-defined]
        self.fields["tax_rate"].choices = [("", "—"), *rates]  # type: ignore[attr-defined]
        self.fields["partner_id"].choices = [("", "—"), *partners]  # type: ignore[attr-defined]


class DimensionForm(Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=DimensionKind.choices)
    code = forms.CharField(label=_("Code"), max_length=30)
    name = forms.CharField(label=_("Name"), max_length=120)


class AttachmentForm(Form):
    file = forms.FileField(label=_("Invoice or receipt (PDF, JPEG, PNG, WebP)"))


class ExchangeRateForm(Form):
    currency = forms.ChoiceField(label=_("Currency"))
    date = forms.DateField(label=_("Date"), widget=DATE)
    rate = NumberField(label=_("Rate (VND per unit)"), min_value=0, max_digits=16, decimal_places=6)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from novasaas.accounting.fx import FOREIGN_CURRENCIES

        self.fields["currency"].choices = [(c, c) for c in FOREIGN_CURRENCIES]  # type: ignore[attr-defined]


class RevaluationForm(Form):
    date = forms.DateField(label=_("Revaluation date"), widget=DATE)
