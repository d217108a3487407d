"""Spec §7.2 audit: every function of the Finance Manager (7.2.1) and the Accountant (7.2.2) is reachable
through a page AND an API endpoint by the roles that have it, and refused (403) to the others.

Each row: spec function, roles that may use it, page requests, API requests. A request of an allowed
role must not be refused (its payload may still be rejected as bad input: 400/404 prove the permission
passed); a request of another role must answer 403. Behaviour itself is tested in the other files.
"""

from __future__ import annotations

import io

import pytest
from django.utils import timezone

from novasaas.accounting import actions
from novasaas.accounting.tests.helpers import make_party, principal
from novasaas.accounting.tests.test_api import URL, entry_payload
from novasaas.platform.tenancy import tenant_context
from novasaas.platform.testing.fixtures import ApiClient, create_user, web_client

FM, ACC = "finance_manager", "accountant"
BOTH = {FM, ACC}
OUTSIDER = "sales_staff"


@pytest.fixture
def ids(tenant_a):
    from novasaas.accounting.models import Account, FiscalYear

    fm = principal(tenant_a, FM)
    actions.ensure_chart(tenant_a)
    party = make_party(tenant_a)
    entry = actions.post_entry(
        fm,
        actions.create_entry(
            fm,
            journal_id="GEN",
            date=timezone.localdate(),
            lines=[
                {"account": "1111", "debit": "1000", "credit": "0"},
                {"account": "4111", "debit": "0", "credit": "1000"},
            ],
        ).pk,
    )
    from novasaas.accounting import banking, budgets

    with tenant_context(tenant_a):
        year = FiscalYear.objects.order_by("start_date").first()
        period = year.periods.order_by("start_date").first()
        bank_account = Account.objects.get(code="1121")
        cash = Account.objects.get(code="1111")
    bank = banking.create_bank_account(
        fm, name="VCB", bank_name="Vietcombank", number="0011", account_id=bank_account.pk
    )
    budget = budgets.create_budget(fm, fiscal_year_id=year.pk, name="Chi phí")
    return {
        "entry": entry.pk,
        "year": year.pk,
        "period": period.pk,
        "bank": bank.pk,
        "bank_ledger": bank_account.pk,
        "budget": budget.pk,
        "party": party,
        "account": cash.pk,
        "day": timezone.localdate().isoformat(),
    }


# (function, roles, [page requests], [API requests]); a request is (method, path, data)
FUNCTIONS = [
    # 7.2.1 Finance Manager
    (
        "Thiết lập hệ thống tài khoản",
        {FM},
        [("get", "/accounting/settings/", None), ("post", "/accounting/accounts/new/", {"code": ""})],
        [
            ("post", "/accounts", {"parent_id": "{account}", "code": "11111", "name_vi": "Quỹ"}),
            ("put", "/mappings/cash", {"account_id": "{account}"}),
        ],
    ),
    (
        "Cấu hình năm/kỳ kế toán",
        {FM},
        [
            ("post", "/accounting/periods/new-year/", {"start_date": ""}),
            ("post", "/accounting/journals/", {"code": ""}),
        ],
        [
            ("post", "/fiscal-years", {"start_date": "2090-01-01"}),
            ("post", "/journals", {"code": "X9", "name": "Sổ X"}),
        ],
    ),
    (
        "Thiết lập thuế suất",
        {FM},
        [("post", "/accounting/taxes/", {"code": ""})],
        [("post", "/tax-rates", {"code": "VATX", "name": "x", "rate": "1", "valid_from": "2090-01-01"})],
    ),
    (
        "Liên kết tài khoản ngân hàng",
        {FM},
        [("post", "/accounting/bank/", {"name": ""})],
        [("post", "/bank-accounts", {"name": "ACB", "number": "9988", "account_id": "{bank_ledger}"})],
    ),
    (
        "Duyệt bút toán",
        {FM},
        [("post", "/accounting/entries/{entry}/approve/", None), ("post", "/accounting/entries/{entry}/reject/", None)],
        [("post", "/entries/{entry}/approve", None), ("post", "/entries/{entry}/reject", {})],
    ),
    (
        "Đảo bút toán",
        {FM},
        [("post", "/accounting/entries/999999/reverse/", None)],
        [("post", "/entries/999999/reverse", {})],
    ),
    (
        "Khóa kỳ kế toán",
        {FM},
        [
            ("post", "/accounting/periods/999999/close/", None),
            ("post", "/accounting/periods/999999/lock/", None),
            ("post", "/accounting/years/999999/close/", None),
            ("post", "/accounting/years/999999/undo-closing/", None),
        ],
        [
            ("post", "/periods/999999/close", None),
            ("post", "/periods/999999/reopen", None),
            ("post", "/periods/999999/lock", None),
            ("post", "/fiscal-years/999999/close", None),
            ("post", "/fiscal-years/999999/undo-closing", {}),
        ],
    ),
    # AR/AP aging: the catalogue also gives it to the Accountant (reconciliation and reminders need it)
    (
        "Theo dõi công nợ phải thu",
        BOTH,
        [("get", "/accounting/aging/?kind=receivable", None)],
        [("get", "/reports/aging?kind=receivable", None)],
    ),
    (
        "Theo dõi công nợ phải trả",
        BOTH,
        [("get", "/accounting/aging/?kind=payable", None)],
        [("get", "/reports/aging?kind=payable", None)],
    ),
    (
        "Duyệt thanh toán",
        {FM},
        [("post", "/accounting/payments/999999/approve/", None), ("post", "/accounting/payments/999999/reject/", None)],
        [("post", "/payments/999999/approve", None), ("post", "/payments/999999/reject", {})],
    ),
    (
        "Tạo ngân sách",
        {FM},
        [("post", "/accounting/budgets/", {"name": ""}), ("post", "/accounting/budgets/{budget}/", {"lines": ""})],
        [
            ("post", "/budgets", {"fiscal_year_id": "{year}", "name": "Mới"}),
            ("put", "/budgets/{budget}/lines", {"lines": []}),
        ],
    ),
    (
        "Theo dõi thực hiện ngân sách",
        {FM},
        [("get", "/accounting/budgets/{budget}/", None)],
        [("get", "/budgets/{budget}/vs-actual", None)],
    ),
    (
        "Bảng cân đối kế toán",
        {FM},
        [("get", "/accounting/reports/balance-sheet/", None)],
        [("get", "/reports/balance-sheet", None)],
    ),
    (
        "Báo cáo kết quả kinh doanh",
        {FM},
        [("get", "/accounting/reports/income-statement/", None)],
        [("get", "/reports/income-statement", None)],
    ),
    (
        "Báo cáo lưu chuyển tiền tệ",
        {FM},
        [("get", "/accounting/reports/cash-flow/", None)],
        [("get", "/reports/cash-flow", None)],
    ),
    (
        "Sổ cái",
        BOTH,
        [("get", "/accounting/accounts/{account}/ledger/", None), ("get", "/accounting/reports/journal/", None)],
        [("get", "/accounts/{account}/ledger", None), ("get", "/reports/journal", None)],
    ),
    (
        "Báo cáo thuế",
        {FM},
        [("get", "/accounting/reports/vat/", None)],
        [("get", "/reports/vat-listing?direction=input", None), ("get", "/reports/vat-return", None)],
    ),
    (
        "Kê khai thuế",
        {FM},
        [
            ("get", "/accounting/reports/vat/?format=xlsx&form=01", None),
            ("post", "/accounting/reports/vat/file/", {"date_from": "2000-01-01"}),
        ],
        [
            ("get", "/reports/vat-return?format=xlsx", None),
            ("get", "/vat-filings", None),
            ("post", "/vat-filings", {"date_from": "2000-01-01"}),
        ],
    ),
    # 7.2.2 Accountant (the Finance Manager has these too)
    (
        "Tạo bút toán thủ công",
        BOTH,
        [("get", "/accounting/entries/new/", None), ("post", "/accounting/entries/new/", {})],
        [("post", "/entries", "ENTRY")],
    ),
    (
        "Import bút toán",
        BOTH,
        [("get", "/accounting/entries/import/", None), ("post", "/accounting/entries/import/", {})],
        [("post", "/entries/import", "UPLOAD")],
    ),
    (
        "Xem sổ sách",
        BOTH,
        [
            ("get", "/accounting/entries/", None),
            ("get", "/accounting/reports/trial-balance/", None),
            ("get", "/accounting/chart/", None),
        ],
        [("get", "/entries", None), ("get", "/reports/trial-balance", None), ("get", "/entries/{entry}", None)],
    ),
    (
        "Ghi nhận thanh toán",
        BOTH,
        [("get", "/accounting/payments/", None), ("post", "/accounting/payments/", {})],
        [("post", "/payments", {"kind": "receipt", "party_id": "{party}", "date": "{day}", "amount": "1000"})],
    ),
    (
        "Đối chiếu công nợ",
        BOTH,
        [("post", "/accounting/aging/allocate/", {})],
        [("post", "/allocations", {"payment_line_id": 999999, "invoice_line_id": 999998, "amount": "1"})],
    ),
    (
        "Gửi nhắc nợ",
        BOTH,
        [("post", "/accounting/aging/reminders/", {})],
        [("post", "/reminders", {})],
    ),
    (
        "Import sao kê",
        BOTH,
        [("post", "/accounting/bank/{bank}/", {"action": "import"})],
        [("post", "/bank-accounts/{bank}/statements", "UPLOAD")],
    ),
    (
        "Đối chiếu ngân hàng",
        BOTH,
        [
            ("get", "/accounting/bank/{bank}/", None),
            ("post", "/accounting/bank/{bank}/", {"action": "match", "tx": "1"}),
        ],
        [
            ("get", "/bank-accounts/{bank}/reconciliation", None),
            ("get", "/bank-accounts/{bank}/proposals", None),
            ("post", "/bank-transactions/999999/match", {"line_id": 999999}),
            ("post", "/bank-transactions/999999/fee", {}),
        ],
    ),
    (
        "Xác nhận doanh thu",
        BOTH,
        [("post", "/accounting/daily/", {"kind": "revenue"})],
        [("post", "/revenues", {"date": "{day}", "amount": "1000", "settlement": "cash"})],
    ),
    (
        "Ghi nhận chi phí",
        BOTH,
        [("post", "/accounting/daily/", {"kind": "expense"})],
        [("post", "/expenses", {"date": "{day}", "amount": "1000", "settlement": "cash"})],
    ),
    (
        "Tính giá vốn",
        BOTH,
        [("get", "/accounting/cost-of-goods-sold/", None), ("post", "/accounting/cost-of-goods-sold/", {})],
        [
            ("get", "/cost-of-goods-sold", None),
            ("post", "/cost-of-goods-sold", {"month": "2026-01", "closing": [{"account_id": 999999, "value": "1"}]}),
        ],
    ),
]


def _fill(value, ids):
    if value == "ENTRY":
        return entry_payload()
    if isinstance(value, str):
        return value.format(**ids)
    if isinstance(value, dict):
        out = {k: _fill(v, ids) for k, v in value.items()}
        return {k: (int(v) if k.endswith("_id") and isinstance(v, str) and v.isdigit() else v) for k, v in out.items()}
    return value


@pytest.mark.parametrize(("function", "roles", "pages", "apis"), FUNCTIONS, ids=[f[0] for f in FUNCTIONS])
def test_function_has_page_and_api_for_its_roles(tenant_a, ids, function, roles, pages, apis):
    assert pages and apis, f"{function}: needs a page and an API endpoint"
    for role in (FM, ACC, OUTSIDER):
        user = create_user(tenant_a, role)
        api, web = ApiClient(tenant_a, user), web_client(tenant_a, user)
        allowed = role in roles
        for method, path, data in pages:
            r = getattr(web, method)(_fill(path, ids), _fill(data, ids) or {})
            if allowed:
                assert r.status_code != 403, (function, role, path)
                if method == "get":
                    assert r.status_code == 200, (function, role, path, r.status_code)
            else:
                assert r.status_code == 403, (function, role, path, r.status_code)
        for method, path, data in apis:
            if data == "UPLOAD":  # multipart: a small CSV that the import refuses (400) or takes
                f = io.BytesIO(b"date,amount\n")
                f.name = "x.csv"
                r = api.client.post(f"{URL}{_fill(path, ids)}", {"file": f}, HTTP_AUTHORIZATION=f"Bearer {api.token}")
            else:
                r = getattr(api, method)(f"{URL}{_fill(path, ids)}", _fill(data, ids))
            if allowed:
                assert r.status_code != 403, (function, role, path, r.content[:200])
                assert r.status_code < 500, (function, role, path)
                if method == "get":
                    assert r.status_code == 200, (function, role, path, r.status_code)
            else:
                assert r.status_code == 403, (function, role, path, r.status_code)
