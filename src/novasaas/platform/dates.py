"""Calendar dates typed by people: dd/mm/yyyy whatever the browser's or the user's language.

Vietnamese users write dates day first (07/12/2026); the date picker (``static/novasaas/app.js``,
vendored vanillajs-datepicker) shows and writes that form in both languages, and every form and
filter accepts it, as well as ISO (2026-12-07) for links, bookmarks and API-minded users.
"""

from __future__ import annotations

import datetime as dt

from django import forms

# Day first; ISO second so links built with ``date:'Y-m-d'`` keep working. Used by the project's
# format modules (``config/formats/<lang>/formats.py``) so Django's own DateFields accept them too.
DATE_INPUT_FORMATS = ["%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y", "%d/%m/%y"]
DISPLAY_FORMAT = "%d/%m/%Y"


def parse_date(value: str | None) -> dt.date | None:
    """The date typed in ``value`` (any of ``DATE_INPUT_FORMATS``), ``None`` when empty.

    Raises ``ValueError`` for text that is not a real date (31/02/2026, "abc")."""
    text = (value or "").strip()[:10]
    if not text:
        return None
    for fmt in DATE_INPUT_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt).date()  # noqa: DTZ007 - a calendar date, no time
        except ValueError:
            continue
    raise ValueError(f"not a date: {text!r}")


class DateInput(forms.DateInput):
    """A text input in dd/mm/yyyy with the vendored date picker (``data-datepicker``).

    Not ``type="date"``: Chromium shows that one in the browser's locale (mm/dd/yyyy on an English
    system), whatever the language chosen in the app."""

    input_type = "text"

    def __init__(self, attrs: dict[str, str] | None = None) -> None:
        base = {"data-datepicker": "", "placeholder": "dd/mm/yyyy", "autocomplete": "off", "inputmode": "numeric"}
        super().__init__(attrs={**base, **(attrs or {})}, format=DISPLAY_FORMAT)
