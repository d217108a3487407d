"""Amounts in Vietnamese words, as vouchers and invoices print them ("Bằng chữ: …").

Reading rules (the ones Vietnamese accountants write by hand):

- groups of three digits named nghìn, triệu, tỷ; above a thousand billion the groups repeat
  ("một nghìn tỷ");
- a group that is not the first says its hundreds even when they are zero ("một nghìn không trăm
  linh năm"); a group of zeros is skipped ("một triệu không trăm linh một");
- a zero in the tens before a unit is "linh" ("một trăm linh năm");
- after "mươi" (20–90) a 1 is "mốt" and a 4 is "tư"; after any ten (10–90) a 5 is "lăm";
- a round amount (no units below a thousand) ends with "chẵn".
"""

from __future__ import annotations

from decimal import Decimal

DIGITS = ["không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín"]
_GROUPS = [(10**6, "triệu"), (10**3, "nghìn"), (1, "")]
_BILLION = 10**9


def _three(group: int, full: bool) -> list[str]:
    """Words of 1 ≤ ``group`` ≤ 999; ``full``: the group follows another one (hundreds always said)."""
    hundreds, tens, units = group // 100, group // 10 % 10, group % 10
    words: list[str] = []
    if hundreds or full:
        words += [DIGITS[hundreds], "trăm"]
    if tens == 0:
        if units:
            if words:
                words.append("linh")
            words.append(DIGITS[units])
    elif tens == 1:
        words.append("mười")
        if units:
            words.append("lăm" if units == 5 else DIGITS[units])
    else:
        words += [DIGITS[tens], "mươi"]
        if units:
            words.append({1: "mốt", 4: "tư", 5: "lăm"}.get(units, DIGITS[units]))
    return words


def _below_billion(number: int, leading: bool) -> list[str]:
    words: list[str] = []
    for size, name in _GROUPS:
        group = number // size % 1000
        if not group:
            continue
        words += _three(group, full=not leading or bool(words))
        if name:
            words.append(name)
    return words


def _read(number: int, leading: bool = True) -> list[str]:
    if number >= _BILLION:
        billions, rest = divmod(number, _BILLION)
        return [*_read(billions, leading), "tỷ", *_below_billion(rest, leading=False)]
    return _below_billion(number, leading)


def number_in_words(number: int) -> str:
    """A whole number in Vietnamese words, lower case: ``105`` → ``"một trăm linh năm"``."""
    if number < 0:
        return "âm " + number_in_words(-number)
    return " ".join(_read(number)) if number else DIGITS[0]


def amount_in_words(amount: Decimal | int) -> str:
    """A VND amount as printed after "Bằng chữ:" — ``1500000`` → ``"Một triệu năm trăm nghìn đồng chẵn"``.

    VND amounts are whole đồng: a fraction raises ``ValueError`` (round with ``money.round_money``
    first)."""
    value = Decimal(amount)
    if value != value.to_integral_value():
        raise ValueError(f"VND amounts are whole đồng: {amount}")
    number = int(value)
    text = number_in_words(number) + " đồng"
    if number and number % 1000 == 0:
        text += " chẵn"
    return text[0].upper() + text[1:]
