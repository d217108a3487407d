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


class SearchPickerSelect(PickerSelect):
    """A picker over a list too long to render (products, parties, accounts): the page holds the first
    ``page_size`` options and the selected ones; ``app.js`` asks ``url`` (``?q=``, JSON
    ``{"results": [{"value", "text"}]}``) as the user types, so every row can be found.

    ``label_for(values)`` names selected values that are not among the rendered choices (a plain
    choice list); for a model field the selected rows are read from its queryset. The field still
    validates what is sent (its queryset, or its own ``valid_value``)."""

    page_size = 50

    def __init__(
        self,
        url: Any = None,
        attrs: dict[str, Any] | None = None,
        choices: Any = (),
        label_for: Any = None,
        depends_on: str = "",
    ) -> None:
        extra = {"data-picker-url": url} if url is not None else {}  # lazy: reversed when rendered
        if depends_on:
            extra["data-picker-depends"] = depends_on  # another field of the row sent along (?product=)
        super().__init__(attrs={**extra, **(attrs or {})}, choices=choices)
        self.label_for = label_for

    def optgroups(self, name: str, value: Any, attrs: dict[str, Any] | None = None) -> Any:
        chosen = [str(v) for v in value if v not in (None, "")]
        full: Any = self.choices
        queryset = getattr(full, "queryset", None)
        shown: list[tuple[Any, Any]] = []
        if queryset is not None:  # a ModelChoiceIterator: read a page, not the whole table
            field = full.field
            if field.empty_label is not None:
                shown.append(("", field.empty_label))
            objs = list(queryset[: self.page_size])
            have = {str(o.pk) for o in objs}
            missing = [v for v in chosen if v not in have and v.isdigit()]
            if missing:
                objs += list(queryset.filter(pk__in=missing))
            shown += [full.choice(o) for o in objs]
        else:
            items = list(full)
            shown = items[: self.page_size + 1]
            have = {str(v) for v, _label in shown}
            shown += [(v, label) for v, label in items[self.page_size + 1 :] if str(v) in chosen]
            have |= {str(v) for v, _label in shown}
            missing = [v for v in chosen if v not in have]
            if missing and self.label_for is not None:
                shown += list(self.label_for(missing))
        self.choices = shown
        try:
            return super().optgroups(name, value, attrs)
        finally:
            self.choices = full
