"""Folder permissions: who may view, edit or manage what is in a folder.

A folder's grants (``FolderPermission``: a role or a user, level view / edit / manage) apply to it and
to its sub-folders that have no grants of their own. A folder with no grant on itself or any ancestor
is open: every holder of ``dms.use`` may view and edit it. ``dms.admin`` manages every folder. The
levels of all folders of a tenant are computed in one pass (two queries) per call.
"""

from __future__ import annotations

from novasaas.documents.models import AccessLevel, Folder, FolderPermission
from novasaas.identity.access import Principal

NONE = 0


def folder_levels(principal: Principal) -> dict[int, int]:
    """Folder id → the principal's level (0: not visible), for every folder of the tenant."""
    is_admin = principal.has("dms.admin")
    if not is_admin and not principal.has("dms.use"):
        return {}
    parents = dict(Folder.objects.filter(tenant=principal.tenant).values_list("id", "parent_id"))
    if is_admin:
        return dict.fromkeys(parents, int(AccessLevel.MANAGE))
    grants: dict[int, list[tuple[str, int | None, int]]] = {}
    for folder_id, role, user_id, level in FolderPermission.objects.filter(tenant=principal.tenant).values_list(
        "folder_id", "role_code", "user_id", "level"
    ):
        grants.setdefault(folder_id, []).append((role, user_id, level))
    me: int | None = getattr(principal.user, "pk", None)
    roles = principal.role_codes
    own: dict[int, int] = {}
    for folder_id, rows in grants.items():
        own[folder_id] = max(
            (lvl for role, uid, lvl in rows if (role and role in roles) or (uid is not None and uid == me)),
            default=NONE,
        )
    levels: dict[int, int] = {}

    def level_of(folder_id: int) -> int:
        chain = []
        current: int | None = folder_id
        result = int(AccessLevel.EDIT)  # open when nothing on the way up has grants
        while current is not None:
            if current in levels:
                result = levels[current]
                break
            chain.append(current)
            if current in own:
                result = own[current]
                break
            current = parents.get(current)
            if len(chain) > 1000:  # a cycle cannot be written (parents are checked), but never loop
                break
        for f in chain:
            levels[f] = result
        return result

    for folder_id in parents:
        level_of(folder_id)
    return levels


def level(principal: Principal, folder_id: int) -> int:
    return folder_levels(principal).get(folder_id, NONE)


def visible_folder_ids(principal: Principal) -> list[int]:
    return [f for f, lvl in folder_levels(principal).items() if lvl >= AccessLevel.VIEW]
