"""Demo data: a year of realistic postings for the demo tenant (idempotent: each demo document is a
source document, posted once)."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from typing import Any

from django.utils import timezone

from novasaas.accounting.actions import ensure_chart, post_source_document
from novasaas.accounting.models import JournalEntry
from novasaas.accounting.scope import in_tenant
from novasaas.platform import demo

SOURCE = "demo.accounting"


def _parties(tenant: Any, tag: str | None = None, kind: str | None = None) -> list[int]:
    from novasaas.parties import selectors as parties

    with in_tenant(tenant):
        return [p.pk for p in parties.search_parties(tenant, tag=tag, kind=kind)[:12]]


def load_demo_accounting(tenant: Any) -> None:
    ensure_chart(tenant)
    with in_tenant(tenant):
        if JournalEntry.objects.filter(source_type=SOURCE).exists():
            return
    customers = _parties(tenant, "Khách hàng")
    vendors = _parties(tenant, "Nhà cung cấp")
    staff = _parties(tenant, kind="person") or customers
    if not customers or not vendors:
        return
    rng = random.Random(2026)  # noqa: S311 - demo data, not security
    today = timezone.localdate()
    n = 0

    def post(day: dt.date, memo: str, lines: list[tuple[Any, ...]], journal: str = "GEN") -> None:
        nonlocal n
        n += 1
        post_source_document(tenant, SOURCE, n, day, lines, memo=memo, reference=f"DEMO-{n:04d}", journal=journal)

    def vnd(low: int, high: int) -> Decimal:
        return Decimal(rng.randrange(low, high) * 100_000)

    start = dt.date(today.year, 1, 1)
    post(
        start,
        "Góp vốn chủ sở hữu",
        [("bank", "2000000000", "0", None, ""), ("4111", "0", "2000000000", None, "")],
        "BANK",
    )
    post(
        start,
        "Rút tiền gửi về quỹ",
        [("cash", "100000000", "0", None, ""), ("bank", "0", "100000000", None, "")],
        "CASH",
    )
    for month in range(1, today.month + 1):
        first = dt.date(today.year, month, 1)
        last_day = (
            today
            if month == today.month
            else (dt.date(today.year + (month == 12), month % 12 + 1, 1) - dt.timedelta(days=1))
        )
        for k in range(3):
            day = min(first + dt.timedelta(days=2 + 8 * k), last_day)
            vendor = rng.choice(vendors)
            cost = vnd(50, 400)
            vat = (cost / 10).quantize(Decimal(1))
            post(
                day,
                "Mua hàng hóa nhập kho",
                [
                    ("inventory", cost, 0, None, ""),
                    ("input_vat", vat, 0, None, "VAT 10%"),
                    ("payable", 0, cost + vat, vendor, ""),
                ],
                "PUR",
            )
            customer = rng.choice(customers)
            price = (cost * Decimal("1.35")).quantize(Decimal(1000))
            out_vat = (price / 10).quantize(Decimal(1))
            post(
                day,
                "Bán hàng",
                [
                    ("receivable", price + out_vat, 0, customer, ""),
                    ("revenue", 0, price, None, ""),
                    ("output_vat", 0, out_vat, None, "VAT 10%"),
                ],
                "SAL",
            )
            post(day, "Giá vốn hàng bán", [("cogs", cost, 0, None, ""), ("inventory", 0, cost, None, "")], "INV")
            if day < today - dt.timedelta(days=20):
                post(
                    day + dt.timedelta(days=10),
                    "Khách hàng thanh toán",
                    [("bank", price + out_vat, 0, None, ""), ("receivable", 0, price + out_vat, customer, "")],
                    "BANK",
                )
                post(
                    day + dt.timedelta(days=12),
                    "Thanh toán nhà cung cấp",
                    [("payable", cost + vat, 0, vendor, ""), ("bank", 0, cost + vat, None, "")],
                    "BANK",
                )
        pay_day = min(dt.date(today.year, month, 25), last_day)
        post(
            pay_day,
            "Chi phí lương tháng",
            [("salary_expense", "85000000", 0, None, ""), ("employee_payable", 0, "85000000", staff[0], "")],
        )
        post(
            pay_day,
            "Trả lương qua ngân hàng",
            [("employee_payable", "85000000", 0, staff[0], ""), ("bank", 0, "85000000", None, "")],
            "BANK",
        )
        post(
            pay_day,
            "Tiền thuê văn phòng",
            [("admin_expense", "25000000", 0, None, ""), ("cash", 0, "25000000", None, "")],
            "CASH",
        )


demo.register_loader("ACC", load_demo_accounting)
