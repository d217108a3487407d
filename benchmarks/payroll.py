"""Payroll of N employees (issue 14: 1,000 must generate in < 10 s on PostgreSQL). Prints figures; asserts
nothing.

    .venv/bin/python benchmarks/payroll.py [--employees 1000]
    DATABASE_URL=postgres://novasaas@127.0.0.1:5432/novasaas_bench_hrm .venv/bin/python benchmarks/payroll.py

Sets up a company with HRM and ACC, ``--employees`` employees in 4 departments (bulk-inserted: the set-up
is not measured) with contracts (every 10th on a net salary, every 3rd with a taxable and a non-taxable
allowance) and dependants, then times ``generate_payroll`` (compute + write the lines), a second
``generate_payroll`` (recompute of a draft month) and ``approve_payroll`` (posting the ledger entries,
one per 200 employees). Uses a throw-away SQLite database unless DATABASE_URL is set.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "novasaas.config.settings")
if "DATABASE_URL" not in os.environ:
    os.environ["DATABASE_URL"] = f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite3"

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--employees", type=int, default=1000)
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    from novasaas.hrm import actions, payroll
    from novasaas.hrm.models import Allowance, Contract, Dependant, Employee
    from novasaas.identity import actions as identity_actions
    from novasaas.identity.access import principal_for
    from novasaas.identity.models import Membership
    from novasaas.parties.models import Party
    from novasaas.platform.models import Tenant
    from novasaas.platform.tenancy import platform_context, tenant_context

    slug = f"hrmbench{int(time.time())}"
    tenant, admin = identity_actions.create_tenant(
        slug=slug,
        name="Bench",
        admin_email=f"{slug}@example.com",
        admin_password="Bench-password-1",
        modules=["HRM", "ACC"],
    )
    with platform_context():
        Tenant.objects.filter(pk=tenant.pk).update(status="active")
        tenant.refresh_from_db()
    print(f"database: {connection.vendor}, tenant: {slug}, employees: {args.employees}")
    with tenant_context(tenant):
        p = principal_for(Membership.objects.select_related("tenant", "user").get(user=admin))
        departments = [
            actions.save_department(p, code=f"D{i}", name=f"Phòng {i}", cost_account=acct)
            for i, acct in enumerate(["salary_expense", "6421", "154", "salary_expense"])
        ]
        t0 = time.perf_counter()
        parties = Party.objects.bulk_create(
            [
                Party(tenant=tenant, code=f"NV{i:05d}", name=f"Nhân viên {i}", kind="person")
                for i in range(args.employees)
            ]
        )
        hired = dt.date(2026, 1, 5)
        employees = Employee.objects.bulk_create(
            [
                Employee(
                    tenant=tenant,
                    code=f"NV{i:05d}",
                    party=party,
                    full_name=party.name,
                    department=departments[i % 4],
                    region=["I", "II", "III", "IV"][i % 4],
                    hired_on=hired,
                )
                for i, party in enumerate(parties)
            ]
        )
        contracts = Contract.objects.bulk_create(
            [
                Contract(
                    tenant=tenant,
                    employee=emp,
                    number=f"HDLD-2026-{i:05d}",
                    kind="indefinite",
                    start_date=hired,
                    salary=Decimal(6_000_000 + (i * 137_000) % 90_000_000),
                    salary_basis="net" if i % 10 == 0 else "gross",
                )
                for i, emp in enumerate(employees)
            ]
        )
        Allowance.objects.bulk_create(
            [
                Allowance(tenant=tenant, contract=c, kind=kind, amount=Decimal(amount), taxable=taxable)
                for i, c in enumerate(contracts)
                if i % 3 == 0
                for kind, amount, taxable in (("meal", 730_000, False), ("responsibility", 1_000_000, True))
            ]
        )
        Dependant.objects.bulk_create(
            [
                Dependant(tenant=tenant, employee=e, full_name="Con", relationship="Con", registered_from=hired)
                for i, e in enumerate(employees)
                if i % 4 == 1
            ]
        )
        print(f"set-up (bulk insert): {time.perf_counter() - t0:.2f} s")

        for label, fn in (
            ("generate_payroll (first)", lambda: payroll.generate_payroll(p, 2026, 3)),
            ("generate_payroll (recompute draft)", lambda: payroll.generate_payroll(p, 2026, 3)),
        ):
            with CaptureQueriesContext(connection) as queries:
                t0 = time.perf_counter()
                period = fn()
                elapsed = time.perf_counter() - t0
            print(f"{label}: {elapsed:.2f} s, {len(queries)} queries, {period.lines.count()} lines")
        with CaptureQueriesContext(connection) as queries:
            t0 = time.perf_counter()
            payroll.approve_payroll(p, period.pk)
            elapsed = time.perf_counter() - t0
        print(f"approve_payroll (ledger posting): {elapsed:.2f} s, {len(queries)} queries")
        print(f"total net: {period.total_net:,.0f} đ, PIT: {period.total_pit:,.0f} đ")


if __name__ == "__main__":
    main()
