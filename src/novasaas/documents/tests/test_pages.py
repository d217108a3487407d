"""The Documents pages: every page renders for the roles that use it, uploads and versions work through
the forms, files are served only through the permission-checked views with safe headers."""

from __future__ import annotations

from novasaas.documents import actions
from novasaas.documents.models import Document
from novasaas.documents.tests.helpers import pdf_bytes, principal, upload
from novasaas.platform.tenancy import tenant_context
from novasaas.platform.testing.fixtures import admin_of, create_user, web_client


def _setup(tenant):
    with tenant_context(tenant):
        admin = principal(tenant)
        folder = actions.create_folder(admin, "Hợp đồng")
        doc = actions.upload_document(admin, folder.pk, upload(pdf_bytes("Hop dong"), "hd.pdf"), tags=["mẫu"])
        text = actions.upload_document(admin, folder.pk, upload("<script>alert(1)</script>", "note.txt"))
        return folder, doc, text


def test_every_page_renders_for_the_admin(tenant_a):
    folder, doc, text = _setup(tenant_a)
    web = web_client(tenant_a, admin_of(tenant_a))
    for url in [
        "/documents/",
        f"/documents/folders/{folder.pk}/",
        f"/documents/folders/{folder.pk}/permissions/",
        f"/documents/{doc.pk}/",
        f"/documents/{doc.pk}/preview/",
        f"/documents/{text.pk}/preview/",
        "/documents/search/?q=hop",
        "/documents/trash/",
        "/documents/settings/",
    ]:
        r = web.get(url)
        assert r.status_code == 200, url
    assert "hd.pdf" in web.get("/documents/search/?q=hop+dong").content.decode()
    assert "&lt;script&gt;" in web.get(f"/documents/{text.pk}/preview/").content.decode()


def test_upload_version_checkout_through_the_pages(tenant_a):
    folder, doc, _text = _setup(tenant_a)
    staff = create_user(tenant_a, "accountant")
    web = web_client(tenant_a, staff)
    r = web.post(
        f"/documents/folders/{folder.pk}/", {"op": "upload", "file": upload("nội dung", "bien-ban.txt"), "tags": "a, b"}
    )
    assert r.status_code == 302
    with tenant_context(tenant_a):
        new = Document.objects.get(name="bien-ban.txt")
    assert web.post(f"/documents/{new.pk}/checkout/").status_code == 302
    other = web_client(tenant_a, create_user(tenant_a, "sales_staff"))
    r = other.post(f"/documents/{new.pk}/version/", {"file": upload("khác", "x.txt")})
    assert r.status_code == 400
    r = web.post(f"/documents/{new.pk}/version/", {"file": upload("bản 2", "x.txt"), "comment": "sửa"})
    assert r.status_code == 302
    assert web.post(f"/documents/{new.pk}/checkin/").status_code == 302
    with tenant_context(tenant_a):
        new.refresh_from_db()
        assert new.current_version.number == 2 and new.checked_out_by_id is None
    # a .pdf that is really an .exe is refused with a message, nothing stored
    r = web.post(
        f"/documents/folders/{folder.pk}/", {"op": "upload", "file": upload(b"MZ\x90\x00" + b"\x00" * 64, "a.pdf")}
    )
    assert r.status_code == 400
    with tenant_context(tenant_a):
        assert Document.objects.count() == 3


def test_file_headers(tenant_a):
    _folder, doc, text = _setup(tenant_a)
    web = web_client(tenant_a, admin_of(tenant_a))
    v = doc.current_version
    r = web.get(f"/documents/{doc.pk}/versions/{v.pk}/download/")
    assert r.status_code == 200 and r["X-Content-Type-Options"] == "nosniff"
    assert r["Content-Disposition"].startswith("attachment;") and "hd.pdf" in r["Content-Disposition"]
    assert b"".join(r.streaming_content).startswith(b"%PDF")
    r = web.get(f"/documents/{doc.pk}/versions/{v.pk}/inline/")
    assert r["Content-Disposition"].startswith("inline;") and r["Content-Type"] == "application/pdf"
    t = text.current_version
    r = web.get(f"/documents/{text.pk}/versions/{t.pk}/inline/")
    assert r["Content-Type"] == "text/plain; charset=utf-8" and "sandbox" in r["Content-Security-Policy"]


def test_roles_on_pages(tenant_a):
    folder, doc, _text = _setup(tenant_a)
    with tenant_context(tenant_a):
        actions.set_folder_grants(principal(tenant_a), folder.pk, [{"role_code": "accountant", "level": 1}])
    viewer = web_client(tenant_a, create_user(tenant_a, "accountant"))
    outsider = web_client(tenant_a, create_user(tenant_a, "sales_staff"))
    customer = web_client(tenant_a, create_user(tenant_a, "customer"))
    assert viewer.get(f"/documents/{doc.pk}/").status_code == 200
    assert viewer.post(f"/documents/{doc.pk}/version/", {"file": upload("x")}).status_code == 403
    assert viewer.get("/documents/settings/").status_code == 403
    assert outsider.get(f"/documents/{doc.pk}/").status_code == 404
    assert outsider.get(f"/documents/{doc.pk}/versions/{doc.current_version.pk}/download/").status_code == 404
    assert "hd.pdf" not in outsider.get("/documents/search/?q=hop").content.decode()
    assert customer.get("/documents/").status_code == 403


def test_link_share_with_password_and_expiry(tenant_a, time_machine):
    from django.utils import timezone

    time_machine.move_to(timezone.now(), tick=False)
    _folder, doc, _text = _setup(tenant_a)
    with tenant_context(tenant_a):
        _share, token = actions.share_by_link(principal(tenant_a), doc.pk, days=2, password="bi-mat-1")
    from django.test import Client

    anon = Client()
    assert anon.get(f"/shared/{token}/").status_code == 200
    assert anon.get(f"/shared/{token}/?download=1").status_code == 200  # the password form again
    assert anon.post(f"/shared/{token}/", {"password": "sai-roi"}).status_code == 403
    r = anon.post(f"/shared/{token}/", {"password": "bi-mat-1"})
    assert r.status_code == 200 and r["Content-Disposition"].startswith("attachment;")
    assert anon.get("/shared/not-a-token/").status_code == 404
    from novasaas.platform.audit import list_entries

    with tenant_context(tenant_a):
        assert list_entries(tenant_a).filter(message__startswith="downloaded through link").count() == 1
    time_machine.shift(3 * 24 * 3600)
    assert anon.get(f"/shared/{token}/").status_code == 404


def test_move_a_document_to_another_folder_on_its_page(tenant_a):
    """The document page offers the folders the member may edit (by path, not the record attachments
    tree); moving needs edit on both; a folder they may only view is refused (403)."""
    from novasaas.documents import actions, attachments
    from novasaas.documents.models import Document
    from novasaas.documents.tests.helpers import principal, upload
    from novasaas.platform.tenancy import tenant_context
    from novasaas.platform.testing.fixtures import web_client

    with tenant_context(tenant_a):
        admin = principal(tenant_a)
        contracts = actions.create_folder(admin, "Hợp đồng")
        customers = actions.create_folder(admin, "Khách hàng", parent_id=contracts.pk)
        policies = actions.create_folder(admin, "Chính sách")
        actions.set_folder_grants(admin, contracts.pk, [{"role_code": "accountant", "level": 2}])
        actions.set_folder_grants(admin, policies.pk, [{"role_code": "accountant", "level": 1}])
        doc = actions.upload_document(admin, contracts.pk, upload("hợp đồng", "hd.txt"))
        from novasaas.projects.tests.helpers import world

        w = world(tenant_a)
        attachments.attach(w.dev, "pm.project", w.project.pk, upload("x", "x.txt"))
        accountant = principal(tenant_a, "accountant")
    web = web_client(tenant_a, accountant.user)
    html = web.get(f"/documents/{doc.pk}/").content.decode()
    assert 'name="folder"' in html and "Hợp đồng / Khách hàng" in html
    assert "Chính sách</option>" not in html and "Đính kèm" not in html
    r = web.post(f"/documents/{doc.pk}/move/", {"folder": policies.pk})  # view only there
    assert r.status_code == 403
    r = web.post(f"/documents/{doc.pk}/move/", {"folder": ""})
    assert r.status_code == 400
    r = web.post(f"/documents/{doc.pk}/move/", {"folder": customers.pk})
    assert r.status_code == 302
    with tenant_context(tenant_a):
        assert Document.objects.get(pk=doc.pk).folder_id == customers.pk
