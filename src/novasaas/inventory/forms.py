"""Forms of the inventory pages. They only collect input: business rules are checked and written by
``actions`` (the same path as the API). Choice lists are read in the request's tenant."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.validators import RegexValidator
from django.db.models import QuerySet
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from novasaas.inventory.models import (
    Category,
    IssuePurpose,
    Location,
    LocationLevel,
    Product,
    ProductKind,
    TaxCategory,
    Tracking,
    Unit,
    ValuationMethod,
    Warehouse,
)
from novasaas.parties.fields import PartyChoiceField, party_label
from novasaas.platform.collation import by_name
from novasaas.platform.dates import DateInput
from novasaas.platform.numbers import NumberField
from novasaas.platform.text import Form
from novasaas.platform.widgets import PickerSelect, SearchPickerSelect


def _none(model: Any) -> Any:
    """An empty queryset built without the tenant manager (forms are defined at import time)."""
    return QuerySet(model=model).none()


DEC: dict[str, Any] = {"max_digits": 15, "decimal_places": 4}


def _products() -> Any:
    return by_name(Product.objects.filter(is_active=True).exclude(kind=ProductKind.SERVICE), "name")


def _warehouses() -> Any:
    return Warehouse.objects.filter(is_active=True).order_by("code")


def _locations() -> Any:
    return Location.objects.filter(usage="internal", is_active=True).select_related("warehouse").order_by("code")


def lot_field() -> forms.CharField:
    """A lot number: typed (a new lot on a receipt) or picked among the row's product's lots, found by
    the server as one types (``inventory-picker-lots``)."""
    return forms.CharField(
        label=_("Lot"),
        max_length=60,
        required=False,
        widget=forms.TextInput(
            attrs={
                "data-picker-url": reverse_lazy("inventory-picker-lots"),
                "data-picker-create": "",
                "data-picker-depends": "product",
                "autocomplete": "off",
            }
        ),
    )


class ProductChoice(forms.ModelChoiceField):
    """A product picker: the first page of products rendered, the rest found by the server as one types."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", SearchPickerSelect(url=reverse_lazy("inventory-picker-products")))
        super().__init__(*args, **kwargs)

    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.sku} · {obj.name}"


class CategoryForm(Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    parent = forms.ModelChoiceField(label=_("Parent category"), queryset=_none(Category), required=False)
    valuation_method = forms.ChoiceField(label=_("Valuation method"), choices=ValuationMethod.choices)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["parent"].queryset = Category.objects.filter(is_active=True)  # type: ignore[attr-defined]


class UnitForm(Form):
    code = forms.CharField(label=_("Code"), max_length=20)
    name = forms.CharField(label=_("Name"), max_length=100)
    name_en = forms.CharField(label=_("English name"), max_length=100, required=False)
    base = forms.ModelChoiceField(label=_("Base unit"), queryset=_none(Unit), required=False)
    factor = NumberField(
        label=_("Factor"),
        max_digits=12,
        decimal_places=6,
        initial=1,
        min_value=0,
        help_text=_("How many base units one of this unit holds (1 thùng = 24 chai)."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["base"].queryset = Unit.objects.filter(is_active=True)  # type: ignore[attr-defined]


class ProductForm(Form):
    name = forms.CharField(label=_("Name"), max_length=300)
    sku = forms.CharField(label=_("SKU"), max_length=40, required=False, help_text=_("Left empty: generated."))
    kind = forms.ChoiceField(label=_("Kind"), choices=ProductKind.choices)
    category = forms.ModelChoiceField(label=_("Category"), queryset=_none(Category), required=False)
    stock_unit = forms.ModelChoiceField(label=_("Stock unit"), queryset=_none(Unit))
    purchase_unit = forms.ModelChoiceField(label=_("Purchase unit"), queryset=_none(Unit), required=False)
    barcode = forms.CharField(label=_("Barcode"), max_length=20, required=False, help_text=_("EAN-13, UPC or EAN-8."))
    generate_barcode = forms.BooleanField(label=_("Generate an internal barcode"), required=False)
    sale_price = NumberField(label=_("Sale price"), max_digits=16, decimal_places=2, min_value=0, initial=0)
    cost_price = NumberField(label=_("Cost price"), max_digits=16, decimal_places=2, min_value=0, initial=0)
    tax_category = forms.ChoiceField(label=_("Tax category"), choices=TaxCategory.choices)
    tracking = forms.ChoiceField(label=_("Tracking"), choices=Tracking.choices)
    shelf_life_days = forms.IntegerField(label=_("Shelf life (days)"), min_value=1, max_value=36500, required=False)
    reorder_level = NumberField(label=_("Reorder level"), min_value=0, initial=0, **DEC)
    reorder_quantity = NumberField(label=_("Reorder quantity"), min_value=0, initial=0, **DEC)
    image = forms.ImageField(label=_("Image"), required=False)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        units = Unit.objects.filter(is_active=True)
        self.fields["category"].queryset = Category.objects.filter(is_active=True)  # type: ignore[attr-defined]
        self.fields["stock_unit"].queryset = units  # type: ignore[attr-defined]
        self.fields["purchase_unit"].queryset = units  # type: ignore[attr-defined]

    def action_data(self) -> dict[str, Any]:
        d = dict(self.cleaned_data)
        d.pop("image", None)
        for key in ("category", "stock_unit", "purchase_unit"):
            obj = d.pop(key)
            d[f"{key}_id"] = obj.pk if obj else None
        return d


SKU_CHARS = RegexValidator(r"^[A-Za-z0-9._/-]*$", _("Letters, digits and . _ / - only."))


class VariantForm(Form):
    sku = forms.CharField(label=_("SKU"), max_length=40, required=False, validators=[SKU_CHARS])
    barcode = forms.CharField(label=_("Barcode"), max_length=20, required=False)
    size = forms.CharField(label=pgettext_lazy("variant", "Size"), max_length=100, required=False)
    colour = forms.CharField(label=_("Colour"), max_length=100, required=False)


class VariantEditForm(VariantForm):
    """A variant's SKU (required once it exists), barcode (EAN-13/UPC/EAN-8, checked by the action) and
    size/colour; its other attributes are kept."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["sku"].required = True

    @staticmethod
    def action_data(variant: Any, data: dict[str, Any]) -> dict[str, Any]:
        """The arguments of ``actions.save_variant``."""
        attributes = dict(variant.attributes or {})
        for key in ("size", "colour"):
            if data.get(key):
                attributes[key] = data[key]
            else:
                attributes.pop(key, None)
        return {"sku": data["sku"], "barcode": data["barcode"], "attributes": attributes}


class WarehouseForm(Form):
    code = forms.CharField(label=_("Code"), max_length=20)
    name = forms.CharField(label=_("Name"), max_length=200)
    address = forms.CharField(label=_("Address"), max_length=300, required=False)
    allow_negative_stock = forms.BooleanField(label=_("Allow negative stock"), required=False)
    is_default = forms.BooleanField(label=_("Default warehouse of the company"), required=False)


class LocationForm(Form):
    code = forms.CharField(label=_("Code"), max_length=40)
    name = forms.CharField(label=_("Name"), max_length=200)
    level = forms.ChoiceField(label=_("Level"), choices=[c for c in LocationLevel.choices if c[0] != "warehouse"])
    parent = forms.ModelChoiceField(label=_("Inside"), queryset=_none(Location), required=False)

    def __init__(
        self, *args: Any, warehouse: Warehouse | None = None, exclude: Location | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        parents = Location.objects.filter(warehouse=warehouse, usage="internal", is_active=True)
        if exclude is not None:
            parents = parents.exclude(pk=exclude.pk)
        self.fields["parent"].queryset = parents  # type: ignore[attr-defined]

    @staticmethod
    def action_data(d: dict[str, Any]) -> dict[str, Any]:
        """The arguments of ``actions.save_location`` (besides the warehouse) from the cleaned data."""
        return {
            "code": d["code"],
            "name": d["name"],
            "level": d["level"],
            "parent_id": d["parent"].pk if d["parent"] else None,
        }


class SettingsForm(Form):
    approval_value_threshold = NumberField(
        label=_("Approval needed above this value"), max_digits=16, decimal_places=2, min_value=0, required=False
    )
    approval_quantity_threshold = NumberField(
        label=_("Approval needed above this quantity"), min_value=0, required=False, **DEC
    )


class MyWarehouseForm(Form):
    warehouse = forms.ModelChoiceField(label=_("My default warehouse"), queryset=_none(Warehouse), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["warehouse"].queryset = _warehouses()  # type: ignore[attr-defined]


# --- documents -------------------------------------------------------------------------------------


class MovementForm(Form):
    warehouse = forms.ModelChoiceField(label=_("Warehouse"), queryset=_none(Warehouse), widget=PickerSelect)
    date = forms.DateField(label=_("Date"), widget=DateInput())
    purpose = forms.ChoiceField(label=_("Purpose"), choices=IssuePurpose.choices, required=False)
    is_customer_return = forms.BooleanField(label=_("Customer return"), required=False)
    source_document = forms.CharField(label=_("Source document"), max_length=80, required=False)
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    partner_id = PartyChoiceField(label=_("Supplier"), required=False)

    def __init__(self, *args: Any, kind: str = "receipt", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["warehouse"].queryset = _warehouses()  # type: ignore[attr-defined]
        if kind == "receipt":
            del self.fields["purpose"]
            from novasaas.parties import selectors as parties
            from novasaas.platform.tenancy import get_current_tenant

            tenant = get_current_tenant()
            choices = [(p.pk, party_label(p)) for p in parties.search_parties(tenant)[:50]] if tenant else []
            self.fields["partner_id"].choices = [("", "—"), *choices]  # type: ignore[attr-defined]
        else:
            del self.fields["is_customer_return"]
            del self.fields["partner_id"]


class LineForm(Form):
    """One line of a receipt or issue."""

    product = ProductChoice(label=_("Product"), queryset=_none(Product))
    quantity = NumberField(label=_("Quantity"), min_value=0, **DEC)
    unit = forms.ModelChoiceField(label=_("Unit"), queryset=_none(Unit), required=False)
    unit_cost = NumberField(label=_("Unit cost"), max_digits=18, decimal_places=6, min_value=0, required=False)
    location = forms.ModelChoiceField(
        label=_("Location"), queryset=_none(Location), required=False, widget=PickerSelect
    )
    lot_code = lot_field()
    serials = forms.CharField(
        label=_("Serial numbers"), max_length=5000, required=False, help_text=_("Separated by commas")
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["product"].queryset = _products()  # type: ignore[attr-defined]
        self.fields["unit"].queryset = Unit.objects.filter(is_active=True)  # type: ignore[attr-defined]
        self.fields["location"].queryset = _locations()  # type: ignore[attr-defined]

    def row(self) -> dict[str, Any]:
        d = self.cleaned_data
        return {
            "product_id": d["product"].pk,
            "quantity": d["quantity"],
            "unit_id": d["unit"].pk if d.get("unit") else None,
            "unit_cost": d.get("unit_cost"),
            "location_id": d["location"].pk if d.get("location") else None,
            "lot_code": d.get("lot_code", ""),
            "serials": [x.strip() for x in (d.get("serials") or "").split(",") if x.strip()],
        }


def serials_field(help_text: Any = None) -> forms.CharField:
    """Serial numbers as a scanner types them: one per line (Enter), or separated by commas."""
    return forms.CharField(
        label=_("Serial numbers"),
        max_length=90000,
        required=False,
        help_text=help_text or _("Scan or type one per line (serial-tracked goods)"),
        widget=forms.Textarea(
            attrs={"rows": 2, "autocomplete": "off", "spellcheck": "false", "class": "font-monospace"}
        ),
    )


class AdjustmentForm(Form):
    warehouse = forms.ModelChoiceField(label=_("Warehouse"), queryset=_none(Warehouse), widget=PickerSelect)
    reason = forms.CharField(label=_("Reason"), max_length=300)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["warehouse"].queryset = _warehouses()  # type: ignore[attr-defined]


class AdjustmentLineForm(Form):
    product = ProductChoice(label=_("Product"), queryset=_none(Product))
    quantity_change = NumberField(label=_("Change (+/−)"), **DEC)
    location = forms.ModelChoiceField(
        label=_("Location"), queryset=_none(Location), required=False, widget=PickerSelect
    )
    lot_code = lot_field()
    unit_cost = NumberField(label=_("Unit cost (gains)"), max_digits=18, decimal_places=6, min_value=0, required=False)
    serials = serials_field()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["product"].queryset = _products()  # type: ignore[attr-defined]
        self.fields["location"].queryset = _locations()  # type: ignore[attr-defined]

    def row(self) -> dict[str, Any]:
        d = self.cleaned_data
        return {
            "product_id": d["product"].pk,
            "quantity_change": d["quantity_change"],
            "location_id": d["location"].pk if d.get("location") else None,
            "lot_code": d.get("lot_code", ""),
            "unit_cost": d.get("unit_cost"),
            "serials": d.get("serials") or "",
        }


class TransferForm(Form):
    from_warehouse = forms.ModelChoiceField(label=_("From warehouse"), queryset=_none(Warehouse), widget=PickerSelect)
    to_warehouse = forms.ModelChoiceField(label=_("To warehouse"), queryset=_none(Warehouse), widget=PickerSelect)
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["from_warehouse"].queryset = _warehouses()  # type: ignore[attr-defined]
        self.fields["to_warehouse"].queryset = _warehouses()  # type: ignore[attr-defined]


class TransferLineForm(Form):
    product = ProductChoice(label=_("Product"), queryset=_none(Product))
    quantity = NumberField(label=_("Quantity"), min_value=0, required=False, **DEC)
    lot_code = lot_field()
    serials = serials_field()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["product"].queryset = _products()  # type: ignore[attr-defined]

    def row(self) -> dict[str, Any]:
        d = self.cleaned_data
        return {
            "product_id": d["product"].pk,
            "quantity": d.get("quantity"),
            "lot_code": d.get("lot_code", ""),
            "serials": d.get("serials") or "",
        }


class CountForm(Form):
    warehouse = forms.ModelChoiceField(label=_("Warehouse"), queryset=_none(Warehouse), widget=PickerSelect)
    zone = forms.ModelChoiceField(label=_("Zone (optional)"), queryset=_none(Location), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["warehouse"].queryset = _warehouses()  # type: ignore[attr-defined]
        self.fields["zone"].queryset = _locations().exclude(level="warehouse")  # type: ignore[attr-defined]


class ScanForm(Form):
    code = forms.CharField(
        label=_("Scan or type a barcode / SKU"),
        max_length=40,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "off"}),
    )
    quantity = NumberField(label=_("Quantity"), min_value=0, initial=1, **DEC)
    location = forms.ModelChoiceField(
        label=_("Location"), queryset=_none(Location), required=False, widget=PickerSelect
    )

    def __init__(self, *args: Any, warehouse: Warehouse | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["location"].queryset = _locations().filter(warehouse=warehouse)  # type: ignore[attr-defined]


class CountScanForm(ScanForm):
    """A count's scanner field; serial-tracked goods add the unit's serial number (or scan it alone as the
    code)."""

    code = forms.CharField(
        label=_("Scan or type a barcode / SKU / serial number"),
        max_length=80,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "off"}),
    )
    serial = forms.CharField(
        label=_("Serial number"),
        max_length=80,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )


class PutAwayForm(Form):
    product = ProductChoice(label=_("Product"), queryset=_none(Product))
    from_location = forms.ModelChoiceField(label=pgettext_lazy("stock move", "From"), queryset=_none(Location))
    to_location = forms.ModelChoiceField(label=pgettext_lazy("stock move", "To"), queryset=_none(Location))
    quantity = NumberField(label=_("Quantity"), min_value=0, required=False, **DEC)
    lot_code = lot_field()
    serials = serials_field()

    def __init__(self, *args: Any, warehouse: Warehouse | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["product"].queryset = _products()  # type: ignore[attr-defined]
        # only the warehouse's own locations: a put-away never crosses warehouses (no warehouse, no choice)
        locs = _locations().filter(warehouse=warehouse) if warehouse else _locations().none()
        self.fields["from_location"].queryset = locs  # type: ignore[attr-defined]
        self.fields["to_location"].queryset = locs  # type: ignore[attr-defined]

    def action_data(self) -> dict[str, Any]:
        """The arguments of ``actions.put_away``."""
        d = self.cleaned_data
        return {
            "product_id": d["product"].pk,
            "from_location_id": d["from_location"].pk,
            "to_location_id": d["to_location"].pk,
            "quantity": d["quantity"],
            "lot_code": d["lot_code"],
            "serials": d["serials"],
        }


class TransferReceiveForm(Form):
    """Receiving confirmation at the destination: where the goods go and, for serial-tracked goods,
    the serial numbers scanned off the truck (optional; when given they must match what was shipped)."""

    location = forms.ModelChoiceField(
        label=_("Location"), queryset=_none(Location), required=False, widget=PickerSelect
    )
    serials = serials_field(_("Scan each unit received, one per line (optional)"))

    def __init__(self, *args: Any, warehouse: Warehouse | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["location"].queryset = _locations().filter(warehouse=warehouse)  # type: ignore[attr-defined]
        self.fields["serials"].widget.attrs["autofocus"] = True  # the scanner types straight into it


class LandedCostForm(Form):
    amount = NumberField(label=_("Amount"), max_digits=16, decimal_places=2, min_value=0)
    description = forms.CharField(label=_("Description"), max_length=300)
    split = forms.ChoiceField(label=_("Split"), choices=[("value", _("By value")), ("quantity", _("By quantity"))])


class ReorderRuleForm(Form):
    warehouse = forms.ModelChoiceField(label=_("Warehouse"), queryset=_none(Warehouse), widget=PickerSelect)
    reorder_level = NumberField(label=_("Reorder level"), min_value=0, **DEC)
    reorder_quantity = NumberField(label=_("Reorder quantity"), min_value=0, initial=0, **DEC)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["warehouse"].queryset = _warehouses()  # type: ignore[attr-defined]


class ImportForm(Form):
    file = forms.FileField(label=_("Excel file (.xlsx)"))


class ReportForm(Form):
    as_of = forms.DateField(label=_("As of"), required=False, widget=DateInput())
    warehouse = forms.ModelChoiceField(label=_("Warehouse"), queryset=_none(Warehouse), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["warehouse"].queryset = Warehouse.objects.all()  # type: ignore[attr-defined]


LINE_FORMS = {"movement": LineForm, "adjustment": AdjustmentLineForm, "transfer": TransferLineForm}


def line_formset(kind: str, data: Any = None, extra: int = 3, initial: list[dict[str, Any]] | None = None) -> Any:
    fs = forms.formset_factory(LINE_FORMS[kind], extra=extra, can_delete=True, max_num=500, validate_max=True)
    return fs(data, prefix="lines", initial=initial)


def kept_rows(formset: Any) -> list[dict[str, Any]]:
    return [f.row() for f in formset.forms if f.has_changed() and not f.cleaned_data.get("DELETE")]
