"""Customers Excel import (all or nothing, line-numbered refusals) and export; API, page, roles."""

from __future__ import annotations

import io
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook

from novasaas.parties.models import Party
from novasaas.platform.tenancy import tenant_context
from novasaas.platform.testing.fixtures import ApiClient, web_client
from novasaas.sales import actions
from novasaas.sales.models import Customer
from novasaas.sales.tests.helpers import party, world

D = Decimal
URL = "/api/v1/sales"
HEADER = [
    "Mã đối tác (party_code)",
    "Tên (name)",
    "Mã số thuế (tax_code)",
    "Điện thoại (phone)",
    "Nhóm khách hàng (group)",
    "Hạn mức tín dụng (credit_limit)",
    "Số ngày được nợ (payment_terms_days)",
    "Nhân viên phụ trách (salesperson)",
]


def _xlsx(*rows):
    wb = Workbook()
    ws = wb.active
    ws.append(HEADER)
    for row in rows:
        ws.append(list(row))
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _setup(tenant):
    with tenant_context(tenant):
        w = world(tenant, 0)
        actions.save_group(w.manager, code="VIP", name="VIP", discount_percent="5")
        by_code = party(w.manager, "Công ty Hòa Bình")
        from novasaas.inventory.tests.helpers import principal
        from novasaas.parties.actions import create_party

        by_tax = create_party(principal(tenant), name="Công ty Thành Công", tax_code="0101234565", role="customer")
        return w, by_code, by_tax


def _good(w, by_code):
    return _xlsx(
        [by_code.code, "", "", "", "vip", "50000000", "30", w.staff.user.email],
        ["", "Cửa hàng Bích Ngọc", "0309876547", "0901234567", "", "", "", ""],
        ["", "", "0101234565", "", "", "0", "15", ""],
    )


def test_import_creates_every_row_and_export_reads_back(tenant_a):
    w, by_code, by_tax = _setup(tenant_a)
    api = ApiClient(tenant_a, w.manager.user)
    r = api.client.post(
        f"{URL}/customers/import",
        {"file": SimpleUploadedFile("kh.xlsx", _good(w, by_code))},
        HTTP_AUTHORIZATION=f"Bearer {api.token}",
    )
    assert r.status_code == 200, r.content
    assert r.json()["created"] == 3
    with tenant_context(tenant_a):
        first = Customer.objects.get(party=by_code)
        assert (first.group.code, first.credit_limit, first.payment_terms_days, first.salesperson_id) == (
            "VIP",
            D(50000000),
            30,
            w.staff.user.pk,
        )
        new = Customer.objects.get(party__name="Cửa hàng Bích Ngọc")
        assert new.party.tax_code == "0309876547" and new.salesperson_id is None
        third = Customer.objects.get(party=by_tax)
        assert (third.credit_limit, third.payment_terms_days) == (D(0), 15)
    r = api.get(f"{URL}/customers/export")
    assert r.status_code == 200
    sheet = load_workbook(io.BytesIO(r.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][1] == "Mã đối tác (party_code)" and len(rows) == 5  # header + the world's customer + 3
    assert any(row[2] == "Cửa hàng Bích Ngọc" and row[3] == "0309876547" for row in rows)


def test_bad_lines_are_listed_and_nothing_is_written(tenant_a):
    w, by_code, _by_tax = _setup(tenant_a)
    with tenant_context(tenant_a):
        parties_before, customers_before = Party.objects.count(), Customer.objects.count()
        taken = w.customer.party.code
    bad = _xlsx(
        ["", "Khách mới hợp lệ", "", "", "", "", "", ""],  # line 2: fine (a new party)
        [by_code.code, "", "", "", "KHONGCO", "", "", ""],  # line 3: unknown group
        [taken, "", "", "", "", "", "", ""],  # line 4: already a customer
        [by_code.code, "", "", "", "", "", "", "ai@khong.co"],  # line 5: not a member
        ["", "", "", "", "", "1,5", "", ""],  # line 6: neither party nor name
        ["", "Khách âm", "", "", "", "-5", "", ""],  # line 7: negative limit
    )
    api = ApiClient(tenant_a, w.manager.user)
    r = api.client.post(
        f"{URL}/customers/import",
        {"file": SimpleUploadedFile("kh.xlsx", bad)},
        HTTP_AUTHORIZATION=f"Bearer {api.token}",
    )
    assert r.status_code == 400
    assert [e["line"] for e in r.json()["errors"]] == [3, 4, 5, 6, 7]
    with tenant_context(tenant_a):
        assert (Party.objects.count(), Customer.objects.count()) == (parties_before, customers_before)
    header_only = _xlsx()
    r = api.client.post(
        f"{URL}/customers/import",
        {"file": SimpleUploadedFile("kh.xlsx", header_only)},
        HTTP_AUTHORIZATION=f"Bearer {api.token}",
    )
    assert r.status_code == 400
    r = api.client.post(
        f"{URL}/customers/import",
        {"file": SimpleUploadedFile("kh.xlsx", b"not a workbook")},
        HTTP_AUTHORIZATION=f"Bearer {api.token}",
    )
    assert r.status_code == 400


def test_roles_and_pages(tenant_a):
    w, by_code, _by_tax = _setup(tenant_a)
    staff = ApiClient(tenant_a, w.staff.user)
    assert staff.get(f"{URL}/customers/export").status_code == 403
    r = staff.client.post(
        f"{URL}/customers/import",
        {"file": SimpleUploadedFile("kh.xlsx", _good(w, by_code))},
        HTTP_AUTHORIZATION=f"Bearer {staff.token}",
    )
    assert r.status_code == 403
    staff_web = web_client(tenant_a, w.staff.user)
    assert staff_web.get("/sales/customers/import/").status_code == 403
    assert staff_web.get("/sales/customers/export/").status_code == 403
    web = web_client(tenant_a, w.manager.user)
    assert "Nhập khách hàng từ Excel" in web.get("/sales/customers/import/").content.decode()
    bad = _xlsx([by_code.code, "", "", "", "KHONGCO", "", "", ""])
    r = web.post("/sales/customers/import/", {"file": SimpleUploadedFile("kh.xlsx", bad)})
    assert r.status_code == 400 and "Dòng 2" in r.content.decode()
    r = web.post("/sales/customers/import/", {"file": SimpleUploadedFile("kh.xlsx", _good(w, by_code))})
    assert r.status_code == 302
    with tenant_context(tenant_a):
        assert Customer.objects.count() == 4
    r = web.get("/sales/customers/export/")
    assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd.openxmlformats")
