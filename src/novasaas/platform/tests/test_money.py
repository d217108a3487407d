from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from novasaas.platform.money import FixedPointField, format_money, round_money, to_decimal
from novasaas.platform.mst import is_valid_tax_code


def test_vnd_rounds_half_up_to_whole_dong():
    assert round_money(Decimal("1234.5"), "VND") == Decimal("1235")
    assert round_money(Decimal("1234.49"), "VND") == Decimal("1234")
    assert round_money(Decimal("10.005"), "USD") == Decimal("10.01")


def test_vnd_is_formatted_the_vietnamese_way():
    assert format_money(Decimal("1234567"), "VND", "vi") == "1.234.567\u00a0₫"
    assert format_money(Decimal("1234567"), "VND", "en") == "₫1,234,567"


def test_floats_are_refused():
    with pytest.raises(TypeError):
        to_decimal(0.1)


@given(st.decimals(min_value=Decimal("-1e12"), max_value=Decimal("1e12"), places=2))
def test_fixed_point_round_trip_is_exact(value):
    field = FixedPointField(scale=2)
    assert field.from_db_value(field.get_prep_value(value), None, None) == value


def test_too_many_decimals_is_an_error():
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        FixedPointField(scale=2).get_prep_value(Decimal("1.005"))


@pytest.mark.parametrize(
    "code,ok",
    [
        ("0100109106", True),
        ("0300588569", True),
        ("0100109106-001", True),
        ("0100109106001", True),
        ("0100109107", False),
        ("010010910", False),
        ("0100109106-000", False),
        ("abc", False),
    ],
)
def test_tax_code_checksum(code, ok):
    assert is_valid_tax_code(code) is ok
