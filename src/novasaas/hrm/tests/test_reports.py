"""Payroll reports the issue names: the monthly insurance contribution list (D02-LT style) and the
year-end PIT finalisation data per employee — figures by hand, tied to the register and the ledger, page,
Excel and API per role, another company's month → 404.

Alice 20,000,000 (no dependant), Bob 30,000,000 (2 dependants), full months of 2026, region I:
Alice BHXH 1,600,000 / 3,500,000, BHYT 300,000 / 600,000, BHTN 200,000 / 200,000 (employee / employer);
Bob 2,400,000 / 5,250,000, 450,000 / 900,000, 300,000 / 300,000."""

from __future__ import annotations

from decimal import Decimal

import pytest

from novasaas.hrm import payroll, reports
from novasaas.hrm.tests.helpers import world
from novasaas.platform.tenancy import tenant_context
from novasaas.platform.testing.fixtures import ApiClient, admin_of, web_client
from novasaas.sales.tests.helpers import ledger_lines

URL = "/api/v1/hrm"
D = Decimal


@pytest.fixture
def w(tenant_a):
    with tenant_context(tenant_a):
        w = world(tenant_a)
        w.march = payroll.approve_payroll(w.hr, payroll.generate_payroll(w.hr, 2026, 3).pk)  # type: ignore[attr-defined]
        w.april = payroll.approve_payroll(w.hr, payroll.generate_payroll(w.hr, 2026, 4).pk)  # type: ignore[attr-defined]
        w.may = payroll.generate_payroll(w.hr, 2026, 5)  # type: ignore[attr-defined]  # draft: not in the year's data
        return w


def test_insurance_list_by_hand_and_tied_to_the_ledger(tenant_a, w):
    with tenant_context(tenant_a):
        w.alice.social_insurance_number = "0123456789"
        w.alice.save(update_fields=["social_insurance_number"])
        report = reports.insurance_list(w.march)
        ledger = ledger_lines(tenant_a, "hrm.payroll.0", w.march.pk)
    alice, bob = report.rows
    assert (alice["line"], alice["name"], alice["insurance_number"]) == (1, "Nguyễn Thị Alice", "0123456789")
    assert (alice["insurance_base"], alice["unemployment_base"]) == (D(20_000_000), D(20_000_000))
    assert [alice[k] for k, _label in reports.INSURANCE_COLUMNS] == [
        D(1_600_000), D(3_500_000), D(300_000), D(600_000), D(200_000), D(200_000), D(6_400_000)
    ]  # fmt: skip
    assert bob["total"] == D(2_400_000 + 5_250_000 + 450_000 + 900_000 + 300_000 + 300_000)
    t = report.totals
    assert t["total"] == D(16_000_000)
    assert ledger["3383"][1] == t["employee_bhxh"] + t["employer_bhxh"] == D(12_750_000)
    assert ledger["3384"][1] == t["employee_bhyt"] + t["employer_bhyt"]
    assert ledger["3385"][1] == t["employee_bhtn"] + t["employer_bhtn"]


def test_pit_finalisation_sums_the_approved_months(tenant_a, w):
    with tenant_context(tenant_a):
        report = reports.pit_finalisation(tenant_a, 2026)
        assert reports.pit_finalisation(tenant_a, 2025).rows == []
    alice, bob = report.rows
    # Alice per month: income 20,000,000, insurance 2,100,000, personal deduction 15,500,000,
    # taxed 2,400,000 → PIT 120,000; two approved months (May is a draft)
    assert (alice["months"], alice["income"], alice["insurance"], alice["family_deduction"]) == (
        2, D(40_000_000), D(4_200_000), D(31_000_000)
    )  # fmt: skip
    assert (alice["assessable_income"], alice["pit"], alice["tax_method"]) == (
        D(4_800_000),
        D(240_000),
        "Biểu lũy tiến (cư trú)",
    )
    # Bob: 30,000,000 − 3,150,000 − (15,500,000 + 2 × 6,200,000) < 0 → nothing taxed
    assert (bob["dependants"], bob["income"], bob["assessable_income"], bob["pit"]) == (2, D(60_000_000), D(0), D(0))
    assert report.totals["pit"] == D(240_000)


def test_pages_files_and_api_per_role(tenant_a, tenant_b, w):
    hr = web_client(tenant_a, w.hr.user)
    r = hr.get(f"/hrm/payroll/{w.march.pk}/insurance/")
    assert r.status_code == 200 and "Nguyễn Thị Alice" in r.content.decode()
    assert hr.get(f"/hrm/payroll/{w.march.pk}/").content.decode().count(f"/hrm/payroll/{w.march.pk}/insurance/") == 1
    r = hr.get(f"/hrm/payroll/{w.march.pk}/insurance.xlsx")
    assert r.status_code == 200 and r["Content-Disposition"].endswith('d02-lt-2026-03.xlsx"')
    r = hr.get("/hrm/payroll/pit/?year=2026")
    assert r.status_code == 200 and "Trần Văn Bob" in r.content.decode()
    assert hr.get("/hrm/payroll/pit.xlsx?year=2026").status_code == 200
    assert hr.get("/hrm/payroll/pit/?year=abc").status_code == 404
    assert hr.get(f"/hrm/payroll/{w.march.pk}/insurance.exe").status_code == 404
    # an employee and a manager may not; another company's month is not found
    for user in (w.employee_user, w.manager.user):
        client = web_client(tenant_a, user)
        assert client.get(f"/hrm/payroll/{w.march.pk}/insurance/").status_code == 403
        assert client.get("/hrm/payroll/pit/").status_code == 403
        assert ApiClient(tenant_a, user).get(f"{URL}/pit-finalisation", {"year": 2026}).status_code == 403
    other = admin_of(tenant_b)
    assert web_client(tenant_b, other).get(f"/hrm/payroll/{w.march.pk}/insurance/").status_code == 404
    assert ApiClient(tenant_b, other).get(f"{URL}/payrolls/{w.march.pk}/insurance-list").status_code == 404
    body = ApiClient(tenant_b, other).get(f"{URL}/pit-finalisation", {"year": 2026}).json()
    assert body["rows"] == []
    api = ApiClient(tenant_a, w.hr.user)
    body = api.get(f"{URL}/payrolls/{w.march.pk}/insurance-list").json()
    assert D(str(body["totals"]["total"])) == D(16_000_000) and len(body["rows"]) == 2
    body = api.get(f"{URL}/pit-finalisation", {"year": 2026}).json()
    assert D(str(body["totals"]["pit"])) == D(240_000)
    assert api.get(f"{URL}/pit-finalisation", {"year": 2026, "format": "xlsx"}).status_code == 200
    assert api.get(f"{URL}/pit-finalisation", {"year": 99999}).status_code == 400
