"""The Tenant Admin's everyday flows in a real browser: invite a user, create a role, read the audit log."""

import re

import pytest
from django.core import mail

from novasaas.platform.testing.fixtures import PASSWORD

from .conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_invite_create_role_and_see_audit(page, tenant_a, admin_a):
    sign_in(page, admin_a.email, PASSWORD)
    page.wait_for_url(re.compile(r"/$"))

    # invite a salesperson
    page.goto("/settings/invitations/")
    page.fill("input[name=email]", "nhanvien.moi@example.com")
    page.check("input[name=roles][value=sales_staff]")
    page.click("button:has-text('Gửi lời mời')")
    page.wait_for_load_state("load")
    assert "nhanvien.moi@example.com" in page.content()
    assert any("nhanvien.moi@example.com" in m.to for m in mail.outbox)

    # create a custom role with two permissions
    page.goto("/settings/roles/new/")
    page.fill("input[name=code]", "thu-ngan")
    page.fill("input[name=name]", "Thu ngân")
    page.check("#perm-acc\\.payment\\.record")
    page.check("#perm-acc\\.ledger\\.view")
    page.click("form button.btn-primary")
    page.wait_for_load_state("load")
    page.goto("/settings/roles/")
    assert "Thu ngân" in page.content()

    # both changes are in the audit log
    page.goto("/settings/audit/")
    # rows of the log itself: "Lời mời" alone would match the settings tab label on every page
    invited = page.locator("tbody tr", has_text="nhanvien.moi@example.com")
    assert invited.count() >= 1
    assert "Mời người dùng" in invited.first.inner_text()
    assert page.locator("tbody tr", has_text="Thu ngân").count() >= 1
