"""Knowledge for the assistant (RAG): uploaded files cut into passages, a full-text index, and retrieval
that returns numbered sources the answer cites.

Two sources, one interface (``retrieve``):
- **uploaded knowledge files** (``core.ai.upload``): company knowledge every member with ``core.ai.rag``
  may read; the text is cut into passages of about ``CHUNK_CHARS`` characters (paragraphs kept whole when
  they fit) and indexed folded (lowercase, no accents): PostgreSQL ``tsvector`` ('simple', GIN index),
  SQLite an FTS5 table ``ai_knowledge_fts`` whose rowid is the passage's id. A question matches passages
  holding ANY of its words, ranked by ``ts_rank`` / ``bm25``; the tenant is filtered explicitly in both.
- **DMS documents** when the company has the DMS module: found through ``documents.selectors`` with the
  asking member's principal, so only documents in folders they may view are ever read (permissions are
  checked at question time, nothing is copied into the AI index).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import F
from django.utils.translation import gettext as _

from novasaas.ai import plan
from novasaas.ai.models import KnowledgeChunk, KnowledgeFile
from novasaas.identity.access import Principal
from novasaas.platform import audit
from novasaas.platform.models import AuditAction, Tenant
from novasaas.platform.search import fold
from novasaas.platform.transactions import atomic

CHUNK_CHARS = 1000
MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_CHUNKS = 500
MAX_WORDS = 8
TOP_K = 4
EXCERPT_CHARS = 600
# words too common to find anything (Vietnamese and English question words), folded
STOPWORDS = frozenset(
    "la gi cua va co cho khong nao the nhu voi cac mot nhung duoc trong ve thi ma de bao nhieu o "
    "the a an and are is of to in on for what how which who when where does do with".split()
)


@dataclass
class Source:
    n: int
    kind: str  # knowledge | dms
    ref: int  # knowledge file id or DMS document id
    title: str
    excerpt: str
    score: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        return {"n": self.n, "kind": self.kind, "ref": self.ref, "title": self.title, "excerpt": self.excerpt}


# --- chunking and indexing ---------------------------------------------------------------------------


def chunk_text(text: str, size: int = CHUNK_CHARS) -> list[str]:
    """Passages of at most ``size`` characters: paragraphs joined while they fit, a longer paragraph cut
    at word boundaries. Whitespace-only text gives no passage."""
    chunks: list[str] = []
    current = ""
    for para in (p.strip() for p in re.split(r"\n\s*\n", text)):
        if not para:
            continue
        pieces = [para]
        if len(para) > size:
            pieces, piece = [], ""
            for word in para.split():
                if piece and len(piece) + 1 + len(word) > size:
                    pieces.append(piece)
                    piece = ""
                piece = f"{piece} {word}" if piece else word[:size]
            if piece:
                pieces.append(piece)
        for piece in pieces:
            if current and len(current) + 2 + len(piece) > size:
                chunks.append(current)
                current = ""
            current = f"{current}\n\n{piece}" if current else piece
    if current:
        chunks.append(current)
    return chunks


def _index(chunks: list[KnowledgeChunk]) -> None:
    if not chunks:
        return
    if connection.vendor == "postgresql":
        KnowledgeChunk.objects.filter(pk__in=[c.pk for c in chunks]).update(
            vector=SearchVector(F("folded"), config="simple")
        )
    elif connection.vendor == "sqlite":
        with connection.cursor() as cur:
            cur.executemany("DELETE FROM ai_knowledge_fts WHERE rowid = %s", [(c.pk,) for c in chunks])
            cur.executemany(
                "INSERT INTO ai_knowledge_fts (rowid, folded, tenant_id) VALUES (%s, %s, %s)",
                [(c.pk, c.folded, c.tenant_id) for c in chunks],
            )


def _unindex(chunk_ids: list[int]) -> None:
    if connection.vendor == "sqlite" and chunk_ids:
        with connection.cursor() as cur:
            cur.executemany("DELETE FROM ai_knowledge_fts WHERE rowid = %s", [(i,) for i in chunk_ids])


def _extract(filename: str, data: bytes) -> tuple[str, str]:
    from novasaas.documents import files  # file type by content and text extraction (pypdf, python-docx)

    content_type = files.detect(data)
    if content_type not in (files.TEXT, files.PDF, files.DOCX):
        raise ValidationError({"file": [_("Upload a text, PDF or DOCX file.")]})
    text = files.extract_text(content_type, data)
    if not text.strip():
        raise ValidationError({"file": [_("No text could be read from this file.")]})
    return content_type, text


def upload(principal: Principal, *, filename: str, data: bytes, title: str = "") -> KnowledgeFile:
    """Add a knowledge file: its text is cut into passages and indexed in the same transaction."""
    principal.require("core.ai.upload")
    plan.require(principal.tenant, "rag")  # knowledge serves answers from documents: the Business tier
    if not data:
        raise ValidationError({"file": [_("The file is empty.")]})
    if len(data) > MAX_FILE_BYTES:
        raise ValidationError({"file": [_("A knowledge file is at most 5 MB.")]})
    content_type, text = _extract(filename, data)
    passages = chunk_text(text)[:MAX_CHUNKS]
    name = re.sub(r"[\x00-\x1f/\\]", "", str(filename or ""))[-200:]
    title = (title or "").strip()[:200] or name or _("Document")
    tenant = principal.tenant
    with atomic():
        kfile = KnowledgeFile.objects.create(
            title=title,
            filename=name,
            content_type=content_type,
            size=len(data),
            chunks_count=len(passages),
            uploaded_by=principal.user,
        )
        rows = KnowledgeChunk.objects.bulk_create(
            [
                KnowledgeChunk(tenant=tenant, file=kfile, ordinal=i, text=p, folded=fold(p))
                for i, p in enumerate(passages)
            ]
        )
        if connection.vendor == "sqlite" or any(r.pk is None for r in rows):
            rows = list(KnowledgeChunk.objects.filter(file=kfile))
        _index(rows)
        audit.record(
            AuditAction.CREATE, actor=principal.user, tenant=tenant, obj=kfile, message=f"AI knowledge file {title}"
        )
    return kfile


def delete(principal: Principal, file_id: int) -> None:
    principal.require("core.ai.upload")
    with atomic():
        kfile = KnowledgeFile.objects.get(pk=file_id)
        _unindex(list(KnowledgeChunk.objects.filter(file=kfile).values_list("pk", flat=True)))
        audit.record(
            AuditAction.DELETE,
            actor=principal.user,
            tenant=principal.tenant,
            obj=kfile,
            message=f"AI knowledge file {kfile.title}",
        )
        kfile.delete()


def list_files() -> list[KnowledgeFile]:
    return list(KnowledgeFile.objects.select_related("uploaded_by"))


# --- retrieval ---------------------------------------------------------------------------------------------


def question_words(question: str) -> list[str]:
    words = [w for w in re.findall(r"\w+", fold(question[:500])) if len(w) > 1 and w not in STOPWORDS]
    return list(dict.fromkeys(words))[:MAX_WORDS]


def search_chunks(tenant: Tenant, words: list[str], limit: int = TOP_K) -> list[tuple[KnowledgeChunk, float]]:
    """Passages of ``tenant`` holding any of ``words`` (folded), best first: one interface over PostgreSQL
    full-text search and SQLite FTS5 (elsewhere: a substring match)."""
    if not words:
        return []
    base = KnowledgeChunk.objects.filter(tenant=tenant).select_related("file")
    if connection.vendor == "postgresql":
        query = SearchQuery(" | ".join(words), config="simple", search_type="raw")
        rows = base.filter(vector=query).annotate(rank=SearchRank(F("vector"), query)).order_by("-rank", "pk")
        return [(c, float(c.rank)) for c in rows[:limit]]
    if connection.vendor == "sqlite":
        match = " OR ".join(f'"{w}"' for w in words)
        with connection.cursor() as cur:
            cur.execute(
                "SELECT rowid, bm25(ai_knowledge_fts) FROM ai_knowledge_fts WHERE ai_knowledge_fts MATCH %s "
                "AND tenant_id = %s ORDER BY bm25(ai_knowledge_fts), rowid LIMIT %s",
                [match, tenant.pk, limit * 3],
            )
            ranked = [(int(r), -float(s)) for r, s in cur.fetchall()]
        found = {c.pk: c for c in base.filter(pk__in=[r for r, _s in ranked])}
        return [(found[r], s) for r, s in ranked if r in found][:limit]
    scored = []
    for c in base[:2000]:
        hits = sum(1 for w in words if w in c.folded)
        if hits:
            scored.append((c, float(hits)))
    scored.sort(key=lambda x: (-x[1], x[0].pk))
    return scored[:limit]


def _best_passage(text: str, words: list[str]) -> tuple[str, int]:
    best, best_hits = "", -1
    for passage in chunk_text(text):
        folded = fold(passage)
        hits = sum(1 for w in words if w in folded)
        if hits > best_hits:
            best, best_hits = passage, hits
    return best, max(best_hits, 0)


def _dms_sources(principal: Principal, words: list[str], limit: int) -> list[Source]:
    """DMS documents matching the question's words, ONLY from folders the member may view (the documents
    app's selectors run with the member's principal)."""
    if not principal.tenant.has_module("DMS"):
        return []
    from novasaas.documents import selectors as dms

    hits: dict[int, tuple[Any, int]] = {}
    for word in words:
        for doc in dms.search_documents(principal, word, limit=limit * 2):
            seen = hits.get(doc.pk)
            hits[doc.pk] = (doc, (seen[1] if seen else 0) + 1)
    ranked = sorted(hits.values(), key=lambda x: (-x[1], -x[0].pk))[:limit]
    sources = []
    for doc, score in ranked:
        text = ""
        if doc.current_version_id:
            text = dms.get_version(principal, doc.pk, doc.current_version_id).text or ""
        passage, _hits = _best_passage(text or doc.name, words)
        sources.append(Source(0, "dms", doc.pk, doc.name, passage[:EXCERPT_CHARS], float(score)))
    return sources


def retrieve(principal: Principal, question: str, limit: int = TOP_K) -> list[Source]:
    """The passages that best answer ``question``, numbered 1…n for the answer to cite. Requires
    ``core.ai.rag``; reads only what the member may read."""
    principal.require("core.ai.rag")
    words = question_words(question)
    if not words:
        return []
    own = [
        Source(0, "knowledge", c.file_id, c.file.title, c.text[:EXCERPT_CHARS], score)
        for c, score in search_chunks(principal.tenant, words, limit)
    ]
    dms = _dms_sources(principal, words, limit)
    # the two lists are ranked on different scales: take them in turn, best of each first
    sources: list[Source] = []
    for i in range(max(len(own), len(dms))):
        sources += own[i : i + 1] + dms[i : i + 1]
    sources = sources[:limit]
    for i, s in enumerate(sources, 1):
        s.n = i
    return sources


def context_message(sources: list[Source]) -> dict[str, str]:
    """The system message that gives the model the sources and asks for citations [n]."""
    lines = [
        _(
            "Answer from the sources below and cite each fact with its number in brackets, e.g. [1]. "
            "If the sources do not answer the question, say so."
        )
    ]
    for s in sources:
        lines.append(f"[{s.n}] {s.title}\n{s.excerpt}")
    return {"role": "system", "content": "\n\n".join(lines)}
