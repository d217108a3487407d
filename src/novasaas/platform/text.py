"""Text inputs refuse control characters and are stored composed (NFC), in every API schema, every form and
every spreadsheet import.

Vietnamese typed on macOS or copied from a PDF often arrives decomposed (NFD: "a" + U+0302 + U+0301 for
"ấ"); stored as typed, the same name would be two names to search, sort, uniqueness checks and exports.

U+0000–U+001F (but tab, newline and carriage return) cannot be typed in a form, break XML (xlsx exports,
e-invoices) and are refused by PostgreSQL (NUL); such a value is an attack or a broken client, so it is
refused with a clear message rather than stored.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from django import forms
from django.utils.translation import gettext as _

CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def control_character_message() -> str:
    return _("Control characters (such as U+0000 or U+000B) are not allowed in text.")


def has_control_characters(value: Any) -> bool:
    """Whether ``value`` — a string, or strings inside lists and dicts — holds a control character."""
    if isinstance(value, str):
        return CONTROL_CHARACTERS.search(value) is not None
    if isinstance(value, list | tuple | set):
        return any(has_control_characters(v) for v in value)
    if isinstance(value, dict):
        return any(has_control_characters(k) or has_control_characters(v) for k, v in value.items())
    return False


def compose(value: Any) -> Any:
    """``value`` with every string in it (also inside lists and dicts) in composed form (NFC)."""
    if isinstance(value, str):
        return value if value.isascii() else unicodedata.normalize("NFC", value)
    if isinstance(value, list):
        return [compose(v) for v in value]
    if isinstance(value, tuple):
        return tuple(compose(v) for v in value)
    if isinstance(value, dict):
        return {compose(k): compose(v) for k, v in value.items()}
    return value


class Form(forms.Form):
    """The base of every form: a text field holding a control character gets a field error; cleaned
    text is composed (NFC)."""

    def full_clean(self) -> None:
        super().full_clean()
        if not self.is_bound:
            return
        if hasattr(self, "cleaned_data"):
            self.cleaned_data = {k: compose(v) for k, v in self.cleaned_data.items()}
        for name, field in self.fields.items():
            if isinstance(field, forms.FileField) or name in self.errors:
                continue
            raw = field.widget.value_from_datadict(self.data, self.files, self.add_prefix(name))
            if has_control_characters(raw):
                self.add_error(name, control_character_message())
