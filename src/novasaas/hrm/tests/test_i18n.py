"""Vietnamese UI of HRM: every msgid of the app is translated, and the pages speak Vietnamese (and
English when chosen)."""

from __future__ import annotations

from pathlib import Path

from babel.messages.pofile import read_po

from novasaas.hrm.tests.helpers import world
from novasaas.platform.tenancy import tenant_context
from novasaas.platform.testing.fixtures import web_client

PO = Path(__file__).resolve().parents[1] / "locale" / "vi" / "LC_MESSAGES" / "django.po"


def test_every_message_is_translated():
    with PO.open("rb") as f:
        catalog = read_po(f)
    missing = [m.id for m in catalog if m.id and not (m.string if isinstance(m.string, str) else all(m.string))]
    assert missing == []
    assert not [m.id for m in catalog if m.id and m.fuzzy]
    assert PO.with_suffix(".mo").stat().st_mtime >= PO.stat().st_mtime - 1


def test_pages_in_vietnamese_and_english(tenant_a):
    with tenant_context(tenant_a):
        w = world(tenant_a)
    client = web_client(tenant_a, w.hr.user)
    page = client.get(f"/hrm/employees/{w.bob.pk}/").content.decode()
    assert "Người phụ thuộc" in page and "Không xác định thời hạn" in page and "Lịch sử lương" in page
    assert "Lương tối thiểu vùng" in client.get("/hrm/rules/").content.decode()
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    page = client.get(f"/hrm/employees/{w.bob.pk}/").content.decode()
    assert "Dependants" in page and "Indefinite term" in page and "Salary history" in page


def test_paid_is_translated_by_its_meaning(tenant_a):
    """A leave type "Paid" is "with pay" and a salary "Paid" is "disbursed" — never the sales "received"
    (context-less "Paid" is shared by every app's catalogue; HRM uses contexts)."""
    from django.utils import translation

    with translation.override("vi"):
        assert translation.pgettext("leave type", "Paid") == "Có hưởng lương"
        assert translation.pgettext("salary", "Paid") == "Đã chi trả"
    with tenant_context(tenant_a):
        w = world(tenant_a)
    page = web_client(tenant_a, w.hr.user).get("/hrm/leave/types/").content.decode()
    assert "Có hưởng lương" in page and "Đã thu" not in page
