"""Seed the statutory payroll figures in force in 2026 (sources: docs/hrm.md, from
/work/shared/reference/vietnam-2026.md). A later change of law is a new row (with the old row's
``valid_to`` set), added by a data migration or by the platform, never a code change."""

import datetime as dt
from decimal import Decimal

from django.db import migrations

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
    ("base_salary", "", "2340000", FROM_2024_07, "Base salary since 2024-07-01 (rise to 2,530,000 proposed, unconfirmed)", True),
    ("cap_multiplier", "", "20", FROM_2026, "BHXH/BHYT base ≤ 20 × base salary; BHTN base ≤ 20 × regional minimum wage", True),
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


def seed(apps, schema_editor):
    StatutoryRate = apps.get_model("hrm", "StatutoryRate")
    PitBracket = apps.get_model("hrm", "PitBracket")
    for key, region, value, valid_from, source, confirmed in RATES:
        StatutoryRate.objects.update_or_create(
            key=key,
            region=region,
            valid_from=valid_from,
            defaults={"value": Decimal(value), "source": source, "confirmed": confirmed},
        )
    if not PitBracket.objects.filter(valid_from=FROM_2026).exists():
        for upper, rate in BRACKETS:
            PitBracket.objects.create(
                valid_from=FROM_2026,
                upper=None if upper is None else Decimal(upper),
                rate=Decimal(rate),
                source=PIT_2026,
            )


def unseed(apps, schema_editor):
    apps.get_model("hrm", "StatutoryRate").objects.filter(valid_from__in=[FROM_2026, FROM_2024_07]).delete()
    apps.get_model("hrm", "PitBracket").objects.filter(valid_from=FROM_2026).delete()


class Migration(migrations.Migration):
    dependencies = [("hrm", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
