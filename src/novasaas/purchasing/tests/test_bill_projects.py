"""A vendor bill line charged to a project (issue 15 §11 PUR → PM): the expense is posted on the ledger
dimension ``project:<code>`` and shows in the project's costing; a credit note lowers it again; refused
clearly on goods of an order, for a closed or unknown project, another tenant's project, and while the
company has no Projects module. Action, API, page."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from novasaas.platform.tenancy import tenant_context
from novasaas.platform.testing.fixtures import ApiClient, create_tenant, web_client
from novasaas.projects import actions as pm_actions
from novasaas.projects import timesheets
from novasaas.projects.tests.helpers import world as project_world
from novasaas.purchasing import actions, bills, credits
from novasaas.purchasing.subscribers import BILL_SOURCE
from novasaas.purchasing.tests.helpers import approved, beer_line, ledger_lines, world

D = Decimal
URL = "/api/v1/purchasing"


def _expense(project_id, amount="2000000", **extra):
    return {
        "description": "Thuê máy phát điện",
        "expense_role": "admin_expense",
        "unit_price": amount,
        "project_id": project_id,
        **extra,
    }


def test_expense_bill_line_books_the_project_cost(tenant_a, tenant_b, today):
    with tenant_context(tenant_a):
        w = world(tenant_a)
        pw = project_world(tenant_a)
        other = project_world(tenant_a, code="P02").project
        bill = bills.create_bill(
            w.staff,
            vendor_id=w.vendor.pk,
            vendor_invoice_no="DV-1",
            lines=[
                _expense(pw.project.pk),
                _expense(pw.project.pk, "500000", expense_role="selling_expense"),
                _expense(None, "300000"),  # no project
            ],
            date=today,
        )
        line = bill.lines.get(position=1)
        assert (line.project_id, line.project_code) == (pw.project.pk, "P01")
        bills.post_bill(w.staff, bill.pk)
        posted = ledger_lines(tenant_a, BILL_SOURCE, bill.pk)
        assert posted["6422"] == (D(2300000), D(0)) and posted["6421"] == (D(500000), D(0))
        assert posted["1331"] == (D(280000), D(0)) and posted["331"] == (D(0), D(3080000))
        # only the project's lines carry its dimension: 2,000,000 + 500,000 in its costing
        costs = timesheets.project_costs(pw.project)
        assert (costs["ledger_costs"], costs["actual_cost"]) == (D(2500000), D(2500000))
        assert timesheets.project_costs(other)["ledger_costs"] == D(0)
        # a lower price from the vendor lowers the project's cost
        credits.create_credit_note(
            w.manager,
            bill.pk,
            kind="price",
            vendor_credit_no="CN-1",
            lines=[{"bill_line_id": line.pk, "quantity": "1", "unit_price": "200000"}],
            date=today,
        )
        assert timesheets.project_costs(pw.project)["ledger_costs"] == D(2300000)

        # refusals, nothing written
        count = bill.__class__.objects.count()
        o = approved(w, beer_line(w, 2))
        actions.receive_order(w.keeper, o.pk, date=today)
        with pytest.raises(ValidationError) as exc:  # goods of an order go to stock
            bills.create_bill(
                w.staff,
                order_id=o.pk,
                vendor_invoice_no="G-1",
                lines=[{"order_line_id": o.lines.get().pk, "project_id": pw.project.pk}],
                date=today,
            )
        assert "lines[0].project_id" in exc.value.message_dict
        closed = project_world(tenant_a, code="P03").project
        pm_actions.save_project(pw.pm, closed.pk, status="completed")
        for bad in (closed.pk, other.pk + 1000, "abc", 2**70):
            with pytest.raises(ValidationError) as exc:
                bills.create_bill(
                    w.staff, vendor_id=w.vendor.pk, vendor_invoice_no="X", lines=[_expense(bad)], date=today
                )
            assert "lines[0].project_id" in exc.value.message_dict
        assert bill.__class__.objects.count() == count
    with tenant_context(tenant_b):
        wb = world(tenant_b)
        with pytest.raises(ValidationError):  # tenant A's project is unknown in tenant B
            bills.create_bill(
                wb.staff, vendor_id=wb.vendor.pk, vendor_invoice_no="X", lines=[_expense(pw.project.pk)], date=today
            )

    # API: the project on the line, shown back; another tenant's project refused
    api = ApiClient(tenant_a, w.staff.user)
    body = {"vendor_id": w.vendor.pk, "vendor_invoice_no": "DV-2", "lines": [_expense(other.pk, "100000")]}
    r = api.post(f"{URL}/bills", body)
    assert r.status_code == 201, r.json()
    got = api.get(f"{URL}/bills/{r.json()['id']}").json()
    assert [(x["project_id"], x["project_code"]) for x in got["lines"]] == [(other.pk, "P02")]
    assert api.post(f"{URL}/bills/{r.json()['id']}/post").status_code == 200
    with tenant_context(tenant_a):
        assert timesheets.project_costs(other)["ledger_costs"] == D(100000)
    r = ApiClient(tenant_b, wb.staff.user).post(
        f"{URL}/bills", {**body, "vendor_id": wb.vendor.pk, "lines": [_expense(other.pk)]}
    )
    assert r.status_code == 400 and "project" in str(r.json())

    # page: the project picker lists the company's open projects; the bill shows the project
    web = web_client(tenant_a, w.staff.user)
    form = web.get("/purchasing/bills/new/").content.decode()
    assert 'name="project_id"' in form and "P01 Website" in form
    r = web.post(
        "/purchasing/bills/new/",
        {
            "vendor_id": w.vendor.pk,
            "vendor_invoice_no": "DV-3",
            "payment_method": "bank",
            "description": "Vận chuyển thiết bị",
            "expense_role": "admin_expense",
            "amount": "700000",
            "vat_code": "VAT10",
            "project_id": pw.project.pk,
        },
    )
    assert r.status_code == 302, r.content.decode()[:3000]
    page = web.get(r["Location"]).content.decode()
    assert "P01" in page
    r = web.post(
        "/purchasing/bills/new/",
        {
            "vendor_id": w.vendor.pk,
            "vendor_invoice_no": "DV-4",
            "payment_method": "bank",
            "description": "x",
            "expense_role": "admin_expense",
            "amount": "700000",
            "vat_code": "VAT10",
            "project_id": "999999",
        },
    )
    assert r.status_code == 400


def test_project_field_without_the_projects_module(db, today):
    tenant = create_tenant(modules=["INV", "SCM", "ACC"])
    with tenant_context(tenant):
        w = world(tenant)
        with pytest.raises(ValidationError) as exc:
            bills.create_bill(w.staff, vendor_id=w.vendor.pk, vendor_invoice_no="X", lines=[_expense(1)], date=today)
        assert "lines[0].project_id" in exc.value.message_dict
        assert "Projects" in str(exc.value) or "Dự án" in str(exc.value)
        bill = bills.create_bill(
            w.staff, vendor_id=w.vendor.pk, vendor_invoice_no="X", lines=[_expense(None)], date=today
        )
        assert bill.lines.get().project_code == ""
    r = ApiClient(tenant, w.staff.user).post(
        f"{URL}/bills", {"vendor_id": w.vendor.pk, "vendor_invoice_no": "Y", "lines": [_expense(5)]}
    )
    assert r.status_code == 400
    form = web_client(tenant, w.staff.user).get("/purchasing/bills/new/").content.decode()
    assert 'name="project_id"' not in form
