"""Search on SQLite through the FTS5 table (migration 0004): whole words ranked by bm25 (the document
about the words first, whatever its age), the last word as a prefix when nothing matches whole, rows
kept by triggers (a new version's text, a purge), and only folders the member may view."""

from __future__ import annotations

import pytest
from django.db import connection

from novasaas.documents import actions, selectors
from novasaas.documents.tests.helpers import principal, upload

pytestmark = pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite FTS5 path")


def _fts_rows(tenant_id):
    with connection.cursor() as cursor:
        cursor.execute("SELECT rowid FROM documents_search_fts5 WHERE tenant_id = %s ORDER BY rowid", [tenant_id])
        return [r[0] for r in cursor.fetchall()]


def test_best_match_first_prefix_fallback_and_triggers(in_tenant_a):
    admin = principal(in_tenant_a)
    folder = actions.create_folder(admin, "Hợp đồng")
    about = actions.upload_document(
        admin, folder.pk, upload("Hợp đồng thuê nhà. Hợp đồng gia hạn. Thuê nhà hợp đồng.", "thue-nha.txt")
    )
    # uploaded later (so newer), mentions the words once in a long text
    mention = actions.upload_document(
        admin, folder.pk, upload("Biên bản họp " + "nội dung khác " * 200 + "hợp đồng thuê", "bien-ban.txt")
    )
    actions.upload_document(admin, folder.pk, upload("Quy chế lương", "quy-che.txt"))
    assert [d.pk for d in selectors.search_documents(admin, "hop dong thue")] == [about.pk, mention.pk]
    assert [d.pk for d in selectors.search_documents(admin, "HỢP ĐỒNG thuê")] == [about.pk, mention.pk]
    # a whole word only: "hop" does not find "hợp" inside another word, "luon" finds "lương" as typed so far
    assert [d.name for d in selectors.search_documents(admin, "quy che luon")] == ["quy-che.txt"]
    assert selectors.search_documents(admin, 'che" OR "hop') == []  # FTS5 syntax in the query is just words
    # a new version's text replaces the old one in the index
    actions.add_version(admin, mention.pk, upload("Hóa đơn điện", "v2.txt"))
    assert [d.pk for d in selectors.search_documents(admin, "hop dong thue")] == [about.pk]
    assert [d.pk for d in selectors.search_documents(admin, "hoa don dien")] == [mention.pk]
    # a purged document leaves the index (cascade → trigger)
    actions.trash_document(admin, about.pk)
    assert selectors.search_documents(admin, "thue nha") == []  # trashed: not searched
    actions.purge_document(admin, about.pk)
    assert about.pk not in _fts_rows(in_tenant_a.pk)


def test_no_hit_without_folder_rights(in_tenant_a):
    admin = principal(in_tenant_a)
    folder = actions.create_folder(admin, "Nhân sự")
    actions.set_folder_grants(admin, folder.pk, [{"role_code": "hr_manager", "level": 3}])
    actions.upload_document(admin, folder.pk, upload("Bảng lương bí mật", "luong.txt"))
    assert [d.name for d in selectors.search_documents(principal(in_tenant_a, "hr_manager"), "bang luong")] == [
        "luong.txt"
    ]
    assert selectors.search_documents(principal(in_tenant_a, "sales_staff"), "bang luong") == []
