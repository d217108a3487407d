"""Vietnamese alphabetical order for names (Cà phê before Coca-Cola, Đà Nẵng after Dũng).

PostgreSQL sorts with its ICU collation ``vi-x-icu`` (built into the Debian server). SQLite has no ICU,
so the same collation name is registered on every SQLite connection with a comparison written here
after the Vietnamese dictionary order:

- letters in the order a ă â b c d đ e ê g h i k l m n o ô ơ p q r s t u ư v x y (f j w z, which
  Vietnamese does not use, in their Latin places);
- tones count only when the letters are equal, in the order ngang, huyền, hỏi, ngã, sắc, nặng;
- then lower case before upper case; spaces and punctuation before digits before letters.

``by_name(queryset, "name")`` orders a queryset this way on both databases; ``sort_key`` orders
Python lists the same way.
"""

from __future__ import annotations

import unicodedata
from typing import Any

from django.db.models import F, QuerySet
from django.db.models.functions import Collate

COLLATION = "vi-x-icu"

_ALPHABET = "aăâbcdđeêfghijklmnoôơpqrstuưvwxyz"
_PRIMARY = {ch: 100 + i for i, ch in enumerate(_ALPHABET)}
# vowel marks that make another letter (ă â ê ô ơ ư) and the tone marks
_LETTER_MARKS = {"\u0306": "breve", "\u0302": "circumflex", "\u031b": "horn"}
_TONES = {"\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}
_WITH_MARK = {
    ("a", "breve"): "ă",
    ("a", "circumflex"): "â",
    ("e", "circumflex"): "ê",
    ("o", "circumflex"): "ô",
    ("o", "horn"): "ơ",
    ("u", "horn"): "ư",
}


def sort_key(text: str) -> tuple[tuple[int, ...], tuple[int, ...], tuple[int, ...]]:
    """(letters, tones, case) of ``text``: compare keys to compare names in Vietnamese order."""
    primary: list[int] = []
    tones: list[int] = []
    case: list[int] = []
    for ch in unicodedata.normalize("NFD", text or ""):
        if ch in _TONES:
            if tones:
                tones[-1] = _TONES[ch]
            continue
        if ch in _LETTER_MARKS:
            if primary and case:
                base = _ALPHABET[primary[-1] - 100] if primary[-1] >= 100 else ""
                letter = _WITH_MARK.get((base, _LETTER_MARKS[ch]))
                if letter:
                    primary[-1] = _PRIMARY[letter]
            continue
        if unicodedata.combining(ch):
            continue
        lower = ch.lower()
        if lower in _PRIMARY:
            primary.append(_PRIMARY[lower])
        elif lower.isdigit():
            primary.append(50 + int(lower) if lower in "0123456789" else 60)
        elif lower.isalpha():
            primary.append(1000 + ord(lower))
        else:
            primary.append(10)  # spaces and punctuation: before digits and letters
        tones.append(0)
        case.append(0 if ch == lower else 1)
    return tuple(primary), tuple(tones), tuple(case)


def compare(a: str | None, b: str | None) -> int:
    """The SQLite collation: -1, 0 or 1 as ``a`` sorts before, with or after ``b``."""
    ka, kb = sort_key(a or ""), sort_key(b or "")
    return (ka > kb) - (ka < kb)


def register_sqlite(connection: Any) -> None:
    """Give a new SQLite connection the ``vi-x-icu`` collation (connection_created hook: a database
    setting, not a business side effect)."""
    if connection.vendor == "sqlite":
        connection.connection.create_collation(COLLATION, compare)


def by_name(queryset: QuerySet[Any], *fields: str) -> QuerySet[Any]:
    """``queryset`` ordered by ``fields`` (text) in Vietnamese order, then by id."""
    return queryset.order_by(*[Collate(F(f), COLLATION) for f in fields], "pk")
