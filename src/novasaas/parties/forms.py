"""Forms of the parties pages. They only collect input: validation of business rules and writing is
done by ``actions`` (the same path as the API)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from novasaas.parties.models import ContactKind, PartyKind
from novasaas.platform.text import Form


class PartyForm(Form):
    role = forms.ChoiceField(
        label=_("Role"),
        choices=[("customer", _("Customer")), ("supplier", _("Supplier"))],
        initial="customer",
        required=False,
        help_text=_("A supplier's code starts with NCC, a customer's with KH."),
    )
    name = forms.CharField(label=_("Name"), max_length=300)
    kind = forms.ChoiceField(label=_("Kind"), choices=PartyKind.choices, initial=PartyKind.COMPANY)
    tax_code = forms.CharField(label=_("Tax code"), max_length=14, required=False)
    id_number = forms.CharField(
        label=_("ID number"),
        max_length=20,
        required=False,
        help_text=_("Citizen ID or passport number (people only)."),
    )
    website = forms.CharField(label=_("Website"), max_length=200, required=False)
    tags = forms.CharField(
        label=_("Tags"),
        max_length=500,
        required=False,
        help_text=_("Separated by commas, e.g. customer, supplier"),
    )
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def cleaned_tags(self) -> list[str]:
        return [t.strip() for t in self.cleaned_data.get("tags", "").split(",") if t.strip()]


class AddressForm(Form):
    label = forms.CharField(label=_("Label"), max_length=60, required=False)
    line = forms.CharField(label=_("Street address"), max_length=300, required=False)
    ward = forms.CharField(label=_("Ward / commune"), max_length=100, required=False)
    district = forms.CharField(label=_("District"), max_length=100, required=False)
    province = forms.CharField(label=_("Province / city"), max_length=100, required=False)
    country = forms.CharField(label=_("Country"), max_length=2, initial="VN")
    is_default = forms.BooleanField(label=_("Default"), required=False)


class ContactForm(Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=ContactKind.choices, initial=ContactKind.PHONE)
    value = forms.CharField(label=_("Phone or email"), max_length=254)
    label = forms.CharField(label=_("Label"), max_length=60, required=False)
    is_primary = forms.BooleanField(label=_("Primary"), required=False)


class BankAccountForm(Form):
    bank_name = forms.CharField(label=_("Bank"), max_length=200)
    account_number = forms.CharField(label=_("Account number"), max_length=40)
    holder = forms.CharField(label=_("Account holder"), max_length=200, required=False)
    branch = forms.CharField(label=_("Branch"), max_length=200, required=False)


AddressFormSet = forms.formset_factory(AddressForm, extra=1, can_delete=True, max_num=50, validate_max=True)
ContactFormSet = forms.formset_factory(ContactForm, extra=2, can_delete=True, max_num=50, validate_max=True)
BankAccountFormSet = forms.formset_factory(BankAccountForm, extra=1, can_delete=True, max_num=50, validate_max=True)


def kept_forms(formset: forms.BaseFormSet) -> list[forms.Form]:
    """The filled-in, not deleted forms of a valid formset (blank extra rows are skipped)."""
    return [f for f in formset.forms if f.has_changed() and not f.cleaned_data.get("DELETE")]


def rows(formset: forms.BaseFormSet) -> list[dict[str, Any]]:
    return [{k: v for k, v in f.cleaned_data.items() if k != "DELETE"} for f in kept_forms(formset)]


class MergeForm(Form):
    duplicates = forms.MultipleChoiceField(
        label=_("Duplicates to merge into this party"), required=False, widget=forms.CheckboxSelectMultiple
    )
    other_codes = forms.CharField(
        label=_("Other party codes"),
        required=False,
        max_length=500,
        help_text=_("Codes of further duplicates, separated by commas (e.g. KH00012)."),
    )

    def __init__(self, *args: Any, candidates: list[tuple[int, str]] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["duplicates"]
        field.choices = [(str(pk), label) for pk, label in (candidates or [])]

    def codes(self) -> list[str]:
        return [c.strip().upper() for c in self.cleaned_data.get("other_codes", "").split(",") if c.strip()]


class ImportForm(Form):
    file = forms.FileField(label=_("Excel file (.xlsx)"))
