"""The demo loader of Documents: a folder tree with a contract in two versions, a policy and an
approval in progress; running it again changes nothing."""

from __future__ import annotations

from novasaas.documents.demo import load_demo_documents
from novasaas.documents.models import Document, DocumentWorkflow, Folder, WorkflowStatus
from novasaas.platform.tenancy import tenant_context


def test_demo_documents(tenant_a):
    load_demo_documents(tenant_a)
    load_demo_documents(tenant_a)
    with tenant_context(tenant_a):
        assert {"Hợp đồng", "Khách hàng", "Chính sách", "Nhân sự"} <= set(Folder.objects.values_list("name", flat=True))
        contract = Document.objects.get(name="Hợp đồng mua bán – Minh Phát")
        assert contract.current_version.number == 2 and contract.status == "in_review"
        assert DocumentWorkflow.objects.filter(document=contract, status=WorkflowStatus.OPEN).count() == 1
        assert Document.objects.count() == 2
