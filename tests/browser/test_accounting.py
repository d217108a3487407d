"""The accountant's everyday flow in a real browser: a multi-line journal entry, posted, in the trial balance."""

import re

import pytest

from novasaas.platform.testing.fixtures import PASSWORD, create_user

from .conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_accountant_posts_a_multi_line_entry(page, tenant_a):
    user = create_user(tenant_a, "accountant")
    sign_in(page, user.email, PASSWORD)
    page.wait_for_url(re.compile(r"/$"))
    page.goto("/accounting/entries/new/")
    page.fill("input[name=memo]", "Bán hàng tiền mặt")
    rows = [("1111", "1100000", ""), ("5111", "", "1000000"), ("33311", "", "100000")]
    # four blank lines are offered; ask for more, then fill three
    page.click("button[name=more]")
    page.wait_for_load_state("load")
    assert page.locator("select[data-picker-url='/accounting/pickers/accounts/']").count() == 8
    for i, (account, debit, credit) in enumerate(rows):
        # the account picker: typed, searched by the server, chosen with Enter (keyboard only)
        page.locator(f"#id_lines-{i}-account-ts-control").focus()
        page.keyboard.type(account, delay=30)
        page.locator(".ts-dropdown .option", has_text=re.compile(rf"^{account} ")).first.wait_for()
        page.keyboard.press("Enter")
        assert page.locator(f"select[name='lines-{i}-account']").input_value() == account
        page.fill(f"input[name='lines-{i}-debit']", debit)
        page.fill(f"input[name='lines-{i}-credit']", credit)
    # totals and the difference follow the typing (entry-totals.js), in Vietnamese number format
    assert page.locator("[data-total=debit]").inner_text() == "1.100.000"
    assert page.locator("[data-total=difference]").inner_text() == ""
    page.fill("input[name='lines-2-credit']", "90000")
    assert page.locator("[data-total=credit]").inner_text() == "1.090.000"
    assert page.locator("[data-total=difference]").inner_text() == "Chênh lệch: 10.000"
    page.fill("input[name='lines-2-credit']", "100000")
    assert page.locator("[data-total=difference]").inner_text() == ""
    page.select_option("select[name='lines-2-tax_rate']", "VAT10")
    page.fill("input[name='lines-2-tax_base']", "1000000")
    page.click("button[name=post]")
    page.wait_for_load_state("load")
    assert re.search(r"GEN-\d{4}-00001", page.content())
    page.goto("/accounting/reports/trial-balance/")
    # the badge, not the page text: "cân" is also inside "không cân" and in the page title
    assert page.locator("h1 .badge").inner_text().strip() == "cân"
    row = page.locator("tbody tr", has=page.locator("a", has_text=re.compile(r"^33311$")))
    assert row.locator("td").nth(5).inner_text().strip() == "100.000"  # movement credit
    from novasaas.accounting.models import TaxTransaction
    from novasaas.platform.tenancy import tenant_context

    with tenant_context(tenant_a):
        tx = TaxTransaction.objects.select_related("rate").get()
        assert tx.rate.code == "VAT10" and tx.tax == 100000 and tx.base == 1000000
