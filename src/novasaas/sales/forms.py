"""Forms of the sales pages. They only collect input: business rules and writing are ``actions``' (the
same path as the API)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from novasaas.platform.dates import DateInput
from novasaas.platform.numbers import NumberField
from novasaas.platform.text import Form
from novasaas.platform.widgets import PickerSelect
from novasaas.sales.models import ActivityKind, LeadSource, PaymentMethod, Stage, StockCheck, VatCode


class CustomerGroupForm(Form):
    code = forms.CharField(label=_("Code"), max_length=20)
    name = forms.CharField(label=_("Name"), max_length=100)
    discount_percent = NumberField(label=_("Default discount %"), max_digits=5, decimal_places=2, required=False)
    price_list_id = forms.TypedChoiceField(label=_("Default price list"), coerce=int, required=False, empty_value=None)

    def __init__(self, *args: Any, price_lists: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["price_list_id"].choices = [("", "—"), *price_lists]  # type: ignore[attr-defined]


class CustomerImportForm(Form):
    file = forms.FileField(label=_("Excel file (.xlsx)"))


class CustomerContactForm(Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    position = forms.CharField(label=_("Position"), max_length=100, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=30, required=False)
    email = forms.EmailField(label=_("Email"), max_length=254, required=False)
    is_primary = forms.BooleanField(label=_("Primary contact"), required=False)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


class PriceListForm(Form):
    code = forms.CharField(label=_("Code"), max_length=20)
    name = forms.CharField(label=_("Name"), max_length=100)
    valid_from = forms.DateField(label=_("Valid from"), required=False, widget=DateInput)
    valid_to = forms.DateField(label=_("Valid to"), required=False, widget=DateInput)
    allow_override = forms.BooleanField(label=_("Price may be changed on a line"), required=False, initial=True)
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)


class PriceListItemForm(Form):
    product_id = forms.TypedChoiceField(label=_("Product"), coerce=int, required=False, empty_value=None)
    min_quantity = NumberField(label=_("From quantity"), max_digits=15, decimal_places=4, required=False)
    unit_price = NumberField(label=_("Unit price"), max_digits=16, decimal_places=0, required=False)

    def __init__(self, *args: Any, products: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["product_id"].choices = [("", "—"), *products]  # type: ignore[attr-defined]


class BasePriceListItemFormSet(forms.BaseFormSet):  # type: ignore[type-arg]
    def __init__(self, *args: Any, products: Any = (), **kwargs: Any) -> None:
        self.products = products
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index: Any) -> dict[str, Any]:
        return {**super().get_form_kwargs(index), "products": self.products}


PriceListItemFormSet = forms.formset_factory(PriceListItemForm, formset=BasePriceListItemFormSet, extra=3)


class CustomerForm(Form):
    party_id = forms.TypedChoiceField(label=_("Party"), coerce=int, widget=PickerSelect)
    group_id = forms.TypedChoiceField(label=_("Customer group"), coerce=int, required=False, empty_value=None)
    credit_limit = NumberField(
        label=_("Credit limit"),
        max_digits=16,
        decimal_places=0,
        required=False,
        help_text=_("Empty: no limit. 0: nothing on credit."),
    )
    payment_terms_days = forms.IntegerField(label=_("Payment terms (days)"), min_value=0, max_value=3650, initial=0)
    salesperson_id = forms.TypedChoiceField(label=_("Salesperson"), coerce=int, required=False, empty_value=None)

    def __init__(self, *args: Any, parties: Any = (), groups: Any = (), salespeople: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["party_id"].choices = [("", "—"), *parties]  # type: ignore[attr-defined]
        self.fields["group_id"].choices = [("", "—"), *groups]  # type: ignore[attr-defined]
        self.fields["salesperson_id"].choices = [("", "—"), *salespeople]  # type: ignore[attr-defined]


class OrderForm(Form):
    customer_id = forms.TypedChoiceField(label=_("Customer"), coerce=int, widget=PickerSelect)
    date = forms.DateField(label=_("Date"), widget=DateInput, required=False)
    warehouse_id = forms.TypedChoiceField(label=_("Warehouse"), coerce=int, required=False, empty_value=None)
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, customers: Any = (), warehouses: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["customer_id"].choices = [("", "—"), *customers]  # type: ignore[attr-defined]
        self.fields["warehouse_id"].choices = [("", "—"), *warehouses]  # type: ignore[attr-defined]
        if not warehouses:
            del self.fields["warehouse_id"]


class OrderLineForm(Form):
    product_id = forms.TypedChoiceField(label=_("Product"), coerce=int, required=False, empty_value=None)
    description = forms.CharField(label=_("Description"), max_length=300, required=False)
    unit = forms.CharField(label=_("Unit"), max_length=30, required=False)
    quantity = NumberField(label=_("Quantity"), max_digits=15, decimal_places=4, required=False)
    unit_price = NumberField(label=_("Unit price"), max_digits=16, decimal_places=0, required=False)
    discount_percent = NumberField(label=_("Discount %"), max_digits=5, decimal_places=2, required=False)
    vat_code = forms.ChoiceField(label=_("VAT rate"), choices=[("", "—"), *VatCode.choices], required=False)

    def __init__(self, *args: Any, products: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["product_id"].choices = [("", "—"), *products]  # type: ignore[attr-defined]
        if not products:
            del self.fields["product_id"]

    def is_blank(self) -> bool:
        data = self.cleaned_data
        return not data.get("product_id") and not data.get("description") and data.get("quantity") in (None, "")


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


class PaymentForm(Form):
    amount = NumberField(label=_("Amount"), max_digits=16, decimal_places=0)
    method = forms.ChoiceField(
        label=_("Method"),
        choices=[c for c in PaymentMethod.choices if c[0] != PaymentMethod.CREDIT],
        initial=PaymentMethod.BANK,
    )
    date = forms.DateField(label=_("Date"), widget=DateInput, required=False)


class QuotationForm(Form):
    customer_id = forms.TypedChoiceField(label=_("Customer"), coerce=int, widget=PickerSelect)
    date = forms.DateField(label=_("Date"), widget=DateInput, required=False)
    valid_until = forms.DateField(
        label=_("Valid until"), widget=DateInput, required=False, help_text=_("Empty: 30 days after the date.")
    )
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, customers: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["customer_id"].choices = [("", "—"), *customers]  # type: ignore[attr-defined]


class QuotationSendForm(Form):
    to = forms.EmailField(label=_("Email"), required=False, help_text=_("Empty: the customer's email."))


class SalesSettingsForm(Form):
    stock_check = forms.ChoiceField(label=_("When stock is short on confirmation"), choices=StockCheck.choices)
    approval_limit = NumberField(
        label=_("Orders above this total need approval"),
        max_digits=16,
        decimal_places=0,
        required=False,
        help_text=_("Empty: no approval needed. A Sales Manager's confirmation approves the order."),
    )
    payee_bank_bin = forms.CharField(
        label=_("Bank BIN (NAPAS, 6 digits)"),
        max_length=6,
        required=False,
        help_text=_("With the account number: a VietQR payment code on every invoice."),
    )
    payee_account = forms.CharField(label=_("Bank account number"), max_length=19, required=False)
    quotation_validity_days = forms.IntegerField(
        label=_("Quotations valid for (days)"), min_value=1, max_value=365, required=False, initial=30
    )
    quotation_expiry_notice_days = forms.IntegerField(
        label=_("Notify the salesperson this many days before a sent quotation expires"),
        min_value=0,
        max_value=60,
        required=False,
        initial=3,
    )


class DeliveryDateForm(Form):
    date = forms.DateField(label=_("Delivery date"), widget=DateInput, required=False)


class LeadForm(Form):
    name = forms.CharField(label=_("Contact name"), max_length=200)
    company = forms.CharField(label=_("Company"), max_length=200, required=False)
    email = forms.EmailField(label=_("Email"), required=False)
    phone = forms.CharField(label=_("Phone"), max_length=30, required=False)
    source = forms.ChoiceField(label=_("Source"), choices=LeadSource.choices, initial=LeadSource.OTHER)
    note = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 2}), required=False)


class OpportunityForm(Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    customer_id = forms.TypedChoiceField(label=_("Customer"), coerce=int, required=False, empty_value=None)
    stage = forms.ChoiceField(label=_("Stage"), choices=Stage.choices, initial=Stage.PROSPECTING)
    expected_amount = NumberField(label=_("Expected amount"), max_digits=16, decimal_places=0, required=False)
    close_date = forms.DateField(label=_("Expected close date"), widget=DateInput, required=False)

    def __init__(self, *args: Any, customers: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["customer_id"].choices = [("", "—"), *customers]  # type: ignore[attr-defined]


class ActivityForm(Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=ActivityKind.choices, initial=ActivityKind.TASK)
    subject = forms.CharField(label=_("Subject"), max_length=200)
    due_date = forms.DateField(label=_("Due date"), widget=DateInput, required=False)
    note = forms.CharField(label=_("Note"), max_length=4000, required=False)


# --- promotions and loyalty --------------------------------------------------------------------------


class CouponForm(Form):
    code = forms.CharField(label=_("Code"), max_length=30)
    name = forms.CharField(label=_("Name"), max_length=200, required=False)
    kind = forms.ChoiceField(label=_("Kind"), choices=[("percent", _("Percent off")), ("amount", _("Amount off"))])
    value = NumberField(label=_("Value (% or đồng)"), max_digits=16, decimal_places=2)
    min_order_amount = NumberField(
        label=_("Minimum amount before VAT"), max_digits=16, decimal_places=0, required=False
    )
    valid_from = forms.DateField(label=_("Valid from"), required=False, widget=DateInput)
    valid_to = forms.DateField(label=_("Valid to"), required=False, widget=DateInput)
    usage_limit = forms.IntegerField(label=_("Uses in all (empty: no limit)"), min_value=1, required=False)
    per_customer_limit = forms.IntegerField(label=_("Uses per customer (empty: no limit)"), min_value=1, required=False)
    customer_group_id = forms.TypedChoiceField(
        label=_("Only for customer group"), coerce=int, required=False, empty_value=None
    )
    campaign_id = forms.TypedChoiceField(label=_("Campaign"), coerce=int, required=False, empty_value=None)
    product_skus = forms.CharField(
        label=_("Only for products (SKUs, separated by commas; empty: all)"), max_length=2000, required=False
    )
    category_ids = forms.TypedMultipleChoiceField(
        label=_("Only for product categories (with their sub-categories)"), coerce=int, required=False
    )
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(self, *args: Any, groups: Any = (), campaigns: Any = (), categories: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["customer_group_id"].choices = [("", "—"), *groups]  # type: ignore[attr-defined]
        self.fields["campaign_id"].choices = [("", "—"), *campaigns]  # type: ignore[attr-defined]
        self.fields["category_ids"].choices = list(categories)  # type: ignore[attr-defined]


class CampaignForm(Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    starts_on = forms.DateField(label=_("Starts on"), widget=DateInput)
    ends_on = forms.DateField(label=_("Ends on"), widget=DateInput)
    customer_group_id = forms.TypedChoiceField(
        label=_("Target customer group"), coerce=int, required=False, empty_value=None
    )
    target_tag = forms.CharField(label=_("Target tag"), max_length=50, required=False)
    note = forms.CharField(label=_("Note"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, groups: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["customer_group_id"].choices = [("", "—"), *groups]  # type: ignore[attr-defined]


class LoyaltyProgrammeForm(Form):
    is_active = forms.BooleanField(label=_("Active"), required=False)
    points_per = NumberField(label=_("Đồng of invoiced revenue per point"), max_digits=16, decimal_places=0)
    point_value = NumberField(label=_("Value of a point (đồng)"), max_digits=16, decimal_places=0)
    expiry_months = forms.IntegerField(
        label=_("Points expire after (months, empty: never)"), min_value=1, max_value=120, required=False
    )


class LoyaltyTierForm(Form):
    code = forms.CharField(label=_("Code"), max_length=20)
    name = forms.CharField(label=_("Name"), max_length=100)
    min_revenue = NumberField(
        label=_("From revenue in 12 months (before VAT)"), max_digits=16, decimal_places=0, required=False
    )
    multiplier = NumberField(label=_("Points multiplier"), max_digits=4, decimal_places=2)


class LoyaltyAddForm(Form):
    points = forms.IntegerField(
        label=_("Points"), widget=forms.NumberInput(attrs={"class": "form-control form-control-sm"})
    )
    reason = forms.CharField(
        label=_("Reason"), max_length=300, widget=forms.TextInput(attrs={"class": "form-control form-control-sm"})
    )
