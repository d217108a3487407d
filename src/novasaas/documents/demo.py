"""Demo data of Documents: a folder tree (contracts, policies, an HR folder restricted by role), a
customer contract in two versions, a policy, tags and a comment (idempotent)."""

from __future__ import annotations

import io
from typing import Any

from django.db import transaction

from novasaas.platform import demo
from novasaas.platform.tenancy import tenant_context


def _docx(*paragraphs: str) -> io.BytesIO:
    import docx

    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    out = io.BytesIO()
    document.save(out)
    out.seek(0)
    return out


def load_demo_documents(tenant: Any) -> None:
    from novasaas.documents import actions
    from novasaas.documents.models import Folder
    from novasaas.sales.demo import _member

    with tenant_context(tenant), transaction.atomic():
        if Folder.objects.filter(name="Hợp đồng", parent__isnull=True).exists():
            return
        admin = _member(tenant, "tenant_admin")
        if admin is None:
            raise RuntimeError("the demo tenant has no Tenant Admin")
        contracts = actions.create_folder(admin, "Hợp đồng")
        customers = actions.create_folder(admin, "Khách hàng", parent_id=contracts.pk)
        policies = actions.create_folder(admin, "Chính sách")
        hr = actions.create_folder(admin, "Nhân sự")
        actions.set_folder_grants(
            admin,
            policies.pk,
            [{"role_code": r, "level": 1} for r in ("manager", "accountant", "employee", "sales_staff")],
        )
        actions.set_folder_grants(
            admin, hr.pk, [{"role_code": "hr_manager", "level": 3}, {"role_code": "hr_staff", "level": 2}]
        )
        contract = actions.upload_document(
            admin,
            customers.pk,
            _docx(
                "HỢP ĐỒNG MUA BÁN HÀNG HÓA",
                "Số: 01/2026/HĐMB",
                "Bên A: Công ty TNHH Minh Phát",
                "Giá trị: 120.000.000 đồng",
            ),
            "hop-dong-minh-phat.docx",
            name="Hợp đồng mua bán – Minh Phát",
            tags=["hợp đồng, khách hàng"],
        )
        actions.add_version(
            admin,
            contract.pk,
            _docx(
                "HỢP ĐỒNG MUA BÁN HÀNG HÓA",
                "Số: 01/2026/HĐMB",
                "Bên A: Công ty TNHH Minh Phát",
                "Giá trị: 135.000.000 đồng",
            ),
            "hop-dong-minh-phat-v2.docx",
            "Điều chỉnh giá trị hợp đồng",
        )
        actions.add_comment(admin, contract.pk, "Đã gửi bản v2 cho khách hàng ký.")
        from novasaas.documents.workflows import start_workflow

        reviewers = [m.user.pk for m in (_member(tenant, "finance_manager"), _member(tenant, "manager")) if m]
        start_workflow(admin, contract.pk, reviewers or [admin.user.pk])  # an approval in progress
        actions.upload_document(
            admin,
            policies.pk,
            io.BytesIO(
                "CHÍNH SÁCH CÔNG TÁC PHÍ\n\n1. Phụ cấp lưu trú: 200.000 đồng/ngày.\n"
                "2. Thanh toán trong 5 ngày làm việc.\n".encode()
            ),
            "chinh-sach-cong-tac-phi.txt",
            name="Chính sách công tác phí",
            tags=["chính sách, nhân sự"],
        )


demo.register_loader("DMS", load_demo_documents, order=30)
