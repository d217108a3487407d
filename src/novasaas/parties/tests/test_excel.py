"""Excel export and all-or-nothing import through the API."""

from __future__ import annotations

import io
import zipfile

import pytest
from openpyxl import Workbook, load_workbook

from novasaas.parties.models import Party, PartyContact, PartyTag, Tag
from novasaas.parties.tests.helpers import make_mst, party_payload
from novasaas.platform.tenancy import tenant_context

URL = "/api/v1/parties/"


def upload(api, content: bytes, name="parties.xlsx"):
    buf = io.BytesIO(content)
    buf.name = name
    return api.client.post(f"{URL}import", {"file": buf}, HTTP_AUTHORIZATION=f"Bearer {api.token}")


def book(header, rows) -> bytes:
    wb = Workbook()
    wb.active.append(header)
    for row in rows:
        wb.active.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_export_has_active_parties_with_primary_contacts_address_tags(api_a):
    mst = make_mst()
    api_a.post(URL, party_payload("Công ty Hoàng Long", tax_code=mst))
    gone = api_a.post(URL, party_payload("Đã nghỉ", tax_code="")).json()["id"]
    api_a.delete(f"{URL}{gone}")
    r = api_a.get(f"{URL}export")
    assert r.status_code == 200
    assert r["Content-Disposition"] == 'attachment; filename="parties.xlsx"'
    rows = list(load_workbook(io.BytesIO(r.content)).active.iter_rows(values_only=True))
    assert rows[0][1] == "Tên (name)"
    assert len(rows) == 2
    row = dict(zip([h.split("(")[1].rstrip(")") for h in rows[0]], rows[1], strict=True))
    assert row["name"] == "Công ty Hoàng Long" and row["tax_code"] == mst
    assert row["phone"] == "+84 912 345 678" and row["email"] == "info@hoanglong.vn"
    assert row["address"] == "12 Nguyễn Trãi" and row["province"] == "TP. Hồ Chí Minh"
    assert row["tags"] == "VIP, khách hàng"


def test_import_creates_parties(api_a, tenant_a):
    mst = make_mst()
    content = book(
        [
            "Tên (name)",
            "Loại (kind)",
            "MST",
            "Điện thoại (phone)",
            "Email (email)",
            "Tỉnh/Thành phố (province)",
            "Nhãn (tags)",
        ],
        [
            [
                "Công ty Cổ phần Sao Mai",
                "Công ty",
                mst,
                912345678,
                "a@saomai.vn",
                "Hà Nội",
                "khách hàng; VIP",
            ],
            ["Trần Thị Bình", "Cá nhân", None, "0987 654 321", None, None, "khách hàng"],
        ],
    )
    r = upload(api_a, content)
    assert r.status_code == 200, r.content
    assert r.json() == {"created": 2, "codes": ["KH00001", "KH00002"]}
    with tenant_context(tenant_a):
        company = Party.objects.get(name="Công ty Cổ phần Sao Mai")
        assert company.tax_code == mst and company.kind == "company"
        assert set(company.contacts.values_list("value", flat=True)) == {"912345678", "a@saomai.vn"}
        assert company.addresses.get().province == "Hà Nội"
        assert Party.objects.get(name="Trần Thị Bình").kind == "person"
        assert Tag.objects.count() == 2  # "khách hàng" shared, not duplicated
    assert api_a.get(URL, {"q": "sao mai"}).json()["count"] == 1


def test_import_with_a_bad_line_writes_nothing_and_reports_every_line(api_a, tenant_a):
    existing = make_mst()
    api_a.post(URL, party_payload("Có sẵn", tax_code=existing))
    content = book(
        ["Tên (name)", "Loại (kind)", "Mã số thuế (tax_code)", "Email (email)"],
        [
            ["Tốt", "company", None, "ok@x.vn"],
            ["Sai MST", "company", "0101234568", None],
            [
                None,
                "company",
                None,
                None,
            ],
            ["Trùng MST", "company", existing, None],
            ["Sai email", "person", None, "khong-phai-email"],
            ["Sai loại", "robot", None, None],
        ],
    )
    r = upload(api_a, content)
    assert r.status_code == 400
    errors = {e["line"]: " ".join(e["messages"]) for e in r.json()["errors"]}
    assert sorted(errors) == [3, 4, 5, 6, 7]  # line 4 has a kind but no name
    assert (
        "tax_code" in errors[3]
        and "tax_code" in errors[5]
        and "value" in errors[6]
        and "kind" in errors[7]
        and "name" in errors[4]
    )
    with tenant_context(tenant_a):
        assert Party.objects.count() == 1
        assert PartyContact.objects.exclude(party__name="Có sẵn").count() == 0
        assert PartyTag.objects.exclude(party__name="Có sẵn").count() == 0


def test_reimporting_an_export_is_refused(api_a, tenant_a):
    api_a.post(URL, party_payload())
    r = upload(api_a, api_a.get(f"{URL}export").content)
    assert r.status_code == 400
    assert "KH00001" in r.json()["errors"][0]["messages"][0]
    with tenant_context(tenant_a):
        assert Party.objects.count() == 1


@pytest.mark.parametrize(
    "content,name",
    [
        (b"this is not a spreadsheet", "x.xlsx"),
        (b"PK\x03\x04broken zip", "x.xlsx"),
        (b"name,kind\nA,company\n", "x.csv"),
    ],
)
def test_malformed_file_is_400(api_a, tenant_a, content, name):
    r = upload(api_a, content, name)
    assert r.status_code == 400
    assert r.json()["errors"][0]["line"] == 0
    with tenant_context(tenant_a):
        assert Party.objects.count() == 0


def test_file_without_name_column_or_rows_is_400(api_a, tenant_a):
    assert upload(api_a, book(["foo", "bar"], [["a", "b"]])).status_code == 400
    assert upload(api_a, book(["Tên (name)"], [])).status_code == 400
    with tenant_context(tenant_a):
        assert Party.objects.count() == 0


def test_import_without_file_is_422(api_a):
    r = api_a.client.post(f"{URL}import", {}, HTTP_AUTHORIZATION=f"Bearer {api_a.token}")
    assert r.status_code == 422


def test_export_never_writes_formulas(api_a):
    api_a.post(URL, party_payload('=HYPERLINK("http://evil.example","x")', tax_code=""))
    content = api_a.get(f"{URL}export").content
    sheet = load_workbook(io.BytesIO(content)).active
    cell = sheet.cell(row=2, column=2)
    assert cell.data_type == "s" and cell.value.startswith("=HYPERLINK")
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        sheet_xml = archive.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet_xml  # no formula element in the sheet
