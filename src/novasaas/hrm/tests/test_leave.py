"""Leave: default Labour Code types at set-up, a request → level 1 (the department's manager) → level 2
(HR), balances, refusals; API and pages per role; the other tenant's requests are 404."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from novasaas.hrm import leave
from novasaas.hrm.models import LeaveRequest, LeaveType
from novasaas.hrm.tests.helpers import hire, world
from novasaas.identity.access import principal_for
from novasaas.identity.models import Membership
from novasaas.platform.tenancy import tenant_context
from novasaas.platform.testing.fixtures import ApiClient, create_user, web_client

URL = "/api/v1/hrm"


def _me(user):
    return principal_for(Membership.objects.select_related("tenant", "user").get(user=user))


@pytest.fixture
def w(tenant_a):
    with tenant_context(tenant_a):
        w = world(tenant_a)
        bob_user = create_user(tenant_a, "employee")
        w.bob.user = bob_user
        w.bob.save(update_fields=["user"])
        return w


def test_default_types_and_two_level_approval(tenant_a, w):
    with tenant_context(tenant_a):
        annual = LeaveType.objects.get(code="PN")
        assert (annual.days_per_year, annual.paid) == (12, True)
        bob = _me(w.bob.user)
        req = leave.request_leave(bob, leave_type_id=annual.pk, start_date="2026-03-02", end_date="2026-03-06")
        assert req.days == 5 and req.status == "submitted"
        with pytest.raises(ValidationError):  # HR waits for the department's manager
            leave.decide_leave(w.hr, req.pk, True)
        with pytest.raises(LeaveRequest.DoesNotExist):  # a colleague does not see it
            leave.decide_leave(_me(w.employee_user), req.pk, True)
        assert leave.decide_leave(w.manager, req.pk, True).status == "manager_ok"
        with pytest.raises(PermissionDenied):
            leave.decide_leave(w.manager, req.pk, True)  # level 2 is HR's
        assert leave.decide_leave(w.hr, req.pk, True).status == "approved"
        with pytest.raises(ValidationError):
            leave.decide_leave(w.hr, req.pk, False)
        (balance,) = [b for b in leave.balances(w.bob, 2026) if b["type"].code == "PN"]
        assert (balance["entitled"], balance["used"], balance["left"]) == (12, 5, 7)
        # overlap, beyond the balance, no working day, reversed dates
        for start, end in [("2026-03-05", "2026-03-10"), ("2026-04-01", "2026-04-14"), ("2026-03-07", "2026-03-08"),
                           ("2026-03-20", "2026-03-19")]:  # fmt: skip
            with pytest.raises(ValidationError):
                leave.request_leave(bob, leave_type_id=annual.pk, start_date=start, end_date=end)
        # a department without a manager: HR decides at once; a rejection frees the balance
        alice = _me(w.employee_user)
        req2 = leave.request_leave(alice, leave_type_id=annual.pk, start_date="2026-05-04", end_date="2026-05-15")
        assert leave.decide_leave(w.hr, req2.pk, False, "Mùa cao điểm").status == "rejected"
        req3 = leave.request_leave(alice, leave_type_id=annual.pk, start_date="2026-05-04", end_date="2026-05-05")
        assert leave.cancel_leave(alice, req3.pk).status == "cancelled"


def test_leave_through_the_api_and_pages(tenant_a, w):
    with tenant_context(tenant_a):
        annual = LeaveType.objects.get(code="PN")
    bob = ApiClient(tenant_a, w.bob.user)
    r = bob.post(f"{URL}/leave-requests", {"leave_type_id": annual.pk, "start_date": "2026-03-02",
                                           "end_date": "2026-03-03"})  # fmt: skip
    assert r.status_code == 201, r.json()
    req = r.json()["id"]
    assert bob.post(f"{URL}/leave-requests/{req}/decision", {"approve": True}).status_code == 403
    colleague = ApiClient(tenant_a, w.employee_user)
    assert colleague.get(f"{URL}/leave-requests").json()["count"] == 0
    manager = web_client(tenant_a, w.manager.user)
    page = manager.get("/hrm/leave/").content.decode()
    assert w.bob.full_name in page and f"/hrm/leave/{req}/approve/" in page
    assert manager.post(f"/hrm/leave/{req}/approve/").status_code == 302
    hr = web_client(tenant_a, w.hr.user)
    assert hr.post(f"/hrm/leave/{req}/approve/").status_code == 302
    assert bob.get(f"{URL}/leave-requests").json()["items"][0]["status"] == "approved"
    balances = {b["code"]: b["left"] for b in bob.get(f"{URL}/leave-balances", {"year": 2026}).json()}
    assert balances["PN"] == 10
    web = web_client(tenant_a, w.bob.user)
    r = web.post("/hrm/leave/", {"leave_type_id": annual.pk, "start_date": "2026-03-03", "end_date": "2026-03-04"})
    assert r.status_code == 400  # overlaps the approved days
    r = web.post("/hrm/leave/", {"leave_type_id": annual.pk, "start_date": "2026-06-01", "end_date": "2026-06-02"})
    assert r.status_code == 302
    assert web.get("/hrm/leave/types/").status_code == 403
    assert hr.post("/hrm/leave/types/", {"code": "HOC", "name": "Nghỉ học", "days_per_year": "5"}).status_code == 302
    assert ApiClient(tenant_a, w.hr.user).post(f"{URL}/leave-types", {"code": "HOC", "name": "x"}).status_code == 400


def test_other_tenants_leave_is_404(tenant_a, tenant_b, admin_a):
    with tenant_context(tenant_b):
        wb = world(tenant_b)
        hire(wb.hr, "B", wb.office, 9_000_000, user=create_user(tenant_b, "employee"))
        other = LeaveRequest.objects.create(
            tenant=tenant_b, employee=wb.alice, leave_type=LeaveType.objects.get(code="PN"),
            start_date="2026-03-02", end_date="2026-03-02", days=1,
        )  # fmt: skip
        other_type = LeaveType.objects.get(code="PN")
    api = ApiClient(tenant_a, admin_a)
    assert api.post(f"{URL}/leave-requests/{other.pk}/decision", {"approve": True}).status_code == 404
    assert api.post(f"{URL}/leave-requests/{other.pk}/cancel").status_code == 404
    assert api.patch(f"{URL}/leave-types/{other_type.pk}", {"name": "x"}).status_code == 404
    web = web_client(tenant_a, admin_a)
    assert web.post(f"/hrm/leave/{other.pk}/approve/").status_code == 404
