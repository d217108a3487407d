"""Quantities and amounts typed as the app displays them (``1.200``, ``1,200``, ``12.000``) are read right
in the pages, and shortage messages print quantities formatted, with the product's name and unit."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from novasaas.inventory.models import Stock, StockMovement
from novasaas.inventory.tests.helpers import issue, receive, setup_catalogue
from novasaas.platform.tenancy import tenant_context
from novasaas.platform.testing.fixtures import web_client


@pytest.fixture
def s(tenant_a):
    with tenant_context(tenant_a):
        return setup_catalogue(tenant_a)


def _receipt(s, quantity: str, unit_cost: str) -> dict[str, str]:
    return {
        "warehouse": str(s.wh.pk),
        "date": timezone.localdate().isoformat(),
        "note": "",
        "lines-TOTAL_FORMS": "1",
        "lines-INITIAL_FORMS": "0",
        "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "500",
        "lines-0-product": str(s.beer.pk),
        "lines-0-quantity": quantity,
        "lines-0-unit_cost": unit_cost,
    }


@pytest.mark.parametrize(
    ("language", "quantity", "unit_cost", "cost"),
    [
        ("vi", "1.200", "12.000", 12000),
        ("vi", "1.200", "1.212.000", 1212000),
        ("vi", "1200", "1,212,000", 1212000),  # pasted in the English style
        ("en", "1,200", "12,000", 12000),
        ("en", "1,200", "1.212.000", 1212000),  # pasted in the Vietnamese style
    ],
)
def test_receipt_page_reads_grouped_numbers(tenant_a, s, language, quantity, unit_cost, cost):
    web = web_client(tenant_a, s.staff.user)
    web.cookies["novasaas_language"] = language
    r = web.post("/inventory/movements/new/?kind=receipt", _receipt(s, quantity, unit_cost))
    assert r.status_code == 302, r.content.decode()[:2000]
    with tenant_context(tenant_a):
        line = StockMovement.objects.get().lines.get()
    assert line.quantity == Decimal(1200)
    assert line.unit_cost == Decimal(cost)


def test_letters_in_a_quantity_say_it_is_not_a_number(tenant_a, s):
    web = web_client(tenant_a, s.staff.user)
    web.cookies["novasaas_language"] = "vi"
    r = web.post("/inventory/movements/new/?kind=receipt", _receipt(s, "mười", "12000"))
    page = r.content.decode()
    assert r.status_code == 400
    assert "không phải là số" in page and "Trường này là bắt buộc" not in page
    with tenant_context(tenant_a):
        assert not StockMovement.objects.exists()


def test_shortage_message_formats_quantities_with_name_and_unit(tenant_a, s):
    with tenant_context(tenant_a), translation.override("vi"):
        receive(s, 7)
        with pytest.raises(ValidationError) as exc:
            issue(s, 1000)
        message = " ".join(exc.value.messages)
        assert Stock.objects.get(product=s.beer, warehouse=s.wh).on_hand == Decimal(7)
    assert "Bia Sài Gòn 330ml" in message
    assert "cần 1.000 Chai" in message and "7 Chai" in message
    assert "1000.0000" not in message and ".0000" not in message


def test_tables_show_quantities_with_separators_right_aligned(tenant_a, s):
    with tenant_context(tenant_a):
        doc = receive(s, 1200, cost="12000")
    web = web_client(tenant_a, s.manager.user)
    web.cookies["novasaas_language"] = "vi"
    stock = web.get("/inventory/").content.decode()
    assert '<td class="num">1.200</td>' in stock and "1200.0000" not in stock
    movement = web.get(f"/inventory/movements/{doc.pk}/").content.decode()
    assert '<td class="num">1.200</td>' in movement and "<td>Chai</td>" in movement
    web.cookies["novasaas_language"] = "en"
    assert '<td class="num">1,200</td>' in web.get("/inventory/").content.decode()
