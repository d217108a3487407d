"""Demo data: a year of realistic postings for the demo tenant (idempotent: each demo document is a
source document, posted once)."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from typing import Any

from django.utils import timezone

from novasaas.accounting import config_cache
from novasaas.accounting.actions import ensure_chart, post_source_document
from novasaas.accounting.models import JournalEntry
from novasaas.accounting.scope import in_tenant
from novasaas.platform import demo
from novasaas.platform.demo import demo_start

SOURCE = "demo.accounting"


def _parties(tenant: Any, tag: str | None = None, kind: str | None = None) -> list[int]:
    from novasaas.parties import selectors as parties

    with in_tenant(tenant):
        return [p.pk for p in parties.search_parties(tenant, tag=tag, kind=kind)[:12]]


def _months(start: dt.date, today: dt.date) -> list[tuple[dt.date, dt.date]]:
    """(first day, last day or today) of each month from ``start`` to ``today``."""
    out = []
    first = start
    while first <= today:
        following = (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
        out.append((first, min(following - dt.timedelta(days=1), today)))
        first = following
    return out


def load_demo_accounting(tenant: Any) -> None:
    """Capital, monthly cash, salaries and rent, foreign currency, a budget. Without Inventory the year's
    trade is posted here too (purchases, sales at a 35% markup, their COGS and settlements); with
    Inventory, ``load_demo_trade`` invoices the goods the warehouse really received and sold. Running
    costs are sized to the trade so that the year ends with a normal margin and cash never below zero."""
    ensure_chart(tenant)
    with in_tenant(tenant):
        if JournalEntry.objects.filter(source_type=SOURCE).exists():
            return
    customers = _parties(tenant, "Khách hàng")
    vendors = _parties(tenant, "Nhà cung cấp")
    staff = _parties(tenant, kind="person") or customers
    if not customers or not vendors:
        return
    with_inventory = tenant.has_module("INV")
    rng = random.Random(2026)  # noqa: S311 - demo data, not security
    today = timezone.localdate()
    n = 0

    def post(day: dt.date, memo: str, lines: list[Any], journal: str = "GEN") -> None:
        nonlocal n
        n += 1
        post_source_document(tenant, SOURCE, n, day, lines, memo=memo, reference=f"DEMO-{n:04d}", journal=journal)

    def vnd(low: int, high: int) -> Decimal:
        return Decimal(rng.randrange(low, high) * 100_000)

    start = demo_start(today)
    # with Inventory: a distributor with two warehouses and six staff, ~3.8 billion đ of sales a year
    capital = Decimal(5_000_000_000 if with_inventory else 2_000_000_000)
    salary = Decimal(45_000_000 if with_inventory else 85_000_000)
    rent = Decimal(10_000_000 if with_inventory else 25_000_000)
    post(start, "Góp vốn chủ sở hữu", [("bank", capital, "0", None, ""), ("4111", "0", capital, None, "")], "BANK")
    for first, last_day in _months(start, today):
        # cash for the month's rent and petty expenses, withdrawn from the bank on the first
        post(
            first,
            "Rút tiền gửi về quỹ",
            [("cash", rent + 4_000_000, "0", None, ""), ("bank", "0", rent + 4_000_000, None, "")],
            "CASH",
        )
        if not with_inventory:
            for k in range(3):
                day = min(first + dt.timedelta(days=2 + 8 * k), last_day)
                vendor = rng.choice(vendors)
                cost = vnd(500, 3000)
                vat = (cost / 10).quantize(Decimal(1))
                post(
                    day,
                    "Mua hàng hóa nhập kho",
                    [
                        ("inventory", cost, 0, None, ""),
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
                _sale(post, day, price, customer, today)
                post(day, "Giá vốn hàng bán", [("cogs", cost, 0, None, ""), ("inventory", 0, cost, None, "")], "INV")
                if day + dt.timedelta(days=12) <= today:
                    post(
                        day + dt.timedelta(days=12),
                        "Thanh toán nhà cung cấp",
                        [("payable", cost + vat, 0, vendor, ""), ("bank", 0, cost + vat, None, "")],
                        "BANK",
                    )
        pay_day = min(first.replace(day=25), last_day)
        post(
            pay_day,
            "Tiền thuê cửa hàng",
            [("admin_expense", rent, 0, None, ""), ("cash", 0, rent, None, "")],
            "CASH",
        )
        if payroll_in_hrm(tenant, first):
            continue
        post(
            pay_day,
            "Chi phí lương tháng",
            [("salary_expense", salary, 0, None, ""), ("employee_payable", 0, salary, staff[0], "")],
        )
        post(
            pay_day,
            "Trả lương qua ngân hàng",
            [("employee_payable", salary, 0, staff[0], ""), ("bank", 0, salary, None, "")],
            "BANK",
        )
    _demo_foreign_currency(tenant, today, customers[0], vendors[0], post)
    _demo_budget_and_bank(tenant, today)


HRM_FIRST_MONTH = dt.date(2026, 1, 1)  # the first month with HRM's statutory rows


def payroll_in_hrm(tenant: Any, first: dt.date) -> bool:
    """With HRM the demo's salaries are HRM's payroll (``hrm/demo.py``: every month from 2026 up to the
    previous one, approved and paid); the general entries below only cover the months before it. The
    current month's payroll is not run yet."""
    return tenant.has_module("HRM") and first >= HRM_FIRST_MONTH


def _sale(post: Any, day: dt.date, price: Decimal, customer: int, today: dt.date) -> None:
    """A sale on credit with 10% VAT, collected through the bank ten days later (when that is past)."""
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
    if day + dt.timedelta(days=10) <= today:
        post(
            day + dt.timedelta(days=10),
            "Khách hàng thanh toán",
            [("bank", price + out_vat, 0, None, ""), ("receivable", 0, price + out_vat, customer, "")],
            "BANK",
        )


TRADE_SOURCE = "demo.accounting.trade"


def load_demo_trade(tenant: Any) -> None:
    """With Inventory: the supplier invoice of every goods receipt the warehouse posted (clearing 3388
    "goods received not invoiced" to 331, with 10% input VAT, paid by bank 12 days later) and the sale of
    every goods issue at a 30% markup on its cost (131 / 5111 / 33311, collected 10 days later). Runs
    after the Inventory loader (``order``), reads only the ledger, and is idempotent."""
    from novasaas.accounting.actions import resolve_role
    from novasaas.accounting.models import EntryState, JournalLine

    if not tenant.has_module("INV"):
        return
    ensure_chart(tenant)
    with in_tenant(tenant):
        if JournalEntry.objects.filter(source_type=TRADE_SOURCE).exists():
            return
        grni, cogs = resolve_role(tenant, "goods_received_not_invoiced"), resolve_role(tenant, "cogs")
        moves = list(
            JournalLine.objects.filter(account__in=[grni, cogs], entry__state=EntryState.POSTED)
            .exclude(entry__source_type__startswith="demo.")
            .values_list("entry_id", "entry__date", "account_id", "debit", "credit")
            .order_by("entry__date", "entry_id")
        )
    customers = _parties(tenant, "Khách hàng")
    vendors = _parties(tenant, "Nhà cung cấp")
    if not customers or not vendors:
        return
    received: dict[tuple[dt.date, int], Decimal] = {}
    sold: dict[tuple[dt.date, int], Decimal] = {}
    for entry_id, day, account_id, debit, credit in moves:
        if account_id == grni.pk:
            received[(day, entry_id)] = received.get((day, entry_id), Decimal(0)) + credit - debit
        else:
            sold[(day, entry_id)] = sold.get((day, entry_id), Decimal(0)) + debit - credit
    rng = random.Random(133)  # noqa: S311 - demo data, not security
    today = timezone.localdate()
    n = 0

    def post(day: dt.date, memo: str, lines: list[Any], journal: str = "GEN") -> None:
        nonlocal n
        n += 1
        post_source_document(
            tenant, TRADE_SOURCE, n, day, lines, memo=memo, reference=f"DEMO-T{n:04d}", journal=journal
        )

    for (day, _entry), cost in received.items():
        if cost <= 0:
            continue
        vendor = rng.choice(vendors)
        vat = (cost / 10).quantize(Decimal(1))
        post(
            day,
            "Hóa đơn mua hàng (hàng đã nhập kho)",
            [
                ("goods_received_not_invoiced", cost, 0, None, ""),
                {"account": "input_vat", "debit": vat, "credit": 0, "tax_rate": "VAT10", "tax_base": cost},
                ("payable", 0, cost + vat, vendor, ""),
            ],
            "PUR",
        )
        if day + dt.timedelta(days=12) <= today:
            post(
                day + dt.timedelta(days=12),
                "Thanh toán nhà cung cấp",
                [("payable", cost + vat, 0, vendor, ""), ("bank", 0, cost + vat, None, "")],
                "BANK",
            )
    for (day, _entry), cost in sold.items():
        if cost <= 0:
            continue
        _sale(post, day, (cost * Decimal("1.3")).quantize(Decimal(1000)), rng.choice(customers), today)


def _demo_foreign_currency(tenant: Any, today: dt.date, customer: int, vendor: int, post: Any) -> None:
    """USD rates on the first of each month, an export sale collected a month later at another rate
    (realised difference to 515/635) and an import bill still open (for the revaluation page)."""
    from novasaas.accounting import receivables
    from novasaas.accounting.models import ExchangeRate, JournalLine

    months = _months(demo_start(today), today)
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
            {"account": "receivable", "debit": "4000", "credit": 0, "partner_id": customer, **usd},
            {"account": "revenue", "debit": 0, "credit": "4000", **usd},
        ],
        "SAL",
    )
    collect_day = months[1][0].replace(day=14)
    post(
        collect_day,
        "Khách hàng thanh toán (USD)",
        [
            {"account": "bank_foreign", "debit": "4000", "credit": 0, **usd},
            {"account": "receivable", "debit": 0, "credit": "4000", "partner_id": customer, **usd},
        ],
        "BANK",
    )
    with in_tenant(tenant):
        lines = JournalLine.objects.filter(partner_id=customer, currency="USD", account__code__startswith="131")
        invoice = lines.filter(debit__gt=0).order_by("id").first()
        receipt = lines.filter(credit__gt=0).order_by("id").first()
        if invoice is not None and receipt is not None:
            receivables._allocate(tenant, "receivable", receipt, [(invoice.pk, Decimal("4000"))])
    bill_day = today.replace(day=1)
    post(
        bill_day,
        "Phí dịch vụ phần mềm nước ngoài (USD)",
        [
            {"account": "admin_expense", "debit": "1200", "credit": 0, **usd},
            {"account": "payable", "debit": 0, "credit": "1200", "partner_id": vendor, **usd},
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
                config_cache.bump()
        bank = Account.objects.filter(code="1121", allows_posting=True).first()
        if bank is not None and not BankAccount.objects.exists():
            BankAccount.objects.create(
                name="Vietcombank VND", bank_name="Vietcombank", number="0071001234567", account=bank
            )


demo.register_loader("ACC", load_demo_accounting)
demo.register_loader("ACC", load_demo_trade, order=10)  # after Inventory's movements
