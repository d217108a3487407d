"""Suppliers have their own code series (NCC00001, …) apart from customers (KH00001, …): API, page, demo."""

from __future__ import annotations

from novasaas.parties import demo as parties_demo
from novasaas.parties.models import Party
from novasaas.parties.tests.helpers import party_payload
from novasaas.platform.tenancy import tenant_context
from novasaas.platform.testing.fixtures import web_client

URL = "/api/v1/parties/"


def test_supplier_and_customer_series_are_separate_and_per_tenant(api_a, api_b, tenant_a):
    first = api_a.post(URL, party_payload("Khách lẻ A")).json()["code"]
    supplier = api_a.post(URL, {**party_payload("Công ty Bia Sài Gòn"), "role": "supplier"})
    assert supplier.status_code == 201, supplier.content
    second = api_a.post(URL, {**party_payload("Khách lẻ B"), "role": "customer"}).json()["code"]
    other_supplier = api_a.post(URL, {**party_payload("Công ty Sữa Việt"), "role": "supplier"}).json()["code"]
    assert (first, supplier.json()["code"], second, other_supplier) == ("KH00001", "NCC00001", "KH00002", "NCC00002")
    assert api_b.post(URL, {**party_payload("Công ty B"), "role": "supplier"}).json()["code"] == "NCC00001"
    bad = api_a.post(URL, {**party_payload("Ai đó"), "role": "employee"})
    assert bad.status_code == 422, bad.content  # the role is customer or supplier
    with tenant_context(tenant_a):
        assert not Party.objects.filter(name="Ai đó").exists()


def test_party_page_offers_the_role_and_keeps_it_on_edit(tenant_a, admin_a):
    web = web_client(tenant_a, admin_a)
    form = web.get("/parties/new/").content.decode()
    assert "Nhà cung cấp" in form and "Mã nhà cung cấp bắt đầu bằng NCC" in form
    data = {
        "role": "supplier",
        "name": "Công ty Gạo Miền Tây",
        "kind": "company",
        "addresses-TOTAL_FORMS": "0",
        "addresses-INITIAL_FORMS": "0",
        "contacts-TOTAL_FORMS": "0",
        "contacts-INITIAL_FORMS": "0",
        "bank_accounts-TOTAL_FORMS": "0",
        "bank_accounts-INITIAL_FORMS": "0",
    }
    r = web.post("/parties/new/", data)
    assert r.status_code == 302, r.content.decode()[:2000]
    with tenant_context(tenant_a):
        party = Party.objects.get(name="Công ty Gạo Miền Tây")
    assert party.code == "NCC00001"
    edit = web.get(f"/parties/{party.pk}/edit/").content.decode()
    assert 'name="role"' in edit and "disabled" in edit.split('name="role"')[1].split(">")[0]


def test_demo_suppliers_have_supplier_codes(tenant_a):
    parties_demo.load_demo_parties(tenant_a)
    with tenant_context(tenant_a):
        for p in Party.objects.prefetch_related("party_tags__tag"):
            tags = {pt.tag.name for pt in p.party_tags.all()}
            assert p.code.startswith("NCC" if "Nhà cung cấp" in tags else "KH"), (p.code, tags)
