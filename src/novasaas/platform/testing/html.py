"""Read what a user sees in a page's tables: rows of cell texts (for tests that assert figures)."""

from __future__ import annotations

from html.parser import HTMLParser


class _Tables(HTMLParser):
    def __init__(self, *, without_tbody: bool = False) -> None:
        super().__init__()
        self.rows: list[list[str]] = []
        self._row: list[str] | None = None
        self._cell: list[str] | None = None
        self._in_body = 0
        self._in_head = 0
        self._without_tbody = without_tbody

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "tbody":
            self._in_body += 1
        elif tag == "thead":
            self._in_head += 1
        elif tag == "tr" and (self._in_body or (self._without_tbody and not self._in_head)):
            self._row = []
        elif tag in ("td", "th") and self._row is not None:
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._row is not None and self._cell is not None:
            self._row.append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "tr" and self._row is not None:
            self.rows.append(self._row)
            self._row = None
        elif tag == "tbody":
            self._in_body -= 1
        elif tag == "thead":
            self._in_head -= 1

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def body_rows(html: str | bytes) -> list[list[str]]:
    """The rows of every ``<tbody>`` of ``html``, each a list of its cells' visible text (whitespace
    collapsed); nested tables' cells are flattened into their own rows."""
    parser = _Tables()
    parser.feed(html.decode() if isinstance(html, bytes) else html)
    return parser.rows


def table_rows(html: str | bytes) -> list[list[str]]:
    """Like ``body_rows``, for tables written without ``<tbody>``: every row outside a ``<thead>``."""
    parser = _Tables(without_tbody=True)
    parser.feed(html.decode() if isinstance(html, bytes) else html)
    return parser.rows
