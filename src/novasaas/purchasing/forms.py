"""Forms of the purchasing pages. They only collect input: business rules and writing are the actions'
(the same path as the API)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from novasaas.platform.dates import DateInput
from novasaas.platform.numbers import NumberField
from novasaas.platform.text import Form
from novasaas.platform.widgets import PickerSelect
from novasaas.purchasing.models import ExpenseRole, PaymentMethod, ReorderAction, VatCode


def _choices(field: Any, options: Any) -> None:
    field.choices = [("", "—"), *options]


class SettingsForm(Form):
    approval_limit = NumberField(label=_("Approval limit"), max_digits=16, decimal_places=0)
    receipt_tolerance_percent = NumberField(label=_("Over-receipt tolerance %"), max_digits=5, decimal_places=2)
    quantity_tolerance_percent = NumberField(label=_("Bill quantity tolerance %"), max_digits=5, decimal_places=2)
    price_tolerance_percent = NumberField(label=_("Bill price tolerance %"), max_digits=5, decimal_places=2)
    reorder_action = forms.ChoiceField(
        label=_("When stock falls below its reorder level, create"),
        choices=ReorderAction.choices,
        help_text=_(
            "A draft purchase order goes to the vendor the product was last ordered from (else the cheapest "
            "vendor with a price list line) at its price list price; without one, a requisition is created."
        ),
    )


class VendorForm(Form):
    party_id = forms.TypedChoiceField(label=_("Party"), coerce=int, widget=PickerSelect)
    payment_terms_days = forms.IntegerField(label=_("Payment terms (days)"), min_value=0, max_value=3650, initial=0)
    currency = forms.CharField(label=_("Currency"), max_length=3, initial="VND")
    bank_name = forms.CharField(label=_("Bank"), max_length=100, required=False)
    bank_account = forms.CharField(label=_("Bank account"), max_length=40, required=False)
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(self, *args: Any, parties: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choices(self.fields["party_id"], parties)


class VendorPriceForm(Form):
    product_id = forms.TypedChoiceField(label=_("Product"), coerce=int, widget=PickerSelect)
    price = NumberField(label=_("Price"), max_digits=16, decimal_places=0)
    min_quantity = NumberField(label=_("Minimum quantity"), max_digits=15, decimal_places=4, required=False)
    lead_time_days = forms.IntegerField(label=_("Lead time (days)"), min_value=0, max_value=3650, initial=0)
    valid_from = forms.DateField(label=_("Valid from"), widget=DateInput, required=False)
    valid_to = forms.DateField(label=_("Valid to"), widget=DateInput, required=False)

    def __init__(self, *args: Any, products: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choices(self.fields["product_id"], products)


class OrderForm(Form):
    vendor_id = forms.TypedChoiceField(label=_("Vendor"), coerce=int, widget=PickerSelect)
    warehouse_id = forms.TypedChoiceField(label=_("Warehouse"), coerce=int)
    date = forms.DateField(label=_("Date"), widget=DateInput, required=False)
    expected_date = forms.DateField(label=_("Expected date"), widget=DateInput, required=False)
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, vendors: Any = (), warehouses: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choices(self.fields["vendor_id"], vendors)
        _choices(self.fields["warehouse_id"], warehouses)


class OrderLineForm(Form):
    product_id = forms.TypedChoiceField(label=_("Product"), coerce=int, required=False, empty_value=None)
    quantity = NumberField(label=_("Quantity"), max_digits=15, decimal_places=4, required=False)
    unit_price = NumberField(
        label=_("Unit price"), max_digits=16, decimal_places=0, required=False, help_text=_("Empty: price list")
    )
    discount_percent = NumberField(label=_("Discount %"), max_digits=5, decimal_places=2, required=False)
    vat_code = forms.ChoiceField(label=_("VAT rate"), choices=[("", "—"), *VatCode.choices], required=False)

    def __init__(self, *args: Any, products: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choices(self.fields["product_id"], products)

    def is_blank(self) -> bool:
        data = self.cleaned_data
        return not data.get("product_id") and data.get("quantity") in (None, "")


class BaseLineFormSet(forms.BaseFormSet):
    def __init__(self, *args: Any, products: Any = (), **kwargs: Any) -> None:
        self.products = products
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index: int | None) -> dict[str, Any]:
        return {**super().get_form_kwargs(index), "products": self.products}

    def rows(self) -> list[dict[str, Any]]:
        """The lines to save: every line the page showed (changed or not) and the extra lines filled in;
        a line whose product, description and quantity were cleared is left out (removed)."""
        rows = []
        shown = self.initial_form_count()
        for index, form in enumerate(self.forms):
            if (index >= shown and not form.has_changed()) or form.is_blank():
                continue
            rows.append({k: v for k, v in form.cleaned_data.items() if v not in (None, "")})
        return rows


OrderLineFormSet = forms.formset_factory(
    OrderLineForm, formset=BaseLineFormSet, extra=5, max_num=500, validate_max=True
)


class BillForm(Form):
    """A bill of an order (lines from its received, not yet billed quantities) or an expense bill of a
    vendor with one line."""

    order_id = forms.TypedChoiceField(label=_("Purchase order"), coerce=int, required=False, empty_value=None)
    vendor_id = forms.TypedChoiceField(label=_("Vendor"), coerce=int, required=False, empty_value=None)
    vendor_invoice_no = forms.CharField(label=_("Vendor invoice number"), max_length=40)
    date = forms.DateField(label=_("Date"), widget=DateInput, required=False)
    due_date = forms.DateField(label=_("Due date"), widget=DateInput, required=False)
    payment_method = forms.ChoiceField(label=_("Payment method"), choices=PaymentMethod.choices)
    description = forms.CharField(label=_("Expense description"), max_length=300, required=False)
    expense_role = forms.ChoiceField(label=_("Expense"), choices=ExpenseRole.choices, required=False)
    amount = NumberField(label=_("Amount before VAT"), max_digits=16, decimal_places=0, required=False)
    vat_code = forms.ChoiceField(label=_("VAT rate"), choices=VatCode.choices, initial="VAT10")
    project_id = forms.TypedChoiceField(
        label=_("Project"),
        coerce=int,
        required=False,
        empty_value=None,
        help_text=_("Expense bills only: the cost is booked on the project and shows in its costing."),
    )

    def __init__(self, *args: Any, orders: Any = (), vendors: Any = (), projects: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choices(self.fields["order_id"], orders)
        _choices(self.fields["vendor_id"], vendors)
        if projects is None:  # no Projects module: no project field
            del self.fields["project_id"]
        else:
            _choices(self.fields["project_id"], projects)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("project_id") and data.get("order_id"):
            self.add_error("project_id", _("A project can be named on a bill without a purchase order only."))
        return data


class ReceiveForm(Form):
    date = forms.DateField(label=_("Date"), widget=DateInput, required=False)


class PaymentForm(Form):
    amount = NumberField(label=_("Amount"), max_digits=16, decimal_places=0)
    method = forms.ChoiceField(label=_("Method"), choices=PaymentMethod.choices)
    date = forms.DateField(label=_("Date"), widget=DateInput, required=False)


class RequisitionForm(Form):
    product_id = forms.TypedChoiceField(label=_("Product"), coerce=int, widget=PickerSelect)
    warehouse_id = forms.TypedChoiceField(label=_("Warehouse"), coerce=int)
    quantity = NumberField(label=_("Quantity"), max_digits=15, decimal_places=4)
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, products: Any = (), warehouses: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choices(self.fields["product_id"], products)
        _choices(self.fields["warehouse_id"], warehouses)


class ConvertForm(Form):
    vendor_id = forms.TypedChoiceField(label=_("Vendor"), coerce=int)

    def __init__(self, *args: Any, vendors: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choices(self.fields["vendor_id"], vendors)
