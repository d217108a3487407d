"""Two tenants: every documents table keeps each tenant's rows to itself; a document, version, file or
folder of tenant B by id or URL from tenant A is a 404 on pages and API; the search never crosses."""

from __future__ import annotations

import pytest

from novasaas.documents import actions, templating, workflows
from novasaas.documents.tests.helpers import docx_bytes, principal, upload
from novasaas.platform.tenancy import tenant_context
from novasaas.platform.testing.fixtures import ApiClient, admin_of, create_user, web_client
from novasaas.platform.testing.isolation import assert_every_table_isolated

URL = "/api/v1/documents"


def _fill(tenant):
    with tenant_context(tenant):
        admin = principal(tenant)
        folder = actions.create_folder(admin, "Hợp đồng")
        actions.set_folder_grants(admin, folder.pk, [{"role_code": "accountant", "level": 2}])
        doc = actions.upload_document(admin, folder.pk, upload("hợp đồng bí mật", "hd.txt"), tags=["bí mật"])
        actions.add_comment(admin, doc.pk, "xem")
        share = actions.share_with_user(admin, doc.pk, create_user(tenant, "sales_staff").pk)
        workflows.start_workflow(admin, doc.pk, [admin.user.pk])
        source = actions.upload_document(admin, folder.pk, upload(docx_bytes("{{ full_name }}"), "mau.docx"))
        template = templating.create_template(
            admin, name="Hợp đồng", record_kind="hrm.employee", source_id=source.pk, folder_id=folder.pk
        )
        return {
            "folder": folder.pk,
            "doc": doc.pk,
            "version": doc.current_version.pk,
            "share": share.pk,
            "template": template.pk,
        }


def test_every_table_is_isolated(tenant_a, tenant_b):
    _fill(tenant_a)
    _fill(tenant_b)
    assert_every_table_isolated("documents", tenant_a, tenant_b, min_models=8)


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "folders/{folder}/documents"),
        ("patch", "folders/{folder}"),
        ("delete", "folders/{folder}"),
        ("get", "folders/{folder}/permissions"),
        ("put", "folders/{folder}/permissions"),
        ("get", "documents/{doc}"),
        ("patch", "documents/{doc}"),
        ("delete", "documents/{doc}"),
        ("post", "documents/{doc}/restore"),
        ("post", "documents/{doc}/purge"),
        ("get", "documents/{doc}/versions"),
        ("get", "documents/{doc}/versions/{version}/download"),
        ("post", "documents/{doc}/versions/{version}/restore"),
        ("post", "documents/{doc}/checkout"),
        ("post", "documents/{doc}/checkin"),
        ("post", "documents/{doc}/break-lock"),
        ("get", "documents/{doc}/comments"),
        ("post", "documents/{doc}/comments"),
        ("get", "documents/{doc}/trail"),
        ("get", "documents/{doc}/shares"),
        ("post", "documents/{doc}/shares"),
        ("delete", "documents/{doc}/shares/{share}"),
        ("get", "documents/{doc}/approvals"),
        ("post", "documents/{doc}/approvals/decision"),
        ("post", "documents/{doc}/approvals/cancel"),
        ("post", "templates/{template}/generate"),
    ],
)
def test_api_ids_of_the_other_tenant_are_404(tenant_a, tenant_b, method, path):
    _fill(tenant_a)
    b = _fill(tenant_b)
    api = ApiClient(tenant_a, admin_of(tenant_a))
    body = {"patch": {"name": "x"}, "put": {"grants": []}, "post": {}}.get(method)
    if path.endswith("comments") and method == "post":
        body = {"body": "x"}
    if path.endswith("shares") and method == "post":
        body = {"days": 2}
    if path.endswith("decision"):
        body = {"approve": True}
    if path.endswith("generate"):
        body = {"record_id": 1}
    r = getattr(api, method)(f"{URL}/{path.format(**b)}", body)
    assert r.status_code == 404, (path, r.status_code, r.content[:200])


def test_pages_and_file_urls_of_the_other_tenant_are_404(tenant_a, tenant_b):
    _fill(tenant_a)
    b = _fill(tenant_b)
    web = web_client(tenant_a, admin_of(tenant_a))
    for url in [
        f"/documents/folders/{b['folder']}/",
        f"/documents/folders/{b['folder']}/permissions/",
        f"/documents/{b['doc']}/",
        f"/documents/{b['doc']}/preview/",
        f"/documents/{b['doc']}/versions/{b['version']}/download/",
        f"/documents/{b['doc']}/versions/{b['version']}/inline/",
    ]:
        assert web.get(url).status_code == 404, url
    for action in ["checkout", "trash", "comment", "share-link", "restore-version"]:
        assert (
            web.post(f"/documents/{b['doc']}/{action}/", {"body": "x", "days": 2, "version": b["version"]}).status_code
            == 404
        )
    assert web.post("/documents/trash/", {"document": b["doc"]}).status_code == 404
    assert "hd.txt" in web.get("/documents/search/?q=bi+mat").content.decode()  # its own
    with tenant_context(tenant_a):
        from novasaas.documents import selectors

        assert all(d.tenant_id == tenant_a.pk for d in selectors.search_documents(principal(tenant_a), "bi mat"))
