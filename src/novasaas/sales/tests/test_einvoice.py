"""The invoice as e-invoice XML (validated against the documented element list, sums checked) and as
PDF with a VietQR code of what is open."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from novasaas.platform.tenancy import tenant_context
from novasaas.platform.testing.fixtures import ApiClient, web_client
from novasaas.sales import actions, deliveries, einvoice, policy, vietqr
from novasaas.sales.tests.helpers import beer_line, order, world

D = Decimal
URL = "/api/v1/sales"


def _invoice(tenant):
    tenant.legal_name, tenant.tax_code, tenant.address = "Công ty TNHH Alpha", "0101234567", "1 Tràng Tiền, Hà Nội"
    tenant.save(update_fields=["legal_name", "tax_code", "address"])
    w = world(tenant, 20)
    o = order(
        w,
        beer_line(w, 3, "15333", vat_code="VAT10"),
        beer_line(w, 2, "15000", discount_percent="5", vat_code="VAT5"),
        {"description": "Phí giao hàng", "quantity": "1", "unit_price": "30000", "vat_code": "VAT10"},
    )
    actions.confirm_order(w.staff, o.pk)
    deliveries.deliver_order(w.staff, o.pk)
    return w, deliveries.invoice_order(w.staff, o.pk)


def test_xml_has_the_documented_structure_and_adds_up(tenant_a):
    with tenant_context(tenant_a):
        _w, invoice = _invoice(tenant_a)
        xml = einvoice.invoice_xml(invoice)
    assert einvoice.validate(xml) == []
    root = ET.fromstring(xml)
    general = root.find("DLHDon/TTChung")
    assert general.findtext("KHMSHDon") == "1" and general.findtext("KHHDon") == invoice.number[1:7]
    assert general.findtext("SHDon") == str(int(invoice.number.split("-")[1]))
    assert root.findtext("DLHDon/NDHDon/NBan/MST") == "0101234567"
    groups = {g.findtext("TSuat"): (g.findtext("ThTien"), g.findtext("TThue")) for g in root.iter("LTSuat")}
    assert groups == {"10%": ("75999", "7600"), "5%": ("28500", "1425")}
    assert root.findtext("DLHDon/NDHDon/TToan/TgTTTBSo") == str(int(invoice.total)) == "113524"
    assert root.findtext("DLHDon/NDHDon/TToan/TgTTTBChu").startswith("Một trăm mười ba nghìn")
    # what the validator refuses
    broken = xml.replace(b"<TgTThue>9025</TgTThue>", b"<TgTThue>9026</TgTThue>")
    assert any("TgTThue" in e for e in einvoice.validate(broken))
    assert any("MST" in e for e in einvoice.validate(xml.replace(b"0101234567", b"12")))
    assert any("HHDVu" in e for e in einvoice.validate(ET.tostring(_without_lines(root))))
    assert einvoice.validate(b"<x>") and einvoice.validate(b"<Other/>") == ["the root element is not HDon"]


def _without_lines(root):
    items = root.find("DLHDon/NDHDon/DSHHDVu")
    for item in list(items):
        items.remove(item)
    return root


def test_pdf_with_vietqr_and_the_api(tenant_a, admin_a, unicode_font):
    from pypdf import PdfReader

    with tenant_context(tenant_a):
        w, invoice = _invoice(tenant_a)
        assert einvoice.vietqr_payload(invoice) == ""  # no payee account yet
        with pytest.raises(ValidationError):
            policy.save_settings(w.manager, payee_bank_bin="97043", payee_account="123")
        policy.save_settings(w.manager, payee_bank_bin="970436", payee_account="0011001932418")
        payload = einvoice.vietqr_payload(invoice)
    fields = vietqr.parse(payload)
    assert fields["54"] == "113524" and invoice.number.replace("-", " ") not in fields["62"]
    assert fields["62"].endswith(invoice.number)
    api = ApiClient(tenant_a, admin_a)
    assert api.get(f"{URL}/invoices/{invoice.pk}/vietqr").json() == {"payload": payload}
    r = api.get(f"{URL}/invoices/{invoice.pk}/pdf")
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(r.content)).pages)
    assert "VietQR" in text and "113.524" in text and "0101234567" in text
    r = api.get(f"{URL}/invoices/{invoice.pk}/einvoice")
    assert r.status_code == 200 and einvoice.validate(r.content) == []
    web = web_client(tenant_a, admin_a)
    assert web.get(f"/sales/invoices/{invoice.pk}/pdf/").status_code == 200
    assert web.get(f"/sales/invoices/{invoice.pk}/einvoice/").status_code == 200
    # paid in full: nothing open, no code
    api.post(f"{URL}/invoices/{invoice.pk}/payments", {"amount": "113524"})
    assert api.get(f"{URL}/invoices/{invoice.pk}/vietqr").json() == {"payload": ""}


def test_xml_refused_without_the_sellers_tax_code(tenant_a, admin_a):
    with tenant_context(tenant_a):
        _w, invoice = _invoice(tenant_a)
        tenant_a.tax_code = ""
        tenant_a.save(update_fields=["tax_code"])
    api = ApiClient(tenant_a, admin_a)
    r = api.get(f"{URL}/invoices/{invoice.pk}/einvoice")
    assert r.status_code == 400 and "MST" in r.content.decode()
