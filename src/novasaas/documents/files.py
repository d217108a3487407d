"""What a stored file is and what text it holds: the type is decided from the content (magic numbers
through the ``filetype`` library, UTF-8 text by decoding), never from the name or the browser's claim;
images must decode; text is extracted from PDF (pypdf), DOCX (python-docx), XLSX (openpyxl) and TXT for
the search."""

from __future__ import annotations

import io
import logging
import unicodedata
from pathlib import PurePosixPath

import filetype

log = logging.getLogger(__name__)

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TEXT = "text/plain"
# content type → (extension, kind); kind decides the preview: pdf, image, text or none
TYPES: dict[str, tuple[str, str]] = {
    PDF: (".pdf", "pdf"),
    "image/jpeg": (".jpg", "image"),
    "image/png": (".png", "image"),
    "image/webp": (".webp", "image"),
    "image/gif": (".gif", "image"),
    DOCX: (".docx", "none"),
    XLSX: (".xlsx", "none"),
    TEXT: (".txt", "text"),
}
MAX_TEXT = 200_000  # characters of extracted text kept for the search
_SNIFF = 8192


def _is_text(data: bytes) -> bool:
    if b"\x00" in data[:_SNIFF]:
        return False
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    controls = sum(1 for ch in text[:_SNIFF] if unicodedata.category(ch) == "Cc" and ch not in "\r\n\t\f")
    return controls == 0


def detect(data: bytes) -> str | None:
    """The content type of ``data`` when it is one of ``TYPES``, else None (an .exe named .pdf → None)."""
    kind = filetype.guess(data[:_SNIFF] if data[:2] != b"PK" else data)
    if kind is not None:
        return kind.mime if kind.mime in TYPES else None
    return TEXT if _is_text(data) else None


def image_is_readable(data: bytes) -> bool:
    try:
        from PIL import Image

        with Image.open(io.BytesIO(data)) as img:
            img.verify()
    except Exception:  # noqa: BLE001 - any decoder error means "not an image"
        return False
    return True


def preview_kind(content_type: str) -> str:
    return TYPES.get(content_type, ("", "none"))[1]


def display_name(name: str, content_type: str) -> str:
    """The uploaded name without path or control characters, with the extension of the real type."""
    base = PurePosixPath(str(name or "").replace("\\", "/")).name
    base = "".join(ch for ch in base if unicodedata.category(ch)[0] != "C").strip()
    ext = TYPES[content_type][0]
    stem = PurePosixPath(base).stem if base else ""
    return f"{stem or 'document'}{ext}"[-200:]


def extract_text(content_type: str, data: bytes) -> str:
    """The text of the file for the search ('' when it has none or cannot be read)."""
    try:
        if content_type == TEXT:
            text = data.decode("utf-8", errors="replace")
        elif content_type == PDF:
            from pypdf import PdfReader

            reader = PdfReader(io.BytesIO(data))
            parts = []
            for page in reader.pages[:500]:
                parts.append(page.extract_text() or "")
                if sum(map(len, parts)) > MAX_TEXT:
                    break
            text = "\n".join(parts)
        elif content_type == DOCX:
            import docx

            document = docx.Document(io.BytesIO(data))
            parts = [p.text for p in document.paragraphs]
            for table in document.tables:
                parts += [cell.text for row in table.rows for cell in row.cells]
            text = "\n".join(parts)
        elif content_type == XLSX:
            from openpyxl import load_workbook

            wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
            parts = []
            for ws in wb.worksheets:
                for row in ws.iter_rows(values_only=True):
                    parts += [str(v) for v in row if v is not None]
                    if len(parts) > MAX_TEXT // 4:
                        break
            wb.close()
            text = " ".join(parts)
        else:
            return ""
    except Exception:  # noqa: BLE001 - a damaged file is still stored; it only has no searchable text
        log.warning("no text extracted from a %s file", content_type, exc_info=True)
        return ""
    return text[:MAX_TEXT]
