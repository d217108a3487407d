"""Control characters: refused in every API input and form, dropped by the xlsx writer for rows that
already hold them (typed before inputs refused them, or written by an import)."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from novasaas.accounting.models import JournalEntry
from novasaas.accounting.tests.test_api import entry_payload, fm_client
from novasaas.config.api import api
from novasaas.inventory.models import Product
from novasaas.inventory.tests.helpers import setup_catalogue
from novasaas.parties.models import Party
from novasaas.parties.tests.helpers import party_payload
from novasaas.parties.tests.test_pages import form_data
from novasaas.platform.api import StrictSchema
from novasaas.platform.excel import workbook
from novasaas.platform.tenancy import tenant_context
from novasaas.platform.testing.fixtures import create_user, web_client

MESSAGE = "U+000B"  # in the message in both languages


def _cells(content: bytes) -> list[object]:
    return [v for row in load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True) for v in row]


def _refusal(r) -> str:
    assert r.status_code == 422, r.content
    return str(r.json()["detail"])


@pytest.mark.parametrize("bad", ["Hoàng\x01Long", "Hoàng\x0bLong", "\x1f"])
def test_party_with_a_control_character_is_refused_and_not_created(api_a, tenant_a, bad):
    assert MESSAGE in _refusal(api_a.post("/api/v1/parties/", party_payload(bad)))
    # NUL is refused earlier, for every request (RejectNulMiddleware)
    r = api_a.post("/api/v1/parties/", party_payload("Hoàng\x00Long"))
    assert r.status_code == 400 and "NUL" in str(r.json()), r.content
    # nested too: a contact value, a tag
    assert MESSAGE in _refusal(api_a.post("/api/v1/parties/", party_payload(tags=[f"x{bad}"])))
    with tenant_context(tenant_a):
        assert Party.objects.count() == 0
    # tab, newline and carriage return are text
    r = api_a.post("/api/v1/parties/", party_payload("Hoàng Long", note="dòng 1\r\ndòng 2\tcột"))
    assert r.status_code == 201, r.json()


def test_product_and_entry_memo_with_control_characters_are_refused(api_a, tenant_a):
    with tenant_context(tenant_a):
        s = setup_catalogue(tenant_a)
        before = Product.objects.count()
    r = api_a.post("/api/v1/inventory/products", {"name": "Bia\x0b", "stock_unit_id": s.chai.pk})
    assert MESSAGE in _refusal(r) and "name" in str(r.json()["detail"])
    c = fm_client(tenant_a)
    r = c.post("/api/v1/accounting/entries", entry_payload(memo="Góp\x0evốn"))
    assert MESSAGE in _refusal(r) and "memo" in str(r.json()["detail"])
    with tenant_context(tenant_a):
        assert Product.objects.count() == before and JournalEntry.objects.count() == 0


def test_every_request_body_is_a_strict_schema():
    """The check lives on StrictSchema: a body schema that is not one would accept control characters."""
    loose = []
    for prefix, router in api._routers:
        for path, operations in router.path_operations.items():
            for op in operations.operations:
                for model in op.models:
                    if getattr(model, "__ninja_param_source__", None) != "body":
                        continue
                    for field in model.model_fields.values():
                        types = getattr(field.annotation, "__args__", None) or (field.annotation,)
                        if not any(isinstance(t, type) and issubclass(t, StrictSchema) for t in types):
                            loose.append(f"{op.methods} {prefix}{path}")
    assert loose == []


def test_page_form_refuses_a_control_character(tenant_a):
    editor = web_client(tenant_a, create_user(tenant_a, "sales_staff"))
    r = editor.post("/parties/new/", form_data("Sao\x0bMai"))
    assert r.status_code == 400
    assert MESSAGE in r.content.decode()
    with tenant_context(tenant_a):
        assert Party.objects.count() == 0


def test_rows_already_holding_control_characters_export(api_a, tenant_a):
    with tenant_context(tenant_a):
        s = setup_catalogue(tenant_a)
        Product.objects.filter(pk=s.beer.pk).update(name="Bia\x01Sài\x0bGòn", description="a\x1fb")
    pid = api_a.post("/api/v1/parties/", party_payload("Hoàng Long")).json()["id"]
    with tenant_context(tenant_a):
        Party.objects.filter(pk=pid).update(name="Hoàng\x0bLong", note="x\x08y")
    c = fm_client(tenant_a)
    # a posted entry is immutable (on PostgreSQL a trigger refuses any change): the memo is written while
    # it is a draft, then it is posted
    entry = c.post("/api/v1/accounting/entries", entry_payload(memo="Góp vốn", post=False)).json()
    with tenant_context(tenant_a):
        from novasaas.accounting.models import JournalLine

        JournalEntry.objects.filter(pk=entry["id"]).update(memo="Góp\x0bvốn")
        JournalLine.objects.filter(entry_id=entry["id"]).update(memo="Góp\x0bvốn")
    assert c.post(f"/api/v1/accounting/entries/{entry['id']}/post").status_code == 200

    products = api_a.get("/api/v1/inventory/products/export")
    assert products.status_code == 200
    assert "BiaSàiGòn" in _cells(products.content) and "ab" in _cells(products.content)
    parties = api_a.get("/api/v1/parties/export")
    assert parties.status_code == 200
    assert "HoàngLong" in _cells(parties.content) and "xy" in _cells(parties.content)
    journal = c.get("/api/v1/accounting/reports/journal", {"format": "xlsx"})
    assert journal.status_code == 200
    assert any(isinstance(v, str) and "Gópvốn" in v for v in _cells(journal.content))


def test_writer_drops_illegal_characters_everywhere():
    content = workbook("Sổ\x0b cái", ["A\x01"], [["x\x00y\tz\n", None]], subtitle="kỳ\x02 1")
    book = load_workbook(io.BytesIO(content))
    assert book.properties.title == "Sổ cái" and book.properties.subject == "kỳ 1"
    assert [list(r) for r in book.active.iter_rows(values_only=True)] == [["A", None], ["xy\tz\n", None]]
