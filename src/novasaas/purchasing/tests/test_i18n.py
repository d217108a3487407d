"""Vietnamese UI of Purchasing: every msgid of the app is translated and the pages speak Vietnamese (and
English when chosen)."""

from __future__ import annotations

from pathlib import Path

from babel.messages.pofile import read_po

from novasaas.platform.tenancy import tenant_context
from novasaas.platform.testing.fixtures import web_client
from novasaas.purchasing.tests.helpers import order, world

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
        o = order(w)
    client = web_client(tenant_a, w.manager.user)
    page = client.get(f"/purchasing/orders/{o.pk}/").content.decode()
    assert "Đơn mua hàng" in page and "Nháp" in page and "Phát hành" in page and "Thuế suất GTGT" in page
    assert "Bảng giá" in client.get(f"/purchasing/vendors/{w.vendor.pk}/").content.decode()
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    page = client.get(f"/purchasing/orders/{o.pk}/").content.decode()
    assert "Purchase order" in page and "Draft" in page and "Issue" in page
