"""Employees in and out of Excel: the HR Manager imports new employees from CSV/xlsx (all or nothing,
refused lines numbered), everyone who sees the list exports it; an exported file imports into another
company; roles and two-tenant isolation."""

from __future__ import annotations

import io

import openpyxl
import pytest

from novasaas.hrm.models import Employee
from novasaas.hrm.tests.helpers import world
from novasaas.platform.tenancy import tenant_context
from novasaas.platform.testing.fixtures import ApiClient, create_user, web_client

URL = "/api/v1/hrm"
HEADER = "Họ tên,Phòng ban,Chức danh,Ngày vào,CCCD,Mã số thuế,Số tài khoản,Ngân hàng,Vùng"


@pytest.fixture
def w(tenant_a):
    from novasaas.hrm import actions

    with tenant_context(tenant_a):
        w = world(tenant_a)
        actions.save_position(w.hr, code="NVKD", name="Nhân viên kinh doanh", department_id=w.sales.pk)
        w.staff = create_user(tenant_a, "hr_staff")  # type: ignore[attr-defined]
        return w


def _file(text: str, name: str = "nhan-vien.csv") -> io.BytesIO:
    buf = io.BytesIO(text.encode())
    buf.name = name
    return buf


def _post(api: ApiClient, text: str, name: str = "nhan-vien.csv"):
    return api.client.post(
        f"{URL}/employees/import", {"file": _file(text, name)}, HTTP_AUTHORIZATION=f"Bearer {api.token}"
    )


def _count(tenant) -> int:
    with tenant_context(tenant):
        return Employee.objects.count()


def test_import_hires_each_row(tenant_a, w):
    text = "\n".join(
        [
            HEADER,
            "Lê Văn Cường,KD,NVKD,01/03/2026,001090012345,8012345678,0123456789,Vietcombank,II",
            "Phạm Thị Dung,hc,,15/03/2026,,,,,",
        ]
    )
    r = _post(ApiClient(tenant_a, w.hr.user), text)
    assert r.status_code == 200, r.json()
    assert r.json()["created"] == 2 and all(c.startswith("NV") for c in r.json()["codes"])
    with tenant_context(tenant_a):
        cuong = Employee.objects.get(full_name="Lê Văn Cường")
        dung = Employee.objects.get(full_name="Phạm Thị Dung")
        assert (cuong.department.code, cuong.position.code, cuong.region) == ("KD", "NVKD", "II")
        assert (str(cuong.hired_on), cuong.id_number, cuong.tax_code, cuong.bank_name) == (
            "2026-03-01", "001090012345", "8012345678", "Vietcombank"
        )  # fmt: skip
        assert cuong.party.kind == "person"
        assert (dung.department.code, dung.region, str(dung.hired_on)) == ("HC", "I", "2026-03-15")


def test_a_bad_file_is_refused_line_by_line_and_nothing_is_written(tenant_a, w):
    before = _count(tenant_a)
    text = "\n".join(
        [
            HEADER,
            "Lê Văn Cường,KD,NVKD,01/03/2026,001090012345,,,,",  # 2: fine
            "Người Sai Phòng,XX,,01/03/2026,,,,,",  # 3: unknown department
            "Người Sai Ngày,KD,,31/02/2026,,,,,",  # 4: no such date
            "Người Sai CCCD,KD,,01/03/2026,12345,,,,",  # 5: 5 digits
            "Người Trùng,KD,,01/03/2026,001090012345,,,,",  # 6: same ID as line 2
            ",KD,,01/03/2026,,,,,V",  # 7: no name, region V
            "Người Sai Chức Danh,KD,GD,01/03/2026,,,,,",  # 8: unknown position
        ]
    )
    r = _post(ApiClient(tenant_a, w.hr.user), text)
    assert r.status_code == 400
    errors = {e["line"]: " ".join(e["messages"]) for e in r.json()["errors"]}
    assert sorted(errors) == [3, 4, 5, 6, 7, 8]
    assert "XX" in errors[3] and "dd/mm/yyyy" in errors[4] and "12" in errors[5] and "dòng 2" in errors[6]
    assert "full_name" in errors[7] and "region" in errors[7] and "GD" in errors[8]
    assert _count(tenant_a) == before
    r = _post(ApiClient(tenant_a, w.hr.user), "Tên,Ngày\nA,01/01/2026")
    assert r.status_code == 400 and r.json()["errors"][0]["line"] == 1
    # the page shows the same numbered refusals
    page = web_client(tenant_a, w.hr.user)
    r = page.post("/hrm/employees/import/", {"file": _file(text)})
    assert r.status_code == 400 and "Dòng 3" in r.content.decode()
    assert _count(tenant_a) == before
    r = page.post("/hrm/employees/import/", {"file": _file(f"{HEADER}\nLê Văn Cường,KD,,01/03/2026,,,,,")})
    assert r.status_code == 302 and _count(tenant_a) == before + 1


def test_roles_export_and_a_round_trip_into_another_company(tenant_a, tenant_b, w):
    for user in (w.staff, w.employee_user, w.manager.user):
        assert _post(ApiClient(tenant_a, user), f"{HEADER}\nA,KD,,01/03/2026,,,,,").status_code == 403
        assert web_client(tenant_a, user).get("/hrm/employees/import/").status_code == 403
    assert web_client(tenant_a, w.employee_user).get("/hrm/employees.xlsx").status_code == 403
    with tenant_context(tenant_a):
        w.alice.id_number = "001090099999"
        w.alice.save(update_fields=["id_number"])
    r = web_client(tenant_a, w.staff).get("/hrm/employees.xlsx")  # HR Staff sees everyone
    assert r.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(r.content)).active
    values = [[c for c in row] for row in sheet.iter_rows(values_only=True)]
    names = {row[1] for row in values[1:]}
    assert {"Nguyễn Thị Alice", "Trần Văn Bob"} <= names
    team = ApiClient(tenant_a, w.manager.user).get(f"{URL}/employee-list").json()["rows"]
    assert [row["full_name"] for row in team] == ["Trần Văn Bob"]  # a manager: their team only
    # the exported file imports into another company with the same department codes
    with tenant_context(tenant_b):
        other = world(tenant_b)
    before = _count(tenant_b)
    buf = io.BytesIO(r.content)
    buf.name = "nhan-vien.xlsx"
    resp = ApiClient(tenant_b, other.hr.user).client.post(
        f"{URL}/employees/import",
        {"file": buf},
        HTTP_AUTHORIZATION=f"Bearer {ApiClient(tenant_b, other.hr.user).token}",
    )
    assert resp.status_code == 200, resp.json()
    assert _count(tenant_b) == before + 2 and _count(tenant_a) == 2
    with tenant_context(tenant_b):
        assert Employee.objects.filter(id_number="001090099999").count() == 1
