"""Read side of Documents: folder tree, listings, the search and a document's history.

Everything a member sees is filtered by the folder levels of ``access.py``. The search matches every
word typed (folded: lowercase, no accents, so ``hop dong`` finds ``Hợp đồng``) in the name, tags and
extracted text: PostgreSQL full-text search (``simple`` configuration; whole words, the last one as a
prefix when nothing matched; a GIN index on the stored ``vector`` of ``DocumentSearch``, a table without
RLS: see its docstring); elsewhere (SQLite) a substring match of each word.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import Any

from django.contrib.postgres.search import SearchQuery
from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import QuerySet
from django.db.models.expressions import RawSQL
from django.utils import timezone

from novasaas.documents import access
from novasaas.documents.actions import _need_document, shared_with
from novasaas.documents.models import (
    AccessLevel,
    DmsSettings,
    Document,
    DocumentComment,
    DocumentSearch,
    DocumentShare,
    DocumentVersion,
    Folder,
    FolderPermission,
)
from novasaas.identity.access import Principal
from novasaas.platform.audit import list_entries
from novasaas.platform.models import AuditLog, Tenant
from novasaas.platform.search import fold

SEARCH_LIMIT = 50
MAX_WORDS = 6


def get_settings(tenant: Tenant) -> DmsSettings:
    """The tenant's settings (defaults, unsaved, before the module set-up ran)."""
    return DmsSettings.objects.filter(tenant=tenant).first() or DmsSettings(tenant=tenant)


@dataclass
class FolderNode:
    folder: Folder
    depth: int
    level: int


def folder_tree(principal: Principal) -> list[FolderNode]:
    """The visible folders depth-first by name; a visible folder under an invisible one is shown at the
    depth of its nearest visible ancestor (rights are per folder)."""
    levels = access.folder_levels(principal)
    folders = {f.pk: f for f in Folder.objects.filter(tenant=principal.tenant).order_by("name", "id")}
    children: dict[int | None, list[Folder]] = {}
    for f in folders.values():
        children.setdefault(f.parent_id, []).append(f)
    out: list[FolderNode] = []

    def walk(parent: int | None, depth: int) -> None:
        for f in children.get(parent, []):
            lvl = levels.get(f.pk, 0)
            if lvl >= AccessLevel.VIEW:
                out.append(FolderNode(f, depth, lvl))
            walk(f.pk, depth + 1 if lvl >= AccessLevel.VIEW else depth)

    walk(None, 0)
    return out


def get_folder(principal: Principal, folder_id: int) -> tuple[Folder, int]:
    folder = Folder.objects.get(tenant=principal.tenant, pk=folder_id)
    lvl = access.level(principal, folder.pk)
    if lvl < AccessLevel.VIEW:
        raise Folder.DoesNotExist
    return folder, lvl


def folder_path(folder: Folder) -> list[Folder]:
    path = [folder]
    while path[0].parent_id is not None and len(path) < 50:
        path.insert(0, Folder.objects.get(pk=path[0].parent_id))
    return path


def _documents() -> QuerySet[Document]:
    return Document.objects.select_related("current_version", "checked_out_by", "folder").prefetch_related("tags")


def list_documents(principal: Principal, folder_id: int) -> list[Document]:
    folder, _lvl = get_folder(principal, folder_id)
    return list(_documents().filter(folder=folder, deleted_at__isnull=True).order_by("name", "id"))


def shared_documents(principal: Principal) -> list[Document]:
    """Documents shared with the principal by member (visible whatever their folder rights)."""
    if principal.user is None:
        return []
    ids = DocumentShare.objects.filter(
        tenant=principal.tenant, user_id=principal.user.pk, revoked_at__isnull=True
    ).values_list("document_id", flat=True)
    return list(_documents().filter(pk__in=ids, deleted_at__isnull=True))


def get_document(principal: Principal, document_id: int, *, trashed: bool | None = False) -> Document:
    return _need_document(principal, document_id, AccessLevel.VIEW, trashed=trashed)


def document_level(principal: Principal, doc: Document) -> int:
    return access.level(principal, doc.folder_id)


def versions(doc: Document) -> list[DocumentVersion]:
    return list(DocumentVersion.objects.filter(document=doc).select_related("uploaded_by").order_by("-number"))


def get_version(principal: Principal, document_id: int, version_id: int) -> DocumentVersion:
    """A version of a document the principal may view (404 otherwise, other tenants included)."""
    doc = get_document(principal, document_id)
    return DocumentVersion.objects.select_related("document").get(document=doc, pk=version_id)


def comments(doc: Document) -> list[DocumentComment]:
    return list(DocumentComment.objects.filter(document=doc).select_related("author"))


def shares(doc: Document) -> list[DocumentShare]:
    return list(DocumentShare.objects.filter(document=doc, revoked_at__isnull=True).select_related("user"))


def document_trail(tenant: Tenant, doc: Document) -> QuerySet[AuditLog]:
    """Every audited action on the document, newest first."""
    return list_entries(tenant).filter(object_type=Document._meta.label, object_id=str(doc.pk))


def grants(folder: Folder) -> list[FolderPermission]:
    return list(FolderPermission.objects.filter(folder=folder).select_related("user"))


def trash(principal: Principal) -> list[Document]:
    """Trashed documents of folders where the principal may edit (restore)."""
    levels = access.folder_levels(principal)
    editable = [f for f, lvl in levels.items() if lvl >= AccessLevel.EDIT]
    return list(
        _documents()
        .filter(tenant=principal.tenant, deleted_at__isnull=False, folder_id__in=editable)
        .order_by("-deleted_at")
    )


def search_words(q: str | None) -> list[str]:
    return re.findall(r"\w+", fold((q or "")[:200]))[:MAX_WORDS]


FTS5_TABLE = "documents_search_fts5"  # SQLite only (migration 0004), kept by triggers


def fts5_query(words: list[str], *, prefix: bool = False) -> str:
    """An FTS5 query holding every (folded, ``\\w+``) word as a quoted string; the last one as a prefix."""
    quoted = [f'"{w}"' for w in words]
    if prefix:
        quoted[-1] += "*"
    return " ".join(quoted)


def _fts5_ranked_ids(principal: Principal, words: list[str], limit: int, *, prefix: bool = False) -> list[int]:
    """Ids of the matching documents the principal may view, best bm25 rank first, then newest."""
    try:
        inner, params = _searchable(principal).values("id").query.sql_with_params()
    except EmptyResultSet:  # no folder the principal may view
        return []
    # only constants and Django's own compiled subquery are formatted in; every value is a parameter
    sql = (
        f"SELECT d.id FROM {FTS5_TABLE} f JOIN documents_document d ON d.id = f.rowid "  # noqa: S608
        f"WHERE {FTS5_TABLE} MATCH %s AND f.tenant_id = %s AND d.id IN ({inner}) "
        f"ORDER BY bm25({FTS5_TABLE}), d.updated_at DESC, d.id DESC LIMIT %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [fts5_query(words, prefix=prefix), principal.tenant.pk, *params, limit])
        return [row[0] for row in cursor.fetchall()]


def search_queryset(principal: Principal, words: list[str], *, prefix: bool = False) -> QuerySet[Document]:
    """The documents matching every word (already folded), in folders the principal may view."""
    matches = DocumentSearch.objects.filter(tenant=principal.tenant)
    if connection.vendor == "postgresql":
        # whole words (PostgreSQL then knows how common each is and picks the index that fits); with
        # ``prefix`` the last one also as a prefix ("thanh to" → "thanh toán")
        query = " & ".join([*words[:-1], f"{words[-1]}:*" if prefix else words[-1]])
        matches = matches.filter(vector=SearchQuery(query, config="simple", search_type="raw"))
    else:
        fts = f"SELECT rowid FROM {FTS5_TABLE} WHERE {FTS5_TABLE} MATCH %s"  # noqa: S608  (a constant name)
        ids = RawSQL(fts, [fts5_query(words, prefix=prefix)])  # noqa: S611
        matches = matches.filter(document_id__in=ids)
    return _searchable(principal).filter(pk__in=matches.values("document_id"))


def _searchable(principal: Principal) -> QuerySet[Document]:
    """Live documents of the folders the principal may view."""
    return Document.objects.filter(
        tenant=principal.tenant, deleted_at__isnull=True, folder_id__in=access.visible_folder_ids(principal)
    )


def search_documents(principal: Principal, q: str | None, limit: int = SEARCH_LIMIT) -> list[Document]:
    """Documents whose name, tags or text hold every word of ``q``, ONLY from folders the principal may
    view (documents shared with a member are not searched: listed under "Shared with me"). SQLite: best
    match first (FTS5 bm25, then newest); PostgreSQL: newest first."""
    words = search_words(q)
    if not words:
        return []
    if connection.vendor == "sqlite":
        ids = _fts5_ranked_ids(principal, words, limit)
        if not ids:  # nothing for whole words: the last one as typed so far
            ids = _fts5_ranked_ids(principal, words, limit, prefix=True)
    else:
        qs = search_queryset(principal, words)
        ids = list(qs.order_by("-updated_at", "-id").values_list("id", flat=True)[:limit])
        if not ids:  # nothing for whole words: the last one as typed so far
            qs = search_queryset(principal, words, prefix=True)
            ids = list(qs.order_by("-updated_at", "-id").values_list("id", flat=True)[:limit])
    found = {d.pk: d for d in _documents().filter(pk__in=ids)}
    return [found[i] for i in ids]


def usage(tenant: Tenant) -> dict[str, Any]:
    from novasaas.documents.actions import used_bytes

    settings = get_settings(tenant)
    used = used_bytes(tenant)
    quota = settings.quota_bytes
    return {"used": used, "quota": quota, "percent": min(100, round(used * 100 / quota)) if quota else 100}


# --- links ------------------------------------------------------------------------------------------------


def link_share(token: str) -> DocumentShare | None:
    """The live link share of ``token`` (any tenant: the caller is anonymous), or None."""
    from novasaas.platform.tenancy import platform_context

    digest = hashlib.sha256(str(token or "").encode()).hexdigest()
    with platform_context():
        share = (
            DocumentShare.objects.select_related("document", "document__current_version", "tenant")
            .filter(token_hash=digest, revoked_at__isnull=True, expires_at__gt=timezone.now())
            .first()
        )
    if share is None or share.document.deleted_at is not None or not share.tenant.has_module("DMS"):
        return None
    if not share.tenant.is_usable:
        return None
    return share


def can_view(principal: Principal, doc: Document) -> bool:
    return access.level(principal, doc.folder_id) >= AccessLevel.VIEW or shared_with(principal, doc.pk)
