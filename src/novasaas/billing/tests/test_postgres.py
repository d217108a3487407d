"""PostgreSQL only: the limit guard under concurrency (the subscription row lock decides)."""

from __future__ import annotations

import threading

import pytest
from django.db import connections

from novasaas.billing import limits
from novasaas.billing.tests.helpers import subscribe
from novasaas.identity import actions as identity_actions
from novasaas.identity.models import Invitation, Membership
from novasaas.inventory.tests.helpers import principal
from novasaas.platform.tenancy import tenant_context
from novasaas.platform.testing.fixtures import create_user

pytestmark = pytest.mark.postgres_only


def test_two_admins_inviting_the_last_allowed_user_at_once(transactional_db, tenant_a, today):
    subscribe(tenant_a, "starter", on=today)  # 5 users included
    with tenant_context(tenant_a):
        for _ in range(3):
            create_user(tenant_a, "manager")
        admins = [principal(tenant_a), principal(tenant_a, "tenant_admin")]  # two admins: 5 members
    with tenant_context(tenant_a):
        seats_taken = Membership.objects.filter(is_active=True).count()
    assert seats_taken == 5
    # free one seat: deactivate a manager, so exactly one invitation fits
    with tenant_context(tenant_a):
        m = Membership.objects.filter(role_links__role__code="manager").first()
        Membership.objects.filter(pk=m.pk).update(is_active=False)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []
    lock = threading.Lock()

    def run(n: int) -> None:
        try:
            barrier.wait(timeout=30)
            try:
                with tenant_context(tenant_a):
                    identity_actions.invite_user(admins[n], email=f"new{n}@x.test", role_codes=["manager"])
                result = "ok"
            except limits.LimitReached:
                result = "refused"
            except Exception as exc:  # reported, never a silently dead thread
                result = f"error: {exc!r}"
            with lock:
                outcomes.append(result)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(outcomes) == ["ok", "refused"], outcomes
    with tenant_context(tenant_a):
        assert Invitation.objects.count() == 1
        assert Membership.objects.filter(is_active=True).count() + 1 == 5


def test_two_refunds_racing_for_the_same_money(transactional_db, tenant_a, today):
    """550,000 paid: two Master Admins refund 300,000 each at once → one refund, the other refused; the
    invoice's lock serialises them (never more refunded than paid)."""
    from django.contrib.auth import get_user_model
    from django.core.exceptions import ValidationError

    from novasaas.billing import invoicing
    from novasaas.billing.models import PlatformInvoice, PlatformRefund
    from novasaas.billing.refunds import refund_invoice
    from novasaas.platform.tenancy import platform_context

    subscribe(tenant_a, "starter", on=today)
    with tenant_context(tenant_a):
        invoice = invoicing.invoice_charges(tenant_a, on=today)
    with platform_context():
        master = get_user_model().objects.create_user(
            "race@novasaas.test", "x-Pass-12345", platform_role="master_admin"
        )
    invoicing.record_payment(invoice.pk, amount=invoice.total, reference="GW-RACE", method="gateway")
    barrier = threading.Barrier(2)
    outcomes: list[str] = []
    lock = threading.Lock()

    def run() -> None:
        try:
            barrier.wait(timeout=30)
            try:
                refund_invoice(master, invoice.pk, amount=300_000, reason="race", on=today)
                result = "ok"
            except ValidationError:
                result = "refused"
            except Exception as exc:  # reported, never a silently dead thread
                result = f"error: {exc!r}"
            with lock:
                outcomes.append(result)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(outcomes) == ["ok", "refused"], outcomes
    with platform_context():
        assert PlatformInvoice.objects.get(pk=invoice.pk).refunded == 300_000
        assert PlatformRefund.objects.count() == 1
