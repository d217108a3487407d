"""Accent-insensitive search for pickers (``cafe`` finds ``Cà phê``, ``dien`` finds ``Điện``).

``fold(text)`` lowercases and strips Vietnamese (and other Latin) diacritics in Python; ``Folded(expr)``
does the same in SQL on both databases, without an extension: PostgreSQL's built-in ``translate()``
maps every accented letter (both cases) and A–Z to its plain lower-case letter; SQLite calls the
function ``nova_fold`` registered on each connection (``register_sqlite``). ``matching(qs, q, *fields)``
keeps the rows where every word typed appears in one of the fields, and ``picker_response`` answers the
pickers' JSON (``app.js`` Tom Select ``load``).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterable
from typing import Any

from django.db.models import CharField, Func, Q, QuerySet, Value
from django.db.models.functions import Concat
from django.http import JsonResponse

PICKER_LIMIT = 20  # options answered per search: pick among a few, type more to narrow
MAX_WORDS = 6


def fold(text: str | None) -> str:
    """``text`` lowercased without diacritics: ``"Đặng Quốc Huy"`` → ``"dang quoc huy"``."""
    value = (text or "").replace("đ", "d").replace("Đ", "D")
    stripped = "".join(c for c in unicodedata.normalize("NFD", value) if not unicodedata.combining(c))
    return unicodedata.normalize("NFC", stripped).lower()


def _translation_table() -> tuple[str, str]:
    """Every precomposed Latin letter (U+00C0–U+024F, U+1E00–U+1EFF) and A–Z with its folded letter."""
    src, dst = [], []
    for code in [*range(ord("A"), ord("Z") + 1), *range(0xC0, 0x250), *range(0x1E00, 0x1F00)]:
        ch = chr(code)
        folded = fold(ch)
        if len(folded) == 1 and folded != ch and "a" <= folded <= "z":
            src.append(ch)
            dst.append(folded)
    return "".join(src), "".join(dst)


FROM_CHARS, TO_CHARS = _translation_table()


class Folded(Func):
    """SQL: the expression lowercased without diacritics (the database twin of ``fold``)."""

    output_field = CharField()

    def __init__(self, expression: Any) -> None:
        super().__init__(expression)

    def as_sql(self, compiler: Any, connection: Any, *args: Any, **extra: Any) -> Any:  # type: ignore[override]
        if connection.vendor == "postgresql":
            return super().as_sql(
                compiler,
                connection,
                template=f"translate(%(expressions)s, '{FROM_CHARS}', '{TO_CHARS}')",
                **extra,
            )
        return super().as_sql(compiler, connection, function="nova_fold", **extra)


def register_sqlite(connection: Any) -> None:
    """Give a new SQLite connection ``nova_fold`` (connection_created hook: a database setting)."""
    if connection.vendor == "sqlite":
        connection.connection.create_function("nova_fold", 1, fold, deterministic=True)


def words(q: str | None) -> list[str]:
    return fold((q or "")[:200]).split()[:MAX_WORDS]


def matching(queryset: QuerySet[Any], q: str | None, *fields: str) -> QuerySet[Any]:
    """The rows of ``queryset`` where every word of ``q`` appears in one of ``fields``, ignoring case
    and accents (all rows when ``q`` is blank)."""
    typed = words(q)
    if not typed:
        return queryset
    parts: list[Any] = []
    for f in fields:
        parts += [Func(f, Value(""), function="COALESCE", output_field=CharField()), Value(" ")]
    haystack = Folded(Concat(*parts, output_field=CharField()) if len(parts) > 2 else parts[0])
    queryset = queryset.annotate(_picker_text=haystack)
    condition = Q()
    for word in typed:
        condition &= Q(_picker_text__contains=word)
    return queryset.filter(condition)


def picker_response(
    items: Iterable[Any], label: Callable[[Any], str], value: Callable[[Any], Any] = lambda o: o.pk
) -> JsonResponse:
    """``{"results": [{"value", "text"}…]}`` for at most ``PICKER_LIMIT`` items (already ordered)."""
    results = [{"value": value(o), "text": label(o)} for o in list(items)[:PICKER_LIMIT]]
    return JsonResponse({"results": results})
