"""What AI sells through the platform's invoices (billing's public seam ``billing.actions.add_charge``).

* A credit pack bought (Master Admin's recording, the Tenant Admin's purchase, the automatic top-up) is
  a one-time purchase: its ledger entry and its charge are written in one transaction and the charge is
  invoiced at once on a one-off invoice (reference ``ai-pack:<ledger entry id>``).
* A BYOK plan is a monthly fee sold with the subscription: each paid period that starts (billing's
  ``SubscriptionPeriodStarted``, in the renewal's transaction) charges the plan's monthly price × the
  period's months (reference ``ai-byok:<period start>``), so it goes on the period's invoice. A plan
  chosen or raised within a paid period is charged pro-rata for the days left, billing's one rule
  (reference ``ai-byok:<period start>:<plan>``: coming back to a plan already paid for in the period
  costs nothing again); a lower plan takes effect at once with no refund.
* A trial, a cancelled subscription and a company without subscription pay no BYOK fee.
* A refund of a pack's invoice (billing's ``InvoiceRefunded``, in the refund's transaction) takes the
  refunded share of the pack's credits back out of the wallet, never more than is left of the pack
  (``credits.remove_refunded_pack``).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils import timezone

from novasaas.ai import catalogue
from novasaas.ai.models import CreditEntry, CreditPack, Wallet
from novasaas.billing import actions as billing_actions
from novasaas.billing import selectors as billing_selectors
from novasaas.billing.charges import InvoiceRefunded, SubscriptionPeriodStarted
from novasaas.platform.events import subscriber
from novasaas.platform.models import Tenant
from novasaas.platform.tenancy import current_tenant

PACK_KIND = "ai_credits"
BYOK_KIND = "ai_byok"
MONTHS = {"monthly": 1, "annual": 12}


def charge_pack(tenant: Tenant, entry: CreditEntry, pack: CreditPack, *, on: dt.date | None = None) -> Any:
    """The pack's charge, invoiced at once (in the caller's transaction, with the ledger entry)."""
    return billing_actions.add_charge(
        tenant,
        PACK_KIND,
        f"AI credits: {pack.name} ({pack.credits:,} credits)",
        pack.price_vnd,
        on or timezone.localdate(),
        f"ai-pack:{entry.pk}",
        invoice_now=True,
    )


def byok_monthly_price(code: str) -> int:
    row = catalogue.byok_plan(code)
    return row[3] if row else 0


@subscriber(SubscriptionPeriodStarted, module="CORE")
def charge_byok_period(event: SubscriptionPeriodStarted) -> None:
    """A paid period started: charge the BYOK plan held for it (same transaction, same invoice)."""
    tenant = current_tenant()
    code = Wallet.objects.filter(tenant=tenant).values_list("byok_plan", flat=True).first() or ""
    row = catalogue.byok_plan(code)
    if row is None:
        return
    start = dt.date.fromisoformat(event.period_start)
    end = dt.date.fromisoformat(event.period_end)
    months = MONTHS.get(event.period, 1)
    billing_actions.add_charge(
        tenant,
        BYOK_KIND,
        f"AI BYOK {row[1]} {start:%d/%m/%Y}–{end - dt.timedelta(days=1):%d/%m/%Y}"
        + (f" (12 × {row[3]:,})" if months == 12 else ""),
        row[3] * months,
        start,
        f"ai-byok:{start.isoformat()}",
    )


def charge_byok_change(tenant: Tenant, old_code: str, new_code: str, *, on: dt.date | None = None) -> Any:
    """A BYOK plan chosen or raised within a paid period: the difference for the days left (pending, on
    the next invoice). Nothing for a lower plan, a trial or a company without a paid period."""
    period = billing_selectors.paid_period(tenant)
    row = catalogue.byok_plan(new_code)
    on = on or timezone.localdate()
    if period is None or row is None:
        return None
    start, end, kind = period
    if not start <= on < end:  # the period has ended: its renewal charges the plan in full
        return None
    months = MONTHS.get(kind, 1)
    amount = billing_selectors.prorated_charge(byok_monthly_price(old_code) * months, row[3] * months, start, end, on)
    if amount <= 0:
        return None
    return billing_actions.add_charge(
        tenant,
        BYOK_KIND,
        f"AI BYOK {row[1]} {on:%d/%m/%Y}–{end - dt.timedelta(days=1):%d/%m/%Y} (pro-rata)",
        amount,
        on,
        f"ai-byok:{start.isoformat()}:{new_code}",
    )


@subscriber(InvoiceRefunded, module="CORE")
def remove_refunded_pack_credits(event: InvoiceRefunded) -> None:
    """Money paid for a credit pack came back: the same share of its credits leaves the wallet (what was
    spent stays spent). Runs in the refund's transaction: a failure here refuses the refund."""
    from novasaas.ai import credits

    tenant = current_tenant()
    total = int(Decimal(event.invoice_total))
    refunded = int(Decimal(event.refunded_after))
    for charge in event.charges:
        ref = charge.get("source_ref", "")
        if charge.get("kind") != PACK_KIND or not ref.startswith("ai-pack:") or not ref[8:].isdigit():
            continue
        credits.remove_refunded_pack(
            tenant, int(ref[8:]), refunded=refunded, total=total, reference=event.refund_number
        )
