"""Vietnamese tax code (mã số thuế, MST) validation.

A business MST has 10 digits; a branch/dependent unit adds a 3-digit suffix (written ``0101234567-001``
or as 13 digits). The tenth digit is a check digit over the first nine with weights
31, 29, 23, 19, 17, 13, 7, 5, 3: ``check = 10 - (sum mod 11)``; a result of 10 is never issued.
"""

from __future__ import annotations

import re

_WEIGHTS = (31, 29, 23, 19, 17, 13, 7, 5, 3)
_PATTERN = re.compile(r"^(\d{10})(?:-?(\d{3}))?$")


def check_digit(first_nine: str) -> int | None:
    total = sum(int(d) * w for d, w in zip(first_nine, _WEIGHTS, strict=True))
    check = 10 - (total % 11)
    if check == 10:
        return None
    return 0 if check == 11 else check


def normalize_tax_code(value: str) -> str:
    return re.sub(r"\s+", "", value or "")


def is_valid_tax_code(value: str) -> bool:
    match = _PATTERN.match(normalize_tax_code(value))
    if not match:
        return False
    base, branch = match.group(1), match.group(2)
    if branch == "000":
        return False
    return check_digit(base[:9]) == int(base[9])


def validate_tax_code(value: str) -> None:
    from django.core.exceptions import ValidationError
    from django.utils.translation import gettext as _

    if value and not is_valid_tax_code(value):
        raise ValidationError(
            _("Invalid tax code: 10 digits with a valid check digit, or 10 digits + '-' + 3-digit branch."),
            code="invalid_tax_code",
        )
