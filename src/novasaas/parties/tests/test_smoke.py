from novasaas.parties.tests.helpers import party_payload


def test_smoke(api_a):
    r = api_a.post("/api/v1/parties/", party_payload())
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["code"] == "KH00001"
    r = api_a.get("/api/v1/parties/", {"q": "hoang long"})
    assert r.status_code == 200, r.content
    assert r.json()["count"] == 1, r.json()
    print(r.json())
