"""Attachments everywhere (§11.2): a journal entry's files stored in DMS through the generic seam, with
the record's permissions, per-record folders, isolation and the module gates."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from novasaas.accounting import actions as acc
from novasaas.accounting.tests.helpers import lines
from novasaas.documents import attachments, selectors
from novasaas.documents.models import Document, Folder
from novasaas.documents.tests.helpers import pdf_bytes, principal, upload
from novasaas.platform.tenancy import tenant_context
from novasaas.platform.testing.fixtures import ApiClient, admin_of, create_user, web_client


def _entry(tenant):
    with tenant_context(tenant):
        p = principal(tenant)
        return acc.create_entry(
            p, journal_id="GEN", date=timezone.localdate(), lines=lines(("1111", 5, 0), ("4111", 0, 5))
        )


def test_attach_list_download_and_folders(tenant_a):
    entry = _entry(tenant_a)
    with tenant_context(tenant_a):
        accountant = principal(tenant_a, "accountant")
        doc = attachments.attach(accountant, "acc.entry", entry.pk, upload(pdf_bytes(), "hoa-don.pdf"))
        assert Folder.objects.get(pk=doc.folder_id).record_label == f"acc.entry:{entry.pk}"
        assert [d.pk for d in attachments.attachments_for(accountant, "acc.entry", entry.pk)] == [doc.pk]
        # the attachments folder is browsed by administrators only; the record's page shows them
        sales = principal(tenant_a, "sales_staff")
        assert doc.folder_id not in {n.folder.pk for n in selectors.folder_tree(accountant)}
        with pytest.raises(PermissionDenied):
            attachments.attachments_for(sales, "acc.entry", entry.pk)  # no acc.ledger.view
        with pytest.raises(Folder.DoesNotExist):
            attachments.attachments_for(accountant, "acc.entry", entry.pk + 999)
        with pytest.raises(Folder.DoesNotExist):
            attachments.attachments_for(accountant, "nope.kind", entry.pk)
    web = web_client(tenant_a, create_user(tenant_a, "accountant"))
    r = web.get(f"/documents/attachments/acc.entry/{entry.pk}/")
    assert r.status_code == 200 and "hoa-don.pdf" in r.content.decode()
    r = web.post(f"/documents/attachments/acc.entry/{entry.pk}/", {"file": upload("biên bản", "bb.txt")})
    assert r.status_code == 200 and "bb.txt" in r.content.decode()
    r = web.get(f"/documents/attachments/acc.entry/{entry.pk}/{doc.pk}/")
    assert r.status_code == 200 and r["X-Content-Type-Options"] == "nosniff"
    api = ApiClient(tenant_a, admin_of(tenant_a))
    assert len(api.get(f"/api/v1/documents/attachments/acc.entry/{entry.pk}").json()) == 2
    r = api.client.post(
        f"/api/v1/documents/attachments/acc.entry/{entry.pk}",
        {"file": upload(b"MZ\x90\x00" + b"\x00" * 64, "x.pdf")},
        HTTP_AUTHORIZATION=f"Bearer {api.token}",
    )
    assert r.status_code == 400


def test_attachments_of_another_tenant_are_404(tenant_a, tenant_b):
    entry_b = _entry(tenant_b)
    with tenant_context(tenant_b):
        doc_b = attachments.attach(principal(tenant_b), "acc.entry", entry_b.pk, upload("b", "b.txt"))
    _entry(tenant_a)
    web = web_client(tenant_a, admin_of(tenant_a))
    api = ApiClient(tenant_a, admin_of(tenant_a))
    assert web.get(f"/documents/attachments/acc.entry/{entry_b.pk}/").status_code == 404
    assert web.get(f"/documents/attachments/acc.entry/{entry_b.pk}/{doc_b.pk}/").status_code == 404
    assert api.get(f"/api/v1/documents/attachments/acc.entry/{entry_b.pk}").status_code == 404
    assert api.get(f"/api/v1/documents/attachments/acc.entry/{entry_b.pk}/{doc_b.pk}/download").status_code == 404
    with tenant_context(tenant_a):
        assert not Document.objects.filter(pk=doc_b.pk).exists()
