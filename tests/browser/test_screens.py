"""Screenshots of the main pages for a human look (written to var/screens/ when SCREENSHOTS=1)."""

import os
import re
from pathlib import Path

import pytest

from novasaas.platform.testing.fixtures import PASSWORD

from .conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.skipif(os.environ.get("SCREENSHOTS") != "1", reason="set SCREENSHOTS=1 to write screenshots")
def test_screenshots(page, tenant_a, admin_a):
    out = Path("var/screens")
    out.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto("/login/")
    page.screenshot(path=str(out / "login.png"))
    sign_in(page, admin_a.email, PASSWORD)
    page.wait_for_url(re.compile(r"/$"))
    for name, url in [
        ("dashboard", "/"),
        ("users", "/settings/users/"),
        ("roles", "/settings/roles/matrix/"),
        ("audit", "/settings/audit/"),
        ("parties", "/parties/"),
    ]:
        page.goto(url)
        page.screenshot(path=str(out / f"{name}.png"), full_page=False)
