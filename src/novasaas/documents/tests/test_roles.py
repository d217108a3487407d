"""Roles per spec §10 cells: Standard user (`dms.use`: every internal role) uses documents; the
Admin / Document Manager (`dms.admin`: Tenant Admin) administers folders, quota and the trash; a
customer has no access. Folder levels against an independent oracle (Hypothesis); list pages keep a
bounded number of queries."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from novasaas.documents import access, actions
from novasaas.documents.models import AccessLevel, Folder, FolderPermission
from novasaas.documents.tests.helpers import principal, upload
from novasaas.identity.catalogue import ALL_INTERNAL, CUSTOMER
from novasaas.platform.tenancy import tenant_context
from novasaas.platform.testing.fixtures import admin_of, create_user, web_client


@pytest.mark.parametrize("role", [*ALL_INTERNAL, CUSTOMER])
def test_standard_user_cells(tenant_a, role):
    with tenant_context(tenant_a):
        folder = actions.create_folder(principal(tenant_a), "Chung")
    web = web_client(tenant_a, create_user(tenant_a, role))
    if role == CUSTOMER:
        assert web.get("/documents/").status_code == 403
        return
    assert web.get("/documents/").status_code == 200
    r = web.post(f"/documents/folders/{folder.pk}/", {"op": "upload", "file": upload("x", "x.txt")})
    assert r.status_code == 302  # upload in an open folder
    assert web.get("/documents/search/?q=x").status_code == 200
    assert web.get("/documents/settings/").status_code == 403  # quota: administrator
    assert web.post("/documents/", {"name": "Gốc"}).status_code == 403  # root folders: administrator


def test_admin_cells(tenant_a):
    web = web_client(tenant_a, admin_of(tenant_a))
    assert web.post("/documents/", {"name": "Gốc"}).status_code == 302
    assert web.get("/documents/settings/").status_code == 200
    r = web.post("/documents/settings/", {"quota_mb": 100, "max_file_mb": 5, "trash_retention_days": 10})
    assert r.status_code == 302


def test_folder_page_queries_do_not_grow(tenant_a, django_assert_max_num_queries):
    with tenant_context(tenant_a):
        admin = principal(tenant_a)
        folder = actions.create_folder(admin, "Nhiều")
        for i in range(23):
            actions.upload_document(admin, folder.pk, upload(f"{i}", f"{i}.txt"), tags=["a, b"])
    web = web_client(tenant_a, admin_of(tenant_a))
    with django_assert_max_num_queries(30):
        r = web.get(f"/documents/folders/{folder.pk}/")
    assert r.status_code == 200 and "22.txt" in r.content.decode()


def _oracle(parents, grants, roles):
    """Independent rule: walk up to the first folder with any grant; the best grant matching the roles
    there (0 when none); no grant anywhere above → edit."""
    out = {}
    for f in parents:
        cur = f
        while cur is not None and cur not in grants:
            cur = parents[cur]
        out[f] = int(AccessLevel.EDIT) if cur is None else max([lv for r, lv in grants[cur] if r in roles], default=0)
    return out


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_folder_levels_match_the_rule(in_tenant_a, data):
    admin = principal(in_tenant_a)
    accountant = principal(in_tenant_a, "accountant")
    n = data.draw(st.integers(min_value=1, max_value=8))
    ids: list[int] = []
    parents: dict[int, int | None] = {}
    for i in range(n):
        parent = data.draw(st.sampled_from([None, *ids])) if ids else None
        f = Folder.objects.create(tenant=in_tenant_a, parent_id=parent, name=f"f{i}-{parent}-{len(ids)}-{id(data)}")
        ids.append(f.pk)
        parents[f.pk] = parent
    grants: dict[int, list[tuple[str, int]]] = {}
    for f in ids:
        roles = data.draw(st.lists(st.sampled_from(["accountant", "sales_staff", "manager"]), max_size=2, unique=True))
        for role in roles:
            lvl = data.draw(st.integers(min_value=1, max_value=3))
            FolderPermission.objects.create(tenant=in_tenant_a, folder_id=f, role_code=role, level=lvl)
            grants.setdefault(f, []).append((role, lvl))
    got = {f: lvl for f, lvl in access.folder_levels(accountant).items() if f in parents}
    assert got == _oracle(parents, grants, {"accountant"})
    assert set(access.folder_levels(admin).values()) == {int(AccessLevel.MANAGE)}
    FolderPermission.objects.filter(folder_id__in=ids).delete()
    for f in reversed(ids):
        Folder.objects.filter(pk=f).delete()
