"""How long validating an access token or an API key takes in process (spec KPI: < 100 ms; target < 1 ms).

    DJANGO_SETTINGS_MODULE=novasaas.config.settings .venv/bin/python benchmarks/auth_tokens.py

Uses a throw-away SQLite database under var/bench/ (or DATABASE_URL). Prints figures; asserts nothing.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "novasaas.config.settings")
if "DATABASE_URL" not in os.environ:
    os.environ["DATABASE_URL"] = f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite3"

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402


def timed(fn, n: int) -> list[float]:
    out = []
    for _ in range(n):
        t0 = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t0) * 1e6)
    return out


def report(name: str, samples: list[float]) -> None:
    samples.sort()
    p50 = statistics.median(samples)
    p99 = samples[int(len(samples) * 0.99) - 1]
    print(f"{name:<40} n={len(samples):>6}  median {p50:8.1f} µs   p99 {p99:8.1f} µs")


def main() -> None:
    call_command("migrate", verbosity=0)
    from novasaas.identity import actions
    from novasaas.identity.access import principal_for
    from novasaas.identity.models import Membership
    from novasaas.identity.tokens import decode_access_token, issue_access_token, resolve_api_key
    from novasaas.platform.tenancy import platform_context, tenant_context

    with platform_context():
        from novasaas.platform.models import Tenant

        tenant = Tenant.objects.filter(slug="bench").first()
    if tenant is None:
        tenant, _user = actions.create_tenant(
            slug="bench", name="Bench", admin_email="bench@example.com", admin_password="Bench-password-1"
        )
    with tenant_context(tenant):
        membership = Membership.objects.select_related("user", "tenant").first()
        principal = principal_for(membership)
        _key, raw_key = actions.create_api_key(principal, name="bench", permissions=["core.users.view"])
    # The token carries a session id, checked against the revoked sessions held in memory; 1,000 other
    # sessions are revoked (far more sign-outs than a real company makes within one access-token lifetime).
    import datetime as dt
    import uuid

    from django.utils import timezone

    from novasaas.identity.models import RevokedSession

    with platform_context():
        RevokedSession.objects.bulk_create(
            [
                RevokedSession(sid=uuid.uuid4().hex, expires_at=timezone.now() + dt.timedelta(minutes=15))
                for _ in range(1000)
            ]
        )
    token = issue_access_token(membership.user_id, tenant.pk, membership.pk, session_id=uuid.uuid4().hex)

    print(f"database: {django.db.connection.vendor}")
    report("JWT access token: decode + verify", timed(lambda: decode_access_token(token), 20000))
    report("API key: parse + lookup + hash compare", timed(lambda: resolve_api_key(raw_key), 5000))

    def jwt_with_permissions() -> None:
        claims = decode_access_token(token)
        from novasaas.identity.resolve import membership_principal

        membership_principal(claims.membership_id, claims.tenant_id, claims.user_id, "jwt")

    report("JWT + load membership and permissions", timed(jwt_with_permissions, 3000))


if __name__ == "__main__":
    main()
