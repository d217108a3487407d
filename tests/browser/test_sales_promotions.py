"""Promotions in a real browser, as Sales Staff: a coupon typed on a draft order's page gives the
discounted total (10 % before VAT, spread over the lines); an unknown code shows the reason and changes
nothing; then the order is confirmed with the coupon counted."""

import re
from decimal import Decimal

import pytest

from novasaas.platform.tenancy import tenant_context
from novasaas.platform.testing.fixtures import PASSWORD
from novasaas.sales import promotions
from novasaas.sales.models import Coupon, OrderStatus, SalesOrder
from novasaas.sales.tests.helpers import beer_line, order, world

from .conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_staff_applies_a_coupon_on_a_draft_order_and_sees_the_discounted_total(page, tenant_a):
    with tenant_context(tenant_a):
        w = world(tenant_a, 20)
        promotions.save_coupon(w.manager, code="GIAM10", kind="percent", value="10")
        # 4 × 15,000 = 60,000 + a service 40,000 = 100,000 before VAT
        o = order(
            w,
            beer_line(w, 4, "15000", vat_code="VAT10"),
            {"description": "Lắp đặt", "quantity": "1", "unit_price": "40000", "vat_code": "VAT10"},
        )
    page.set_default_timeout(60000)  # sessions share two cores: the first pages render slowly
    sign_in(page, w.staff.user.email, PASSWORD)
    page.wait_for_url(re.compile(r"/$"))

    page.goto(f"/sales/orders/{o.pk}/")
    page.fill("#coupon-code", "khongco")
    page.get_by_role("button", name="Áp dụng mã").click()
    page.locator("text=KHONGCO").first.wait_for()  # the reason names the code; nothing applied
    assert page.locator("#coupon-discount").count() == 0

    page.fill("#coupon-code", "giam10")
    page.get_by_role("button", name="Áp dụng mã").click()
    page.wait_for_url(re.compile(rf"/sales/orders/{o.pk}/$"))
    # 10 % of 100,000 = 10,000 off before VAT: 90,000 + VAT 9,000 = 99,000
    assert re.sub(r"\D", "", page.locator("#coupon-discount").inner_text()) == "10000"
    assert "99.000" in page.content() or "99,000" in page.content()
    with tenant_context(tenant_a):
        saved = SalesOrder.objects.get(pk=o.pk)
        assert (saved.coupon_discount, saved.untaxed, saved.total) == (Decimal(10000), Decimal(90000), Decimal(99000))
        assert sorted(li.allowance for li in saved.lines.all()) == [Decimal(4000), Decimal(6000)]

    page.get_by_role("button", name="Xác nhận", exact=True).click()
    page.wait_for_url(re.compile(rf"/sales/orders/{o.pk}/$"))
    with tenant_context(tenant_a):
        assert SalesOrder.objects.get(pk=o.pk).status == OrderStatus.CONFIRMED
        assert Coupon.objects.get(code="GIAM10").used_count == 1
