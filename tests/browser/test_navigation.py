"""Navigation in a real browser: the phone layout (390 px) and the dd/mm/yyyy date picker in both languages."""

import datetime as dt
import re

import pytest
from django.utils import timezone

from novasaas.platform.testing.fixtures import PASSWORD, create_user

from .conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_phone_sidebar_hidden_until_toggled_and_tables_scroll_in_their_box(browser, live_server, tenant_a):
    user = create_user(tenant_a, "accountant")
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
        assert page.evaluate("() => document.documentElement.scrollWidth") <= 390
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
