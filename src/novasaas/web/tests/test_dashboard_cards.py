"""Dashboard cards open their page and keep their own height; a member without figures is told what
they can do; the Finance card shows amounts in đồng (₫)."""

import re

from novasaas.platform.testing.fixtures import create_user, web_client


def _cards(body):
    widgets = body.split('id="widgets"', 1)[1].split("</main>", 1)[0]
    parts = widgets.split('data-widget="')[1:]
    return {part.split('"', 1)[0]: part.split('"', 1)[1] for part in parts}


def test_every_card_links_to_its_page_and_does_not_stretch(tenant_a, admin_a):
    body = web_client(tenant_a, admin_a).get("/").content.decode()
    cards = _cards(body)
    assert {"core.users", "core.notifications", "acc.overview", "inv.stock_value"} <= set(cards)
    assert 'href="/settings/users/"' in cards["core.users"]
    assert 'href="/notifications/"' in cards["core.notifications"]
    assert 'href="/accounting/"' in cards["acc.overview"]
    assert 'href="/inventory/reports/"' in cards["inv.stock_value"]
    for key, html in cards.items():
        assert "href=" in html, key
        assert "h-100" not in html, key  # a short card is not stretched to the tallest one's height
    assert 'class="row g-3 align-items-start" id="widgets"' in body
    assert re.search(r"0\s*₫", cards["acc.overview"])  # amounts in đồng, with the sign


def test_finance_card_in_english_keeps_the_dong_sign(tenant_a, admin_a):
    web = web_client(tenant_a, admin_a)
    web.cookies["novasaas_language"] = "en"
    card = _cards(web.get("/").content.decode())["acc.overview"]
    assert "₫" in card and "Finance" in card


def test_employee_dashboard_says_what_they_can_do_and_a_customer_goes_to_the_portal(tenant_a):
    user = create_user(tenant_a, "employee")
    body = web_client(tenant_a, user).get("/").content.decode()
    assert 'id="dashboard-empty"' in body
    assert "Vai trò của bạn không có số liệu trên trang tổng quan" in body
    assert 'href="/notifications/"' in body and 'href="/account/profile/"' in body
    assert "hãy bật các phân hệ" not in body  # not the admin's hint about enabling modules
    # a customer's contact never sees the staff dashboard: the customer portal is their home
    customer = create_user(tenant_a, "customer")
    response = web_client(tenant_a, customer).get("/")
    assert response.status_code == 302 and response["Location"] == "/portal/"
