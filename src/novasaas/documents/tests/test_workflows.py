"""Approval workflows: ordered steps, only the current reviewer decides, rejection needs a comment and
ends it, notifications go to the next reviewer and to the starter; through actions, pages and API."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from novasaas.documents import actions, selectors, workflows
from novasaas.documents.models import DocumentStatus, WorkflowStatus
from novasaas.documents.tests.helpers import principal, upload
from novasaas.platform.models import Notification
from novasaas.platform.tenancy import tenant_context
from novasaas.platform.testing.fixtures import ApiClient, web_client


def _doc(tenant):
    admin = principal(tenant)
    folder = actions.create_folder(admin, "Hợp đồng")
    actions.set_folder_grants(admin, folder.pk, [{"role_code": "accountant", "level": 2}])
    return admin, actions.upload_document(admin, folder.pk, upload("hợp đồng", "hd.txt"))


def test_two_steps_approved_in_order(in_tenant_a):
    admin, doc = _doc(in_tenant_a)
    starter = principal(in_tenant_a, "accountant")
    first, second = principal(in_tenant_a, "finance_manager"), principal(in_tenant_a, "manager")
    wf = workflows.start_workflow(starter, doc.pk, [first.user.pk, second.user.pk])
    doc.refresh_from_db()
    assert doc.status == DocumentStatus.IN_REVIEW
    assert Notification.objects.filter(recipient=first.user, kind="approvals").count() == 1
    with pytest.raises(PermissionDenied):
        workflows.decide(second, doc.pk, approve=True)  # not their turn yet
    with pytest.raises(ValidationError):
        workflows.start_workflow(starter, doc.pk, [first.user.pk])  # one open at a time
    workflows.decide(first, doc.pk, approve=True, comment="OK")
    assert Notification.objects.filter(recipient=second.user, kind="approvals").count() == 1
    workflows.decide(second, doc.pk, approve=True)
    wf.refresh_from_db()
    doc.refresh_from_db()
    assert wf.status == WorkflowStatus.APPROVED and doc.status == DocumentStatus.APPROVED
    assert Notification.objects.filter(recipient=starter.user, kind="approvals").count() == 1
    assert any("step 2 approved" in e.message for e in selectors.document_trail(in_tenant_a, doc))


def test_rejection_needs_a_comment_and_ends_it(in_tenant_a):
    admin, doc = _doc(in_tenant_a)
    first, second = principal(in_tenant_a, "finance_manager"), principal(in_tenant_a, "manager")
    wf = workflows.start_workflow(admin, doc.pk, [first.user.pk, second.user.pk])
    with pytest.raises(ValidationError):
        workflows.decide(first, doc.pk, approve=False)
    workflows.decide(first, doc.pk, approve=False, comment="Sai giá trị")
    wf.refresh_from_db()
    doc.refresh_from_db()
    assert wf.status == WorkflowStatus.REJECTED and doc.status == DocumentStatus.REJECTED
    assert [s.decision for s in wf.steps.all()] == ["rejected", "skipped"]
    with pytest.raises(ValidationError):
        workflows.decide(second, doc.pk, approve=True)
    with pytest.raises(ValidationError):
        workflows.start_workflow(admin, doc.pk, [first.user.pk, first.user.pk])


def test_approval_through_page_and_api(tenant_a):
    with tenant_context(tenant_a):
        admin, doc = _doc(tenant_a)
        reviewer = principal(tenant_a, "sales_staff")  # no folder right: the approval shares it
    web = web_client(tenant_a, admin.user)
    assert web.post(f"/documents/{doc.pk}/start-approval/", {"reviewers": [reviewer.user.pk]}).status_code == 302
    rweb = web_client(tenant_a, reviewer.user)
    page = rweb.get(f"/documents/{doc.pk}/").content.decode()
    assert "/approve/" in page
    api = ApiClient(tenant_a, reviewer.user)
    r = api.post(f"/api/v1/documents/documents/{doc.pk}/approvals/decision", {"approve": False})
    assert r.status_code == 400
    r = api.post(f"/api/v1/documents/documents/{doc.pk}/approvals/decision", {"approve": True, "comment": "OK"})
    assert r.status_code == 200 and r.json()["status"] == "approved"
    assert (
        ApiClient(tenant_a, admin.user)
        .get(f"/api/v1/documents/documents/{doc.pk}/approvals")
        .json()[0]["steps"][0]["decision"]
        == "approved"
    )


def test_a_new_version_during_an_approval_restarts_it(tenant_a):
    with tenant_context(tenant_a):
        admin, doc = _doc(tenant_a)
        starter = principal(tenant_a, "accountant")
        first, second = principal(tenant_a, "finance_manager"), principal(tenant_a, "manager")
        wf = workflows.start_workflow(starter, doc.pk, [first.user.pk, second.user.pk])
        workflows.decide(first, doc.pk, approve=True, comment="OK")
    # the starter uploads a corrected version through the API: the approval starts again on it
    api = ApiClient(tenant_a, starter.user)
    r = api.client.post(
        f"/api/v1/documents/documents/{doc.pk}/versions",
        {"file": upload("hợp đồng sửa", "hd.txt"), "comment": "sửa giá"},
        HTTP_AUTHORIZATION=f"Bearer {api.token}",
    )
    assert r.status_code == 201, r.content
    with tenant_context(tenant_a):
        wf.refresh_from_db()
        doc.refresh_from_db()
        assert wf.status == WorkflowStatus.CANCELLED
        assert [s.decision for s in wf.steps.all()] == ["approved", "skipped"]  # history kept
        fresh = doc.workflows.get(status=WorkflowStatus.OPEN)
        assert fresh.version_id == doc.current_version_id and fresh.created_by_id == starter.user.pk
        assert [(s.order, s.reviewer_id, s.decision) for s in fresh.steps.all()] == [
            (1, first.user.pk, "pending"),
            (2, second.user.pk, "pending"),
        ]
        assert doc.status == DocumentStatus.IN_REVIEW
        assert Notification.objects.filter(recipient=first.user, kind="approvals").count() == 2
        with pytest.raises(PermissionDenied):  # from the first step again
            workflows.decide(second, doc.pk, approve=True)
        assert any("restarted" in e.message for e in selectors.document_trail(tenant_a, doc))
        # restoring an old version restarts it too; without an approval in progress nothing starts
        old = doc.versions.get(number=1)
        actions.restore_version(starter, doc.pk, old.pk)
        assert doc.workflows.filter(status=WorkflowStatus.OPEN).get().version_id == doc.versions.get(number=3).pk
        workflows.cancel_workflow(starter, doc.pk)
        actions.add_version(starter, doc.pk, upload("bản 4", "hd.txt"))
        assert not doc.workflows.filter(status=WorkflowStatus.OPEN).exists()
        doc.refresh_from_db()
        assert doc.status == DocumentStatus.DRAFT
    page = web_client(tenant_a, starter.user).get(f"/documents/{doc.pk}/")
    assert page.status_code == 200
