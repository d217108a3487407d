"""PM → ACC: a project keeps its analytic dimension ``project:<code>`` when the tenant has ACC, and
nothing is asked of Accounting without it."""

from __future__ import annotations

from novasaas.accounting.dimensions import dimension_by_code
from novasaas.platform.tenancy import tenant_context
from novasaas.platform.testing.fixtures import create_tenant
from novasaas.projects import actions
from novasaas.projects.tests.helpers import principal


def test_project_dimension_follows_the_project(tenant_a):
    with tenant_context(tenant_a):
        pm = principal(tenant_a, "project_manager")
        project = actions.save_project(pm, code="web-1", name="Website")
        dim = dimension_by_code(tenant_a, "project", "WEB-1")
        assert dim is not None and dim.name == "Website"
        actions.save_project(pm, project.pk, name="Website v2")
        assert dimension_by_code(tenant_a, "project", "WEB-1").name == "Website v2"


def test_without_accounting_no_dimension(db):
    tenant = create_tenant(modules=["PM"])
    with tenant_context(tenant):
        pm = principal(tenant, "project_manager")
        actions.save_project(pm, code="P1", name="x")
        assert dimension_by_code(tenant, "project", "P1") is None
