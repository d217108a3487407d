"""Two tenants: one never sees or touches the other's parties."""

from __future__ import annotations

import io

from openpyxl import load_workbook

from novasaas.parties import selectors
from novasaas.parties.models import Party
from novasaas.parties.tests.helpers import make_mst, party_payload
from novasaas.platform.tenancy import tenant_context
from novasaas.platform.testing.fixtures import web_client

URL = "/api/v1/parties/"


def test_other_tenants_ids_are_404(api_a, api_b, tenant_b, admin_a, tenant_a):
    b_id = api_b.post(URL, party_payload("Bí mật của B")).json()["id"]
    a_id = api_a.post(URL, party_payload("Của A")).json()["id"]
    assert api_a.get(f"{URL}{b_id}").status_code == 404
    assert api_a.patch(f"{URL}{b_id}", {"name": "hack"}).status_code == 404
    assert api_a.delete(f"{URL}{b_id}").status_code == 404
    assert api_a.get(f"{URL}{b_id}/duplicates").status_code == 404
    assert api_a.post(f"{URL}merge", {"keep_id": a_id, "duplicate_ids": [b_id]}).status_code == 404
    assert api_a.post(f"{URL}merge", {"keep_id": b_id, "duplicate_ids": [a_id]}).status_code == 404
    with tenant_context(tenant_b):
        party = Party.objects.get(pk=b_id)
        assert party.name == "Bí mật của B" and party.is_active and party.merged_into_id is None
    with tenant_context(tenant_a):
        assert Party.objects.get(pk=a_id).merged_into_id is None
    web = web_client(tenant_a, admin_a)
    for path in (f"/parties/{b_id}/", f"/parties/{b_id}/edit/", f"/parties/{b_id}/merge/"):
        assert web.get(path).status_code == 404, path
    assert web.post(f"/parties/{b_id}/deactivate/").status_code == 404


def test_other_tenants_parties_never_listed_searched_or_exported(api_a, api_b, tenant_a, tenant_b, admin_a):
    mst = make_mst()
    api_b.post(URL, party_payload("Hoàng Long B", tax_code=mst))
    api_a.post(URL, party_payload("Hoàng Long A"))
    names = [i["name"] for i in api_a.get(URL, {"q": "hoang long"}).json()["items"]]
    assert names == ["Hoàng Long A"]
    assert api_a.get(URL, {"q": mst}).json()["count"] == 0
    book = load_workbook(io.BytesIO(api_a.get(f"{URL}export").content))
    cells = [c for row in book.active.iter_rows(values_only=True) for c in row if c]
    assert "Hoàng Long A" in cells and "Hoàng Long B" not in cells and mst not in cells
    page = web_client(tenant_a, admin_a).get("/parties/", {"q": "hoang"}).content.decode()
    assert "Hoàng Long A" in page and "Hoàng Long B" not in page


def test_same_tax_code_allowed_in_two_tenants(api_a, api_b):
    mst = make_mst()
    assert api_a.post(URL, party_payload(tax_code=mst)).status_code == 201
    assert api_b.post(URL, party_payload(tax_code=mst)).status_code == 201


def test_duplicates_and_selectors_stay_in_tenant(api_a, api_b, tenant_a):
    mst = make_mst()
    a_id = api_a.post(URL, party_payload("Hoàng Long", tax_code=mst)).json()["id"]
    b_id = api_b.post(URL, party_payload("Hoàng Long", tax_code=mst)).json()["id"]
    assert api_a.get(f"{URL}{a_id}/duplicates").json() == []
    with tenant_context(tenant_a):
        assert selectors.party_summary(tenant_a, b_id) is None
        assert selectors.party_summaries(tenant_a, [a_id, b_id]).keys() == {a_id}
        assert selectors.resolve_party_id(tenant_a, b_id) is None


def test_every_table_of_the_app_registry_is_isolated(tenant_a, tenant_b):
    from novasaas.parties.demo import load_demo_parties
    from novasaas.platform.testing.isolation import assert_every_table_isolated

    load_demo_parties(tenant_a)
    load_demo_parties(tenant_b)
    assert_every_table_isolated("parties", tenant_a, tenant_b, min_models=6)
