import re

import pytest

from novasaas.platform.testing.fixtures import PASSWORD

from .conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_sign_in_and_switch_language(page, tenant_a, admin_a):
    sign_in(page, admin_a.email, PASSWORD)
    page.wait_for_url(re.compile(r"/$"))
    assert "Công ty Alpha" in page.content()
    assert page.locator("html").get_attribute("lang") == "vi"
    with page.expect_navigation():
        page.select_option("select[name=language]", "en")
    assert page.locator("html").get_attribute("lang") == "en"
    assert "Dashboard" in page.content()


def test_wrong_password_shows_an_error(page, tenant_a, admin_a):
    sign_in(page, admin_a.email, "not-the-password")
    assert page.locator(".alert-danger").is_visible()
