"""Small helpers of the documents tests: principals per role, uploads with real content."""

from __future__ import annotations

import io
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from novasaas.inventory.tests.helpers import principal

__all__ = ["docx_bytes", "exe_bytes", "pdf_bytes", "principal", "upload"]


def pdf_bytes(text: str = "Hello") -> bytes:
    """A one-page PDF whose text pypdf extracts (fpdf2, a project dependency)."""
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=12)
    pdf.cell(text=text)
    return bytes(pdf.output())


def docx_bytes(*paragraphs: str) -> bytes:
    import docx

    document = docx.Document()
    for p in paragraphs:
        document.add_paragraph(p)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def exe_bytes() -> bytes:
    return (
        b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff"
        + b"\x00" * 200
        + b"This program cannot be run in DOS mode"
    )


def upload(data: bytes | str, name: str = "file.txt", content_type: str = "application/octet-stream") -> Any:
    raw = data.encode() if isinstance(data, str) else data
    return SimpleUploadedFile(name, raw, content_type=content_type)
