"""Every page in Vietnamese and English: the compiled catalogue switches the visible text."""

from django.test import Client


def _login_page(lang):
    client = Client()
    client.cookies["novasaas_language"] = lang
    return client.get("/login/").content.decode()


def test_login_page_in_vietnamese_and_english(db):
    vi, en = _login_page("vi"), _login_page("en")
    assert "Đăng nhập" in vi and "Quên mật khẩu?" in vi
    assert "Sign in" in en and "Forgot password?" in en
    assert "Sign in" not in vi


def test_switching_language_changes_the_login_page(db):
    client = Client()
    assert "Đăng nhập" in client.get("/login/").content.decode()  # Vietnamese first
    client.post("/i18n/setlang/", {"language": "en", "next": "/login/"})
    assert "Forgot password?" in client.get("/login/").content.decode()
    client.post("/i18n/setlang/", {"language": "vi", "next": "/login/"})
    assert "Quên mật khẩu?" in client.get("/login/").content.decode()


def test_settings_pages_are_translated(tenant_a, admin_a):
    from novasaas.platform.testing.fixtures import web_client

    client = web_client(tenant_a, admin_a)
    assert "Người dùng" in client.get("/settings/users/").content.decode()
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert "Users" in client.get("/settings/users/").content.decode()
