"""PDF report tables: the renderer lives in :mod:`novasaas.platform.pdf` (shared by every module);
this module keeps the names Accounting has always imported."""

from __future__ import annotations

from novasaas.platform.pdf import FONT_CANDIDATES, PdfUnavailable, _text, font_path, render_table

__all__ = ["FONT_CANDIDATES", "PdfUnavailable", "_text", "font_path", "render_table"]
