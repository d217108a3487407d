"""The party picker other modules' forms use: a choice field whose options are found by the server
(``parties-picker``) as one types, validated against the current company's active parties."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms
from django.urls import reverse_lazy

from novasaas.platform.tenancy import get_current_tenant
from novasaas.platform.widgets import SearchPickerSelect


def party_label(party: Any) -> str:
    return f"{party.code} · {party.name}"


def _labels(values: Iterable[str]) -> list[tuple[int, str]]:
    from novasaas.parties import selectors

    tenant = get_current_tenant()
    ids = [int(v) for v in values if str(v).isdigit() and len(str(v)) < 19]
    if tenant is None or not ids:
        return []
    return [(p.pk, party_label(p)) for p in selectors.search_parties(tenant, include_inactive=True).filter(pk__in=ids)]


class PartyChoiceField(forms.TypedChoiceField):
    """A partner (customer, supplier…): the page renders a first page of parties (the ``choices`` given)
    and the selected one; any active party of the current company is accepted, so one found by the
    search is valid too. The value is the party id (``int``)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("coerce", int)
        kwargs.setdefault("empty_value", None)
        kwargs.setdefault("widget", SearchPickerSelect(url=reverse_lazy("parties-picker"), label_for=_labels))
        super().__init__(*args, **kwargs)

    def valid_value(self, value: Any) -> bool:
        if super().valid_value(value):
            return True
        text = str(value)
        if not text.isdigit() or len(text) >= 19:
            return False
        from novasaas.parties import selectors

        tenant = get_current_tenant()
        return tenant is not None and selectors.search_parties(tenant).filter(pk=int(text)).exists()
