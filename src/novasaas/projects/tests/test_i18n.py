"""Vietnamese UI of Projects: every msgid of the app is translated and the pages speak Vietnamese (and
English when chosen)."""

from __future__ import annotations

from pathlib import Path

from babel.messages.pofile import read_po

from novasaas.platform.tenancy import tenant_context
from novasaas.platform.testing.fixtures import web_client
from novasaas.projects.tests.helpers import world

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
    client = web_client(tenant_a, w.pm.user)
    page = client.get(f"/projects/{w.project.pk}/board/").content.decode()
    assert "Bảng Kanban" in page and "Cần làm" in page and "Đang làm" in page
    assert "Theo thời gian và vật tư" in client.get(f"/projects/{w.project.pk}/").content.decode()
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    page = client.get(f"/projects/{w.project.pk}/board/").content.decode()
    assert "Board" in page and "To do" in page
