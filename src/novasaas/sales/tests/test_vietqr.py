"""VietQR payload (pure function): CRC-16/CCITT-FALSE check value, a published test vector, the
invoice reference, and refusals."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from novasaas.sales import vietqr


def test_crc_check_value():
    assert vietqr.crc16_ccitt(b"123456789") == 0x29B1  # the catalogued check value of CRC-16/CCITT-FALSE


def test_published_vector():
    """subiz/vietqr's README example: 120,000 đ to VietinBank (970415) account 0011001932418, "ủng hộ lũ lụt"."""
    assert vietqr.payload("970415", "0011001932418", 120000, "ủng hộ lũ lụt") == (
        "00020101021238570010A00000072701270006970415011300110019324180208QRIBFTTA"
        "530370454061200005802VN62170813ung ho lu lut6304C15C"
    )


def test_invoice_reference_and_static_code():
    text = vietqr.payload("970436", "1234567890", Decimal("1650000"), "HĐ 1C26TAA-00000012")
    fields = vietqr.parse(text)
    assert fields["54"] == "1650000" and fields["01"] == "12" and fields["53"] == "704"
    assert fields["62"] == "0819HD 1C26TAA-00000012"
    static = vietqr.parse(vietqr.payload("970436", "1234567890"))
    assert static["01"] == "11" and "54" not in static and "62" not in static


@pytest.mark.parametrize(
    ("bin_", "account", "amount"),
    [
        ("97043", "1", None),
        ("97043A", "1", None),
        ("970436", "", None),
        ("970436", "1" * 20, None),
        ("970436", "12", Decimal("1.5")),
        ("970436", "12", Decimal(-1)),
    ],
)
def test_refusals(bin_, account, amount):
    with pytest.raises(ValueError):
        vietqr.payload(bin_, account, amount)


def test_a_changed_character_fails_the_crc():
    text = vietqr.payload("970436", "1234567890", 1000, "X")
    with pytest.raises(ValueError):
        vietqr.parse(text.replace("1000", "9000"))


@given(st.integers(min_value=0, max_value=10**12), st.text(max_size=40))
def test_round_trip(amount, reference):
    fields = vietqr.parse(vietqr.payload("970415", "0011001932418", amount, reference))
    assert fields["54" if amount else "58"] == (str(amount) if amount else "VN")
