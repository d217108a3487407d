"""The Documents API: multipart upload, versions, lock, search, settings; roles and refusals are 4xx."""

from __future__ import annotations

from novasaas.documents.tests.helpers import exe_bytes, upload
from novasaas.platform.testing.fixtures import ApiClient, create_user

URL = "/api/v1/documents"


def _multipart(api: ApiClient, path: str, data: dict):
    return api.client.post(f"{URL}/{path}", data, HTTP_AUTHORIZATION=f"Bearer {api.token}")


def test_api_flow(tenant_a, api_a):
    r = api_a.post(f"{URL}/folders", {"name": "Chính sách"})
    assert r.status_code == 201, r.json()
    folder = r.json()["id"]
    r = _multipart(
        api_a,
        "documents",
        {"folder_id": folder, "file": upload("Quy chế chi tiêu nội bộ", "qc.txt"), "tags": "quy chế"},
    )
    assert r.status_code == 201, r.json()
    doc = r.json()
    assert doc["tags"] == ["quy chế"] and doc["current_version"]["number"] == 1
    r = _multipart(api_a, "documents", {"folder_id": folder, "file": upload(exe_bytes(), "virus.pdf")})
    assert r.status_code == 400 and "không được chấp nhận" in str(r.json()["detail"])
    assert api_a.post(f"{URL}/documents/{doc['id']}/checkout").json()["checked_out_by_id"] is not None
    r = _multipart(api_a, f"documents/{doc['id']}/versions", {"file": upload("Quy chế v2", "qc2.txt"), "comment": "v2"})
    assert r.status_code == 201 and r.json()["number"] == 2
    assert api_a.post(f"{URL}/documents/{doc['id']}/checkin").json()["checked_out_by_id"] is None
    versions = api_a.get(f"{URL}/documents/{doc['id']}/versions").json()
    assert [v["number"] for v in versions] == [2, 1]
    r = api_a.get(f"{URL}/documents/{doc['id']}/versions/{versions[1]['id']}/download")
    assert r.status_code == 200 and b"".join(r.streaming_content).decode() == "Quy chế chi tiêu nội bộ"
    assert api_a.post(f"{URL}/documents/{doc['id']}/versions/{versions[1]['id']}/restore").json()["number"] == 3
    assert [d["id"] for d in api_a.get(f"{URL}/search", {"q": "QUY CHE chi"}).json()] == [doc["id"]]
    assert api_a.post(f"{URL}/documents/{doc['id']}/comments", {"body": "OK"}).status_code == 201
    assert len(api_a.get(f"{URL}/documents/{doc['id']}/trail").json()) >= 4
    share = api_a.post(f"{URL}/documents/{doc['id']}/shares", {"days": 3}).json()
    assert share["token"] and share["expires_at"]
    assert api_a.delete(f"{URL}/documents/{doc['id']}/shares/{share['id']}").status_code == 204
    assert api_a.patch(f"{URL}/documents/{doc['id']}", {"name": "Quy chế 2026", "tags": ["a", "b"]}).json()["tags"] == [
        "a",
        "b",
    ]
    assert api_a.delete(f"{URL}/documents/{doc['id']}").status_code == 204
    assert [d["id"] for d in api_a.get(f"{URL}/trash").json()] == [doc["id"]]
    assert api_a.post(f"{URL}/documents/{doc['id']}/restore").status_code == 200
    r = api_a.patch(f"{URL}/settings", {"quota_bytes": 10})
    assert r.status_code == 200 and r.json()["used_bytes"] > 10
    r = _multipart(api_a, "documents", {"folder_id": folder, "file": upload("x", "x.txt")})
    assert r.status_code == 400 and "hạn mức" in str(r.json()["detail"])
    assert (
        api_a.put(
            f"{URL}/folders/{folder}/permissions", {"grants": [{"role_code": "accountant", "level": 1}]}
        ).status_code
        == 200
    )
    assert api_a.get(f"{URL}/folders/{folder}/permissions").json() == [
        {"role_code": "accountant", "user_id": None, "level": 1}
    ]


def test_api_roles(tenant_a, api_a):
    folder = api_a.post(f"{URL}/folders", {"name": "Nhân sự"}).json()["id"]
    doc = _multipart(api_a, "documents", {"folder_id": folder, "file": upload("hồ sơ", "hs.txt")}).json()["id"]
    api_a.put(f"{URL}/folders/{folder}/permissions", {"grants": [{"role_code": "hr_manager", "level": 2}]})
    hr = ApiClient(tenant_a, create_user(tenant_a, "hr_manager"))
    sales = ApiClient(tenant_a, create_user(tenant_a, "sales_staff"))
    customer = ApiClient(tenant_a, create_user(tenant_a, "customer"))
    assert hr.get(f"{URL}/documents/{doc}").status_code == 200
    assert _multipart(hr, f"documents/{doc}/versions", {"file": upload("v2", "v2.txt")}).status_code == 201
    assert hr.post(f"{URL}/folders", {"name": "Gốc"}).status_code == 403  # root folders: administrator
    assert hr.patch(f"{URL}/settings", {"quota_bytes": 1}).status_code == 403
    assert hr.post(f"{URL}/documents/{doc}/checkout").status_code == 200
    assert hr.post(f"{URL}/documents/{doc}/break-lock").status_code == 403
    assert api_a.post(f"{URL}/documents/{doc}/break-lock").status_code == 200
    assert sales.get(f"{URL}/documents/{doc}").status_code == 404
    assert sales.get(f"{URL}/search", {"q": "hs"}).json() == []  # the name; the text is v2's now
    assert hr.get(f"{URL}/search", {"q": "hs"}).json()[0]["id"] == doc
    assert customer.get(f"{URL}/folders").status_code == 403
    assert api_a.get(f"{URL}/documents/abc").status_code == 404
    assert api_a.post(f"{URL}/folders", {"name": ""}).status_code in (400, 422)
