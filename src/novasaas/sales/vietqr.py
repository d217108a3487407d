"""VietQR (NAPAS 247, EMVCo merchant-presented QR) payloads: pure functions, no I/O.

Payload = TLV fields (``id`` 2 digits, ``length`` 2 digits, ``value``):

=====  ==========================================  =======================================
 id     field                                       value
=====  ==========================================  =======================================
 00     payload format indicator                    ``01``
 01     point of initiation                         ``11`` static, ``12`` with an amount
 38     merchant account information                00 GUID ``A000000727`` · 01 beneficiary
                                                    (00 bank BIN, 6 digits · 01 account
                                                    number, ≤ 19) · 02 service ``QRIBFTTA``
 53     currency                                    ``704`` (VND)
 54     amount                                      whole đồng, digits only (omitted: none)
 58     country                                     ``VN``
 62     additional data                             08 purpose: the reference (the invoice
                                                    number), ≤ 25, unaccented A–Z 0–9 space -
 63     CRC                                         CRC-16/CCITT-FALSE (poly 0x1021, init
                                                    0xFFFF) of everything before it incl. ``6304``,
                                                    4 upper-case hex digits
=====  ==========================================  =======================================
"""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal

GUID = "A000000727"
SERVICE_TO_ACCOUNT = "QRIBFTTA"
MAX_REFERENCE = 25


def crc16_ccitt(data: bytes) -> int:
    """CRC-16/CCITT-FALSE (check value of ``b"123456789"``: 0x29B1)."""
    crc = 0xFFFF
    for byte in data:
        crc ^= byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) if crc & 0x8000 else (crc << 1)
            crc &= 0xFFFF
    return crc


def tlv(tag: str, value: str) -> str:
    if len(value) > 99:
        raise ValueError(f"field {tag} longer than 99 characters")
    return f"{tag}{len(value):02d}{value}"


def plain_reference(text: str) -> str:
    """The reference as banks carry it: no diacritics (đ → d), only letters, digits, space and -."""
    text = text.replace("đ", "d").replace("Đ", "D")
    text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    return re.sub(r"[^A-Za-z0-9 \-]", " ", text).strip()[:MAX_REFERENCE].strip()


def payload(bank_bin: str, account: str, amount: Decimal | int | None = None, reference: str = "") -> str:
    """The VietQR string of a transfer of ``amount`` đồng (whole) to ``account`` at the bank ``bank_bin``
    with ``reference`` as the transfer's purpose. ``ValueError`` on a malformed BIN, account or amount."""
    if not re.fullmatch(r"\d{6}", bank_bin or ""):
        raise ValueError("the bank BIN has 6 digits")
    if not re.fullmatch(r"[0-9A-Za-z]{1,19}", account or ""):
        raise ValueError("the account number has 1 to 19 letters or digits")
    beneficiary = tlv("00", bank_bin) + tlv("01", account)
    merchant = tlv("00", GUID) + tlv("01", beneficiary) + tlv("02", SERVICE_TO_ACCOUNT)
    parts = [tlv("00", "01"), tlv("01", "12" if amount else "11"), tlv("38", merchant), tlv("53", "704")]
    if amount:
        value = Decimal(amount)
        if value < 0 or value != value.to_integral_value():
            raise ValueError("the amount is whole đồng, not negative")
        parts.append(tlv("54", str(int(value))))
    parts.append(tlv("58", "VN"))
    ref = plain_reference(reference)
    if ref:
        parts.append(tlv("62", tlv("08", ref)))
    body = "".join(parts) + "6304"
    return body + f"{crc16_ccitt(body.encode('ascii')):04X}"


def parse(text: str) -> dict[str, str]:
    """Top-level TLV fields of a payload (for tests and bank-statement matching); ``ValueError`` when
    the CRC does not match."""
    if len(text) < 8 or f"{crc16_ccitt(text[:-4].encode('ascii')):04X}" != text[-4:]:
        raise ValueError("bad CRC")
    fields: dict[str, str] = {}
    i = 0
    while i < len(text):
        tag, size = text[i : i + 2], int(text[i + 2 : i + 4])
        fields[tag] = text[i + 4 : i + 4 + size]
        i += 4 + size
    return fields
