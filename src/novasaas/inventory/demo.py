"""Demo data: a Vietnamese shop's catalogue, two warehouses and a year of movements (idempotent)."""

from __future__ import annotations

import random
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from novasaas.inventory import actions, ledger
from novasaas.inventory.models import Product, Unit
from novasaas.platform import demo
from novasaas.platform.tenancy import tenant_context

UNITS = [
    ("cai", "Cái", None, 1),
    ("chai", "Chai", None, 1),
    ("thung", "Thùng (24 chai)", "chai", 24),
    ("hop", "Hộp", None, 1),
    ("loc", "Lốc (4 hộp)", "hop", 4),
    ("kg", "Kg", None, 1),
    ("goi", "Gói", None, 1),
]
# what English pages show (Unit.name_en)
UNIT_NAMES_EN = {
    "cai": "Piece",
    "chai": "Bottle",
    "thung": "Case (24 bottles)",
    "hop": "Carton",
    "loc": "Pack (4 cartons)",
    "kg": "Kg",
    "goi": "Packet",
}

# (sku, name, category path, stock unit, purchase unit, cost, price, tracking, shelf life, reorder level)
PRODUCTS: list[tuple[str, str, str, str, str | None, int, int, str, int | None, int]] = [
    ("BIA-SG-330", "Bia Sài Gòn Lager 330ml", "Đồ uống/Bia", "chai", "thung", 9500, 13000, "none", None, 120),
    ("BIA-HN-330", "Bia Hà Nội 330ml", "Đồ uống/Bia", "chai", "thung", 9000, 12500, "none", None, 120),
    ("NGK-COCA-390", "Coca-Cola 390ml", "Đồ uống/Nước giải khát", "chai", "thung", 7000, 10000, "none", None, 96),
    (
        "NGK-LAVIE-500",
        "Nước khoáng La Vie 500ml",
        "Đồ uống/Nước giải khát",
        "chai",
        "thung",
        3500,
        6000,
        "none",
        None,
        96,
    ),
    (
        "TRA-OLONG-450",
        "Trà Ô Long Tea+ 450ml",
        "Đồ uống/Nước giải khát",
        "chai",
        "thung",
        8000,
        11000,
        "none",
        None,
        48,
    ),
    ("SUA-VNM-180", "Sữa tươi Vinamilk có đường 180ml", "Thực phẩm/Sữa", "hop", "loc", 6500, 8500, "lot", 180, 200),
    ("SUA-TH-180", "Sữa tươi TH true MILK 180ml", "Thực phẩm/Sữa", "hop", "loc", 7000, 9000, "lot", 180, 200),
    ("MI-HAOHAO", "Mì Hảo Hảo tôm chua cay", "Thực phẩm/Mì gói", "goi", None, 3500, 5000, "lot", 240, 300),
    ("GAO-ST25-5", "Gạo ST25 túi 5kg", "Thực phẩm/Gạo", "cai", None, 150000, 190000, "none", None, 20),
    (
        "CAFE-TN-G7",
        "Cà phê G7 hòa tan 3in1 (hộp 18 gói)",
        "Thực phẩm/Cà phê",
        "hop",
        None,
        48000,
        62000,
        "lot",
        365,
        30,
    ),
    ("NUOCMAM-NC", "Nước mắm Nam Ngư 500ml", "Thực phẩm/Gia vị", "chai", None, 28000, 36000, "none", None, 40),
    ("DT-QUAT-SENKO", "Quạt đứng Senko DH1600", "Điện gia dụng", "cai", None, 420000, 550000, "serial", None, 5),
    ("DT-NOICOM-SH", "Nồi cơm điện Sunhouse 1.8L", "Điện gia dụng", "cai", None, 650000, 850000, "serial", None, 3),
    ("GD-BOTGIAT-OMO", "Bột giặt OMO 3kg", "Hóa mỹ phẩm", "cai", None, 145000, 179000, "none", None, 24),
    ("GD-NUOCRUA-SL", "Nước rửa chén Sunlight 750g", "Hóa mỹ phẩm", "chai", None, 25000, 33000, "none", None, 36),
]


def _principal(tenant: Any) -> Any:
    from novasaas.identity.access import principal_for
    from novasaas.identity.models import Membership, MembershipRole

    admin_ids = MembershipRole.objects.filter(role__code="tenant_admin").values_list("membership_id", flat=True)
    membership = Membership.objects.select_related("tenant", "user").filter(pk__in=admin_ids).order_by("pk").first()
    if membership is None:
        raise RuntimeError("the demo tenant has no Tenant Admin")
    return principal_for(membership)


def load_demo_inventory(tenant: Any) -> None:
    with tenant_context(tenant), transaction.atomic():
        if Product.objects.filter(sku="BIA-SG-330").exists():
            return
        p = _principal(tenant)
        units: dict[str, Unit] = {}
        for code, name, base, factor in UNITS:
            units[code] = actions.save_unit(
                p,
                code=code,
                name=name,
                name_en=UNIT_NAMES_EN.get(code, ""),
                factor=str(factor),
                base_id=units[base].pk if base else None,
            )
        cats: dict[str, int] = {}
        for path in sorted({row[2] for row in PRODUCTS}):
            parent = None
            for i, name in enumerate(path.split("/")):
                key = "/".join(path.split("/")[: i + 1])
                if key not in cats:
                    method = "fifo" if key == "Điện gia dụng" else "average"
                    cats[key] = actions.save_category(p, name=name, parent_id=parent, valuation_method=method).pk
                parent = cats[key]
        products = []
        for sku, name, cat, su, pu, cost, price, tracking, shelf, reorder in PRODUCTS:
            products.append(
                actions.save_product(
                    p,
                    sku=sku,
                    name=name,
                    category_id=cats[cat],
                    stock_unit_id=units[su].pk,
                    purchase_unit_id=units[pu].pk if pu else None,
                    cost_price=Decimal(cost),
                    sale_price=Decimal(price),
                    tracking=tracking,
                    shelf_life_days=shelf,
                    reorder_level=Decimal(reorder),
                    reorder_quantity=Decimal(reorder * 2),
                    generate_barcode=True,
                )
            )
        actions.save_variant(p, products[-2].pk, sku="DT-NOICOM-SH-XANH", attributes={"màu": "Xanh"})
        hn = actions.save_warehouse(
            p, code="HN", name="Kho Hà Nội", address="Số 5 Phạm Hùng, Nam Từ Liêm, Hà Nội", is_default=True
        )
        hcm = actions.save_warehouse(
            p, code="HCM", name="Kho TP. Hồ Chí Minh", address="KCN Tân Bình, Q. Tân Phú, TP. Hồ Chí Minh"
        )
        for wh in (hn, hcm):
            for z in ("A", "B"):
                zone = actions.save_location(
                    p, warehouse_id=wh.pk, code=f"{wh.code}-{z}", name=f"Khu {z}", level="zone"
                )
                for n in (1, 2):
                    actions.save_location(
                        p,
                        warehouse_id=wh.pk,
                        parent_id=zone.pk,
                        code=f"{wh.code}-{z}-0{n}",
                        name=f"Kệ {z}-0{n}",
                        level="shelf",
                    )
        _year_of_movements(p, products, [hn, hcm])


# Quantities of the year's movements (serial-tracked goods apart): sized so that the year's trade
# (~3.8 billion đ of sales through load_demo_trade) carries a six-person payroll and two warehouses
# with a normal margin (docs/hrm.md "Demo").
SCALE = 5


def _year_of_movements(p: Any, products: list[Product], warehouses: list[Any]) -> None:
    rng = random.Random(2026)  # noqa: S311 - demo data, not security
    today = timezone.localdate()
    serial_no = 0
    receipt = None
    for week in range(52, 0, -2):
        day = today - timedelta(days=7 * week)
        for wh in warehouses:
            lines = []
            for prod in rng.sample(products, 5):
                qty = rng.randint(3, 10) if prod.tracking == "serial" else rng.randint(4, 20) * 12 * SCALE
                line: dict[str, Any] = {
                    "product_id": prod.pk,
                    "quantity": str(qty),
                    "unit_cost": str(int(prod.cost_price * Decimal(rng.randint(95, 105)) / 100)),
                }
                if prod.tracking == "lot":
                    line["lot_code"] = f"L{day:%y%m%d}-{wh.code}"
                if prod.tracking == "serial":
                    line["serials"] = [f"SN{serial_no + i:06d}" for i in range(qty)]
                    serial_no += qty
                lines.append(line)
            receipt = actions.receive_goods(p, warehouse_id=wh.pk, lines=lines, date=day)
            for offset in (2, 5):
                out = []
                for prod in rng.sample(products, 4):
                    if prod.tracking == "serial":
                        continue
                    avail = ledger.stock_row(prod, None, wh).available
                    take = min(avail, Decimal(rng.randint(2, 15) * 6 * SCALE))
                    if take > 0:
                        out.append({"product_id": prod.pk, "quantity": str(take)})
                if out:
                    actions.issue_goods(p, warehouse_id=wh.pk, lines=out, date=day + timedelta(days=offset))
    if receipt is not None:
        actions.add_landed_cost(p, receipt.pk, amount="350000", description="Cước vận chuyển Viettel Post")
    actions.set_reorder_rule(
        p, product_id=products[0].pk, warehouse_id=warehouses[1].pk, reorder_level="240", reorder_quantity="480"
    )
    t = actions.create_transfer(
        p,
        from_warehouse_id=warehouses[0].pk,
        to_warehouse_id=warehouses[1].pk,
        lines=[{"product_id": products[0].pk, "quantity": "24"}],
    )
    actions.approve_transfer(p, t.pk)
    actions.create_adjustment(
        p,
        warehouse_id=warehouses[0].pk,
        reason="Vỡ 2 chai khi bốc xếp",
        lines=[{"product_id": products[0].pk, "quantity_change": "-2"}],
    )
    actions.create_count(p, warehouse_id=warehouses[1].pk)


demo.register_loader("INV", load_demo_inventory)
