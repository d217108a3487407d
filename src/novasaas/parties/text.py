"""Text normalisation for search and duplicate detection (Vietnamese-aware, database-independent)."""

from __future__ import annotations

import re
import unicodedata

_COMPANY_WORDS = {
    "cong",
    "ty",
    "cty",
    "ctcp",
    "tnhh",
    "cp",
    "co",
    "phan",
    "mtv",
    "jsc",
    "ltd",
    "llc",
    "co.",
    "company",
    "limited",
    "trach",
    "nhiem",
    "huu",
    "han",
    "mot",
    "thanh",
    "vien",
    "tap",
    "doan",
    "dntn",
    "doanh",
    "nghiep",
    "tu",
    "nhan",
    "corp",
    "corporation",
    "inc",
}


def unaccent(value: str) -> str:
    """Lowercase ``value`` and strip Vietnamese diacritics: ``"Đặng Quốc Huy"`` → ``"dang quoc huy"``.

    NFD decomposition removes tone and vowel marks; đ/Đ are separate letters (not a base + mark) and
    are mapped explicitly.
    """
    value = (value or "").replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", value)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return unicodedata.normalize("NFC", stripped).lower()


def normalize_phone(value: str) -> str:
    """Digits only, with the Vietnamese country code folded into the trunk prefix (+84 9… → 09…)."""
    digits = re.sub(r"\D", "", value or "")
    if digits.startswith("84") and len(digits) >= 11 and (value or "").strip().startswith(("+", "84", "0084")):
        digits = "0" + digits[2:]
    elif digits.startswith("0084"):
        digits = "0" + digits[4:]
    return digits


def normalize_email(value: str) -> str:
    return (value or "").strip().lower()


def name_key(name: str) -> str:
    """The distinctive part of a name, for "very similar name" comparisons: legal-form words
    (Công ty TNHH, Cổ phần, JSC …) and punctuation removed."""
    words = re.findall(r"[a-z0-9]+", unaccent(name))
    kept = [w for w in words if w not in _COMPANY_WORDS]
    return " ".join(kept or words)
