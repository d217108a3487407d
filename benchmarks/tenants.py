"""Many tenants on one database (issue 20). Prints figures; asserts nothing.

    DATABASE_URL=postgres://novasaas@127.0.0.1:5432/novasaas_bench_tenants DATABASE_APP_ROLE=novasaas_app \\
        DEBUG=1 .venv/bin/python benchmarks/tenants.py --steps 10,1000,10000

Point DATABASE_URL at an empty database you can discard (without it: a throw-away SQLite file).

1. A large tenant: the demo company (``seed_demo``: a year of sales, purchases, stock, payroll, books).
2. Tenants created through the real sign-up page (``POST /signup/``: form, argon2 password hash, default
   roles, module set-up, trial subscription, welcome email to the in-memory backend) until each step's
   count; sign-up time p50/p95 per step.
3. At each step, the main reads for a small tenant (the last one signed up) and for the demo company,
   through the pages as their Tenant Admin (best of ``--repeat``): dashboard, trial balance, stock on hand,
   AR aging, sales orders, and the statements each one runs.
4. Storage: rows a new tenant owns per table (top tables), and on PostgreSQL the database size per
   tenant (``pg_database_size`` growth over the step divided by the tenants added).

``--fast-hash`` uses a cheap password hasher for the bulk sign-ups (argon2 is ~110 ms of each), to reach
10,000 tenants in minutes; the small and the demo tenant always use the configured hashers.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "novasaas.config.settings")
os.environ.setdefault("DEBUG", "1")
os.environ["EMAIL_BACKEND"] = "django.core.mail.backends.locmem.EmailBackend"
if "DATABASE_URL" not in os.environ:
    os.environ["DATABASE_URL"] = f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite3"

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, reset_queries  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

settings.ALLOWED_HOSTS = ["*"]

PAGES = [
    ("dashboard", "/"),
    ("trial balance", "/accounting/reports/trial-balance/"),
    ("stock on hand", "/inventory/"),
    ("AR aging", "/accounting/aging/"),
    ("sales orders", "/sales/"),
]
PASSWORD = "Bench-Tenants-2026!"


def sign_up(client: Client, n: int) -> float:
    t0 = time.perf_counter()
    response = client.post(
        "/signup/",
        {
            "company_name": f"Bench company {n}",
            "slug": f"bench{n}",
            "tax_code": "",
            "full_name": f"Owner {n}",
            "email": f"owner{n}@bench.test",
            "password": PASSWORD,
        },
    )
    elapsed = time.perf_counter() - t0
    if response.status_code != 302:
        raise SystemExit(f"sign-up {n} failed: {response.status_code} {response.content[:500]!r}")
    return elapsed


def signed_in(slug: str, email: str) -> Client:
    from novasaas.identity.models import User
    from novasaas.platform.models import Tenant
    from novasaas.platform.tenancy import platform_context

    with platform_context():
        tenant = Tenant.objects.get(slug=slug)
        user = User.objects.get(email=email)
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    session = client.session
    session["novasaas_tenant_id"] = tenant.pk
    session.save()
    return client


def time_pages(label: str, client: Client, repeat: int) -> None:
    for name, path in PAGES:
        best = None
        statements = 0
        status = 0
        for _ in range(repeat):
            reset_queries()
            with CaptureQueriesContext(connection) as queries:
                t0 = time.perf_counter()
                response = client.get(path)
                elapsed = time.perf_counter() - t0
            status = response.status_code
            statements = len(queries)
            best = elapsed if best is None else min(best, elapsed)
        assert best is not None
        print(f"  {label:<6} {name:<15} {best * 1000:9.1f} ms  {statements:4d} statements  (HTTP {status})")


def tenant_rows(slug: str) -> list[tuple[str, int]]:
    """Rows per table owned by one tenant (the tables with a tenant_id column)."""
    from novasaas.platform.models import Tenant
    from novasaas.platform.tenancy import platform_context

    with platform_context():
        tenant_id = Tenant.objects.get(slug=slug).pk
        out = []
        with connection.cursor() as cursor:
            for table in connection.introspection.table_names(cursor):
                columns = [c.name for c in connection.introspection.get_table_description(cursor, table)]
                if "tenant_id" not in columns:
                    continue
                cursor.execute(f'SELECT count(*) FROM "{table}" WHERE tenant_id = %s', [tenant_id])
                count = cursor.fetchone()[0]
                if count:
                    out.append((table, count))
    return sorted(out, key=lambda row: -row[1])


def database_bytes() -> int:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT pg_database_size(current_database())")
            return int(cursor.fetchone()[0])
        cursor.execute("PRAGMA page_count")
        pages = cursor.fetchone()[0]
        cursor.execute("PRAGMA page_size")
        return int(pages * cursor.fetchone()[0])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--steps", default="10,1000,10000", help="tenant counts to measure at")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--fast-hash", action="store_true", help="cheap hasher for the bulk sign-ups")
    parser.add_argument("--no-demo", action="store_true", help="skip the large (demo) tenant")
    args = parser.parse_args()
    steps = [int(s) for s in args.steps.split(",")]
    settings.DEBUG = True  # statement counts
    t0 = time.perf_counter()
    call_command("migrate", verbosity=0)
    print(f"database: {connection.vendor}; migrate {time.perf_counter() - t0:.1f} s")
    if not args.no_demo:
        t0 = time.perf_counter()
        call_command("seed_demo", verbosity=0, stdout=open(os.devnull, "w"))
        print(f"demo company loaded in {time.perf_counter() - t0:.1f} s")
    demo = None if args.no_demo else signed_in("demo", "admin@demo.novasaas.vn")

    hashers = list(settings.PASSWORD_HASHERS)
    client = Client()
    created = 0
    for step in steps:
        size_before = database_bytes()
        added_from = created
        times: list[float] = []
        while created < step - 1:  # the last one of the step is the measured small tenant
            if args.fast_hash:
                settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *hashers]
            created += 1
            times.append(sign_up(client, created))
            if created % 500 == 0:
                print(f"  … {created} tenants", flush=True)
        settings.PASSWORD_HASHERS = hashers
        created += 1
        times.append(sign_up(client, created))
        size_after = database_bytes()
        print(f"\n== {created} tenants (+ demo) ==")
        if times:
            q = statistics.quantiles(times, n=20) if len(times) >= 20 else [max(times)] * 19
            print(
                f"  sign-up: {len(times)} in this step, p50 {statistics.median(times) * 1000:.0f} ms, "
                f"p95 {q[18] * 1000:.0f} ms"
            )
        print(
            f"  database {size_after / 1e6:.1f} MB; growth per tenant signed up in this step "
            f"{(size_after - size_before) / max(created - added_from, 1) / 1e3:.1f} KB"
        )
        time_pages("small", signed_in(f"bench{created}", f"owner{created}@bench.test"), args.repeat)
        if demo is not None:
            time_pages("demo", demo, args.repeat)
    rows = tenant_rows(f"bench{created}")
    print(f"\nrows a new tenant owns: {sum(c for _, c in rows)} in {len(rows)} tables; largest:")
    for table, count in rows[:10]:
        print(f"  {table:<45} {count:6d}")


if __name__ == "__main__":
    main()
