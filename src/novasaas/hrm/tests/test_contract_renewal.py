"""Contract renewal and expiry warnings (Labour Code 2019 art. 20): a fixed-term contract ending within
30 days is listed on the employee list and by the API until it is renewed; the renewal starts the day
after, keeps the salary and allowances, and a fixed term is renewed as fixed only once. Clock pinned to
10 December 2026 in Hanoi."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine

from novasaas.hrm.models import Contract
from novasaas.hrm.tests.helpers import hire, world
from novasaas.platform.tenancy import tenant_context
from novasaas.platform.testing.fixtures import ApiClient, admin_of, web_client

URL = "/api/v1/hrm"
HCM = ZoneInfo("Asia/Ho_Chi_Minh")
D = Decimal


@pytest.fixture
def w(tenant_a):
    with time_machine.travel(dt.datetime(2026, 12, 10, 9, 0, tzinfo=HCM), tick=False):
        with tenant_context(tenant_a):
            w = world(tenant_a)
            w.cuong = hire(  # type: ignore[attr-defined]
                w.hr, "Lê Văn Cường", w.office, 15_000_000, kind="fixed", end_date="2026-12-31",
                allowances=[{"kind": "meal", "amount": "730000"}],
            )  # fmt: skip
            w.fixed = Contract.objects.get(employee=w.cuong)  # type: ignore[attr-defined]
        yield w


def test_expiring_contract_is_warned_then_renewed_through_the_page(tenant_a, w):
    web = web_client(tenant_a, w.hr.user)
    page = web.get("/hrm/employees/").content.decode()
    assert 'id="expiring-contracts"' in page and w.fixed.number in page and "31/12/2026" in page
    assert [c["number"] for c in ApiClient(tenant_a, w.hr.user).get(f"{URL}/contracts/expiring").json()] == [
        w.fixed.number
    ]
    r = web.post(f"/hrm/contracts/{w.fixed.pk}/renew/", {"kind": "fixed", "end_date": "31/12/2027"})
    assert r.status_code == 302
    with tenant_context(tenant_a):
        new = Contract.objects.exclude(pk=w.fixed.pk).get(employee=w.cuong)
        allowances = [(a.kind, a.amount, a.taxable) for a in new.allowances.all()]
        w.fixed.refresh_from_db()
    assert (new.kind, str(new.start_date), str(new.end_date), new.salary) == (
        "fixed", "2027-01-01", "2027-12-31", D(15_000_000)
    )  # fmt: skip
    assert allowances == [("meal", D(730_000), False)]
    assert w.fixed.status == "active"  # runs to its end
    assert 'id="expiring-contracts"' not in web.get("/hrm/employees/").content.decode()
    assert ApiClient(tenant_a, w.hr.user).get(f"{URL}/contracts/expiring").json() == []


def test_a_fixed_term_is_renewed_as_fixed_only_once(tenant_a, w):
    api = ApiClient(tenant_a, w.hr.user)
    r = api.post(f"{URL}/contracts/{w.fixed.pk}/renew", {"kind": "fixed", "end_date": "2027-12-31"})
    assert r.status_code == 201, r.json()
    second = r.json()["id"]
    with tenant_context(tenant_a):
        before = Contract.objects.count()
    r = api.post(f"{URL}/contracts/{second}/renew", {"kind": "fixed", "end_date": "2028-12-31"})
    assert r.status_code == 400 and "20" in str(r.json())
    r = api.post(f"{URL}/contracts/{second}/renew", {"kind": "fixed", "end_date": "2031-12-31"})
    assert r.status_code == 400
    with tenant_context(tenant_a):
        assert Contract.objects.count() == before
    r = api.post(f"{URL}/contracts/{second}/renew", {"salary": "16000000"})
    assert r.status_code == 201
    body = r.json()
    assert (body["kind"], body["start_date"], body["end_date"], D(body["salary"])) == (
        "indefinite", "2028-01-01", None, D(16_000_000)
    )  # fmt: skip
    # an indefinite contract has nothing to renew
    assert api.post(f"{URL}/contracts/{body['id']}/renew", {}).status_code == 400


def test_renewal_roles_and_isolation(tenant_a, tenant_b, w):
    for user in (w.employee_user, w.manager.user):
        assert ApiClient(tenant_a, user).post(f"{URL}/contracts/{w.fixed.pk}/renew", {}).status_code == 403
        assert web_client(tenant_a, user).post(f"/hrm/contracts/{w.fixed.pk}/renew/", {}).status_code == 403
    assert ApiClient(tenant_a, w.employee_user).get(f"{URL}/contracts/expiring").status_code == 403
    other = admin_of(tenant_b)
    assert ApiClient(tenant_b, other).post(f"{URL}/contracts/{w.fixed.pk}/renew", {}).status_code == 404
    assert web_client(tenant_b, other).post(f"/hrm/contracts/{w.fixed.pk}/renew/", {}).status_code == 404
    assert ApiClient(tenant_b, other).get(f"{URL}/contracts/expiring").json() == []
    with tenant_context(tenant_a):
        assert Contract.objects.filter(employee=w.cuong).count() == 1
