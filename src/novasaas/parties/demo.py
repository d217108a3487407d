"""Demo data: ~30 realistic Vietnamese customers, suppliers and people (idempotent)."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from novasaas.parties.actions import code_series, refresh_search_text
from novasaas.parties.models import (
    Party,
    PartyAddress,
    PartyBankAccount,
    PartyContact,
    PartyKind,
    PartyTag,
    Tag,
)
from novasaas.platform import demo
from novasaas.platform.mst import check_digit
from novasaas.platform.numbering import next_number
from novasaas.platform.tenancy import tenant_context

CUSTOMER, SUPPLIER = "Khách hàng", "Nhà cung cấp"

# (name, tag, province, district, street, bank)
COMPANIES: list[tuple[str, str, str, str, str, str]] = [
    (
        "Công ty TNHH Thương mại Dịch vụ Hoàng Long",
        CUSTOMER,
        "TP. Hồ Chí Minh",
        "Quận 1",
        "45 Lê Lợi",
        "Vietcombank",
    ),
    ("Công ty Cổ phần Thực phẩm Sao Mai", CUSTOMER, "Hà Nội", "Cầu Giấy", "120 Trần Duy Hưng", "BIDV"),
    ("Công ty TNHH Điện tử Minh Phát", CUSTOMER, "Đà Nẵng", "Hải Châu", "88 Nguyễn Văn Linh", "Techcombank"),
    ("Công ty Cổ phần Xây dựng Trường Sơn", CUSTOMER, "Hà Nội", "Đống Đa", "15 Tây Sơn", "VietinBank"),
    ("Công ty TNHH Nội thất An Cư", CUSTOMER, "Bình Dương", "Thủ Dầu Một", "9 Đại lộ Bình Dương", "ACB"),
    ("Công ty TNHH Dược phẩm Thiên Phúc", CUSTOMER, "Cần Thơ", "Ninh Kiều", "32 Hòa Bình", "Sacombank"),
    ("Công ty Cổ phần Vận tải Biển Xanh", CUSTOMER, "Hải Phòng", "Ngô Quyền", "210 Lạch Tray", "MB Bank"),
    ("Công ty TNHH Thời trang Lụa Việt", CUSTOMER, "TP. Hồ Chí Minh", "Quận 3", "77 Võ Văn Tần", "VPBank"),
    ("Công ty Cổ phần Giáo dục Tương Lai", CUSTOMER, "Hà Nội", "Thanh Xuân", "5 Nguyễn Trãi", "Agribank"),
    ("Công ty TNHH Nhà hàng Phố Cổ", CUSTOMER, "Hà Nội", "Hoàn Kiếm", "18 Hàng Bạc", "Vietcombank"),
    ("Công ty TNHH Nông sản Đồng Tháp Xanh", CUSTOMER, "Đồng Tháp", "Cao Lãnh", "3 Nguyễn Huệ", "Agribank"),
    (
        "Công ty Cổ phần Công nghệ Sóng Việt",
        CUSTOMER,
        "TP. Hồ Chí Minh",
        "Quận 7",
        "12 Nguyễn Lương Bằng",
        "TPBank",
    ),
    ("Công ty Cổ phần Thép Hòa Bình", SUPPLIER, "Bắc Ninh", "Từ Sơn", "KCN Tiên Sơn", "BIDV"),
    ("Công ty TNHH Bao bì Phú Thịnh", SUPPLIER, "Long An", "Bến Lức", "KCN Thuận Đạo", "Vietcombank"),
    (
        "Công ty Cổ phần Nhựa Tân Tiến",
        SUPPLIER,
        "TP. Hồ Chí Minh",
        "Tân Phú",
        "135 Lũy Bán Bích",
        "Sacombank",
    ),
    ("Công ty TNHH Giấy Đông Á", SUPPLIER, "Hưng Yên", "Văn Lâm", "KCN Phố Nối A", "VietinBank"),
    (
        "Công ty Cổ phần Hóa chất Đức Giang",
        SUPPLIER,
        "Hà Nội",
        "Long Biên",
        "18 Ngõ 44 Đức Giang",
        "Techcombank",
    ),
    (
        "Công ty TNHH Linh kiện Điện tử Việt Hàn",
        SUPPLIER,
        "Bắc Giang",
        "Việt Yên",
        "KCN Đình Trám",
        "Shinhan Bank",
    ),
    (
        "Công ty Cổ phần Vật tư Nông nghiệp Mekong",
        SUPPLIER,
        "An Giang",
        "Long Xuyên",
        "22 Trần Hưng Đạo",
        "Agribank",
    ),
    (
        "Công ty TNHH Logistics Sài Gòn Express",
        SUPPLIER,
        "TP. Hồ Chí Minh",
        "Quận Tân Bình",
        "60 Trường Sơn",
        "ACB",
    ),
    (
        "Công ty TNHH Văn phòng phẩm Hồng Hà Phát",
        SUPPLIER,
        "Hà Nội",
        "Hai Bà Trưng",
        "25 Lý Thường Kiệt",
        "MB Bank",
    ),
    ("Công ty Cổ phần Cơ khí Chính xác Đông Nam", SUPPLIER, "Đồng Nai", "Biên Hòa", "KCN Amata", "BIDV"),
]

# (name, tag, province, id_number)
PEOPLE: list[tuple[str, str, str, str]] = [
    ("Nguyễn Văn An", CUSTOMER, "Hà Nội", "001085012345"),
    ("Trần Thị Bình", CUSTOMER, "TP. Hồ Chí Minh", "079190023456"),
    ("Lê Hoàng Cường", CUSTOMER, "Đà Nẵng", "048088034567"),
    ("Phạm Thu Dung", CUSTOMER, "Hải Phòng", "031192045678"),
    ("Hoàng Minh Đức", SUPPLIER, "Nghệ An", "040087056789"),
    ("Vũ Thị Giang", CUSTOMER, "Thái Bình", "034195067890"),
    ("Đặng Quốc Huy", SUPPLIER, "Cần Thơ", "092089078901"),
    ("Bùi Thị Lan", CUSTOMER, "Huế", "046193089012"),
]

_PHONE_PREFIXES = ["090", "091", "093", "096", "097", "098", "086", "088", "070", "077"]


def demo_mst(n: int) -> str:
    """A deterministic, valid business tax code (the check digit computed as the tax office does)."""
    seed = n
    while True:
        nine = f"0{(31_000_000 + seed * 104_729) % 100_000_000:08d}"
        digit = check_digit(nine)
        if digit is not None:
            return nine + str(digit)
        seed += 997


def _slug(name: str) -> str:
    from novasaas.parties.text import name_key

    return name_key(name).replace(" ", "")[:20] or "demo"


@transaction.atomic
def _create(
    i: int,
    name: str,
    kind: str,
    tag_name: str,
    province: str,
    district: str,
    street: str,
    tax_code: str = "",
    id_number: str = "",
    bank: str = "",
) -> None:
    prefix, key = code_series("supplier" if tag_name == SUPPLIER else "customer")
    party = Party.objects.create(
        code=f"{prefix}{next_number(key):05d}",
        name=name,
        kind=kind,
        tax_code=tax_code,
        id_number=id_number,
        website=f"https://{_slug(name)}.vn" if kind == PartyKind.COMPANY else "",
    )
    PartyAddress.objects.create(
        party=party,
        label="Trụ sở" if kind == PartyKind.COMPANY else "Nhà riêng",
        line=street,
        district=district,
        province=province,
        is_default=True,
    )
    phone = f"{_PHONE_PREFIXES[i % len(_PHONE_PREFIXES)]}{(1234567 + i * 86421) % 10_000_000:07d}"
    PartyContact.objects.create(party=party, kind="phone", value=phone, is_primary=True)
    mail = f"lienhe@{_slug(name)}.vn" if kind == PartyKind.COMPANY else f"{_slug(name)}{i}@gmail.com"
    PartyContact.objects.create(party=party, kind="email", value=mail, is_primary=True)
    if bank:
        PartyBankAccount.objects.create(
            party=party,
            bank_name=bank,
            account_number=f"{100200300 + i * 7331:013d}",
            holder=name.upper(),
            branch=f"Chi nhánh {province}",
        )
    tag = Tag.objects.filter(name=tag_name).first() or Tag.objects.create(name=tag_name)
    PartyTag.objects.create(party=party, tag=tag)
    refresh_search_text(party)


def load_demo_parties(tenant: Any) -> None:
    """Create the demo directory once: parties already present (by name) are left alone."""
    with tenant_context(tenant):
        existing = set(Party.objects.values_list("name", flat=True))
        for i, (name, tag, province, district, street, bank) in enumerate(COMPANIES, start=1):
            if name not in existing:
                _create(
                    i,
                    name,
                    PartyKind.COMPANY,
                    tag,
                    province,
                    district,
                    street,
                    tax_code=demo_mst(i),
                    bank=bank,
                )
        for j, (name, tag, province, id_number) in enumerate(PEOPLE, start=len(COMPANIES) + 1):
            if name not in existing:
                _create(j, name, PartyKind.PERSON, tag, province, "", f"Số {j} đường {j + 2}", id_number=id_number)


demo.register_loader("CORE", load_demo_parties)
