"""Python CPU and statements per write, in process (issue 11, "Write path, CPU"). Prints figures;
asserts nothing.

    DATABASE_URL=postgres://novasaas@127.0.0.1:5432/novasaas_w11 DATABASE_APP_ROLE=novasaas_app \\
        .venv/bin/python benchmarks/write_path_cpu.py {post|entry|flow} [--n 100] [--profile] [--show-sql]

- ``post``: one ``post_source_document`` (3 lines by role, one partner line), outside a request;
- ``entry``: ``POST /api/v1/accounting/entries`` with ``post: true`` (Django test client, whole middleware);
- ``flow``: a one-line receipt and a one-unit issue through ``POST /api/v1/inventory/movements`` with
  ``validate: true``, both posting to accounting (the flow of ``write_path_api.py``).

After three warm-up operations, prints the statements of one warm operation, the CPU time of this process
per operation over ``--n`` operations (``time.process_time``: the client's own Python, not PostgreSQL's;
on a loaded machine it still varies by ±15 % between runs) and the number of Python function calls per
operation (cProfile's count over 20 more operations: deterministic, so it shows a change whatever the
load). ``--profile``: a cProfile of the ``--n`` operations timed by CPU, top functions by cumulative time.
``NOVASAAS_SRC`` measures another checkout's src/ (before/after), as in the other write-path scripts.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import write_path  # noqa: E402  (sets Django up)
import write_path_api  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402


def measure(name: str, fn: Any, n: int, *, profile: bool, show_sql: bool) -> None:
    for _i in range(3):
        fn()
    with CaptureQueriesContext(connection) as ctx:
        fn()
    statements = len(ctx.captured_queries)
    prof = cProfile.Profile(time.process_time) if profile else None
    c0, t0 = time.process_time(), time.perf_counter()
    if prof:
        prof.enable()
    for _i in range(n):
        fn()
    if prof:
        prof.disable()
    cpu, wall = (time.process_time() - c0) / n * 1000, (time.perf_counter() - t0) / n * 1000
    counter = cProfile.Profile()
    counter.enable()
    for _i in range(20):
        fn()
    counter.disable()
    calls = pstats.Stats(counter).total_calls / 20  # type: ignore[attr-defined]
    print(
        f"{name}: {statements} statements, CPU {cpu:.2f} ms per op, wall {wall:.1f} ms per op,"
        f" {calls:,.0f} Python calls per op",
        flush=True,
    )
    if show_sql:
        for q in ctx.captured_queries:
            print("   ", q["sql"][:160])
    if prof:
        out = io.StringIO()
        pstats.Stats(prof, stream=out).sort_stats("cumulative").print_stats(60)
        print(out.getvalue())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=["post", "entry", "flow"])
    parser.add_argument("--n", type=int, default=100)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--show-sql", action="store_true")
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    counter = iter(range(1, 10**9))
    if args.mode == "post":
        from novasaas.accounting import actions

        tenant, _user, party = write_path.setup()
        day = timezone.localdate()

        def fn() -> None:
            k = next(counter)
            actions.post_source_document(tenant, "bench.cpu", k, day, write_path.document_lines(1100 + k % 97, party))

    elif args.mode == "entry":
        from novasaas.identity.models import Membership
        from novasaas.identity.tokens import issue_access_token
        from novasaas.platform.tenancy import tenant_context

        tenant, user, _party = write_path.setup()
        with tenant_context(tenant):
            membership = Membership.objects.get(user=user)
        token = issue_access_token(user.pk, tenant.pk, membership.pk)
        client, headers = Client(), {"HTTP_AUTHORIZATION": f"Bearer {token}"}

        def fn() -> None:
            body = write_path.entry_payload(next(counter))
            r = client.post("/api/v1/accounting/entries", body, content_type="application/json", **headers)
            assert r.status_code == 201, r.content  # noqa: S101 - a broken setup must not print figures

    else:
        _tenant, ids, token = write_path_api.setup(20, ["INV", "ACC"])
        client, headers = Client(), {"HTTP_AUTHORIZATION": f"Bearer {token}"}

        def fn() -> None:
            for body in write_path_api.bodies(ids):
                r = client.post(write_path_api.URL, body, content_type="application/json", **headers)
                assert r.status_code == 201, r.content  # noqa: S101

    measure(args.mode, fn, args.n, profile=args.profile, show_sql=args.show_sql)


if __name__ == "__main__":
    main()
