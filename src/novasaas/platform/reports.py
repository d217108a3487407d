"""The house report table: one definition per report serves the page, Excel, PDF and the API.

A module's report builder returns a ``Report`` (title, columns, rows, totals). Pages render its
formatted cells (``page_rows``/``page_totals``, template ``inventory/_table.html``), ``file_response``
writes it as an xlsx or PDF attachment, and the API answers ``as_json()`` (schema ``ReportOut``) or the
same files (``?format=xlsx|pdf``). Labels are translated in the active language (the request's).
Used by inventory, sales, HR and projects; first written for inventory.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from django.http import HttpResponse
from django.utils import translation
from django.utils.translation import gettext as _
from ninja import Schema

from novasaas.platform.excel import XLSX_TYPE, workbook
from novasaas.platform.money import format_money
from novasaas.platform.numbers import format_number
from novasaas.platform.pdf import PdfUnavailable, render_table

FORMATS = ("json", "xlsx", "pdf")
ReportFormat = Literal["json", "xlsx", "pdf"]


def money(value: Any) -> str:
    return format_money(value, "VND", translation.get_language() or "vi") if value is not None else ""


def qty(value: Any) -> str:
    """A quantity with thousands separators in the page's language, decimals only when there are any."""
    return format_number(value)


@dataclass(frozen=True)
class Column:
    key: str
    label: Any  # str or lazy translation
    kind: str = "text"  # text | qty | money | percent | date
    blank_zero: bool = False  # the page and PDF leave 0 empty (stock card in/out columns)

    def page(self, value: Any) -> str:
        if value is None or value == "" or (self.blank_zero and value == 0):
            return ""
        if self.kind == "qty":
            return qty(value)
        if self.kind == "money":
            return money(value)
        if self.kind == "date":
            return f"{value:%d/%m/%Y}"
        return str(value)


@dataclass
class Report:
    """One report table. ``rows`` are dicts holding at least each column's key (ids and flags that are
    no column may ride along: keys starting with ``_`` stay out of the JSON); ``totals`` maps column keys
    to their total; ``summary`` holds figures that belong to no row (opening balance, goods in transit)."""

    name: str  # file name without extension
    title: str
    columns: list[Column]
    rows: list[dict[str, Any]]
    subtitle: str = ""
    totals: dict[str, Any] = field(default_factory=dict)
    summary: dict[str, Any] = field(default_factory=dict)

    @property
    def num_cols(self) -> list[int]:
        """Indexes of the columns holding numbers: pages right-align them."""
        return [i for i, c in enumerate(self.columns) if c.kind in ("qty", "money", "percent")]

    @property
    def headers(self) -> list[str]:
        return [str(c.label) for c in self.columns]

    def total_row(self) -> list[Any] | None:
        if not self.totals:
            return None
        cells = [self.totals.get(c.key, "") for c in self.columns]
        if cells[0] == "":
            cells[0] = _("Total")
        return cells

    def matrix(self) -> list[list[Any]]:
        """Values per row and column (numbers stay Decimal, dates stay dates), with the totals row."""
        rows = [[r.get(c.key, "") for c in self.columns] for r in self.rows]
        total = self.total_row()
        return [*rows, total] if total else rows

    def page_rows(
        self, link: Callable[[dict[str, Any]], str] | None = None, limit: int | None = None
    ) -> list[dict[str, Any]]:
        """Rows for ``inventory/_table.html`` (the first ``limit``): formatted cells, a link on the first
        cell, a warning flag."""
        return [
            {
                "cells": [c.page(r.get(c.key)) for c in self.columns],
                "url": link(r) if link else "",
                "warn": bool(r.get("_warn")),
            }
            for r in self.rows[:limit]
        ]

    def page_totals(self) -> list[str]:
        if not self.totals:
            return []
        cells = [c.page(self.totals.get(c.key)) for c in self.columns]
        if not cells[0]:
            cells[0] = _("Total")
        return cells

    def as_json(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "subtitle": self.subtitle,
            "columns": [{"key": c.key, "label": str(c.label), "kind": c.kind} for c in self.columns],
            "rows": [{k: v for k, v in r.items() if not k.startswith("_")} for r in self.rows],
            "totals": self.totals,
            "summary": self.summary,
        }


def _pdf_cell(value: Any) -> Any:
    return f"{value:%d/%m/%Y}" if isinstance(value, dt.date) else value


def file_response(report: Report, fmt: str, *, unavailable: Callable[[str], HttpResponse]) -> HttpResponse:
    """The report as an xlsx or PDF attachment. Without a Unicode font the PDF cannot be printed
    correctly: ``unavailable(message)`` builds the 503 answer (plain text for pages, JSON for the API)."""
    if fmt == "pdf":
        try:
            content = render_table(
                report.title, report.headers, [[_pdf_cell(v) for v in r] for r in report.matrix()], report.subtitle
            )
        except PdfUnavailable as exc:
            return unavailable(_("PDF export is unavailable: %(e)s") % {"e": exc})
        response = HttpResponse(content, content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="{report.name}.pdf"'
        return response
    content = workbook(report.title, report.headers, report.matrix(), subtitle=report.subtitle)
    response = HttpResponse(content, content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{report.name}.xlsx"'
    return response


class ReportColumnOut(Schema):
    key: str
    label: str
    kind: str


class ReportOut(Schema):
    """A report table: ``columns`` name the keys of each row that the page, Excel and PDF show (rows may
    carry ids too); ``totals`` maps column keys to totals; ``summary`` holds figures outside the rows."""

    title: str
    subtitle: str
    columns: list[ReportColumnOut]
    rows: list[dict[str, Any]]
    totals: dict[str, Any]
    summary: dict[str, Any]
