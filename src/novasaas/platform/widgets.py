"""Form widgets shared by the modules' pages."""

from __future__ import annotations

from typing import Any

from django import forms


class PickerSelect(forms.Select):
    """A ``<select>`` that ``static/novasaas/app.js`` turns into a searchable picker (vendored Tom
    Select: type to search, arrows/Enter/Escape, ARIA combobox). Without JavaScript it stays a select.

    The options are the field's queryset or choices, so what can be picked is exactly what the
    server accepts (tenant-scoped managers)."""

    def __init__(self, attrs: dict[str, Any] | None = None, choices: Any = ()) -> None:
        super().__init__(attrs={"data-picker": "", **(attrs or {})}, choices=choices)
