"""The pages: list with htmx search, create/edit with formsets, detail, deactivate, merge, import/export."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook

from novasaas.parties.models import Party
from novasaas.parties.tests.helpers import make_mst, party_payload
from novasaas.platform.tenancy import tenant_context
from novasaas.platform.testing.fixtures import create_user, web_client

URL = "/api/v1/parties/"


def formset(prefix, rows, extra_blank=1):
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(rows) + extra_blank),
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
    for i, row in enumerate(rows):
        for k, v in row.items():
            data[f"{prefix}-{i}-{k}"] = v
    if extra_blank:  # what a browser sends for an untouched blank row
        i = len(rows)
        if prefix == "contacts":
            data[f"{prefix}-{i}-kind"] = "phone"
        if prefix == "addresses":
            data[f"{prefix}-{i}-country"] = "VN"
    return data


def form_data(name="Công ty TNHH Sao Mai", **extra):
    data = {
        "name": name,
        "kind": "company",
        "tax_code": make_mst(),
        "id_number": "",
        "website": "",
        "tags": "khách hàng, VIP",
        "note": "",
    }
    data.update(
        formset(
            "contacts",
            [
                {"kind": "phone", "value": "0912 345 678", "is_primary": "on"},
                {"kind": "email", "value": "lienhe@saomai.vn"},
            ],
        )
    )
    data.update(formset("addresses", [{"line": "1 Lê Lợi", "province": "Hà Nội", "country": "VN"}]))
    data.update(formset("bank_accounts", [{"bank_name": "BIDV", "account_number": "123456789"}]))
    data.update(extra)
    return data


@pytest.fixture
def editor(tenant_a):
    return web_client(tenant_a, create_user(tenant_a, "sales_staff"))


def test_create_through_page(editor, tenant_a):
    r = editor.get("/parties/new/")
    assert r.status_code == 200 and "contacts-TOTAL_FORMS" in r.content.decode()
    r = editor.post("/parties/new/", form_data())
    assert r.status_code == 302, r.content.decode()[:3000]
    with tenant_context(tenant_a):
        party = Party.objects.get()
        assert party.code == "KH00001"
        assert party.contacts.count() == 2 and party.addresses.count() == 1 and party.bank_accounts.count() == 1
        assert sorted(pt.tag.name for pt in party.party_tags.all()) == ["VIP", "khách hàng"]
    assert r["Location"] == f"/parties/{party.pk}/"
    page = editor.get(r["Location"]).content.decode()
    assert "Công ty TNHH Sao Mai" in page and "lienhe@saomai.vn" in page and "BIDV" in page


def test_bad_input_on_page_shows_errors_and_writes_nothing(editor, tenant_a):
    data = form_data(tax_code="0101234568")
    data["contacts-1-value"] = "not-an-email"
    r = editor.post("/parties/new/", data)
    assert r.status_code == 400
    page = r.content.decode()
    assert "is-invalid" in page
    with tenant_context(tenant_a):
        assert Party.objects.count() == 0
    # an error found by the action (bad email) is shown on its formset row
    r = editor.post("/parties/new/", {**form_data(), "contacts-1-value": "x@"})
    assert r.status_code == 400 and "email" in r.content.decode().lower()
    with tenant_context(tenant_a):
        assert Party.objects.count() == 0


def test_edit_through_page_replaces_rows(editor, api_a, tenant_a):
    pid = api_a.post(URL, party_payload()).json()["id"]
    r = editor.get(f"/parties/{pid}/edit/")
    assert r.status_code == 200 and "info@hoanglong.vn" in r.content.decode()
    data = form_data("Tên mới")
    # the browser sends both existing rows back: the first changed, the second ticked for deletion
    data.update(
        formset(
            "contacts",
            [
                {"kind": "email", "value": "moi@x.vn"},
                {"kind": "email", "value": "info@hoanglong.vn", "DELETE": "on"},
            ],
        )
    )
    r = editor.post(f"/parties/{pid}/edit/", data)
    assert r.status_code == 302, r.context["contacts"].errors
    with tenant_context(tenant_a):
        party = Party.objects.get(pk=pid)
        assert party.name == "Tên mới"
        assert list(party.contacts.values_list("value", flat=True)) == ["moi@x.vn"]


def test_list_page_and_htmx_partial(editor, api_a):
    api_a.post(URL, party_payload("Nguyễn Văn An", kind="person", tax_code=""))
    api_a.post(URL, party_payload("Công ty Sao Mai", tax_code=""))
    page = editor.get("/parties/").content.decode()
    assert "Nguyễn Văn An" in page and "Công ty Sao Mai" in page and 'hx-get="/parties/"' in page
    partial = editor.get("/parties/", {"q": "nguyen"}, HTTP_HX_REQUEST="true")
    body = partial.content.decode()
    assert partial.status_code == 200 and "<html" not in body
    assert "Nguyễn Văn An" in body and "Sao Mai" not in body


def test_list_page_query_count_is_constant(editor, api_a, django_assert_max_num_queries):
    api_a.post(URL, party_payload("Một"))
    with django_assert_max_num_queries(60) as small:
        editor.get("/parties/")
        n_small = len(small)
    for i in range(12):
        api_a.post(URL, party_payload(f"Công ty {i}"))
    with django_assert_max_num_queries(n_small):
        editor.get("/parties/")


def test_deactivate_through_page(editor, api_a, tenant_a):
    pid = api_a.post(URL, party_payload()).json()["id"]
    r = editor.post(f"/parties/{pid}/deactivate/")
    assert r.status_code == 302
    with tenant_context(tenant_a):
        assert Party.objects.get(pk=pid).is_active is False
    assert editor.get(f"/parties/{pid}/deactivate/").status_code == 405


def test_merge_page(tenant_a, api_a):
    keep = api_a.post(URL, party_payload("Công ty TNHH Hoàng Long")).json()["id"]
    dup = api_a.post(URL, party_payload("Cty Hoàng Long", tax_code="")).json()["id"]
    other = api_a.post(URL, party_payload("Sao Mai", tax_code="", contacts=[])).json()
    manager = web_client(tenant_a, create_user(tenant_a, "sales_manager"))
    page = manager.get(f"/parties/{keep}/merge/").content.decode()
    assert "Cty Hoàng Long" in page and "Sao Mai" not in page
    r = manager.post(f"/parties/{keep}/merge/", {"duplicates": [str(dup)], "other_codes": "KH99999"})
    assert r.status_code == 400 and "KH99999" in r.content.decode()
    r = manager.post(f"/parties/{keep}/merge/", {"duplicates": [str(dup)], "other_codes": other["code"]})
    assert r.status_code == 302
    with tenant_context(tenant_a):
        assert set(Party.objects.filter(merged_into_id=keep).values_list("pk", flat=True)) == {
            dup,
            other["id"],
        }
    detail = manager.get(f"/parties/{dup}/").content.decode()
    assert f"/parties/{keep}/" in detail


def test_export_and_import_pages(tenant_a, api_a):
    api_a.post(URL, party_payload("Công ty Xuất"))
    manager = web_client(tenant_a, create_user(tenant_a, "purchase_manager"))
    r = manager.get("/parties/export/")
    assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd.openxmlformats")
    assert manager.get("/parties/import/").status_code == 200
    wb = Workbook()
    wb.active.append(["Tên (name)", "Điện thoại (phone)"])
    wb.active.append(["Công ty Nhập", "0912000111"])
    wb.active.append(["", "0912000112"])  # no name: refused
    buf = io.BytesIO()
    wb.save(buf)
    buf.seek(0)
    buf.name = "x.xlsx"
    r = manager.post("/parties/import/", {"file": buf})
    assert r.status_code == 400 and "3" in r.content.decode()
    with tenant_context(tenant_a):
        assert Party.objects.count() == 1
    wb.active.delete_rows(3)
    buf = io.BytesIO()
    wb.save(buf)
    buf.seek(0)
    buf.name = "x.xlsx"
    r = manager.post("/parties/import/", {"file": buf})
    assert r.status_code == 302
    with tenant_context(tenant_a):
        assert Party.objects.filter(name="Công ty Nhập").exists()


def test_menu_entry(editor):
    page = editor.get("/").content.decode()
    assert 'href="/parties/"' in page and "bi-people" in page


def test_pages_speak_vietnamese_and_english(editor):
    assert "Thêm đối tác" in editor.get("/parties/").content.decode()
    editor.cookies["novasaas_language"] = "en"
    assert "New party" in editor.get("/parties/", HTTP_ACCEPT_LANGUAGE="en").content.decode()


def test_reactivate_through_page(editor, api_a, tenant_a):
    pid = api_a.post(URL, party_payload()).json()["id"]
    api_a.delete(f"{URL}{pid}")
    assert f"/parties/{pid}/reactivate/" in editor.get(f"/parties/{pid}/").content.decode()
    assert editor.post(f"/parties/{pid}/reactivate/").status_code == 302
    with tenant_context(tenant_a):
        assert Party.objects.get(pk=pid).is_active is True
