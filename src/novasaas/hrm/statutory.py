"""The statutory payroll figures in force from 2026 (sources: docs/hrm.md, from
/work/shared/reference/vietnam-2026.md), and ``ensure_statutory_rows``, which writes any of them that is
missing (idempotent). Run by migration ``0002`` and at HRM set-up (``register_setup``), so a database
whose tables were emptied (a test flush) gets them back when a company with HRM is set up. A later
change of law is a new row added here (with the old row's ``valid_to``) or by the platform, never a
change of the engine.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

FROM_2026 = dt.date(2026, 1, 1)
FROM_2024_07 = dt.date(2024, 7, 1)
INSURANCE = "Law on Social Insurance 2024; Law on Health Insurance; Law on Employment; Trade Union Law"
MIN_WAGE = "Decree 293/2025/ND-CP (from 2026-01-01)"
PIT_2026 = "PIT law applying from tax year 2026 (law number unconfirmed)"

# (key, region, value, valid_from, source, confirmed)
RATES = [
    ("bhxh_employee", "", "8", FROM_2026, INSURANCE, True),
    ("bhyt_employee", "", "1.5", FROM_2026, INSURANCE, True),
    ("bhtn_employee", "", "1", FROM_2026, INSURANCE + " (2026 rate under Employment Law 2025 unconfirmed)", False),
    ("bhxh_pension_employer", "", "14", FROM_2026, INSURANCE, True),
    ("bhxh_sickness_employer", "", "3", FROM_2026, INSURANCE, True),
    ("bhxh_accident_employer", "", "0.5", FROM_2026, INSURANCE, True),
    ("bhyt_employer", "", "3", FROM_2026, INSURANCE, True),
    ("bhtn_employer", "", "1", FROM_2026, INSURANCE, True),
    ("union_fee", "", "2", FROM_2026, "Trade Union Law: 2% of the insurance salary fund", True),
    (
        "base_salary",
        "",
        "2340000",
        FROM_2024_07,
        "Base salary since 2024-07-01 (rise to 2,530,000 proposed, unconfirmed)",
        True,
    ),
    (
        "cap_multiplier",
        "",
        "20",
        FROM_2026,
        "BHXH/BHYT base ≤ 20 × base salary; BHTN base ≤ 20 × regional minimum wage",
        True,
    ),
    ("minimum_wage", "I", "5310000", FROM_2026, MIN_WAGE, True),
    ("minimum_wage", "II", "4730000", FROM_2026, MIN_WAGE, True),
    ("minimum_wage", "III", "4140000", FROM_2026, MIN_WAGE, True),
    ("minimum_wage", "IV", "3700000", FROM_2026, MIN_WAGE, True),
    ("personal_deduction", "", "15500000", FROM_2026, "Family deduction from tax year 2026", True),
    ("dependant_deduction", "", "6200000", FROM_2026, "Family deduction per dependant from tax year 2026", True),
    ("casual_rate", "", "10", FROM_2026, "Casual labour / contract under 3 months: 10% withheld", True),
    ("casual_threshold", "", "2000000", FROM_2026, "Casual withholding threshold (2M for 2026 unconfirmed)", False),
    ("non_resident_rate", "", "20", FROM_2026, "Non-resident individuals: 20% of taxable income", True),
]
# monthly assessable income upper ends and rates (None: no upper end)
BRACKETS = [(10_000_000, "5"), (30_000_000, "10"), (60_000_000, "20"), (100_000_000, "30"), (None, "35")]


def ensure_statutory_rows(rate_model: Any = None, bracket_model: Any = None) -> None:
    """Write the rows above that are missing (models passed by a migration: its historical ones)."""
    if rate_model is None or bracket_model is None:
        from novasaas.hrm.models import PitBracket, StatutoryRate

        rate_model, bracket_model = StatutoryRate, PitBracket
    have = set(rate_model.objects.values_list("key", "region", "valid_from"))
    rate_model.objects.bulk_create(
        [
            rate_model(key=key, region=region, value=Decimal(value), valid_from=valid_from, source=source,
                       confirmed=confirmed)
            for key, region, value, valid_from, source, confirmed in RATES
            if (key, region, valid_from) not in have
        ]
    )  # fmt: skip
    if not bracket_model.objects.filter(valid_from=FROM_2026).exists():
        bracket_model.objects.bulk_create(
            [
                bracket_model(
                    valid_from=FROM_2026, upper=None if upper is None else Decimal(upper), rate=Decimal(rate),
                    source=PIT_2026,
                )
                for upper, rate in BRACKETS
            ]
        )  # fmt: skip


# Labour Code 2019: annual leave 12 days (art. 113), marriage 3 days, a parent's/spouse's/child's death
# 3 days (art. 115, paid); sickness and maternity are paid by social insurance, not by the employer.
DEFAULT_LEAVE_TYPES = [
    ("PN", "Nghỉ phép năm", True, 12),
    ("OM", "Nghỉ ốm (BHXH chi trả)", False, None),
    ("TS", "Nghỉ thai sản (BHXH chi trả)", False, None),
    ("KL", "Nghỉ không lương", False, None),
    ("CUOI", "Nghỉ kết hôn", True, 3),
    ("TANG", "Nghỉ tang", True, 3),
]


_LAW = "Bộ luật Lao động 2019 Điều 112"
_LUNAR = "Bộ luật Lao động 2019 Điều 112; ngày âm lịch quy đổi"
_SHIFT = "Bộ luật Lao động 2019 Điều 111 khoản 3: nghỉ bù khi ngày lễ trùng ngày nghỉ hằng tuần (tuần T2–T6)"
_CHOSEN = "Bộ luật Lao động 2019 Điều 112 (ngày liền kề do Thủ tướng quyết định hằng năm: kiểm tra thông báo)"
# Vietnam's paid public holidays (11 days a year) and the compensatory days of a Monday–Friday week, as
# data: the HR Manager edits a company's rows (another week, the Government's yearly announcements).
PUBLIC_HOLIDAYS: list[tuple[str, str, str]] = [
    ("2026-01-01", "Tết Dương lịch", _LAW),
    ("2026-02-16", "Tết Nguyên đán (29 tháng Chạp)", _LUNAR),
    ("2026-02-17", "Tết Nguyên đán (mùng 1)", _LUNAR),
    ("2026-02-18", "Tết Nguyên đán (mùng 2)", _LUNAR),
    ("2026-02-19", "Tết Nguyên đán (mùng 3)", _LUNAR),
    ("2026-02-20", "Tết Nguyên đán (mùng 4)", _LUNAR),
    ("2026-04-26", "Giỗ Tổ Hùng Vương (10/3 âm lịch)", _LUNAR),
    ("2026-04-27", "Nghỉ bù Giỗ Tổ Hùng Vương (10/3 âm lịch, Chủ nhật 26/4)", _SHIFT),
    ("2026-04-30", "Ngày Chiến thắng", _LAW),
    ("2026-05-01", "Ngày Quốc tế Lao động", _LAW),
    ("2026-09-01", "Quốc khánh (ngày liền kề)", _CHOSEN),
    ("2026-09-02", "Quốc khánh", _LAW),
    ("2027-01-01", "Tết Dương lịch", _LAW),
    ("2027-02-05", "Tết Nguyên đán (29 tháng Chạp)", _LUNAR),
    ("2027-02-06", "Tết Nguyên đán (mùng 1)", _LUNAR),
    ("2027-02-07", "Tết Nguyên đán (mùng 2)", _LUNAR),
    ("2027-02-08", "Tết Nguyên đán (mùng 3)", _LUNAR),
    ("2027-02-09", "Tết Nguyên đán (mùng 4)", _LUNAR),
    ("2027-02-10", "Nghỉ bù Tết (mùng 1, Thứ Bảy 6/2)", _SHIFT),
    ("2027-02-11", "Nghỉ bù Tết (mùng 2, Chủ nhật 7/2)", _SHIFT),
    ("2027-04-16", "Giỗ Tổ Hùng Vương (10/3 âm lịch)", _LUNAR),
    ("2027-04-30", "Ngày Chiến thắng", _LAW),
    ("2027-05-01", "Ngày Quốc tế Lao động", _LAW),
    ("2027-05-03", "Nghỉ bù Quốc tế Lao động (Thứ Bảy 1/5)", _SHIFT),
    ("2027-09-02", "Quốc khánh", _LAW),
    ("2027-09-03", "Quốc khánh (ngày liền kề)", _CHOSEN),
]


def set_up_hrm(tenant: Any) -> None:
    """HRM's module set-up: the statutory rows (global, written once) and the company's default leave
    types (the Labour Code's; the HR Manager edits them), public holidays and default work schedule.
    Idempotent. Runs when HRM is enabled (sign-up, Master Admin); migration ``0005`` ran it for the
    companies that had HRM before the holidays and schedules existed."""
    from contextlib import nullcontext

    from novasaas.hrm.models import LeaveType, PublicHoliday, WorkSchedule
    from novasaas.platform.tenancy import get_current_tenant, tenant_context

    ensure_statutory_rows()
    current = get_current_tenant()
    with nullcontext() if current is not None and current.pk == tenant.pk else tenant_context(tenant):
        ensure_company_rows(tenant.pk, LeaveType, PublicHoliday, WorkSchedule)


def ensure_company_rows(tenant_id: int, leave_type: Any, holiday: Any, schedule: Any) -> None:
    """Write a company's missing default leave types, public holidays and default work schedule (the
    model classes are passed so a migration can use its historical models; ``tenant_id`` is explicit)."""
    import datetime as dt

    have = set(leave_type.objects.filter(tenant_id=tenant_id).values_list("code", flat=True))
    leave_type.objects.bulk_create(
        [
            leave_type(tenant_id=tenant_id, code=code, name=name, paid=paid, days_per_year=days, accrues=code == "PN")
            for code, name, paid, days in DEFAULT_LEAVE_TYPES
            if code not in have
        ]
    )
    days = set(holiday.objects.filter(tenant_id=tenant_id).values_list("date", flat=True))
    holiday.objects.bulk_create(
        [
            holiday(tenant_id=tenant_id, date=dt.date.fromisoformat(day), name=name, source=source)
            for day, name, source in PUBLIC_HOLIDAYS
            if dt.date.fromisoformat(day) not in days
        ]
    )
    if not schedule.objects.filter(tenant_id=tenant_id).exists():
        schedule.objects.create(tenant_id=tenant_id, code="HC", name="Hành chính T2–T6 08:00–17:00", is_default=True)
