"""Cash vouchers wherever cash on hand moves: recorded cash payments (receipts, payments, refunds),
journal entries and quick entries touching 111x — page and API (PDF); bank movements have none."""

from __future__ import annotations

import io

import pytest

from novasaas.accounting import actions, quick, receivables, vouchers
from novasaas.accounting.tests.helpers import lines, make_party, post, principal
from novasaas.platform.testing.fixtures import ApiClient, create_user, web_client

URL = "/api/v1/accounting"


@pytest.fixture
def fm(tenant_a):
    tenant_a.legal_name = "Công ty TNHH Thương mại Hoàng Long"
    tenant_a.address = "12 Nguyễn Trãi, TP. Hồ Chí Minh"
    tenant_a.save()
    return principal(tenant_a, "finance_manager")


@pytest.fixture
def web(tenant_a):
    return web_client(tenant_a, create_user(tenant_a, "finance_manager"))


@pytest.fixture
def api(tenant_a):
    return ApiClient(tenant_a, create_user(tenant_a, "finance_manager"))


def _pdf_text(content: bytes) -> str:
    from pypdf import PdfReader

    return " ".join(" ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(content)).pages)


@pytest.fixture
def font():
    from novasaas.platform.pdf import font_path

    if font_path() is None:
        pytest.skip("no Unicode TTF font on this machine")


def test_cash_sale_entry_prints_a_receipt_voucher(tenant_a, fm, web, api, today, font):
    entry = post(
        fm, ("1111", 11_000_000, 0), ("5111", 0, 10_000_000), ("33311", 0, 1_000_000), memo="Bán lẻ thu tiền mặt"
    )
    page = web.get(f"/accounting/entries/{entry.pk}/", HTTP_ACCEPT_LANGUAGE="vi").content.decode()
    assert f"/accounting/entries/{entry.pk}/voucher/" in page
    r = web.get(f"/accounting/entries/{entry.pk}/voucher/")
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    text = _pdf_text(r.content)
    for expected in [
        "Mẫu số 01-TT",
        "PHIẾU THU",
        f"Số: {entry.reference}",
        "Nợ: 1111",
        "Có: 33311, 5111",
        "Lý do nộp: Bán lẻ thu tiền mặt",
        "Số tiền: 11.000.000 đồng",
        "(Viết bằng chữ): Mười một triệu đồng chẵn",
        "THỦ QUỸ",
    ]:
        assert expected in text, expected
    via_api = api.get(f"{URL}/entries/{entry.pk}/cash-voucher")
    assert via_api.status_code == 200 and via_api["Content-Type"] == "application/pdf"
    assert "PHIẾU THU" in _pdf_text(via_api.content)


def test_quick_expense_paid_in_cash_prints_a_payment_voucher(tenant_a, fm, web, today, font):
    supplier = make_party(tenant_a, "Cửa hàng Văn phòng phẩm Hà Nội")
    entry = quick.record_expense(
        fm, date=today, amount="2000000", settlement="cash", partner_id=supplier, memo="Mua văn phòng phẩm"
    )
    page = web.get(f"/accounting/entries/{entry.pk}/", HTTP_ACCEPT_LANGUAGE="vi").content.decode()
    assert "In phiếu chi" in page
    text = _pdf_text(web.get(f"/accounting/entries/{entry.pk}/voucher/").content)
    for expected in [
        "Mẫu số 02-TT",
        "PHIẾU CHI",
        "Có: 1111",
        "Họ và tên người nhận tiền: Cửa hàng Văn phòng phẩm Hà Nội",
        "Lý do chi: Mua văn phòng phẩm",
        "Số tiền: 2.200.000 đồng",  # 2,000,000 + 10% VAT
        "NGƯỜI NHẬN TIỀN",
    ]:
        assert expected in text, expected
    assert "Nợ: 1331, 6422" in text


def test_cash_withdrawn_from_the_bank_is_a_receipt_and_a_deposit_a_payment(tenant_a, fm):
    post(fm, ("1121", 50_000_000, 0), ("4111", 0, 50_000_000))
    withdrawn = post(fm, ("1111", 5_000_000, 0), ("1121", 0, 5_000_000), memo="Rút tiền gửi về quỹ")
    deposited = post(fm, ("1121", 3_000_000, 0), ("1111", 0, 3_000_000), memo="Nộp tiền mặt vào ngân hàng")
    v = vouchers.entry_voucher(tenant_a, withdrawn)
    assert (v["title"], v["accounts"]) == ("PHIẾU THU", ["Nợ: 1111", "Có: 1121"])
    v = vouchers.entry_voucher(tenant_a, deposited)
    assert (v["title"], v["accounts"]) == ("PHIẾU CHI", ["Nợ: 1121", "Có: 1111"])
    assert dict(v["fields"])["Số tiền:"] == "3.000.000 đồng"


def test_bank_movements_and_drafts_have_no_cash_voucher(tenant_a, fm, web, api):
    customer = make_party(tenant_a)
    post(fm, ("131", 1_000_000, 0, customer), ("5111", 0, 1_000_000))
    bank = post(fm, ("1121", 1_000_000, 0), ("131", 0, 1_000_000, customer))
    page = web.get(f"/accounting/entries/{bank.pk}/", HTTP_ACCEPT_LANGUAGE="vi").content.decode()
    assert f"/accounting/entries/{bank.pk}/voucher/" not in page
    r = web.get(f"/accounting/entries/{bank.pk}/voucher/", HTTP_ACCEPT_LANGUAGE="vi")
    assert r.status_code == 400 and "ngân hàng" in r.content.decode()
    assert api.get(f"{URL}/entries/{bank.pk}/cash-voucher").status_code == 400
    draft = actions.create_entry(
        fm, journal_id="GEN", date=bank.date, lines=lines(("1111", 500, 0), ("5111", 0, 500)), memo="nháp"
    )
    page = web.get(f"/accounting/entries/{draft.pk}/", HTTP_ACCEPT_LANGUAGE="vi").content.decode()
    assert f"/accounting/entries/{draft.pk}/voucher/" not in page
    assert web.get(f"/accounting/entries/{draft.pk}/voucher/").status_code == 400
    assert api.get(f"{URL}/entries/{draft.pk}/cash-voucher").status_code == 400
    assert api.get(f"{URL}/entries/999999/cash-voucher").status_code == 404


def test_cash_refund_to_a_customer_and_payment_api(tenant_a, fm, api, today, font):
    customer = make_party(tenant_a, "Công ty TNHH Minh Anh")
    post(fm, ("1111", 3_000_000, 0), ("131", 0, 3_000_000, customer))  # paid in advance
    refund = receivables.record_payment(
        fm,
        kind="payment",
        party_id=customer,
        date=today,
        amount="3000000",
        method="cash",
        memo="Trả lại tiền đặt trước",
    )
    r = api.get(f"{URL}/payments/{refund.pk}/cash-voucher")
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    text = _pdf_text(r.content)
    for expected in [
        "PHIẾU CHI",
        "Họ và tên người nhận tiền: Công ty TNHH Minh Anh",
        "Có: 1111",
        "Số tiền: 3.000.000 đồng",
    ]:
        assert expected in text, expected
    by_bank = receivables.record_payment(fm, kind="receipt", party_id=customer, date=today, amount="1000")
    assert api.get(f"{URL}/payments/{by_bank.pk}/cash-voucher").status_code == 400
    assert api.get(f"{URL}/payments/999999/cash-voucher").status_code == 404


def test_vouchers_of_another_company_are_not_found(tenant_a, tenant_b, fm):
    entry = post(fm, ("1111", 1_000, 0), ("4111", 0, 1_000))
    other = ApiClient(tenant_b, create_user(tenant_b, "finance_manager"))
    assert other.get(f"{URL}/entries/{entry.pk}/cash-voucher").status_code == 404
