"""Pickers in a real browser: typing a few letters without accents finds a product the page did not
render (server-side search), picked with the keyboard only; the stock hint follows on an adjustment."""

import re

import pytest

from novasaas.inventory import actions
from novasaas.inventory.tests.helpers import receive, setup_catalogue
from novasaas.platform.tenancy import tenant_context
from novasaas.platform.testing.fixtures import PASSWORD

from .conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def coffee_shop(tenant_a):
    with tenant_context(tenant_a):
        s = setup_catalogue(tenant_a)
        for n in range(60):  # "Bánh quy …" sort before "Cà phê": the coffee is beyond the first page
            actions.save_product(s.manager, name=f"Bánh quy {n:02d}", stock_unit_id=s.chai.pk)
        coffee = actions.save_product(s.manager, name="Cà phê sữa đá", sku="CF-01", stock_unit_id=s.chai.pk)
        receive(s, 7, product=coffee)
    return s, coffee


def _pick(page, select_id, typed):
    """Focus the picker with Tab from the field before, type, choose the first answer with Enter."""
    page.locator(f"#{select_id}-ts-control").focus()
    page.keyboard.type(typed, delay=40)
    option = page.locator(".ts-dropdown .option", has_text="Cà phê sữa đá")
    option.wait_for()
    page.keyboard.press("Enter")


def test_typing_accentless_letters_finds_a_product_beyond_the_first_page(page, tenant_a, coffee_shop):
    s, coffee = coffee_shop
    sign_in(page, s.staff.user.email, PASSWORD)
    page.wait_for_url(re.compile(r"/$"))
    page.goto("/inventory/movements/new/?kind=issue")
    rendered = page.locator("select[name=lines-0-product] option").all_inner_texts()
    assert not any("Cà phê" in text for text in rendered)  # not among the options the page holds
    _pick(page, "id_lines-0-product", "ca phe")
    assert page.locator("select[name=lines-0-product]").input_value() == str(coffee.pk)
    # the stock hint of the issue line follows the picked product
    page.fill("input[name=lines-0-quantity]", "100")
    hint = page.locator("tr.line-row").first.locator(".nova-stock-hint")
    hint.filter(has_text="Vượt tồn kho").wait_for()
    assert "tồn 7 Chai" in hint.inner_text()


def test_adjustment_loss_shows_the_stock_hint(page, tenant_a, coffee_shop):
    s, coffee = coffee_shop
    sign_in(page, s.manager.user.email, PASSWORD)
    page.wait_for_url(re.compile(r"/$"))
    page.goto("/inventory/adjustments/new/")
    _pick(page, "id_lines-0-product", "sua da")
    page.fill("input[name=lines-0-quantity_change]", "-9")
    hint = page.locator("tr.line-row").first.locator(".nova-stock-hint")
    hint.filter(has_text="Vượt tồn kho").wait_for()
    page.fill("input[name=lines-0-quantity_change]", "-3")
    hint.filter(has_text="Tồn: 7 Chai").wait_for()  # a loss within the stock: no warning
    page.locator("input[name=lines-0-quantity_change]:not(.is-invalid)").wait_for()
