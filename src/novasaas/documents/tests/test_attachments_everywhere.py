"""Attachments everywhere (§11.2): every module registers its record kinds through the documents seam and
its record page includes the attachments box. For each kind: the page shows the box only with DMS on; a
member who sees the record attaches through the page and the API; a member who may see the record but
not change it lists without attaching; a member who may not see that record gets a 404 (like a record
of another tenant), a member without the module's rights a 403."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from novasaas.documents import attachments
from novasaas.documents.attachments import RECORD_KINDS
from novasaas.documents.models import Folder
from novasaas.documents.tests.helpers import pdf_bytes, principal, upload
from novasaas.identity.access import principal_for
from novasaas.identity.models import Membership
from novasaas.platform.tenancy import platform_context, tenant_context
from novasaas.platform.testing.fixtures import ApiClient, web_client


@dataclass
class Case:
    record_id: int
    page: str  # the record's own page
    attacher: Any  # sees the record and may attach
    reader: Any | None  # sees the record, may not attach
    hidden: Any | None  # holds the module's view right but may not see this record
    stranger: Any  # lacks the module's rights


def _sales(tenant: Any, kind: str) -> Case:
    from novasaas.sales import actions, deliveries
    from novasaas.sales.tests.helpers import order, world

    w = world(tenant, 20)
    o = order(w)
    other_staff = principal(tenant, "sales_staff")  # sees only their own customers' orders
    stranger = principal(tenant, "warehouse_staff")
    if kind == "crm.order":
        return Case(o.pk, reverse("sales-order", args=[o.pk]), w.staff, None, other_staff, stranger)
    actions.confirm_order(w.staff, o.pk)
    deliveries.deliver_order(w.staff, o.pk)
    inv = deliveries.invoice_order(w.staff, o.pk)
    return Case(inv.pk, reverse("sales-invoice", args=[inv.pk]), w.staff, None, other_staff, stranger)


def _purchasing(tenant: Any, kind: str) -> Case:
    from novasaas.purchasing import actions, bills
    from novasaas.purchasing.tests.helpers import approved, world

    w = world(tenant)
    o = approved(w)
    reader = principal(tenant, "warehouse_staff")  # scm.receipt.create: sees the PO, attaches nothing
    stranger = principal(tenant, "sales_staff")
    if kind == "scm.po":
        return Case(o.pk, reverse("purchasing-order", args=[o.pk]), w.staff, reader, None, stranger)
    actions.receive_order(w.keeper, o.pk)
    bill = bills.create_bill(w.staff, order_id=o.pk, vendor_invoice_no="0000123")
    accountant = principal(tenant, "accountant")  # acc.payment.record: sees bills, attaches nothing
    return Case(bill.pk, reverse("purchasing-bill", args=[bill.pk]), w.staff, accountant, None, stranger)


def _hrm(tenant: Any, kind: str) -> Case:
    from novasaas.hrm.tests.helpers import world

    w = world(tenant)
    # Alice (an employee with a user account) sees her own record only: Bob's is hidden from her
    alice = principal_for(Membership.objects.select_related("tenant", "user").get(user=w.employee_user))
    return Case(
        w.bob.pk,
        reverse("hrm-employee", args=[w.bob.pk]),
        w.hr,
        principal(tenant, "hr_staff"),
        alice,
        principal(tenant, "customer"),  # every internal role holds hrm.payslip.self (own record only)
    )


def _projects(tenant: Any, kind: str) -> Case:
    from novasaas.projects.tests.helpers import world

    w = world(tenant)
    stranger = principal(tenant, "customer")
    if kind == "pm.project":
        page = reverse("projects-project", args=[w.project.pk])
        return Case(w.project.pk, page, w.dev, None, w.outsider, stranger)
    if kind == "pm.expense":  # receipts of one expense
        from django.utils import timezone

        from novasaas.projects import timesheets

        expense = timesheets.add_expense(
            w.dev, w.project.pk, date=timezone.localdate(), description="Taxi", amount="150000"
        )
        return Case(expense.pk, reverse("projects-expense", args=[expense.pk]), w.dev, None, w.outsider, stranger)
    return Case(w.task.pk, reverse("projects-task", args=[w.task.pk]), w.dev, None, w.outsider, stranger)


BUILDERS = {
    "crm.order": _sales,
    "crm.invoice": _sales,
    "scm.po": _purchasing,
    "scm.bill": _purchasing,
    "hrm.employee": _hrm,
    "pm.project": _projects,
    "pm.task": _projects,
    "pm.expense": _projects,
}


def test_every_module_registers_its_kinds():
    assert set(BUILDERS) | {"acc.entry", "crm.quotation"} == set(RECORD_KINDS)


@pytest.mark.parametrize("kind", sorted(BUILDERS))
def test_record_page_attach_list_download_and_rights(tenant_a, kind):
    with tenant_context(tenant_a):
        case = BUILDERS[kind](tenant_a, kind)
        doc = attachments.attach(case.attacher, kind, case.record_id, upload(pdf_bytes("Hop dong"), "hd.pdf"))
        folder = Folder.objects.get(pk=doc.folder_id)
        assert folder.record_label == f"{kind}:{case.record_id}" and folder.parent.name == kind
    box = reverse("documents-attachments", args=[kind, case.record_id])

    web = web_client(tenant_a, case.attacher.user)
    page = web.get(case.page)
    assert page.status_code == 200 and box in page.content.decode()
    r = web.get(box)
    assert r.status_code == 200 and "hd.pdf" in r.content.decode() and 'name="file"' in r.content.decode()
    r = web.post(box, {"file": upload("biên bản giao nhận", "bb.txt")})
    assert r.status_code == 200 and "bb.txt" in r.content.decode()
    r = web.post(box, {"file": upload(b"MZ\x90\x00" + b"\x00" * 64, "x.pdf")})
    assert r.status_code == 400
    assert web.get(reverse("documents-attachment-file", args=[kind, case.record_id, doc.pk])).status_code == 200

    api = ApiClient(tenant_a, case.attacher.user)
    listed = api.get(f"/api/v1/documents/attachments/{kind}/{case.record_id}")
    assert listed.status_code == 200 and sorted(d["name"] for d in listed.json()) == ["bb.txt", "hd.pdf"]
    r = api.client.post(
        f"/api/v1/documents/attachments/{kind}/{case.record_id}",
        {"file": upload("ghi chú", "note.txt")},
        HTTP_AUTHORIZATION=f"Bearer {api.token}",
    )
    assert r.status_code == 201, r.content

    if case.reader is not None:
        reader = web_client(tenant_a, case.reader.user)
        r = reader.get(box)
        assert r.status_code == 200 and "hd.pdf" in r.content.decode() and 'name="file"' not in r.content.decode()
        assert reader.post(box, {"file": upload("x", "x.txt")}).status_code == 403
        with tenant_context(tenant_a), pytest.raises(PermissionDenied):
            attachments.attach(case.reader, kind, case.record_id, upload("x", "x.txt"))
    if case.hidden is not None:
        hidden = web_client(tenant_a, case.hidden.user)
        assert hidden.get(box).status_code == 404
        assert hidden.get(reverse("documents-attachment-file", args=[kind, case.record_id, doc.pk])).status_code == 404
        assert (
            ApiClient(tenant_a, case.hidden.user)
            .get(f"/api/v1/documents/attachments/{kind}/{case.record_id}")
            .status_code
            == 404
        )
    stranger = web_client(tenant_a, case.stranger.user)
    assert stranger.get(box).status_code == 403

    # without DMS the record page keeps working and shows no box; the box's URL is refused
    with platform_context():
        tenant_a.enabled_modules = [m for m in tenant_a.enabled_modules if m != "DMS"]
        tenant_a.save(update_fields=["enabled_modules"])
    web = web_client(tenant_a, case.attacher.user)
    page = web.get(case.page)
    assert page.status_code == 200 and box not in page.content.decode()
    assert web.get(box).status_code == 403


@pytest.mark.parametrize("kind", ["crm.order", "scm.bill", "hrm.employee", "pm.task"])
def test_a_record_of_another_tenant_is_404(tenant_a, tenant_b, kind):
    with tenant_context(tenant_b):
        case_b = BUILDERS[kind](tenant_b, kind)
        doc_b = attachments.attach(case_b.attacher, kind, case_b.record_id, upload("b", "b.txt"))
    with tenant_context(tenant_a):
        case_a = BUILDERS[kind](tenant_a, kind)
        attachments.attach(case_a.attacher, kind, case_a.record_id, upload("a", "a.txt"))
    web = web_client(tenant_a, case_a.attacher.user)
    assert web.get(reverse("documents-attachments", args=[kind, case_b.record_id])).status_code == 404
    assert web.get(reverse("documents-attachment-file", args=[kind, case_b.record_id, doc_b.pk])).status_code == 404
    r = ApiClient(tenant_a, case_a.attacher.user).get(f"/api/v1/documents/attachments/{kind}/{case_b.record_id}")
    assert r.status_code == 404
