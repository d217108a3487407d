"""Projects' integration with Accounting (spec §11.3 PM → ACC): each project keeps an analytic
dimension ``project:<code>`` so journal and budget lines can carry it. Runs only for tenants with ACC,
in the project action's transaction, through accounting's public dimension functions, with a principal
of the same user holding only ``acc.coa.configure``."""

from __future__ import annotations

from novasaas.identity.access import Principal
from novasaas.platform.events import subscriber
from novasaas.platform.tenancy import current_tenant
from novasaas.projects.events import ProjectSaved


def _delegate(user_id: int | None) -> Principal:
    from novasaas.identity.models import User
    from novasaas.platform.tenancy import platform_context

    user = None
    if user_id:
        with platform_context():
            user = User.objects.filter(pk=user_id).first()
    return Principal(
        tenant=current_tenant(), user=user, membership=None, permissions=frozenset({"acc.coa.configure"}), via="pm"
    )


@subscriber(ProjectSaved, module="ACC")
def keep_project_dimension(event: ProjectSaved) -> None:
    from novasaas.accounting.dimensions import create_dimension, dimension_by_code, update_dimension

    tenant = current_tenant()
    principal = _delegate(event.user_id)
    dim = dimension_by_code(tenant, "project", event.code)
    if dim is None:
        create_dimension(principal, kind="project", code=event.code, name=event.name)
    elif dim.name != event.name[:120]:
        update_dimension(principal, dim.pk, name=event.name)
