"""Document templates: a DOCX with placeholders filled from an HRM employee (a labour contract) or a
sales quotation into a new document of the template's folder; rights of the record and of the folders;
pages and API; two tenants."""

from __future__ import annotations

import io

import docx
import pytest
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError

from novasaas.documents import actions, templating
from novasaas.documents.models import Document, DocumentTemplate
from novasaas.documents.tests.helpers import docx_bytes, principal, upload
from novasaas.platform.tenancy import tenant_context
from novasaas.platform.testing.fixtures import ApiClient, web_client


def _text_of(doc: Document) -> str:
    version = doc.current_version
    with version.file.open("rb") as fh:
        document = docx.Document(io.BytesIO(fh.read()))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        parts += [cell.text for row in table.rows for cell in row.cells]
    return "\n".join(parts)


def _contract_docx() -> bytes:
    document = docx.Document()
    document.add_paragraph("HỢP ĐỒNG LAO ĐỘNG")
    p = document.add_paragraph("Họ tên: ")
    # Word splits a placeholder over runs: "{{ full" + "_name }}"
    p.add_run("{{ full")
    p.add_run("_name }}").bold = True
    document.add_paragraph("Mã: {{code}} — Bộ phận: {{ department }} — Ngày vào: {{ hired_on }}")
    table = document.add_table(rows=1, cols=2)
    table.cell(0, 0).text = "Ngày lập"
    table.cell(0, 1).text = "{{ today }}"
    document.add_paragraph("Không có trường {{ no_such_field }}.")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _setup(tenant):
    from novasaas.hrm.tests.helpers import world

    w = world(tenant)
    admin = principal(tenant)
    folder = actions.create_folder(admin, "Nhân sự")
    actions.set_folder_grants(admin, folder.pk, [{"role_code": "hr_manager", "level": 2}])
    source = actions.upload_document(admin, folder.pk, upload(_contract_docx(), "mau-hop-dong.docx"))
    return w, admin, folder, source


def test_contract_from_an_employee(tenant_a, today):
    with tenant_context(tenant_a):
        w, admin, folder, source = _setup(tenant_a)
        hr = w.hr
        template = templating.create_template(
            hr, name="Hợp đồng lao động", record_kind="hrm.employee", source_id=source.pk, folder_id=folder.pk
        )
        doc = templating.generate_document(hr, template.pk, w.bob.pk)
        assert doc.folder_id == folder.pk and doc.name.endswith(".docx")
        assert doc.current_version.content_type == templating.DOCX
        text = _text_of(doc)
        assert "Họ tên: Trần Văn Bob" in text
        assert f"Mã: {w.bob.code} — Bộ phận: {w.sales} — Ngày vào: 05/01/2026" in text
        assert today.strftime("%d/%m/%Y") in text
        assert "{{ no_such_field }}" in text  # left as typed: a misspelt field shows
        # the source is unchanged
        assert "{{ full" in _text_of(Document.objects.get(pk=source.pk)).replace("{{ full_name }}", "{{ full")

        # refusals: a record the member may not see is a 404; no edit right on the folder is a 403
        employee = principal(tenant_a, "employee")  # sees only their own record, has no HR folder right
        with pytest.raises(ObjectDoesNotExist):
            templating.generate_document(employee, template.pk, w.bob.pk)  # the template is not visible either
        with pytest.raises(ObjectDoesNotExist):
            templating.generate_document(hr, template.pk, w.bob.pk + 10_000)
        with pytest.raises(ValidationError):
            templating.generate_document(hr, template.pk, "abc")
        with pytest.raises(ValidationError):  # unknown kind
            templating.create_template(hr, name="X", record_kind="nope", source_id=source.pk, folder_id=folder.pk)
        with pytest.raises(ValidationError):  # a source that is not a DOCX
            txt = actions.upload_document(admin, folder.pk, upload("không phải docx", "a.txt"))
            templating.create_template(hr, name="Y", record_kind="hrm.employee", source_id=txt.pk, folder_id=folder.pk)
        with pytest.raises(ValidationError):  # the name is unique in the company
            templating.create_template(
                hr, name="hợp đồng lao động", record_kind="hrm.employee", source_id=source.pk, folder_id=folder.pk
            )
        hr_staff = principal(tenant_a, "hr_staff")  # sees employees but holds no right on the folder
        with pytest.raises((PermissionDenied, ObjectDoesNotExist)):
            templating.generate_document(hr_staff, template.pk, w.bob.pk)


def test_quotation_letter_through_api_and_pages(tenant_a, tenant_b):
    from novasaas.sales import quotations
    from novasaas.sales.tests.helpers import beer_line, world

    with tenant_context(tenant_a):
        w = world(tenant_a, 0)
        q = quotations.create_quotation(w.staff, customer_id=w.customer.pk, lines=[beer_line(w, 3, "20000")])
        admin = principal(tenant_a)
        folder = actions.create_folder(admin, "Báo giá")
        source = actions.upload_document(
            admin, folder.pk, upload(docx_bytes("Kính gửi {{ customer }}", "Báo giá số {{ number }}"), "thu.docx")
        )
    api = ApiClient(tenant_a, w.staff.user)
    r = api.post(
        "/api/v1/documents/templates",
        {"name": "Thư báo giá", "record_kind": "crm.quotation", "source_id": source.pk, "folder_id": folder.pk},
    )
    assert r.status_code == 201, r.content
    template_id = r.json()["id"]
    assert [t["name"] for t in api.get("/api/v1/documents/templates").json()] == ["Thư báo giá"]
    r = api.post(f"/api/v1/documents/templates/{template_id}/generate", {"record_id": q.pk})
    assert r.status_code == 201, r.content
    with tenant_context(tenant_a):
        text = _text_of(Document.objects.get(pk=r.json()["id"]))
    assert f"Báo giá số {q.number}" in text and f"Kính gửi {w.customer}" in text
    # another salesperson does not see this quotation: 404, nothing created
    with tenant_context(tenant_a):
        other = principal(tenant_a, "sales_staff")
    r = ApiClient(tenant_a, other.user).post(f"/api/v1/documents/templates/{template_id}/generate", {"record_id": q.pk})
    assert r.status_code == 404
    assert api.post(f"/api/v1/documents/templates/{template_id}/generate", {"record_id": "x"}).status_code == 422

    # pages
    web = web_client(tenant_a, w.staff.user)
    page = web.get("/documents/templates/")
    assert page.status_code == 200 and "Thư báo giá" in page.content.decode()
    r = web.post("/documents/templates/", {"op": "generate", "template": template_id, "record_id": q.pk})
    assert r.status_code == 302
    r = web.post("/documents/templates/", {"op": "generate", "template": template_id, "record_id": "abc"})
    assert r.status_code == 400
    r = web.post("/documents/templates/", {"op": "create", "name": "", "record_kind": "crm.quotation"})
    assert r.status_code == 400

    # tenant B sees neither the template nor can use it
    web_b = web_client(tenant_b, principal_user(tenant_b))
    assert "Thư báo giá" not in web_b.get("/documents/templates/").content.decode()
    api_b = ApiClient(tenant_b, principal_user(tenant_b))
    assert api_b.get("/api/v1/documents/templates").json() == []
    assert api_b.post(f"/api/v1/documents/templates/{template_id}/generate", {"record_id": q.pk}).status_code == 404
    with tenant_context(tenant_a):
        assert DocumentTemplate.objects.count() == 1


def principal_user(tenant):
    from novasaas.platform.testing.fixtures import admin_of

    return admin_of(tenant)


def test_the_lines_of_a_quotation_fill_a_table(tenant_a):
    """A table row with ``{{ line.… }}`` placeholders is repeated once per line of the record, in order;
    the header row and the other placeholders are filled as usual; a record kind without lines (an
    employee) leaves the row as typed."""
    from novasaas.sales import quotations
    from novasaas.sales.tests.helpers import beer_line, world

    document = docx.Document()
    document.add_paragraph("Báo giá số {{ number }}")
    table = document.add_table(rows=2, cols=5)
    for i, head in enumerate(("STT", "Diễn giải", "Số lượng", "Đơn giá", "Thành tiền")):
        table.cell(0, i).text = head
    for i, field in enumerate(("no", "description", "quantity", "unit_price", "net_amount")):
        table.cell(1, i).text = "{{ line." + field + " }}"
    out = io.BytesIO()
    document.save(out)
    with tenant_context(tenant_a):
        w = world(tenant_a, 0)
        q = quotations.create_quotation(
            w.staff, customer_id=w.customer.pk, lines=[beer_line(w, 3, "20000"), beer_line(w, 2, "15000")]
        )
        admin = principal(tenant_a)
        folder = actions.create_folder(admin, "Báo giá")
        source = actions.upload_document(admin, folder.pk, upload(out.getvalue(), "bang.docx"))
        template = templating.create_template(
            w.staff, name="Bảng báo giá", record_kind="crm.quotation", source_id=source.pk, folder_id=folder.pk
        )
        made = templating.generate_document(w.staff, template.pk, q.pk)
        with made.current_version.file.open("rb") as fh:
            result = docx.Document(io.BytesIO(fh.read()))
        description = q.lines.order_by("position", "id").first().description
    rows = [[cell.text for cell in row.cells] for row in result.tables[0].rows]
    assert rows == [
        ["STT", "Diễn giải", "Số lượng", "Đơn giá", "Thành tiền"],
        ["1", description, "3", "20.000", "60.000"],
        ["2", description, "2", "15.000", "30.000"],
    ]
    assert result.paragraphs[0].text == f"Báo giá số {q.number}"
    # no lines on an employee: the row stays as typed
    kept = docx.Document(io.BytesIO(templating.fill_docx(out.getvalue(), {"number": "x"}, None)))
    assert kept.tables[0].rows[1].cells[0].text == "{{ line.no }}"


def test_the_record_page_offers_its_kinds_templates(tenant_a):
    """The attachments box of a record (on the quotation's page) lists the templates of its kind with a
    "Generate from a template" button that creates the document from that record; other kinds' are not
    offered."""
    from django.urls import reverse

    from novasaas.sales import quotations
    from novasaas.sales.tests.helpers import beer_line, world

    with tenant_context(tenant_a):
        w = world(tenant_a, 0)
        q = quotations.create_quotation(w.staff, customer_id=w.customer.pk, lines=[beer_line(w, 1, "10000")])
        admin = principal(tenant_a)
        folder = actions.create_folder(admin, "Báo giá")
        source = actions.upload_document(admin, folder.pk, upload(docx_bytes("Số {{ number }}"), "thu.docx"))
        templating.create_template(
            admin, name="Thư báo giá", record_kind="crm.quotation", source_id=source.pk, folder_id=folder.pk
        )
        templating.create_template(
            admin, name="Hợp đồng lao động", record_kind="hrm.employee", source_id=source.pk, folder_id=folder.pk
        )
    web = web_client(tenant_a, w.staff.user)
    box = web.get(reverse("documents-attachments", args=["crm.quotation", q.pk])).content.decode()
    assert "Tạo tài liệu từ mẫu" in box and "Thư báo giá" in box and "Hợp đồng lao động" not in box
    r = web.post(
        "/documents/templates/",
        {"op": "generate", "template": _template_id("Thư báo giá", tenant_a), "record_id": q.pk},
    )
    assert r.status_code == 302
    with tenant_context(tenant_a):
        made = Document.objects.get(pk=int(r["Location"].rstrip("/").rsplit("/", 1)[-1]))
        assert f"Số {q.number}" in _text_of(made)


def _template_id(name, tenant):
    with tenant_context(tenant):
        return DocumentTemplate.objects.get(name=name).pk
