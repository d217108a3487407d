"""PostgreSQL only: races on the check-out lock and the storage quota (a conditional update and a row
lock decide, never a check-then-act), and the full-text search with its index."""

from __future__ import annotations

import pytest
from django.db import connection

from novasaas.documents import actions, selectors
from novasaas.documents.models import Document, DocumentVersion
from novasaas.documents.tests.helpers import docx_bytes, principal, upload
from novasaas.inventory.tests.test_postgres import _race
from novasaas.platform.tenancy import tenant_context

pytestmark = pytest.mark.postgres_only


def test_ten_members_checking_out_one_document_one_wins(transactional_db, tenant_a):
    with tenant_context(tenant_a):
        admin = principal(tenant_a)
        folder = actions.create_folder(admin, "Hợp đồng")
        doc = actions.upload_document(admin, folder.pk, upload("v1"))
        members = iter([principal(tenant_a, "accountant") for _ in range(10)])
    outcomes = _race(tenant_a, 10, 1, lambda: actions.check_out(next(members), doc.pk))
    assert sorted(outcomes) == ["ok"] + ["refused"] * 9
    with tenant_context(tenant_a):
        assert Document.objects.get(pk=doc.pk).checked_out_by_id is not None


def test_ten_uploads_against_a_quota_for_three(transactional_db, tenant_a):
    with tenant_context(tenant_a):
        admin = principal(tenant_a)
        folder = actions.create_folder(admin, "Hồ sơ")
        actions.update_settings(admin, quota_bytes=300)
    outcomes = _race(tenant_a, 10, 1, lambda: actions.upload_document(admin, folder.pk, upload("x" * 100)))
    assert sorted(outcomes) == ["ok"] * 3 + ["refused"] * 7
    with tenant_context(tenant_a):
        assert DocumentVersion.objects.count() == 3 and actions.used_bytes(tenant_a) == 300


def test_full_text_search_folds_accents_matches_prefixes_and_uses_the_index(tenant_a):
    with tenant_context(tenant_a):
        admin = principal(tenant_a)
        folder = actions.create_folder(admin, "Hợp đồng")
        hidden = actions.create_folder(admin, "Ban giám đốc")
        actions.set_folder_grants(admin, hidden.pk, [{"role_code": "manager", "level": 1}])
        doc = actions.upload_document(admin, folder.pk, upload(docx_bytes("Điều khoản thanh toán trước"), "a.docx"))
        actions.upload_document(admin, hidden.pk, upload("Điều khoản lương thưởng", "b.txt"))
        assert [d.pk for d in selectors.search_documents(admin, "dieu KHOAN thanh")] == [doc.pk]
        assert [d.pk for d in selectors.search_documents(admin, "thanh to")] == [doc.pk]  # prefix
        assert len(selectors.search_documents(admin, "điều khoản")) == 2
        accountant = principal(tenant_a, "accountant")
        assert [d.pk for d in selectors.search_documents(accountant, "dieu khoan")] == [doc.pk]
        assert selectors.search_documents(admin, "'&|!:*()") == []
        with connection.cursor() as cur:
            cur.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'documents_search_fts'")
            assert "gin (vector)" in cur.fetchone()[0]
