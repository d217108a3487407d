"""The monthly usage report: page (table + chart data), Excel, PDF and API from one definition; figures by hand."""

from __future__ import annotations

import datetime as dt
import io
import json

from django.utils import timezone
from openpyxl import load_workbook

from novasaas.ai.models import UsageRecord
from novasaas.identity.catalogue import MANAGER
from novasaas.platform.tenancy import tenant_context
from novasaas.platform.testing.fixtures import ApiClient, admin_of, create_user, web_client


def _usage(
    tenant,
    day,
    rid,
    *,
    model="gpt-3.5-turbo",
    credits=0,
    status="ok",
    source="shared",
    tokens=(0, 0),
    user=None,
    feature="chat",
):
    created = dt.datetime.combine(day, dt.time(10), tzinfo=timezone.get_current_timezone())
    with tenant_context(tenant):
        UsageRecord.objects.create(
            request_id=rid,
            user=user,
            feature=feature,
            model=model,
            key_source=source,
            status=status,
            credits=credits,
            cost_vnd=credits * 10,
            input_tokens=tokens[0],
            output_tokens=tokens[1],
            created_at=created,
        )


def _seed(tenant):
    month = dt.date(2026, 3, 1)
    _usage(tenant, month.replace(day=2), "a", credits=5, tokens=(3000, 2000))
    _usage(tenant, month.replace(day=2), "b", credits=7, tokens=(4000, 3000))
    _usage(tenant, month.replace(day=2), "c", model="gpt-4", source="byok", tokens=(100, 50))
    _usage(tenant, month.replace(day=31), "d", credits=1, status="partial", tokens=(10, 5))
    _usage(tenant, month.replace(day=15), "e", credits=0, status="refused")  # not counted
    _usage(tenant, dt.date(2026, 4, 1), "f", credits=100)  # next month
    return month


def test_the_api_report_has_the_month_by_day_model_and_payer(tenant_a, api_a, tenant_b, api_b):
    _seed(tenant_a)
    r = api_a.get("/api/v1/ai/reports/usage", {"month": "2026-03"})
    assert r.status_code == 200, r.content
    body = r.json()
    rows = [(x["day"], x["model"], x["requests"], x["credits"], x["cost_vnd"]) for x in body["rows"]]
    assert rows == [
        ("2026-03-02", "gpt-3.5-turbo", 2, 12, 120),
        ("2026-03-02", "gpt-4", 1, 0, 0),
        ("2026-03-31", "gpt-3.5-turbo", 1, 1, 10),
    ]
    assert body["totals"] == {
        "requests": 4,
        "input_tokens": 7110,
        "output_tokens": 5055,
        "credits": 13,
        "cost_vnd": 130,
    }
    # another tenant's report is empty; a bad month is a 400; a manager may not read it
    assert api_b.get("/api/v1/ai/reports/usage", {"month": "2026-03"}).json()["rows"] == []
    assert api_a.get("/api/v1/ai/reports/usage", {"month": "2026-13"}).status_code == 400
    assert api_a.get("/api/v1/ai/reports/usage", {"month": "март"}).status_code == 400
    manager = ApiClient(tenant_a, create_user(tenant_a, MANAGER))
    assert manager.get("/api/v1/ai/reports/usage").status_code == 403


def test_the_page_chart_and_excel_hold_the_same_figures(tenant_a):
    _seed(tenant_a)
    client = web_client(tenant_a, admin_of(tenant_a))
    page = client.get("/ai/tokens/report/", {"month": "2026-03"})
    assert page.status_code == 200
    html = page.content.decode()
    chart = json.loads(html.split('id="ai-usage-data" type="application/json">')[1].split("</script>")[0])
    assert len(chart["labels"]) == 31
    assert chart["credits"][1] == 12 and chart["credits"][30] == 1 and sum(chart["credits"]) == 13
    assert 'id="ai-usage-chart"' in html
    xlsx = client.get("/ai/tokens/report/", {"month": "2026-03", "format": "xlsx"})
    assert xlsx.status_code == 200
    ws = load_workbook(io.BytesIO(xlsx.content)).active
    values = [[c for c in row] for row in ws.iter_rows(values_only=True)]
    flat = [v for row in values for v in row if v is not None]
    assert 12 in flat and 13 in flat and 130 in flat
    pdf = client.get("/ai/tokens/report/", {"month": "2026-03", "format": "pdf"})
    assert pdf.status_code in (200, 503)
    if pdf.status_code == 200:
        assert pdf.content.startswith(b"%PDF")
    assert client.get("/ai/tokens/report/", {"month": "x"}).status_code == 400
    staff = web_client(tenant_a, create_user(tenant_a, MANAGER))
    assert staff.get("/ai/tokens/report/").status_code == 403


def test_usage_per_member_and_per_feature_as_page_api_and_files(tenant_a, tenant_b):
    month = dt.date(2026, 3, 1)
    admin = admin_of(tenant_a)
    staff = create_user(tenant_a, MANAGER)
    _usage(tenant_a, month.replace(day=2), "a", credits=5, user=admin, tokens=(3000, 2000))
    _usage(tenant_a, month.replace(day=3), "b", credits=7, user=staff, feature="rag", tokens=(4000, 3000))
    _usage(tenant_a, month.replace(day=4), "c", credits=2, user=staff, feature="functions", tokens=(10, 5))
    _usage(tenant_a, month.replace(day=5), "d", credits=1, feature="api", tokens=(1, 1))  # an API key: no member
    _usage(tenant_a, month.replace(day=6), "e", credits=50, user=staff, status="refused")  # not counted
    _usage(tenant_b, month.replace(day=2), "x", credits=99, user=admin_of(tenant_b))
    api = ApiClient(tenant_a, admin)
    body = api.get("/api/v1/ai/reports/usage", {"month": "2026-03", "by": "member"}).json()
    assert [(r["member"], r["requests"], r["credits"], r["cost_vnd"]) for r in body["rows"]] == [
        (staff.email, 2, 9, 90),
        (admin.email, 1, 5, 50),
        ("—", 1, 1, 10),
    ]
    assert body["totals"]["credits"] == 15 and body["totals"]["requests"] == 4
    body = api.get("/api/v1/ai/reports/usage", {"month": "2026-03", "by": "feature"}).json()
    assert {r["feature"]: r["credits"] for r in body["rows"]}.keys().__len__() == 4
    assert sorted(r["credits"] for r in body["rows"]) == [1, 2, 5, 7]
    assert api.get("/api/v1/ai/reports/usage", {"by": "model"}).status_code in (400, 422)
    client = web_client(tenant_a, admin)
    page = client.get("/ai/tokens/report/", {"month": "2026-03", "by": "member"})
    assert page.status_code == 200 and staff.email in page.content.decode()
    assert "by=member&amp;format=xlsx" in page.content.decode()
    xlsx = client.get("/ai/tokens/report/", {"month": "2026-03", "by": "feature", "format": "xlsx"})
    flat = [v for row in load_workbook(io.BytesIO(xlsx.content)).active.iter_rows(values_only=True) for v in row]
    assert 7 in flat and 15 in flat
    pdf = client.get("/ai/tokens/report/", {"month": "2026-03", "by": "member", "format": "pdf"})
    assert pdf.status_code in (200, 503)
    assert client.get("/ai/tokens/report/", {"by": "nope"}).status_code == 400
    assert web_client(tenant_a, staff).get("/ai/tokens/report/", {"by": "member"}).status_code == 403
