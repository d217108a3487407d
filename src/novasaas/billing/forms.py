"""Billing forms (Master Admin catalogue editor)."""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from novasaas.billing.models import LIMITS, AddOnUnit, PlanKind
from novasaas.platform.modules import OPTIONAL_MODULES

LIMIT_LABELS = {
    "users": _("Users (max)"),
    "customers": _("Customers (max)"),
    "products": _("Products (max)"),
    "warehouses": _("Warehouses (max)"),
    "orders_per_month": _("Orders per month (max)"),
    "storage_mb": _("Storage MB (max)"),
}


def _count(label: Any) -> forms.IntegerField:
    return forms.IntegerField(
        label=label, required=False, min_value=0, max_value=2_000_000_000, help_text=_("Empty: unlimited.")
    )


class PlanForm(forms.Form):
    code = forms.SlugField(label=_("Code"), max_length=40)
    kind = forms.ChoiceField(label=_("Kind"), choices=PlanKind.choices)
    name = forms.CharField(label=_("Name"), max_length=100)
    name_en = forms.CharField(label=_("Name (English)"), max_length=100, required=False)
    position = forms.IntegerField(label=pgettext_lazy("order", "Position"), min_value=0, max_value=32767, initial=0)
    is_active = forms.BooleanField(label=_("Offered"), required=False, initial=True)
    trial_days = forms.IntegerField(label=_("Trial days"), min_value=0, max_value=365, initial=0)
    included_users = _count(_("Users included"))
    modules = forms.MultipleChoiceField(
        label=_("Modules"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=[(m, m) for m in OPTIONAL_MODULES],
    )
    features = forms.CharField(label=_("Features (JSON)"), widget=forms.Textarea(attrs={"rows": 6}), required=False)

    def __init__(self, *args: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in LIMITS:
            self.fields[f"max_{name}"] = _count(LIMIT_LABELS[name])
        if editing:
            self.fields["code"].disabled = True
            self.fields["kind"].disabled = True

    def clean_features(self) -> dict[str, Any]:
        raw = self.cleaned_data.get("features") or "{}"
        try:
            value = json.loads(raw)
        except ValueError as exc:
            raise forms.ValidationError(_("Enter valid JSON.")) from exc
        if not isinstance(value, dict):
            raise forms.ValidationError(_("Enter a JSON object."))
        return value


class PriceForm(forms.Form):
    monthly_price = forms.DecimalField(label=_("Price per month (đ)"), min_value=0, max_digits=15, decimal_places=0)
    extra_user_price = forms.DecimalField(
        label=_("Price per extra user per month (đ)"), min_value=0, max_digits=15, decimal_places=0, required=False
    )
    annual_discount_percent = forms.DecimalField(
        label=_("Annual discount %"), min_value=0, max_value=100, max_digits=5, decimal_places=2, required=False
    )


class AddOnForm(forms.Form):
    code = forms.SlugField(label=_("Code"), max_length=40)
    name = forms.CharField(label=_("Name"), max_length=100)
    name_en = forms.CharField(label=_("Name (English)"), max_length=100, required=False)
    unit = forms.ChoiceField(label=_("Unit"), choices=AddOnUnit.choices)
    limit = forms.ChoiceField(
        label=_("Raises limit"), required=False, choices=[("", "—"), *[(n, LIMIT_LABELS[n]) for n in LIMITS]]
    )
    limit_step = forms.IntegerField(label=_("Per unit"), min_value=0, max_value=2_000_000_000, initial=0)
    is_active = forms.BooleanField(label=_("Offered"), required=False, initial=True)

    def __init__(self, *args: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if editing:
            self.fields["code"].disabled = True
