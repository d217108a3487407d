"""CRUD, search, bad input and query counts through the API."""

from __future__ import annotations

import pytest

from novasaas.parties.models import Party, PartyAddress, PartyBankAccount, PartyContact, PartyTag
from novasaas.parties.tests.helpers import make_mst, party_payload
from novasaas.platform.models import AuditLog
from novasaas.platform.tenancy import tenant_context

URL = "/api/v1/parties/"


def count(tenant, model=Party):
    with tenant_context(tenant):
        return model.objects.count()


def test_create_and_get_party(api_a, tenant_a):
    r = api_a.post(URL, party_payload())
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["code"] == "KH00001"
    assert body["addresses"][0]["is_default"] is True and body["addresses"][0]["country"] == "VN"
    assert {c["kind"] for c in body["contacts"]} == {"phone", "email"}
    assert all(c["is_primary"] for c in body["contacts"])
    assert body["bank_accounts"][0]["bank_name"] == "Vietcombank"
    assert sorted(body["tags"]) == ["VIP", "khách hàng"]
    r = api_a.get(f"{URL}{body['id']}")
    assert r.status_code == 200 and r.json()["name"] == body["name"]
    with tenant_context(tenant_a):
        assert AuditLog.objects.filter(tenant=tenant_a, object_type="parties.Party", action="create").count() == 1


def test_codes_are_gapless_and_per_tenant(api_a, api_b):
    codes_a = [api_a.post(URL, party_payload(f"Công ty {i}")).json()["code"] for i in range(3)]
    assert codes_a == ["KH00001", "KH00002", "KH00003"]
    assert api_b.post(URL, party_payload("Công ty B")).json()["code"] == "KH00001"


def test_person_with_id_number(api_a):
    r = api_a.post(URL, {"name": "Nguyễn Văn An", "kind": "person", "id_number": "001085012345"})
    assert r.status_code == 201, r.content
    assert r.json()["kind"] == "person" and r.json()["id_number"] == "001085012345"


def test_patch_updates_scalars_and_replaces_nested_lists(api_a, tenant_a):
    pid = api_a.post(URL, party_payload()).json()["id"]
    r = api_a.patch(
        f"{URL}{pid}",
        {
            "name": "Công ty TNHH Hoàng Long Mới",
            "contacts": [{"kind": "email", "value": "moi@hoanglong.vn"}],
            "tags": ["nhà cung cấp"],
        },
    )
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["name"] == "Công ty TNHH Hoàng Long Mới"
    assert [c["value"] for c in body["contacts"]] == ["moi@hoanglong.vn"]
    assert body["tags"] == ["nhà cung cấp"]
    assert len(body["addresses"]) == 1 and len(body["bank_accounts"]) == 1  # untouched lists stay
    with tenant_context(tenant_a):
        entry = AuditLog.objects.filter(tenant=tenant_a, action="update").first()
        assert "contacts" in entry.after and "name" in entry.after


def test_patch_with_a_bad_nested_row_writes_nothing(api_a, tenant_a):
    pid = api_a.post(URL, party_payload()).json()["id"]
    r = api_a.patch(f"{URL}{pid}", {"name": "Tên mới", "contacts": [{"kind": "email", "value": "not-an-email"}]})
    assert r.status_code == 400
    assert "contacts[0].value" in r.json()["detail"]
    with tenant_context(tenant_a):
        party = Party.objects.get(pk=pid)
        assert party.name.startswith("Công ty TNHH")
        assert PartyContact.objects.filter(party=party).count() == 2


def test_delete_deactivates(api_a, tenant_a):
    pid = api_a.post(URL, party_payload()).json()["id"]
    assert api_a.delete(f"{URL}{pid}").status_code == 204
    with tenant_context(tenant_a):
        assert Party.objects.get(pk=pid).is_active is False
    assert api_a.get(URL).json()["count"] == 0
    assert api_a.get(URL, {"include_inactive": "true"}).json()["count"] == 1
    assert api_a.get(f"{URL}{pid}").status_code == 200  # still readable for documents referring to it


@pytest.mark.parametrize(
    "query",
    [
        "nguyen van",
        "NGUYỄN",
        "dang quoc",
        "Đặng",
        "0912345678",
        "+84 912 345 678",
        "info@hoanglong",
        "khach hang",
        "vip",
    ],
)
def test_search_is_accent_and_format_insensitive(api_a, query):
    api_a.post(URL, party_payload("Nguyễn Văn An", kind="person", tax_code=""))
    api_a.post(URL, party_payload("Đặng Quốc Huy", kind="person", tax_code="", contacts=[]))
    api_a.post(URL, party_payload("Công ty Sao Mai", contacts=[], tags=[]))
    items = api_a.get(URL, {"q": query}).json()["items"]
    assert items, query
    assert "Công ty Sao Mai" not in [i["name"] for i in items]


def test_search_by_code_and_tax_code(api_a):
    mst = make_mst()
    body = api_a.post(URL, party_payload(tax_code=mst)).json()
    api_a.post(URL, party_payload("Khác"))
    assert [i["id"] for i in api_a.get(URL, {"q": mst}).json()["items"]] == [body["id"]]
    assert [i["id"] for i in api_a.get(URL, {"q": body["code"].lower()}).json()["items"]] == [body["id"]]


def test_list_filters_and_paginates(api_a):
    for i in range(5):
        api_a.post(URL, party_payload(f"Công ty {i}", kind="company" if i % 2 else "person", tax_code=""))
    page = api_a.get(URL, {"limit": 2, "offset": 0}).json()
    assert page["count"] == 5 and len(page["items"]) == 2
    assert api_a.get(URL, {"kind": "person"}).json()["count"] == 3
    assert api_a.get(URL, {"tag": "vip"}).json()["count"] == 5


@pytest.mark.parametrize(
    "payload,status",
    [
        ({"name": "X", "tax_code": "0101234568"}, 400),  # bad check digit
        ({"name": "X", "tax_code": "12345"}, 400),
        ({"name": "X", "colour": "red"}, 422),  # unknown field
        ({"name": "X", "contacts": [{"kind": "phone", "value": "0912", "extra": 1}]}, 422),
        ({"name": "X", "kind": "robot"}, 422),
        ({"name": ""}, 422),
        ({"name": "X", "contacts": [{"kind": "email", "value": "a@"}]}, 400),
        ({"name": "X", "contacts": [{"kind": "phone", "value": "call me"}]}, 400),
        ({"name": "X", "website": "not a url"}, 400),
        ({"name": "X", "kind": "company", "id_number": "001085012345"}, 400),
    ],
)
def test_bad_input_is_refused_and_nothing_written(api_a, tenant_a, payload, status):
    r = api_a.post(URL, payload)
    assert r.status_code == status, r.content
    for model in (Party, PartyContact, PartyAddress, PartyBankAccount, PartyTag):
        assert count(tenant_a, model) == 0


def test_tax_code_unique_among_active_parties(api_a, tenant_a):
    mst = make_mst()
    first = api_a.post(URL, party_payload(tax_code=mst)).json()
    r = api_a.post(URL, party_payload("Bản sao", tax_code=mst))
    assert r.status_code == 400 and "tax_code" in r.json()["detail"]
    assert count(tenant_a) == 1
    api_a.delete(f"{URL}{first['id']}")
    assert api_a.post(URL, party_payload("Bản sao", tax_code=mst)).status_code == 201
    # blank tax codes never clash
    assert api_a.post(URL, party_payload("A", tax_code="")).status_code == 201
    assert api_a.post(URL, party_payload("B", tax_code="")).status_code == 201


def test_branch_tax_code_is_accepted(api_a):
    mst = make_mst()
    r = api_a.post(URL, party_payload(tax_code=f"{mst}-001"))
    assert r.status_code == 201, r.content


def test_patch_of_unknown_field_is_422(api_a):
    pid = api_a.post(URL, party_payload()).json()["id"]
    assert api_a.patch(f"{URL}{pid}", {"code": "KH99999"}).status_code == 422


def test_list_query_count_does_not_grow_with_parties(api_a, django_assert_max_num_queries):
    api_a.post(URL, party_payload("Một"))
    with django_assert_max_num_queries(30) as small:
        assert api_a.get(URL).status_code == 200
    n_small = len(small)  # read now: every request resets the connection's query log
    for i in range(15):
        api_a.post(URL, party_payload(f"Công ty {i}"))
    with django_assert_max_num_queries(n_small) as big:
        body = api_a.get(URL).json()
        n_big = len(big)
    assert body["count"] == 16 and all(item["phone"] and item["tags"] for item in body["items"])
    assert n_big == n_small


def test_duplicates_endpoint_reports_reasons(api_a):
    mst = make_mst()
    a = api_a.post(URL, party_payload("Công ty TNHH Hoàng Long", tax_code=mst)).json()
    b = api_a.post(
        URL,
        party_payload("Cty CP Hoàng Long", tax_code="", contacts=[{"kind": "phone", "value": "0912.345.678"}]),
    ).json()
    api_a.post(URL, party_payload("Công ty Sao Mai", tax_code="", contacts=[]))
    r = api_a.get(f"{URL}{a['id']}/duplicates")
    assert r.status_code == 200
    found = {d["party"]["id"]: set(d["reasons"]) for d in r.json()}
    assert found == {b["id"]: {"phone", "name"}}


def test_merge_through_api(api_a, tenant_a):
    keep = api_a.post(URL, party_payload("Công ty Hoàng Long", tax_code="")).json()
    dup = api_a.post(
        URL,
        party_payload(
            "Hoàng Long", contacts=[{"kind": "email", "value": "ketoan@hoanglong.vn"}], tags=["nhà cung cấp"]
        ),
    ).json()
    r = api_a.post(f"{URL}merge", {"keep_id": keep["id"], "duplicate_ids": [dup["id"]]})
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["tax_code"] == dup["tax_code"]  # moved over: the kept party had none
    assert {c["value"] for c in body["contacts"]} >= {"info@hoanglong.vn", "ketoan@hoanglong.vn"}
    assert set(body["tags"]) == {"VIP", "khách hàng", "nhà cung cấp"}
    merged = api_a.get(f"{URL}{dup['id']}").json()
    assert merged["is_active"] is False and merged["merged_into_id"] == keep["id"]
    assert merged["contacts"] == [] and merged["addresses"] == []


@pytest.mark.parametrize("case", ["keep_in_duplicates", "empty", "inactive"])
def test_merge_bad_input_is_400_and_changes_nothing(api_a, tenant_a, case):
    keep = api_a.post(URL, party_payload("A")).json()
    dup = api_a.post(URL, party_payload("B")).json()
    if case == "keep_in_duplicates":
        payload = {"keep_id": keep["id"], "duplicate_ids": [keep["id"], dup["id"]]}
        expected = 400
    elif case == "empty":
        payload = {"keep_id": keep["id"], "duplicate_ids": []}
        expected = 422
    else:
        api_a.delete(f"{URL}{dup['id']}")
        payload = {"keep_id": keep["id"], "duplicate_ids": [dup["id"]]}
        expected = 400
    assert api_a.post(f"{URL}merge", payload).status_code == expected
    with tenant_context(tenant_a):
        assert not Party.objects.filter(merged_into__isnull=False).exists()
        assert PartyContact.objects.filter(party_id=keep["id"]).count() == 2


def test_reactivate(api_a, tenant_a):
    mst = make_mst()
    pid = api_a.post(URL, party_payload(tax_code=mst)).json()["id"]
    api_a.delete(f"{URL}{pid}")
    assert api_a.post(f"{URL}{pid}/reactivate").json()["is_active"] is True
    api_a.delete(f"{URL}{pid}")
    api_a.post(URL, party_payload("Chiếm MST", tax_code=mst))
    assert api_a.post(f"{URL}{pid}/reactivate").status_code == 400
    with tenant_context(tenant_a):
        assert Party.objects.get(pk=pid).is_active is False


def test_openapi_lists_the_parties_endpoints(api_a):
    paths = api_a.get("/api/v1/openapi.json").json()["paths"]
    for path in (
        "/api/v1/parties/",
        "/api/v1/parties/{party_id}",
        "/api/v1/parties/merge",
        "/api/v1/parties/export",
        "/api/v1/parties/import",
        "/api/v1/parties/{party_id}/duplicates",
    ):
        assert path in paths
