"""Folders, documents and versions through the actions: the rules of §10 for the roles that hold them."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from novasaas.documents import actions, selectors
from novasaas.documents.models import Document, DocumentVersion
from novasaas.documents.tests.helpers import docx_bytes, exe_bytes, pdf_bytes, principal, upload
from novasaas.platform.audit import list_entries


@pytest.fixture
def admin(in_tenant_a):
    return principal(in_tenant_a)


@pytest.fixture
def folder(admin):
    return actions.create_folder(admin, "Hợp đồng")


def test_upload_new_version_and_restore(admin, folder):
    doc = actions.upload_document(admin, folder.pk, upload("phiên bản một", "hop-dong.txt"), tags=["hợp đồng, mẫu"])
    assert doc.current_version.number == 1 and doc.current_version.content_type == "text/plain"
    assert doc.current_version.file.name.startswith(f"dms/{admin.tenant.pk}/")
    assert "hop-dong" not in doc.current_version.file.name  # random storage name
    v2 = actions.add_version(admin, doc.pk, upload("phiên bản hai", "v2.txt"), comment="sửa")
    assert v2.number == 2
    v3 = actions.restore_version(admin, doc.pk, doc.current_version.pk)
    assert v3.number == 3
    with v3.file.storage.open(v3.file.name, "rb") as fh:
        assert fh.read().decode() == "phiên bản một"
    doc.refresh_from_db()
    assert doc.current_version_id == v3.pk
    assert [v.number for v in selectors.versions(doc)] == [3, 2, 1]
    assert sorted(t.name for t in doc.tags.all()) == ["hợp đồng", "mẫu"]
    trail = list(selectors.document_trail(admin.tenant, doc))
    assert len(trail) == 3 and "restored version 1" in trail[0].message


def test_type_is_decided_by_content(admin, folder):
    with pytest.raises(ValidationError) as exc:
        actions.upload_document(admin, folder.pk, upload(exe_bytes(), "hoa-don.pdf", "application/pdf"))
    assert "không được chấp nhận" in str(exc.value)
    assert not Document.objects.exists()
    doc = actions.upload_document(admin, folder.pk, upload(pdf_bytes(), "scan.bin"))
    assert doc.current_version.content_type == "application/pdf"
    assert doc.current_version.original_name == "scan.pdf"  # extension of the real type
    with pytest.raises(ValidationError):
        actions.upload_document(admin, folder.pk, upload(b"", "empty.txt"))
    with pytest.raises(ValidationError):
        actions.upload_document(admin, folder.pk, upload(b"\x89PNG\r\n\x1a\nbroken", "x.png"))


def test_size_limit_and_quota(admin, folder):
    actions.update_settings(admin, quota_bytes=100, max_file_bytes=60)
    with pytest.raises(ValidationError) as exc:
        actions.upload_document(admin, folder.pk, upload("x" * 61))
    assert "tối đa" in str(exc.value)
    actions.upload_document(admin, folder.pk, upload("x" * 60))
    with pytest.raises(ValidationError) as exc:
        actions.upload_document(admin, folder.pk, upload("y" * 50))
    assert "lưu trữ của doanh nghiệp đã đầy" in str(exc.value)
    assert Document.objects.count() == 1 and actions.used_bytes(admin.tenant) == 60


def test_check_out_refuses_others_and_admin_breaks_the_lock(admin, folder):
    tenant = admin.tenant
    alice, bob = principal(tenant, "accountant"), principal(tenant, "sales_staff")
    doc = actions.upload_document(alice, folder.pk, upload("v1"))
    actions.check_out(alice, doc.pk)
    with pytest.raises(ValidationError) as exc:
        actions.add_version(bob, doc.pk, upload("v2 of bob"))
    assert "đang khóa" in str(exc.value)
    with pytest.raises(ValidationError):
        actions.check_out(bob, doc.pk)
    with pytest.raises(ValidationError):
        actions.check_in(bob, doc.pk)
    with pytest.raises(PermissionDenied):
        actions.break_lock(bob, doc.pk)
    actions.add_version(alice, doc.pk, upload("v2 of alice"))  # the holder may
    actions.break_lock(admin, doc.pk)
    assert actions.add_version(bob, doc.pk, upload("v3 of bob")).number == 3
    messages = [e.message for e in selectors.document_trail(tenant, doc)]
    assert any(m.startswith("lock of ") and "broken" in m for m in messages)


def test_folder_permissions_view_edit_manage(admin, folder):
    tenant = admin.tenant
    accountant, sales = principal(tenant, "accountant"), principal(tenant, "sales_staff")
    actions.set_folder_grants(admin, folder.pk, [{"role_code": "accountant", "level": 1}])
    sub = actions.create_folder(admin, "Nhà cung cấp", parent_id=folder.pk)  # inherits the grant
    doc = actions.upload_document(admin, sub.pk, upload("bí mật"))
    assert selectors.get_document(accountant, doc.pk).pk == doc.pk
    with pytest.raises(PermissionDenied):
        actions.add_version(accountant, doc.pk, upload("v2"))
    with pytest.raises(Document.DoesNotExist):
        selectors.get_document(sales, doc.pk)
    assert [n.folder.name for n in selectors.folder_tree(sales)] == []
    with pytest.raises(PermissionDenied):
        actions.create_folder(accountant, "Gốc")  # root folders: administrator
    actions.set_folder_grants(admin, sub.pk, [{"role_code": "accountant", "level": 3}])
    assert actions.create_folder(accountant, "Con", parent_id=sub.pk).parent_id == sub.pk
    with pytest.raises(ValidationError):
        actions.set_folder_grants(admin, sub.pk, [{"role_code": "nobody", "level": 1}])


def test_employee_without_dms_use_is_refused(admin, folder):
    customer = principal(admin.tenant, "customer")
    with pytest.raises(PermissionDenied):
        actions.upload_document(customer, folder.pk, upload("x"))
    assert selectors.folder_tree(customer) == []


def test_trash_restore_and_purge_after_retention(admin, folder, media, django_capture_on_commit_callbacks):
    doc = actions.upload_document(admin, folder.pk, upload("x"))
    stored = media / doc.current_version.file.name
    assert stored.read_bytes() == b"x"
    actions.trash_document(admin, doc.pk)
    assert selectors.list_documents(admin, folder.pk) == []
    assert [d.pk for d in selectors.trash(admin)] == [doc.pk]
    actions.restore_document(admin, doc.pk)
    actions.trash_document(admin, doc.pk)
    assert actions.purge_expired(admin.tenant) == 0  # kept 30 days
    later = Document.objects.get(pk=doc.pk).deleted_at + dt.timedelta(days=31)
    with django_capture_on_commit_callbacks(execute=True):
        assert actions.purge_expired(admin.tenant, now=later) == 1
    assert not stored.exists()
    assert not Document.objects.filter(pk=doc.pk).exists()
    assert not DocumentVersion.objects.filter(document_id=doc.pk).exists()
    assert list_entries(admin.tenant).filter(message__startswith="purged after").exists()


def test_comments_and_sharing_with_a_member(admin, folder):
    tenant = admin.tenant
    sales = principal(tenant, "sales_staff")
    actions.set_folder_grants(admin, folder.pk, [{"role_code": "accountant", "level": 2}])
    doc = actions.upload_document(admin, folder.pk, upload("x"))
    with pytest.raises(Document.DoesNotExist):
        selectors.get_document(sales, doc.pk)
    actions.share_with_user(admin, doc.pk, sales.user.pk)
    assert selectors.get_document(sales, doc.pk).pk == doc.pk
    assert [d.pk for d in selectors.shared_documents(sales)] == [doc.pk]
    with pytest.raises(PermissionDenied):
        actions.add_version(sales, doc.pk, upload("y"))  # shared to view only
    actions.add_comment(sales, doc.pk, "Đã xem")
    assert [c.body for c in selectors.comments(doc)] == ["Đã xem"]
    with pytest.raises(ValidationError):
        actions.add_comment(sales, doc.pk, "   ")


def test_docx_text_is_searchable(admin, folder):
    actions.upload_document(admin, folder.pk, upload(docx_bytes("Điều khoản thanh toán"), "a.docx"))
    assert [d.name for d in selectors.search_documents(admin, "dieu khoan")] == ["a.docx"]
