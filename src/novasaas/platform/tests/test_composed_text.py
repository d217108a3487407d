"""Text typed decomposed (NFD: macOS, copied from a PDF) is stored composed (NFC), through the API, the pages
and imports: one name is one name for search, sorting, uniqueness and exports."""

from __future__ import annotations

import unicodedata

from novasaas.inventory.models import Product
from novasaas.platform.tenancy import tenant_context
from novasaas.platform.text import compose

NAME = "Cà phê sữa đá Việt Nam"
NFD = unicodedata.normalize("NFD", NAME)


def test_compose_reaches_nested_values():
    assert NFD != NAME
    assert compose({"a": [NFD, (NFD, 1)], NFD: None}) == {"a": [NAME, (NAME, 1)], NAME: None}


def test_a_decomposed_product_name_is_stored_composed_through_the_api(api_a, tenant_a):
    unit = api_a.post("/api/v1/inventory/units", {"code": "ly", "name": unicodedata.normalize("NFD", "Ly")}).json()
    r = api_a.post("/api/v1/inventory/products", {"name": NFD, "stock_unit_id": unit["id"]})
    assert r.status_code == 201, r.content
    assert r.json()["name"] == NAME
    with tenant_context(tenant_a):
        assert Product.objects.get(pk=r.json()["id"]).name == NAME


def test_every_form_cleans_text_composed():
    from django import forms

    from novasaas.platform.text import Form

    class NameForm(Form):
        name = forms.CharField()
        notes = forms.CharField(required=False)

    form = NameForm({"name": NFD, "notes": "plain"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data == {"name": NAME, "notes": "plain"}


def test_an_imported_sheet_reads_composed_text():
    import io

    from openpyxl import Workbook

    from novasaas.platform.imports import table_rows

    wb = Workbook()
    wb.active.append(["Tên", "Mã"])
    wb.active.append([NFD, "SP1"])
    buf = io.BytesIO()
    wb.save(buf)
    rows = list(table_rows(buf.getvalue(), max_rows=10))
    assert list(rows[1]) == [NAME, "SP1"]
