"""Navigation in a real browser: the phone layout (390 px) and the dd/mm/yyyy date picker in both languages."""

import datetime as dt
import re

import pytest
from django.utils import timezone

from novasaas.platform.testing.fixtures import PASSWORD, create_user

from .conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_phone_sidebar_hidden_until_toggled_and_tables_scroll_in_their_box(browser, live_server, tenant_a):
    # a long email (the user menu shows it) must not widen the page either
    user = create_user(tenant_a, "accountant", email="ke.toan.truong.nguyen.thi.thanh.huong@congty-alpha.test")
    context = browser.new_context(locale="vi-VN", base_url=live_server.url, viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.set_default_timeout(15000)
    try:
        sign_in(page, user.email, PASSWORD)
        page.wait_for_url(re.compile(r"/$"))
        page.goto("/accounting/chart/")
        sidebar, toggle = page.locator("#nova-sidebar"), page.locator("#nova-menu-toggle")
        assert not sidebar.is_visible() and toggle.is_visible()
        assert toggle.get_attribute("aria-expanded") == "false"
        toggle.click()
        assert sidebar.is_visible() and toggle.get_attribute("aria-expanded") == "true"
        assert sidebar.get_by_role("link", name=re.compile("Kế toán")).is_visible()
        toggle.click()
        assert not sidebar.is_visible()
        # the module tabs stay on one line and scroll sideways instead of wrapping over the page
        tabs = page.locator(".nova-tabs").first
        assert tabs.evaluate("el => getComputedStyle(el).flexWrap") == "nowrap"
        assert tabs.evaluate("el => el.scrollWidth > el.clientWidth")
        # the wide table scrolls inside its box; the page itself is not wider than the phone
        box = page.locator("main .table-responsive").first
        assert box.evaluate("el => el.scrollWidth > el.clientWidth")
        wide = page.evaluate(  # what sticks out, should it fail
            """() => [...document.querySelectorAll('body *')]
              .filter(e => e.getBoundingClientRect().right > 392 && !e.closest('.table-responsive, .nova-tabs'))
              .slice(0, 8).map(e => e.tagName + '#' + e.id + ' ' + Math.round(e.getBoundingClientRect().right))"""
        )
        assert page.evaluate("() => document.documentElement.scrollWidth") <= 390, wide
        first_cell = box.locator("tbody tr td, tbody tr th").first
        x_before = first_cell.bounding_box()["x"]
        box.evaluate("el => { el.scrollLeft = 200; }")
        assert box.evaluate("el => el.scrollLeft") > 0
        assert first_cell.bounding_box()["x"] == pytest.approx(x_before, abs=1)  # first column fixed
    finally:
        context.close()


def test_date_picker_writes_dd_mm_yyyy_in_the_users_language(page, tenant_a):
    user = create_user(tenant_a, "accountant")
    sign_in(page, user.email, PASSWORD)
    page.wait_for_url(re.compile(r"/$"))
    page.goto("/accounting/entries/new/")
    field = page.locator("input[name=date]")
    assert field.get_attribute("type") == "text"
    today = timezone.localdate()
    assert field.input_value() in ("", today.strftime("%d/%m/%Y"))
    field.click()
    picker = page.locator(".datepicker.active")
    assert picker.is_visible()
    assert f"Tháng {today.month}" in picker.locator(".view-switch").inner_text()
    assert "T2" in picker.locator(".days-of-week").inner_text()
    day = dt.date(today.year, today.month, 15)
    picker.locator(".datepicker-cell.day:not(.prev):not(.next)[data-date]", has_text=re.compile(r"^15$")).click()
    assert field.input_value() == day.strftime("%d/%m/%Y")
    # English: the picker speaks English, the date stays day first
    with page.expect_navigation():
        page.select_option("select[name=language]", "en")
    page.locator("input[name=date]").fill("")
    page.locator("input[name=date]").click()
    picker = page.locator(".datepicker.active")
    assert today.strftime("%B") in picker.locator(".view-switch").inner_text()
    picker.locator(".datepicker-cell.day:not(.prev):not(.next)", has_text=re.compile(r"^15$")).click()
    assert page.locator("input[name=date]").input_value() == day.strftime("%d/%m/%Y")


def test_issue_line_picker_by_keyboard_shows_stock_and_warns_over_issue(page, tenant_a):
    from novasaas.inventory.tests.helpers import receive, setup_catalogue
    from novasaas.platform.tenancy import tenant_context

    with tenant_context(tenant_a):
        s = setup_catalogue(tenant_a)
        receive(s, 7)
    sign_in(page, s.staff.user.email, PASSWORD)
    page.wait_for_url(re.compile(r"/$"))
    page.goto("/inventory/movements/new/?kind=issue")
    combo = page.locator("tr.line-row").first.locator("[role=combobox]").first
    assert combo.get_attribute("aria-expanded") in ("false", None)
    combo.focus()
    page.keyboard.type("bia sai")  # accent-insensitive search
    beer = page.locator(".ts-dropdown [role=option]:visible", has_text="Bia Sài Gòn 330ml")
    beer.wait_for()
    assert combo.get_attribute("aria-expanded") == "true"
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Escape")  # closes without choosing
    assert page.locator("select[name=lines-0-product]").input_value() == ""
    combo.focus()
    page.keyboard.type("bia")
    beer.wait_for()
    page.keyboard.press("Enter")
    assert page.locator("select[name=lines-0-product]").input_value() == str(s.beer.pk)
    hint = page.locator("tr.line-row").first.locator(".nova-stock-hint")
    hint.filter(has_text="Tồn: 7 Chai").wait_for()
    page.fill("input[name=lines-0-quantity]", "100")
    hint.filter(has_text="Vượt tồn kho: cần 100").wait_for()
    assert "text-danger" in hint.get_attribute("class")
    assert "is-invalid" in page.locator("input[name=lines-0-quantity]").get_attribute("class")
    page.fill("input[name=lines-0-quantity]", "5")
    hint.filter(has_text="Tồn: 7 Chai").wait_for()
