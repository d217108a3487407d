"""Who may view, edit, merge and import/export parties (roles from the catalogue)."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook

from novasaas.parties.models import Party
from novasaas.parties.tests.helpers import party_payload
from novasaas.platform.tenancy import tenant_context
from novasaas.platform.testing.fixtures import ApiClient, create_user, web_client

URL = "/api/v1/parties/"
MERGERS = ["sales_manager", "purchase_manager", "finance_manager"]
EDITORS = ["sales_staff", "purchase_staff", "accountant", "manager", "hr_manager", *MERGERS]
VIEW_ONLY = ["warehouse_staff", "warehouse_manager", "hr_staff", "project_manager"]


def xlsx(rows):
    wb = Workbook()
    ws = wb.active
    ws.append(["Tên (name)", "Loại (kind)"])
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    out.seek(0)
    out.name = "p.xlsx"
    return out


def client_for(tenant, role):
    return ApiClient(tenant, create_user(tenant, role))


@pytest.mark.parametrize("role", VIEW_ONLY)
def test_view_only_roles_can_read_but_not_write(tenant_a, api_a, role):
    pid = api_a.post(URL, party_payload()).json()["id"]
    c = client_for(tenant_a, role)
    assert c.get(URL).status_code == 200
    assert c.get(f"{URL}{pid}").status_code == 200
    assert c.post(URL, party_payload("Mới")).status_code == 403
    assert c.patch(f"{URL}{pid}", {"name": "Đổi"}).status_code == 403
    assert c.delete(f"{URL}{pid}").status_code == 403
    with tenant_context(tenant_a):
        party = Party.objects.get(pk=pid)
        assert party.is_active and party.name != "Đổi" and Party.objects.count() == 1


@pytest.mark.parametrize("role", ["employee", "customer"])
def test_non_staff_roles_cannot_even_view(tenant_a, role):
    c = client_for(tenant_a, role)
    assert c.get(URL).status_code == 403


@pytest.mark.parametrize("role", EDITORS)
def test_editors_create_update_deactivate(tenant_a, role):
    c = client_for(tenant_a, role)
    r = c.post(URL, party_payload())
    assert r.status_code == 201
    pid = r.json()["id"]
    assert c.patch(f"{URL}{pid}", {"note": "ok"}).status_code == 200
    assert c.delete(f"{URL}{pid}").status_code == 204


@pytest.mark.parametrize("role", ["sales_staff", "purchase_staff", "accountant", "manager", "warehouse_staff"])
def test_only_managers_merge_and_import(tenant_a, api_a, role):
    a = api_a.post(URL, party_payload("A")).json()["id"]
    b = api_a.post(URL, party_payload("B")).json()["id"]
    c = client_for(tenant_a, role)
    assert c.post(f"{URL}merge", {"keep_id": a, "duplicate_ids": [b]}).status_code == 403
    assert c.get(f"{URL}export").status_code == 403
    r = c.client.post(
        f"{URL}import", {"file": xlsx([["Công ty X", "company"]])}, HTTP_AUTHORIZATION=f"Bearer {c.token}"
    )
    assert r.status_code == 403
    with tenant_context(tenant_a):
        assert Party.objects.count() == 2 and not Party.objects.filter(merged_into__isnull=False).exists()


@pytest.mark.parametrize("role", [*MERGERS, "tenant_admin"])
def test_managers_and_admin_merge_and_import(tenant_a, api_a, role):
    a = api_a.post(URL, party_payload("A")).json()["id"]
    b = api_a.post(URL, party_payload("B")).json()["id"]
    c = client_for(tenant_a, role)
    assert c.post(f"{URL}merge", {"keep_id": a, "duplicate_ids": [b]}).status_code == 200
    assert c.get(f"{URL}export").status_code == 200
    r = c.client.post(
        f"{URL}import", {"file": xlsx([["Công ty X", "company"]])}, HTTP_AUTHORIZATION=f"Bearer {c.token}"
    )
    assert r.status_code == 200, r.content


def test_pages_follow_the_same_permissions(tenant_a, api_a):
    pid = api_a.post(URL, party_payload()).json()["id"]
    viewer = web_client(tenant_a, create_user(tenant_a, "warehouse_staff"))
    assert viewer.get("/parties/").status_code == 200
    assert viewer.get(f"/parties/{pid}/").status_code == 200
    assert viewer.get("/parties/new/").status_code == 403
    assert viewer.get(f"/parties/{pid}/edit/").status_code == 403
    assert viewer.post(f"/parties/{pid}/deactivate/").status_code == 403
    assert viewer.get(f"/parties/{pid}/merge/").status_code == 403
    assert viewer.get("/parties/export/").status_code == 403
    assert viewer.get("/parties/import/").status_code == 403
    editor = web_client(tenant_a, create_user(tenant_a, "sales_staff"))
    assert editor.get("/parties/new/").status_code == 200
    assert editor.get(f"/parties/{pid}/merge/").status_code == 403
    page = editor.get("/parties/").content.decode()
    assert "/parties/new/" in page and "/parties/export/" not in page
    outsider = web_client(tenant_a, create_user(tenant_a, "employee"))
    assert outsider.get("/parties/").status_code == 403


def test_anonymous_is_sent_to_login(client, tenant_a):
    r = client.get("/parties/")
    assert r.status_code == 302 and "/login/" in r["Location"]
    assert client.get(URL).status_code == 401
