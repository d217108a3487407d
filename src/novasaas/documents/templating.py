"""Document templates (spec §10: DocumentTemplate): a DOCX of the tenant's DMS with ``{{ field }}``
placeholders filled from one business record into a new DOCX document of the template's folder.

The records are the registered kinds of ``attachments.RECORD_KINDS`` that have a principal-aware ``get``
(an HRM employee, a sales quotation or order, a project …): generating needs the kind's view permission
and a record the member may see (else 404, like its page), and edit rights on the target folder. The
fields of a record are its own columns by name (``{{ full_name }}``, ``{{ hired_on }}``), related rows
by their name (``{{ department }}``, ``{{ customer }}``), choices by their label, dates dd/mm/yyyy and
amounts with thousands separators (``1.500.000``), plus ``{{ today }}``. A placeholder with no value is
left as it is, so a misspelt field shows in the result instead of vanishing. The lines of a record
(``record.lines``: a quotation's, an order's, an invoice's, a PO's or a bill's) fill a table: a row of a
body table holding ``{{ line.<field> }}`` placeholders (``{{ line.no }}``, ``{{ line.description }}``,
``{{ line.quantity }}``, ``{{ line.unit_price }}``, ``{{ line.net_amount }}`` …) is repeated once per
line (at most 500), in the lines' order; a record with no lines drops that row, a record kind without
lines (an employee) leaves it as typed. Placeholders may be split
across runs by Word: each paragraph (in the body, tables, headers and footers) holding one is rewritten
as a single run in the formatting of its first run.
"""

from __future__ import annotations

import copy
import datetime as dt
import io
import re
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.utils import timezone
from django.utils.translation import gettext as _

from novasaas.documents import access, actions, attachments
from novasaas.documents.models import AccessLevel, Document, DocumentTemplate
from novasaas.identity.access import Principal
from novasaas.platform import audit

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)?)\s*\}\}")
LINE_PLACEHOLDER = re.compile(r"\{\{\s*line\.")
MAX_LINES = 500
HIDDEN_FIELDS = {"tenant", "password"}


def template_kinds() -> list[str]:
    """Record kinds a template can be filled from."""
    return sorted(code for code, kind in attachments.RECORD_KINDS.items() if kind.get is not None)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).strftime("%d/%m/%Y %H:%M")
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, Decimal):
        if value == value.to_integral_value():
            return f"{value:,.0f}".replace(",", ".")
        return f"{value:,.2f}".replace(",", " ").replace(".", ",").replace(" ", ".")
    return str(value)


def record_fields(record: Any) -> dict[str, str]:
    """The placeholders' values of one record (see the module docstring)."""
    out: dict[str, str] = {}
    for field in record._meta.concrete_fields:
        if field.name in HIDDEN_FIELDS:
            continue
        if field.is_relation:
            out[field.name] = _text(getattr(record, field.name, None))
        elif field.choices:
            out[field.name] = _text(getattr(record, f"get_{field.name}_display")())
        else:
            out[field.name] = _text(getattr(record, field.attname))
    out["today"] = _text(timezone.localdate())
    return out


def record_lines(record: Any) -> list[dict[str, str]] | None:
    """The values of a record's lines as ``line.<field>`` (plus ``line.no``: 1, 2, …), or ``None`` when
    the record has no ``lines``."""
    manager = getattr(record, "lines", None)
    if manager is None or not hasattr(manager, "all"):
        return None
    rows = []
    for n, line in enumerate(manager.all()[:MAX_LINES], 1):
        values = {f"line.{k}": v for k, v in record_fields(line).items() if k != "today"}
        values["line.no"] = str(n)
        rows.append(values)
    return rows


def _expand_line_rows(document: Any, values: dict[str, str], lines: list[dict[str, str]]) -> None:
    """Repeat each body-table row holding ``{{ line.… }}`` once per line, filled; drop the model row."""
    from docx.table import _Row

    for table in document.tables:
        for row in list(table.rows):
            if not LINE_PLACEHOLDER.search("".join(cell.text for cell in row.cells)):
                continue
            model = row._tr
            anchor = model
            for line in lines:
                tr = copy.deepcopy(model)
                anchor.addnext(tr)
                anchor = tr
                for cell in _Row(tr, table).cells:
                    for paragraph in _paragraphs(cell):
                        _fill_paragraph(paragraph, {**values, **line})
            model.getparent().remove(model)


def _fill_paragraph(paragraph: Any, values: dict[str, str]) -> None:
    text = paragraph.text
    if "{{" not in text:
        return
    filled = PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), text)
    if filled == text or not paragraph.runs:
        return
    runs = paragraph.runs
    runs[0].text = filled
    for run in runs[1:]:
        run.text = ""


def _paragraphs(container: Any) -> Any:
    yield from container.paragraphs
    for table in getattr(container, "tables", []):
        for row in table.rows:
            for cell in row.cells:
                yield from _paragraphs(cell)


def fill_docx(data: bytes, values: dict[str, str], lines: list[dict[str, str]] | None = None) -> bytes:
    import docx

    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as exc:  # python-docx raises many kinds of errors on a broken file
        raise ValidationError(_("The template file is not a readable DOCX document.")) from exc
    if lines is not None:
        _expand_line_rows(document, values, lines)
    containers: list[Any] = [document]
    for section in document.sections:
        containers += [section.header, section.footer]
    for container in containers:
        for paragraph in _paragraphs(container):
            _fill_paragraph(paragraph, values)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _docx_source(principal: Principal, document_id: Any) -> Document:
    try:
        pk = int(document_id)
    except (TypeError, ValueError) as exc:
        raise ValidationError({"source_id": [_("Choose a DOCX document.")]}) from exc
    doc = actions._need_document(principal, pk, AccessLevel.VIEW)
    if doc.current_version is None or doc.current_version.content_type != DOCX:
        raise ValidationError({"source_id": [_("A template must be a DOCX document.")]})
    return doc


def create_template(
    principal: Principal, *, name: Any, record_kind: Any, source_id: Any, folder_id: Any
) -> DocumentTemplate:
    """A template (``dms.use``; view rights on the DOCX, edit rights on the target folder)."""
    actions._require_use(principal)
    clean = actions._clean_name(str(name or ""), max_length=120)
    if record_kind not in template_kinds():
        raise ValidationError({"record_kind": [_("Choose a kind of record.")]})
    try:
        folder_pk = int(folder_id)
    except (TypeError, ValueError) as exc:
        raise ValidationError({"folder_id": [_("Choose a folder.")]}) from exc
    with actions.atomic_in(principal.tenant):
        source = _docx_source(principal, source_id)
        folder = actions._need_folder(principal, folder_pk, AccessLevel.EDIT)
        if DocumentTemplate.objects.filter(tenant=principal.tenant, name__iexact=clean).exists():
            raise ValidationError({"name": [_("A template with this name exists already.")]})
        try:
            template = DocumentTemplate.objects.create(
                tenant=principal.tenant,
                name=clean,
                record_kind=record_kind,
                source=source,
                folder=folder,
                created_by=actions._user(principal),
            )
        except IntegrityError as exc:  # the same name at the same time
            raise ValidationError({"name": [_("A template with this name exists already.")]}) from exc
        audit.record_created(template, actions._user(principal))
        return template


def list_templates(principal: Principal) -> list[DocumentTemplate]:
    """Templates whose DOCX the principal may view."""
    actions._require_use(principal)
    visible = set(access.visible_folder_ids(principal))
    return [
        t
        for t in DocumentTemplate.objects.filter(tenant=principal.tenant).select_related("source", "folder")
        if t.source.folder_id in visible and t.source.deleted_at is None
    ]


def get_template(principal: Principal, template_id: int) -> DocumentTemplate:
    for template in list_templates(principal):
        if template.pk == template_id:
            return template
    raise DocumentTemplate.DoesNotExist


def generate_document(principal: Principal, template_id: int, record_id: Any, *, name: str = "") -> Document:
    """Fill the template from one record into a new DOCX document of the template's folder. Needs the
    record kind's view permission on a record the principal sees (else 404) and edit rights on the
    folder; the upload pipeline applies (type by content, size, quota, audit)."""
    template = get_template(principal, template_id)
    try:
        rid = int(record_id)
    except (TypeError, ValueError) as exc:
        raise ValidationError({"record_id": [_("Enter the record's number.")]}) from exc
    if not 0 < rid < 2**63:
        raise ValidationError({"record_id": [_("Enter the record's number.")]})
    kind = attachments.record_kind(principal, template.record_kind, rid)
    assert kind.get is not None
    record = kind.get(principal, rid)
    source = template.source.current_version
    assert source is not None
    with source.file.open("rb") as fh:
        data = fh.read()
    filled = fill_docx(data, record_fields(record), record_lines(record))
    title = name or f"{template.name} — {record}"
    doc = actions.upload_document(
        principal,
        template.folder_id,
        io.BytesIO(filled),
        f"{title[:150]}.docx",
        name=f"{title[:190]}.docx",
        comment=f"{template.name}: {template.record_kind} {rid}"[:300],
    )
    return doc
