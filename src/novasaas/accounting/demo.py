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
MONTHS = 12  # the demo is the twelve months ending today: as full on 1 January as on 31 December


def first_day(today: dt.date) -> dt.date:
    """The first day of the demo: the first of the month eleven months before ``today``'s."""
    index = today.year * 12 + today.month - 1 - (MONTHS - 1)
    return dt.date(index // 12, index % 12 + 1, 1)


def _months(today: dt.date) -> list[tuple[dt.date, dt.date]]:
    """(first day, last day) of each demo month, oldest first; the current month ends today."""
    out = []
    first = first_day(today)
    for _ in range(MONTHS):
        following = dt.date(first.year + first.month // 12, first.month % 12 + 1, 1)
        out.append((first, min(today, following - dt.timedelta(days=1))))
        first = following
    return out


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
    # With the Inventory module, stock and COGS come from its valued events (subscribers.py): supplier
    # invoices then clear goods received not invoiced instead of debiting stock, so the ledger's stock
    # accounts reconcile with the inventory valuation.
    with_inventory = tenant.has_module("INV")
    stock_role = "goods_received_not_invoiced" if with_inventory else "inventory"
    rng = random.Random(2026)  # noqa: S311 - demo data, not security
    today = timezone.localdate()
    n = 0

    def post(day: dt.date, memo: str, lines: list[Any], journal: str = "GEN") -> None:
        nonlocal n
        n += 1
        post_source_document(tenant, SOURCE, n, day, lines, memo=memo, reference=f"DEMO-{n:04d}", journal=journal)

    def vnd(low: int, high: int) -> Decimal:
        return Decimal(rng.randrange(low, high) * 100_000)

    start = first_day(today)
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
    for first, last_day in _months(today):
        for k in range(3):
            day = min(first + dt.timedelta(days=2 + 8 * k), last_day)
            vendor = rng.choice(vendors)
            cost = vnd(500, 3000)
            vat = (cost / 10).quantize(Decimal(1))
            post(
                day,
                "Mua hàng hóa nhập kho",
                [
                    (stock_role, cost, 0, None, ""),
                    {
                        "account": "input_vat",
                        "debit": vat,
                        "credit": 0,
                        "memo": "VAT 10%",
                        "tax_rate": "VAT10",
                        "tax_base": cost,
                    },
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
                    {
                        "account": "output_vat",
                        "debit": 0,
                        "credit": out_vat,
                        "memo": "VAT 10%",
                        "tax_rate": "VAT10",
                        "tax_base": price,
                    },
                ],
                "SAL",
            )
            if not with_inventory:
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
        pay_day = min(first.replace(day=25), last_day)
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
    _demo_foreign_currency(tenant, today, customers[0], vendors[0], stock_role, post)
    _demo_budget_and_bank(tenant, today)


def _demo_foreign_currency(tenant: Any, today: dt.date, customer: int, vendor: int, stock_role: str, post: Any) -> None:
    """USD rates on the first of each month, an export sale collected a month later at another rate
    (realised difference to 515/635) and an import bill still open (for the revaluation page)."""
    from novasaas.accounting import receivables
    from novasaas.accounting.models import ExchangeRate, JournalLine

    months = _months(today)
    with in_tenant(tenant):
        for first, _last in months:
            ExchangeRate.objects.get_or_create(
                currency="USD",
                date=first,
                defaults={"rate": Decimal(25_300 + 35 * first.month + (first.month % 3) * 20)},
            )
    usd = {"currency": "USD"}
    # the export sale in the demo's first month, collected in its second: both in the past on any day
    sale_day = months[0][0].replace(day=12)
    post(
        sale_day,
        "Xuất khẩu hàng hóa (USD)",
        [
            {"account": "receivable", "debit": "12000", "credit": 0, "partner_id": customer, **usd},
            {"account": "revenue", "debit": 0, "credit": "12000", **usd},
        ],
        "SAL",
    )
    collect_day = months[1][0].replace(day=14)
    post(
        collect_day,
        "Khách hàng thanh toán (USD)",
        [
            {"account": "bank_foreign", "debit": "12000", "credit": 0, **usd},
            {"account": "receivable", "debit": 0, "credit": "12000", "partner_id": customer, **usd},
        ],
        "BANK",
    )
    with in_tenant(tenant):
        lines = JournalLine.objects.filter(partner_id=customer, currency="USD", account__code__startswith="131")
        invoice = lines.filter(debit__gt=0).order_by("id").first()
        receipt = lines.filter(credit__gt=0).order_by("id").first()
        if invoice is not None and receipt is not None:
            receivables._allocate(tenant, "receivable", receipt, [(invoice.pk, Decimal("12000"))])
    bill_day = today.replace(day=1)
    post(
        bill_day,
        "Nhập khẩu hàng hóa (USD)",
        [
            {"account": stock_role, "debit": "5000", "credit": 0, **usd},
            {"account": "payable", "debit": 0, "credit": "5000", "partner_id": vendor, **usd},
        ],
        "PUR",
    )


def _demo_budget_and_bank(tenant: Any, today: dt.date) -> None:
    """A cost budget for the year and the main bank account (idempotent through unique names)."""
    from novasaas.accounting.models import Account, BankAccount, Budget, BudgetLine, FiscalPeriod, FiscalYear

    with in_tenant(tenant):
        year = FiscalYear.objects.filter(start_date__lte=today, end_date__gte=today).first()
        if year is not None and not Budget.objects.filter(fiscal_year=year).exists():
            budget = Budget.objects.create(fiscal_year=year, name="Ngân sách chi phí")
            accounts = {a.code: a for a in Account.objects.filter(code__in=["6421", "6422", "642"])}
            target = accounts.get("6422") or accounts.get("642")
            if target is not None:
                BudgetLine.objects.bulk_create(
                    [
                        BudgetLine(  # type: ignore[misc]  # MoneyField holds Decimal
                            tenant_id=tenant.pk, budget=budget, account=target, period=p, amount=Decimal(115000000)
                        )
                        for p in FiscalPeriod.objects.filter(fiscal_year=year)
                    ]
                )
        bank = Account.objects.filter(code="1121", allows_posting=True).first()
        if bank is not None and not BankAccount.objects.exists():
            BankAccount.objects.create(
                name="Vietcombank VND", bank_name="Vietcombank", number="0071001234567", account=bank
            )


demo.register_loader("ACC", load_demo_accounting)
