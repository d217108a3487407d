"""Vietnamese UI: every msgid of the app is translated, the pages switch language, and a msgid shared
with another app shows the wording of this app (warehouse words on inventory pages, accounting words on
accounting pages)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from django.utils import translation
from django.utils.translation import gettext, ngettext, npgettext, pgettext

from novasaas.inventory.tests.helpers import issue, receive, setup_catalogue
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
        s = setup_catalogue(tenant_a)
    client = web_client(tenant_a, s.manager.user)
    page = client.get("/inventory/").content.decode()
    assert "Tồn kho" in page and "Khả dụng" in page
    assert "Phương pháp tính giá" in client.get("/inventory/categories/new/").content.decode()
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert "Available" in client.get("/inventory/").content.decode()


# One msgid has one translation at run time: Django merges the project catalogue (which wins) and every
# app's catalogue (the app listed first in INSTALLED_APPS wins). Where inventory and accounting need
# different words for the same English ("Balance": tồn vs số dư), one side uses a context.


def _headers(page: str) -> list[str]:
    """The column headers of the first table of the page."""
    head = re.search(r"(?s)<thead>(.*?)</thead>", page)
    assert head, "no table"
    return [re.sub(r"<[^>]+>", "", h).strip() for h in re.findall(r"(?s)<th[^>]*>(.*?)</th>", head.group(1))]


ACCOUNTING_WORDS = ["Số dư", "Số phát sinh", "Diễn giải", "đối tượng", "tài khoản cha", "Loại thông báo"]


def test_inventory_pages_use_warehouse_words(tenant_a):
    with tenant_context(tenant_a):
        s = setup_catalogue(tenant_a)
        doc = receive(s, 5)
        issue(s, 2)
    client = web_client(tenant_a, s.manager.user)
    get = lambda path: client.get(path).content.decode()  # noqa: E731

    card = get(f"/inventory/reports/stock-card/?product={s.beer.pk}&warehouse={s.wh.pk}")
    assert _headers(card) == [
        "Ngày",
        "Số chứng từ",
        "Nhập",
        "Xuất",
        "Tồn",
        "Giá trị nhập",
        "Giá trị xuất",
        "Giá trị tồn",
    ]
    assert "Thẻ kho" in card and "Tồn đầu kỳ" in card

    in_out = get("/inventory/reports/in-out/")
    assert "Nhập – xuất – tồn" in in_out
    assert _headers(in_out) == [
        "Mã hàng",
        "Sản phẩm",
        "Kho",
        "SL tồn đầu kỳ",
        "Giá trị tồn đầu kỳ",
        "Nhập",
        "Giá trị nhập",
        "Xuất",
        "Giá trị xuất",
        "SL tồn cuối kỳ",
        "Giá trị tồn cuối kỳ",
    ]

    history = get(f"/inventory/reports/movements/?product={s.beer.pk}")
    assert "Lịch sử nhập xuất" in history
    assert _headers(history) == ["Ngày", "Số chứng từ", "Mã hàng", "Từ", "Đến", "Số lượng", "Giá trị"]

    stock = get(f"/inventory/stock/{s.beer.pk}/")
    assert "Nhập xuất gần đây" in stock and "Thẻ kho" in stock

    form = get("/inventory/products/new/")
    required = ' <span class="text-danger" aria-hidden="true">*</span>'  # required fields are marked
    assert f'<label class="form-label" for="id_kind">Loại{required}</label>' in form
    assert '<label class="form-label" for="id_description">Mô tả</label>' in form
    product = get(f"/inventory/products/{s.beer.pk}/")
    assert "Ngừng sử dụng" in product and "Vô hiệu hóa" not in product

    # The put-away form moves goods from a location to another: "Từ"/"Đến", not the date range's
    # "Từ ngày"/"Đến ngày".
    receipt = get(f"/inventory/movements/{doc.pk}/")
    assert ">Từ</label>" in receipt and ">Đến</label>" in receipt and "Từ ngày" not in receipt

    for page in (card, in_out, history, stock, form, product, receipt):
        assert not [w for w in ACCOUNTING_WORDS if w in page]


def test_accounting_pages_keep_their_words(tenant_a):
    from novasaas.accounting.models import Account
    from novasaas.accounting.tests.helpers import post
    from novasaas.accounting.tests.helpers import principal as acc_principal
    from novasaas.platform.testing.fixtures import create_user

    post(acc_principal(tenant_a, "finance_manager"), ("1111", 100, 0), ("4111", 0, 100))
    with tenant_context(tenant_a):
        account = Account.objects.get(code="1111")
    client = web_client(tenant_a, create_user(tenant_a, "finance_manager"))
    ledger = client.get(f"/accounting/accounts/{account.pk}/ledger/").content.decode()
    assert {"Diễn giải", "Số dư"} <= set(_headers(ledger))
    assert "Số dư đầu kỳ" in ledger and "Tồn" not in _headers(ledger)
    trial = client.get("/accounting/reports/trial-balance/").content.decode()
    assert {"Số dư đầu kỳ", "Số phát sinh"} <= set(_headers(trial))
    entries = client.get("/accounting/entries/").content.decode()
    assert "Diễn giải" in _headers(entries)


@pytest.mark.parametrize("app", ["parties", "accounting", "inventory"])
def test_every_app_message_is_shown_as_its_catalogue_says(app):
    """No msgid of an app's catalogue is overridden by another catalogue (the project's, another app's,
    or one of Django's: humanize's "now" is "vừa mới đây"): a shared msgid that needs another word in
    this app must use a context."""
    po = PO.parents[4] / app / "locale" / "vi" / "LC_MESSAGES" / "django.po"
    with po.open("rb") as f:
        catalog = read_po(f)
    overridden = []
    with translation.override("vi"):
        for m in catalog:
            if not m.id:
                continue
            if isinstance(m.id, tuple):
                shown = npgettext(m.context, *m.id, 1) if m.context else ngettext(*m.id, 1)
                want = m.string[0]
            else:
                shown = pgettext(m.context, m.id) if m.context else gettext(m.id)
                want = m.string
            if shown != want:
                overridden.append((m.context, m.id, want, shown))
    assert overridden == []
