"""Barcodes: EAN-13 / UPC-A / EAN-8 check digits, and internal codes for products without one."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

INTERNAL_PREFIX = "20"  # GS1 "restricted circulation" range: free for in-store codes


def gs1_check_digit(digits: str) -> int:
    """Check digit of a GS1 code (EAN-8/12/13) given without its last digit."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        total += int(ch) * (3 if i % 2 == 0 else 1)
    return (10 - total % 10) % 10


def validate_barcode(code: str) -> str:
    """The barcode normalised (spaces removed), or ValidationError if it is not a valid EAN/UPC."""
    code = "".join(code.split())
    if not code:
        return ""
    if not code.isdigit() or len(code) not in (8, 12, 13):
        raise ValidationError(_("A barcode is 8, 12 (UPC) or 13 (EAN) digits."))
    if gs1_check_digit(code[:-1]) != int(code[-1]):
        raise ValidationError(_("The barcode's check digit is wrong."))
    return code


def internal_barcode(number: int) -> str:
    """An EAN-13 in the in-store range, derived from a per-tenant sequence number."""
    body = f"{INTERNAL_PREFIX}{number:010d}"
    if len(body) != 12:
        raise ValueError("internal barcode range exhausted")
    return body + str(gs1_check_digit(body))
