"""Attachments on journal entries: upload, list, download, delete (drafts only), limits, roles,
two-tenant isolation, tenant-scoped storage paths, audit."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from PIL import Image

from novasaas.accounting import actions, attachments
from novasaas.accounting.models import EntryAttachment
from novasaas.accounting.tests.helpers import lines, post, principal
from novasaas.accounting.tests.test_api import URL, fm_client
from novasaas.platform.models import AuditLog
from novasaas.platform.tenancy import tenant_context
from novasaas.platform.testing.fixtures import ApiClient, create_user, web_client

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(out, "PNG")
    return out.getvalue()


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def _file(content: bytes, name: str):
    f = io.BytesIO(content)
    f.name = name
    return f


def upload(client: ApiClient, entry_id: int, content: bytes, name: str):
    return client.client.post(
        f"{URL}/entries/{entry_id}/attachments",
        {"file": _file(content, name)},
        HTTP_AUTHORIZATION=f"Bearer {client.token}",
    )


def _draft(p):
    return actions.create_entry(
        p, journal_id="GEN", date=timezone.localdate(), lines=lines(("1111", 5, 0), ("4111", 0, 5))
    )


def test_actions_types_limits_state_and_audit(tenant_a, media, monkeypatch, django_capture_on_commit_callbacks):
    acc = principal(tenant_a, "accountant")
    draft = _draft(acc)
    att = attachments.add_attachment(acc, draft.pk, _file(PDF, "../../HĐ 0001\x00.pdf"), "../../HĐ 0001\x00.pdf")
    assert att.name == "HĐ 0001.pdf" and att.content_type == "application/pdf" and att.size == len(PDF)
    assert att.file.name.startswith(f"acc/{tenant_a.pk}/entries/{draft.pk}/") and att.file.name.endswith(".pdf")
    assert (media / att.file.name).read_bytes() == PDF
    img = attachments.add_attachment(acc, draft.pk, _file(png(), "receipt.exe"), "receipt.exe")
    assert img.content_type == "image/png" and img.file.name.endswith(".png")  # type from content, not name
    for bad in (b"<html><script>alert(1)</script>", b"", b"\x89PNG\r\n\x1a\nnot really a png", b"GIF89a...."):
        with pytest.raises(ValidationError):
            attachments.add_attachment(acc, draft.pk, _file(bad, "x.png"), "x.png")
    monkeypatch.setattr(attachments, "MAX_BYTES", 20)
    with pytest.raises(ValidationError):
        attachments.add_attachment(acc, draft.pk, _file(PDF, "big.pdf"), "big.pdf")
    monkeypatch.undo()
    with pytest.raises(PermissionDenied):
        attachments.add_attachment(principal(tenant_a, "sales_staff"), draft.pk, _file(PDF, "a.pdf"), "a.pdf")
    with tenant_context(tenant_a):
        assert EntryAttachment.objects.count() == 2
        assert len(list(Path(media).rglob("*.*"))) == 2  # nothing stored for refused files
        assert AuditLog.objects.filter(action="create", object_type__icontains="attachment").count() == 2

    with django_capture_on_commit_callbacks(execute=True):
        attachments.delete_attachment(acc, draft.pk, img.pk)
    with tenant_context(tenant_a):
        assert AuditLog.objects.filter(action="delete", object_type__icontains="attachment").count() == 1
        assert not (media / img.file.name).exists()

    # posted: more can be added, none removed
    posted = actions.post_entry(acc, draft.pk)
    later = attachments.add_attachment(acc, posted.pk, _file(png(), "bank slip.png"), "bank slip.png")
    with pytest.raises(ValidationError):
        attachments.delete_attachment(acc, posted.pk, later.pk)
    with pytest.raises(ValidationError):
        attachments.delete_attachment(acc, posted.pk, att.pk)
    assert [a.name for a in attachments.list_attachments(tenant_a, posted.pk)] == ["HĐ 0001.pdf", "bank slip.png"]

    # deleting a draft removes its attachments and their files
    other = _draft(acc)
    gone = attachments.add_attachment(acc, other.pk, _file(PDF, "x.pdf"), "x.pdf")
    with django_capture_on_commit_callbacks(execute=True):
        actions.delete_entry(acc, other.pk)
    with tenant_context(tenant_a):
        assert not EntryAttachment.objects.filter(pk=gone.pk).exists()
    assert not (media / gone.file.name).exists()


def test_api_roles_and_isolation(tenant_a, tenant_b):
    acc = ApiClient(tenant_a, create_user(tenant_a, "accountant"))
    entry = post(principal(tenant_a, "finance_manager"), ("1111", 10, 0), ("4111", 0, 10))
    r = upload(acc, entry.pk, PDF, "hoa-don.pdf")
    assert r.status_code == 201, r.content
    att = r.json()
    assert att["name"] == "hoa-don.pdf" and att["download_url"].endswith(f"/attachments/{att['id']}/download")
    assert [a["id"] for a in acc.get(f"{URL}/entries/{entry.pk}/attachments").json()] == [att["id"]]
    dl = acc.get(att["download_url"])
    assert dl.status_code == 200 and b"".join(dl.streaming_content) == PDF
    assert dl["Content-Type"] == "application/pdf" and "attachment" in dl["Content-Disposition"]
    assert dl["X-Content-Type-Options"] == "nosniff"
    # posted entry: removal refused, nothing removed
    assert acc.delete(f"{URL}/entries/{entry.pk}/attachments/{att['id']}").status_code == 400
    bad = upload(acc, entry.pk, b"<svg onload=alert(1)>", "x.svg")
    assert bad.status_code == 400 and "file" in bad.json()["detail"]
    # roles: a finance manager views and adds; sales staff neither views nor downloads
    fm = fm_client(tenant_a)
    assert fm.get(att["download_url"]).status_code == 200
    sales = ApiClient(tenant_a, create_user(tenant_a, "sales_staff"))
    assert sales.get(att["download_url"]).status_code == 403
    assert sales.get(f"{URL}/entries/{entry.pk}/attachments").status_code == 403
    assert upload(sales, entry.pk, PDF, "x.pdf").status_code == 403
    # isolation: tenant B sees neither the entry nor the file, even with the right ids
    other = fm_client(tenant_b)
    assert other.get(att["download_url"]).status_code == 404
    assert other.get(f"{URL}/entries/{entry.pk}/attachments").status_code == 404
    assert upload(other, entry.pk, PDF, "x.pdf").status_code == 404
    assert other.delete(f"{URL}/entries/{entry.pk}/attachments/{att['id']}").status_code == 404
    own = post(principal(tenant_b, "finance_manager"), ("1111", 10, 0), ("4111", 0, 10))
    assert other.get(f"{URL}/entries/{own.pk}/attachments/{att['id']}/download").status_code == 404
    with tenant_context(tenant_a):
        assert EntryAttachment.objects.count() == 1
    with tenant_context(tenant_b):
        assert EntryAttachment.objects.count() == 0
    # a draft's attachment can be removed through the API
    draft = _draft(principal(tenant_a, "accountant"))
    d = upload(acc, draft.pk, png(), "p.png").json()
    assert acc.delete(f"{URL}/entries/{draft.pk}/attachments/{d['id']}").status_code == 204
    assert acc.get(f"{URL}/entries/{draft.pk}/attachments").json() == []


def test_entry_page_shows_uploads_downloads_and_removes(tenant_a, tenant_b):
    user = create_user(tenant_a, "accountant")
    web = web_client(tenant_a, user)
    draft = _draft(principal(tenant_a, "accountant"))
    page = web.get(f"/accounting/entries/{draft.pk}/").content.decode()
    assert 'enctype="multipart/form-data"' in page
    r = web.post(f"/accounting/entries/{draft.pk}/attachments/", {"file": _file(PDF, "Hóa đơn 12.pdf")})
    assert r.status_code == 302
    with tenant_context(tenant_a):
        att = EntryAttachment.objects.get()
    page = web.get(f"/accounting/entries/{draft.pk}/").content.decode()
    assert "Hóa đơn 12.pdf" in page and f"/attachments/{att.pk}/" in page
    dl = web.get(f"/accounting/entries/{draft.pk}/attachments/{att.pk}/")
    assert dl.status_code == 200 and b"".join(dl.streaming_content) == PDF
    r = web.post(f"/accounting/entries/{draft.pk}/attachments/", {"file": _file(b"MZ\x90\x00", "virus.pdf")})
    assert r.status_code == 400 and "PDF" in r.content.decode()
    outsider = web_client(tenant_b, create_user(tenant_b, "finance_manager"))
    assert outsider.get(f"/accounting/entries/{draft.pk}/attachments/{att.pk}/").status_code == 404
    assert outsider.post(f"/accounting/entries/{draft.pk}/attachments/{att.pk}/").status_code == 404
    sales = web_client(tenant_a, create_user(tenant_a, "sales_staff"))
    assert sales.get(f"/accounting/entries/{draft.pk}/attachments/{att.pk}/").status_code == 403
    assert web.post(f"/accounting/entries/{draft.pk}/attachments/{att.pk}/").status_code == 302
    with tenant_context(tenant_a):
        assert EntryAttachment.objects.count() == 0
