"""RAG: knowledge files (upload, chunking, full-text index), retrieval limited to what the member may read,
answers that cite their sources (page and API), two-tenant isolation of the index."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from novasaas.ai import knowledge
from novasaas.ai.models import ChatMessage, KnowledgeChunk, KnowledgeFile
from novasaas.ai.tests.helpers import grant, principal
from novasaas.identity.catalogue import ACCOUNTANT, MANAGER, SALES_STAFF
from novasaas.platform.tenancy import tenant_context
from novasaas.platform.testing.fixtures import ApiClient, admin_of, create_user, web_client

POLICY = (
    "Chính sách nghỉ phép\n\nMỗi nhân viên có 12 ngày nghỉ phép năm.\n\n"
    "Quy trình bảo hành\n\nSản phẩm được bảo hành 24 tháng tại mọi cửa hàng."
)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def _multipart(api, data):
    return api.client.post("/api/v1/ai/knowledge", data, HTTP_AUTHORIZATION=f"Bearer {api.token}")


def _upload(api, text=POLICY, name="chinh-sach.txt", title="Sổ tay nhân viên"):
    return _multipart(api, {"file": SimpleUploadedFile(name, text.encode()), "title": title})


def test_chunks_keep_paragraphs_and_never_exceed_the_size():
    text = "Một đoạn ngắn.\n\n" + " ".join(["từ"] * 600) + "\n\nĐoạn cuối."
    chunks = knowledge.chunk_text(text, size=200)
    assert all(0 < len(c) <= 200 for c in chunks)
    assert chunks[0].startswith("Một đoạn ngắn.")
    assert chunks[-1].endswith("Đoạn cuối.")
    # nothing lost: every word is in some chunk, in order
    assert " ".join(" ".join(chunks).split()) == " ".join(text.split())
    assert knowledge.chunk_text(" \n\n ") == []


def test_a_manager_uploads_and_the_question_finds_the_cited_passage(tenant_a, api_a):
    manager = create_user(tenant_a, MANAGER)
    api = ApiClient(tenant_a, manager)
    r = _upload(api)
    assert r.status_code == 201, r.content
    assert r.json()["title"] == "Sổ tay nhân viên" and r.json()["chunks_count"] == 1
    with tenant_context(tenant_a):
        assert KnowledgeChunk.objects.count() == 1
    # accents and case folded: "bao hanh" finds "bảo hành"
    found = api.get("/api/v1/ai/knowledge/search", {"q": "Sản phẩm BAO HANH bao lâu?"}).json()
    assert [(s["n"], s["kind"], s["title"]) for s in found] == [(1, "knowledge", "Sổ tay nhân viên")]
    assert "24 tháng" in found[0]["excerpt"]
    assert api.get("/api/v1/ai/knowledge/search", {"q": "xe máy điện"}).json() == []
    assert [f["title"] for f in api.get("/api/v1/ai/knowledge").json()] == ["Sổ tay nhân viên"]


def test_a_salesperson_may_neither_upload_nor_ask_the_documents(tenant_a, api_a):
    staff = ApiClient(tenant_a, create_user(tenant_a, SALES_STAFF))
    assert _upload(staff).status_code == 403
    assert staff.get("/api/v1/ai/knowledge").status_code == 403
    assert staff.get("/api/v1/ai/knowledge/search", {"q": "bảo hành"}).status_code == 403
    with tenant_context(tenant_a):
        assert not KnowledgeFile.objects.exists()


def test_bad_files_are_refused_and_nothing_is_stored(tenant_a, api_a):
    assert _upload(api_a, text="").status_code == 400
    exe = _multipart(api_a, {"file": SimpleUploadedFile("a.txt", b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 300)})
    assert exe.status_code == 400
    too_big = _upload(api_a, text="a " * (knowledge.MAX_FILE_BYTES // 2 + 10))
    assert too_big.status_code == 400
    with tenant_context(tenant_a):
        assert not KnowledgeFile.objects.exists() and not KnowledgeChunk.objects.exists()


def test_the_index_is_isolated_between_tenants(tenant_a, tenant_b, api_a, api_b):
    _upload(api_a, title="Sổ tay A")
    _upload(api_b, text="Bảo hành 6 tháng cho khách hàng của B.", title="Sổ tay B")
    a = api_a.get("/api/v1/ai/knowledge/search", {"q": "bảo hành"}).json()
    b = api_b.get("/api/v1/ai/knowledge/search", {"q": "bảo hành"}).json()
    assert [s["title"] for s in a] == ["Sổ tay A"]
    assert [s["title"] for s in b] == ["Sổ tay B"]
    b_file = api_b.get("/api/v1/ai/knowledge").json()[0]["id"]
    assert api_a.delete(f"/api/v1/ai/knowledge/{b_file}").status_code == 404
    for tenant in (tenant_a, tenant_b):
        with tenant_context(tenant):
            assert KnowledgeFile.objects.count() == 1 and KnowledgeChunk.objects.count() == 1
    # after deleting its file, tenant B finds nothing and A still finds its own
    assert api_b.delete(f"/api/v1/ai/knowledge/{b_file}").status_code == 204
    assert api_b.get("/api/v1/ai/knowledge/search", {"q": "bảo hành"}).json() == []
    assert [s["title"] for s in api_a.get("/api/v1/ai/knowledge/search", {"q": "bảo hành"}).json()] == ["Sổ tay A"]


def test_dms_documents_are_retrieved_only_from_folders_the_member_may_view(tenant_a):
    from novasaas.documents import actions as dms

    admin = principal(tenant_a)
    with tenant_context(tenant_a):
        folder = dms.create_folder(admin, "Kỹ thuật")
        dms.set_folder_grants(admin, folder.pk, [{"role_code": "accountant", "level": 1}])
        dms.upload_document(
            admin,
            folder.pk,
            SimpleUploadedFile("bao-hanh.txt", "Thời hạn bảo hành máy nén là 36 tháng.".encode()),
            "bao-hanh.txt",
        )
    manager = principal(tenant_a, create_user(tenant_a, MANAGER))
    accountant = principal(tenant_a, create_user(tenant_a, MANAGER, ACCOUNTANT))
    with tenant_context(tenant_a):
        seen = knowledge.retrieve(admin, "bảo hành máy nén")
        assert [(s.kind, s.title) for s in seen] == [("dms", "bao-hanh.txt")]
        assert "36 tháng" in seen[0].excerpt
        # a manager without a grant on the folder never gets the document
        assert knowledge.retrieve(manager, "bảo hành máy nén") == []
        assert [s.title for s in knowledge.retrieve(accountant, "bảo hành máy nén")] == ["bao-hanh.txt"]


def _events(response):
    raw = b"".join(response.streaming_content).decode()
    return [json.loads(part[6:]) for part in raw.split("\n\n") if part.startswith("data: ")]


def test_an_answer_from_documents_cites_its_sources_on_the_page(tenant_a, fake):
    grant(tenant_a, 10_000)
    manager = create_user(tenant_a, MANAGER)
    _upload(ApiClient(tenant_a, manager))
    client = web_client(tenant_a, manager)
    r = client.post(
        "/ai/chat/", {"model": "gpt-3.5-turbo", "text": "Bảo hành sản phẩm bao lâu?", "use_documents": "on"}
    )
    assert r.status_code == 302
    pk = int(r.url.strip("/").split("/")[-1])
    events = _events(client.post(f"/ai/chat/answer/{pk}/"))
    assert events[0] == {
        "sources": [
            {
                "n": 1,
                "kind": "knowledge",
                "ref": events[0]["sources"][0]["ref"],
                "title": "Sổ tay nhân viên",
                "excerpt": POLICY,
            }
        ]
    }
    assert events[-1] == {"done": True}
    # the model was given the numbered source and asked to cite it
    system = [m["content"] for m in fake.counters.last_body["messages"] if m["role"] == "system"]
    assert any("[1] Sổ tay nhân viên" in s and "24 tháng" in s for s in system)
    with tenant_context(tenant_a):
        answer = ChatMessage.objects.get(role="assistant")
        assert answer.sources[0]["title"] == "Sổ tay nhân viên"
        assert answer.usage.feature == "rag"
    assert "Sổ tay nhân viên".encode() in client.get(r.url).content


def test_a_salesperson_cannot_ask_from_documents_on_the_page(tenant_a, fake):
    grant(tenant_a, 1000)
    client = web_client(tenant_a, create_user(tenant_a, SALES_STAFF))
    r = client.post("/ai/chat/", {"model": "gpt-3.5-turbo", "text": "Bảo hành?", "use_documents": "on"})
    assert r.status_code == 403
    with tenant_context(tenant_a):
        assert not ChatMessage.objects.exists()


def test_the_knowledge_page_uploads_lists_and_deletes(tenant_a):
    manager = create_user(tenant_a, MANAGER)
    client = web_client(tenant_a, manager)
    assert client.get("/ai/knowledge/").status_code == 200
    r = client.post("/ai/knowledge/", {"title": "Quy chế", "file": SimpleUploadedFile("q.txt", POLICY.encode())})
    assert r.status_code == 302
    page = client.get("/ai/knowledge/")
    assert "Quy chế".encode() in page.content
    bad = client.post("/ai/knowledge/", {"file": SimpleUploadedFile("q.txt", b"")})
    assert bad.status_code == 400
    with tenant_context(tenant_a):
        kfile = KnowledgeFile.objects.get()
    assert client.post(f"/ai/knowledge/{kfile.pk}/delete/").status_code == 302
    with tenant_context(tenant_a):
        assert not KnowledgeFile.objects.exists() and not KnowledgeChunk.objects.exists()
    staff = web_client(tenant_a, create_user(tenant_a, SALES_STAFF))
    assert staff.get("/ai/knowledge/").status_code == 403
    assert web_client(tenant_a, admin_of(tenant_a)).get("/ai/knowledge/").status_code == 200
