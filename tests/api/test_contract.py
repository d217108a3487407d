"""What the OpenAPI document promises, the API keeps (each class of finding of the full schemathesis run):
dates and booleans are the documented types, never a number read as one; report files are documented
content types; every error matches its documented schema."""

from __future__ import annotations

from novasaas.config.api import FILE_TYPES, api
from novasaas.platform.api import wrongly_typed


def test_a_number_is_no_date_in_a_query(api_a):
    r = api_a.get("/api/v1/audit", {"until": "0"})
    assert r.status_code == 422
    assert r.json()["detail"][0]["loc"] == ["query", "until"]
    r = api_a.get("/api/v1/accounting/reports/trial-balance", {"date_to": "1700000000"})
    assert r.status_code == 422
    assert api_a.get("/api/v1/audit", {"until": "2026-01-31"}).status_code == 200


def test_a_number_is_no_date_in_a_body_and_nothing_is_created(api_a):
    years = len(api_a.get("/api/v1/accounting/fiscal-years").json())
    r = api_a.post("/api/v1/accounting/fiscal-years", {"start_date": 0})
    assert r.status_code == 422
    assert "YYYY-MM-DD" in str(r.json()["detail"])
    assert api_a.post("/api/v1/accounting/fiscal-years", {"start_date": "20"}).status_code == 422
    assert len(api_a.get("/api/v1/accounting/fiscal-years").json()) == years


def test_a_number_or_a_word_is_no_boolean_in_a_json_body(api_a):
    for value in (0, 1, "yes", "true"):
        r = api_a.post("/api/v1/inventory/warehouses", {"code": "WB", "name": "Kho B", "is_default": value})
        assert r.status_code == 422, value
    assert not any(w["code"] == "WB" for w in api_a.get("/api/v1/inventory/warehouses").json())
    r = api_a.post("/api/v1/inventory/warehouses", {"code": "WB", "name": "Kho B", "is_default": False})
    assert r.status_code == 201
    # in a query string a boolean is text, as always
    assert api_a.get("/api/v1/inventory/warehouses", {"include_inactive": "true"}).status_code == 200


def test_a_boolean_is_no_number_in_a_json_body(api_a):
    assert wrongly_typed(int, True, text_is_json=True) and wrongly_typed(int, False, text_is_json=True)
    assert wrongly_typed(int, 0, text_is_json=True) is None
    unit = api_a.post("/api/v1/inventory/units", {"code": "HOP", "name": "Hộp"}).json()["id"]
    for field, value in (("shelf_life_days", True), ("stock_unit_id", True), ("shelf_life_days", False)):
        body = {"sku": "BOOL-1", "name": "Sữa", "stock_unit_id": unit, field: value}
        r = api_a.post("/api/v1/inventory/products", body)
        assert r.status_code == 422 and r.json()["detail"][0]["loc"][-1] == field, (field, value)
    assert api_a.get("/api/v1/inventory/products", {"q": "BOOL-1"}).json()["count"] == 0
    r = api_a.post("/api/v1/inventory/products", {"sku": "BOOL-1", "name": "Sữa", "stock_unit_id": unit})
    assert r.status_code == 201


def test_every_report_with_a_file_format_documents_the_files():
    doc = api.get_openapi_schema()
    reports = 0
    for path, operations in doc["paths"].items():
        for method, operation in operations.items():
            names = [p["name"] for p in operation.get("parameters", []) if p["in"] == "query"]
            if "format" not in names:
                continue
            content = operation["responses"][200]["content"]
            assert set(FILE_TYPES.values()) <= set(content), (method, path)
            assert "application/json" in content
            assert 503 in operation["responses"], (method, path)
            reports += 1
    assert reports >= 20  # inventory's and accounting's reports


def test_a_report_file_has_a_documented_content_type(api_a):
    doc = api.get_openapi_schema()
    for url in ("/api/v1/inventory/reports/expired", "/api/v1/accounting/reports/trial-balance"):
        r = api_a.get(url, {"format": "xlsx"})
        assert r.status_code == 200
        assert r["Content-Type"] in doc["paths"][url]["get"]["responses"][200]["content"]


def test_an_unreadable_import_body_matches_the_documented_error(api_a):
    # the body is read before the bank account is looked up
    url = "/api/v1/accounting/bank-accounts/999999/statement-profiles"
    r = api_a.post(url, "{not json")
    assert r.status_code == 400
    assert r.json()["detail"] and r.json().get("errors", []) == []
    schema = api.get_openapi_schema()["components"]["schemas"]["ImportErrors"]
    assert set(schema["required"]) <= set(r.json())


def test_a_filter_naming_an_unknown_journal_or_account_is_404(api_a, api_b):
    journals = api_a.get("/api/v1/accounting/journals").json()
    accounts = api_a.get("/api/v1/accounting/accounts").json()
    theirs = api_b.get("/api/v1/accounting/journals").json()[0]["id"]
    for url, params in (
        ("/api/v1/accounting/reports/journal", {"journal_id": 999999}),
        ("/api/v1/accounting/reports/journal", {"journal_id": theirs}),  # another company's journal
        ("/api/v1/accounting/entries", {"journal_id": 999999}),
        ("/api/v1/accounting/entries", {"account_id": 999999}),
    ):
        r = api_a.get(url, params)
        assert r.status_code == 404, (url, params, r.content)
        assert str(list(params.values())[0]) in r.json()["detail"]
    # this company's own journal and account filter as before
    assert api_a.get("/api/v1/accounting/reports/journal", {"journal_id": journals[0]["id"]}).status_code == 200
    r = api_a.get("/api/v1/accounting/entries", {"journal_id": journals[0]["id"], "account_id": accounts[0]["id"]})
    assert r.status_code == 200


def test_every_operation_documents_the_errors_it_can_answer():
    """The errors the exception handlers answer anywhere: 422 and 400 always, 404 where an id may name
    nothing, 409 on writes, 401/403 where credentials are needed."""
    doc = api.get_openapi_schema()
    operations = [(m, op) for ops in doc["paths"].values() for m, op in ops.items()]
    assert len(operations) > 200
    for method, op in operations:
        documented = set(op["responses"])
        assert {422, 400} <= documented, op["operationId"]
        if any(p["in"] == "path" for p in op.get("parameters", [])):
            assert 404 in documented, op["operationId"]
        if method != "get":
            assert 409 in documented, op["operationId"]
        if op.get("security"):
            assert {401, 403} <= documented, op["operationId"]


def test_a_number_beyond_64_bits_is_refused_not_a_conflict(api_a):
    """SQLite read a huge OFFSET literal as a float: "datatype mismatch", answered as a 409 conflict."""
    r = api_a.get("/api/v1/inventory/transfers", {"limit": "5", "offset": "1242876846093314829993377792"})
    assert r.status_code == 422
    assert r.json()["detail"][0]["loc"] == ["query", "offset"]
    assert api_a.get("/api/v1/inventory/transfers", {"offset": str(2**63)}).status_code == 422
    assert api_a.get("/api/v1/inventory/transfers", {"offset": str(2**63 - 1)}).status_code == 200
    # the same rule holds for integer fields of a JSON body (StrictSchema)
    assert wrongly_typed(int, 2**63, text_is_json=True) and wrongly_typed(int, "9" * 5000, text_is_json=True)
    assert wrongly_typed(int, 2**63 - 1, text_is_json=True) is None
    assert wrongly_typed(int, "١٢", text_is_json=False) is None  # not ASCII digits: pydantic's to refuse


def test_a_delete_that_only_deactivates_says_so():
    """Master data other documents refer to is deactivated, never deleted: the API says so where a client
    reads it (summary or description), and a product's DELETE is a 409 pointing to its deactivate action."""
    doc = api.get_openapi_schema()
    deactivating = []
    for path, ops in doc["paths"].items():
        op = ops.get("delete")
        if not op or 204 not in {int(c) for c in op["responses"]}:
            continue
        text = f"{op.get('summary', '')} {op.get('description', '')}".lower()
        if "deactivat" in text:
            deactivating.append(path)
        assert not text.startswith("delete party"), path
    for resource in ("/parties/{party_id}", "/inventory/units/{unit_id}", "/inventory/warehouses/{warehouse_id}"):
        assert any(p.endswith(resource) for p in deactivating), resource
    products = doc["paths"]["/api/v1/inventory/products/{product_id}"]["delete"]
    codes = {int(c) for c in products["responses"]}
    assert 409 in codes and 204 not in codes
