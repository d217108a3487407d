"""Documents in a real browser: upload a file into a folder, check it out, upload a new version, check it
in, start an approval; the versions table and the lock banner follow."""

import re

import pytest

from novasaas.documents import actions
from novasaas.documents.tests.helpers import principal
from novasaas.platform.tenancy import tenant_context
from novasaas.platform.testing.fixtures import PASSWORD, create_user

from .conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_upload_check_out_new_version_check_in(page, tenant_a, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    with tenant_context(tenant_a):
        folder = actions.create_folder(principal(tenant_a), "Hợp đồng")
    user = create_user(tenant_a, "accountant")
    v1, v2 = tmp_path / "hop-dong.txt", tmp_path / "hop-dong-v2.txt"
    v1.write_text("Hợp đồng mua bán, bản 1", encoding="utf-8")
    v2.write_text("Hợp đồng mua bán, bản 2", encoding="utf-8")
    sign_in(page, user.email, PASSWORD)
    page.wait_for_url(re.compile(r"/$"))
    page.goto(f"/documents/folders/{folder.pk}/")
    page.set_input_files("input[name=file]", str(v1))
    page.fill("input[name=tags]", "hợp đồng, mẫu")
    page.get_by_role("button", name="Tải lên").click()
    page.wait_for_url(re.compile(r"/documents/\d+/$"))
    assert "hop-dong.txt" in page.locator("#doc-name").inner_text()
    page.click("#checkout")
    page.wait_for_load_state("load")
    assert "đang khóa" in page.locator("#lock-state").inner_text()
    page.set_input_files("#version-form input[name=file]", str(v2))
    page.fill("#version-form input[name=comment]", "Sửa giá trị")
    page.click("#upload-version")
    page.wait_for_load_state("load")
    rows = page.locator("#versions tbody tr")
    assert rows.count() == 2 and "Sửa giá trị" in rows.first.inner_text()
    page.click("#checkin")
    page.wait_for_load_state("load")
    assert page.locator("#lock-state").count() == 0
    page.get_by_role("link", name="Xem trước").click()
    assert "bản 2" in page.locator("#preview-text").inner_text()
