"""Amounts in Vietnamese words, checked against how the amounts are read aloud (hand-written cases)."""

from decimal import Decimal

import pytest

from novasaas.platform.words import amount_in_words, number_in_words


@pytest.mark.parametrize(
    ("amount", "words"),
    [
        (0, "Không đồng"),
        (1, "Một đồng"),
        (10, "Mười đồng"),
        (11, "Mười một đồng"),
        (14, "Mười bốn đồng"),
        (15, "Mười lăm đồng"),
        (21, "Hai mươi mốt đồng"),
        (24, "Hai mươi tư đồng"),
        (25, "Hai mươi lăm đồng"),
        (50, "Năm mươi đồng"),
        (105, "Một trăm linh năm đồng"),
        (110, "Một trăm mười đồng"),
        (115, "Một trăm mười lăm đồng"),
        (1_005, "Một nghìn không trăm linh năm đồng"),
        (1_000, "Một nghìn đồng chẵn"),
        (10_050, "Mười nghìn không trăm năm mươi đồng"),
        (1_500_000, "Một triệu năm trăm nghìn đồng chẵn"),
        (15_000_000, "Mười lăm triệu đồng chẵn"),
        (1_000_001, "Một triệu không trăm linh một đồng"),
        (1_020_000, "Một triệu không trăm hai mươi nghìn đồng chẵn"),
        (1_000_000_000, "Một tỷ đồng chẵn"),
        (2_000_500_000, "Hai tỷ năm trăm nghìn đồng chẵn"),
        (1_000_000_005, "Một tỷ không trăm linh năm đồng"),
        (1_001_000, "Một triệu không trăm linh một nghìn đồng chẵn"),
        (1_000_000_000_000, "Một nghìn tỷ đồng chẵn"),
        (123_456_789, "Một trăm hai mươi ba triệu bốn trăm năm mươi sáu nghìn bảy trăm tám mươi chín đồng"),
        (Decimal("33000.00"), "Ba mươi ba nghìn đồng chẵn"),
    ],
)
def test_amount_in_words(amount, words):
    assert amount_in_words(amount) == words


def test_negative_and_fraction():
    assert number_in_words(-21) == "âm hai mươi mốt"
    with pytest.raises(ValueError, match="whole đồng"):
        amount_in_words(Decimal("33333.50"))
