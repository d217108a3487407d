"""Shared credits: the append-only ledger and the wallet it backs.

Every movement is one ``CreditEntry`` and one conditional UPDATE of ``Wallet.balance`` in the same
transaction, so the balance always equals the sum of the ledger and never goes below zero (a database
CHECK as well). A reservation is ``UPDATE … SET balance = balance - n WHERE balance >= n``: when two
requests race for the last credits, one UPDATE matches no row and that request is refused.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from novasaas.ai.models import CreditEntry, CreditPack, EntryKind, ModelRate, UsageRecord, Wallet
from novasaas.platform import audit
from novasaas.platform.models import AuditAction, Tenant
from novasaas.platform.tenancy import current_tenant_id, tenant_context
from novasaas.platform.transactions import atomic

# The list price of a credit (Small pack: 250,000 VND for 25,000 credits): the VND cost of a request.
VND_PER_CREDIT = 10


def credits_for(rate: ModelRate, input_tokens: int, output_tokens: int) -> int:
    """Credits for a request, rounded up to a whole credit (exact integer arithmetic)."""
    i, o = rate.input_tokens_per_credit, rate.output_tokens_per_credit
    numerator = input_tokens * o + output_tokens * i
    return -(-numerator // (i * o))


def ensure_wallet(tenant: Tenant) -> Wallet:
    with tenant_context(tenant):
        wallet = Wallet.objects.filter(tenant=tenant).first()
        if wallet is None:
            wallet = Wallet.objects.create(tenant=tenant)
        return wallet


def _require_master_admin(actor: Any) -> None:
    if not getattr(actor, "is_master_admin", False):
        raise PermissionDenied(_("Only a Master Admin can add credits."))


def add_credits(
    actor: Any,
    tenant: Tenant,
    *,
    credits: int = 0,
    pack_code: str = "",
    kind: str = EntryKind.GRANT,
    note: str = "",
    valid_days: int | None = None,
) -> CreditEntry:
    """Master Admin grants credits, or records a pack bought (kind purchase, price and validity from the
    catalogue). A grant expires after ``valid_days`` when given (None: never)."""
    _require_master_admin(actor)
    if pack_code:
        pack = CreditPack.objects.filter(code=pack_code, is_active=True).first()
        if pack is None:
            raise ValidationError({"pack": [_("Unknown credit pack.")]})
        return record_purchase(tenant, pack, actor=actor, note=note)
    if kind not in (EntryKind.GRANT, EntryKind.PURCHASE, EntryKind.REFUND):
        raise ValidationError({"kind": [_("Credits are added as a grant, a purchase or a refund.")]})
    if not 1 <= credits <= 10**12:
        raise ValidationError({"credits": [_("Credits are a whole number from 1 to 1,000,000,000,000.")]})
    if valid_days is not None and not 1 <= valid_days <= 3660:
        raise ValidationError({"valid_days": [_("Validity is from 1 to 3,660 days.")]})
    expires_at = timezone.now() + dt.timedelta(days=valid_days) if valid_days else None
    return _add(tenant, kind=kind, credits=credits, actor=actor, note=note, expires_at=expires_at)


def record_purchase(tenant: Tenant, pack: CreditPack, *, actor: Any = None, note: str = "") -> CreditEntry:
    """A pack bought: ``purchase`` entry at the catalogue price, valid ``pack.valid_days`` (the path of
    Master Admin's recording, the Tenant Admin's purchase and the automatic top-up, whose actor is None),
    and its billing charge invoiced at once, in the same transaction (``ai/charges.py``): the credits and
    the invoice exist together or not at all. ``entry.invoice_number`` is the invoice's number."""
    from novasaas.ai import charges

    expires_at = timezone.now() + dt.timedelta(days=pack.valid_days) if pack.valid_days else None
    with in_tenant(tenant), atomic():
        entry = _add(
            tenant,
            kind=EntryKind.PURCHASE,
            credits=pack.credits,
            pack=pack,
            price=pack.price_vnd,
            actor=actor,
            note=note,
            expires_at=expires_at,
        )
        result = charges.charge_pack(tenant, entry, pack)
    entry.invoice_number = result.invoice.number if result.invoice else ""  # type: ignore[attr-defined]
    return entry


def buy_pack(principal: Any, pack_code: str) -> CreditEntry:
    """Tenant Admin buys a pack for the company: the purchase path (credits at once, the invoice issued
    at once, due like every platform invoice)."""
    principal.require("core.ai.manage")
    pack = CreditPack.objects.filter(code=pack_code or "", is_active=True).first()
    if pack is None:
        raise ValidationError({"pack": [_("Unknown credit pack.")]})
    return record_purchase(principal.tenant, pack, actor=principal.user, note="bought by the Tenant Admin")


def _add(
    tenant: Tenant,
    *,
    kind: str,
    credits: int,
    pack: CreditPack | None = None,
    price: int = 0,
    actor: Any = None,
    note: str = "",
    expires_at: dt.datetime | None = None,
) -> CreditEntry:
    wallet = ensure_wallet(tenant)
    with in_tenant(tenant), atomic():
        Wallet.objects.filter(pk=wallet.pk).update(balance=F("balance") + credits)
        entry = CreditEntry.objects.create(
            kind=kind, credits=credits, pack=pack, price_vnd=price, actor=actor, note=note[:200], expires_at=expires_at
        )
        audit.record(
            AuditAction.OTHER,
            actor=actor,
            tenant=tenant,
            obj=entry,
            after={"kind": kind, "credits": credits, "pack": pack.code if pack else "", "price_vnd": price},
            message=f"AI credits {kind}: {credits}",
        )
    return entry


def in_tenant(tenant: Tenant) -> Any:
    """``tenant_context`` unless the block already runs in it (the gateway's steps nest these calls)."""
    return contextlib.nullcontext() if current_tenant_id() == tenant.pk else tenant_context(tenant)


def reserve(tenant: Tenant, usage: UsageRecord, credits: int) -> bool:
    """Hold ``credits`` for a request; False (nothing written) when the balance cannot cover them."""
    with in_tenant(tenant), transaction.atomic(savepoint=False):
        moved = Wallet.objects.filter(tenant=tenant, balance__gte=credits).update(balance=F("balance") - credits)
        if not moved:
            return False
        CreditEntry.objects.create(kind=EntryKind.RESERVATION, credits=-credits, usage=usage)
    return True


def settle(tenant: Tenant, usage: UsageRecord, reserved: int, charged: int) -> int:
    """Release the reservation and charge what was used; returns the credits charged. A charge above the
    reservation (a provider that ignored max_tokens) takes at most what the wallet still holds."""
    with in_tenant(tenant), transaction.atomic(savepoint=False):
        delta = reserved - charged
        if delta >= 0:
            Wallet.objects.filter(tenant=tenant).update(balance=F("balance") + delta)
        elif not Wallet.objects.filter(tenant=tenant, balance__gte=-delta).update(balance=F("balance") + delta):
            wallet = Wallet.objects.select_for_update().get(tenant=tenant)
            charged = reserved + wallet.balance
            Wallet.objects.filter(pk=wallet.pk).update(balance=0)
        if reserved:
            CreditEntry.objects.create(kind=EntryKind.RELEASE, credits=reserved, usage=usage)
        if charged:
            CreditEntry.objects.create(kind=EntryKind.SETTLEMENT, credits=-charged, usage=usage)
    return charged


def release(tenant: Tenant, usage: UsageRecord, reserved: int) -> None:
    settle(tenant, usage, reserved, 0)


def ledger_sum(tenant: Tenant) -> int:
    with tenant_context(tenant):
        return int(CreditEntry.objects.aggregate(s=Sum("credits"))["s"] or 0)


def balance(tenant: Tenant) -> int:
    with tenant_context(tenant):
        wallet = Wallet.objects.filter(tenant=tenant).first()
        return wallet.balance if wallet else 0


# --- expiry, rollover, automatic top-up -----------------------------------------------------------------

LOT_KINDS = (EntryKind.PURCHASE, EntryKind.GRANT, EntryKind.REFUND, EntryKind.ROLLOVER)


def lots_left(entries: list[dict[str, Any]]) -> dict[int, int]:
    """What is left of every credit lot (purchase, grant, refund, rollover) given the whole ledger.

    Credits are spent from the lot that expires first (lots without expiry last, then oldest first), over
    the wallet's whole life: everything that left the wallet (spent, held by a reservation, expired) is
    taken from the lots in that order. A pack refund takes its credits from its own lot only (the lot is
    that much smaller). The lots' remainders add up to the balance, so an expiry or a pack refund never
    takes more than the wallet holds, nor more than is left of its lot."""
    removed: dict[int, int] = {}
    for e in entries:
        if e["kind"] == EntryKind.PACK_REFUND and e["lot_id"] is not None:
            removed[e["lot_id"]] = removed.get(e["lot_id"], 0) - e["credits"]
    lots = sorted(
        (e for e in entries if e["kind"] in LOT_KINDS),
        key=lambda e: (e["expires_at"] is None, e["expires_at"] or 0, e["pk"]),
    )
    size = {lot["pk"]: lot["credits"] - removed.get(lot["pk"], 0) for lot in lots}
    balance = sum(e["credits"] for e in entries)
    gone = max(0, sum(size.values()) - balance)
    left: dict[int, int] = {}
    for lot in lots:
        taken = min(gone, size[lot["pk"]])
        left[lot["pk"]] = size[lot["pk"]] - taken
        gone -= taken
    return left


def _ledger_rows() -> list[dict[str, Any]]:
    return list(CreditEntry.objects.values("pk", "kind", "credits", "expires_at", "lot_id"))  # type: ignore[arg-type]


def remove_refunded_pack(tenant: Tenant, purchase_id: int, *, refunded: int, total: int, reference: str) -> int | None:
    """A pack's invoice was refunded (``refunded`` of its ``total`` đồng, cumulatively): take that share of
    the pack's credits back, never more than is left of the pack (what was spent, is held by a request in
    flight or has expired stays spent), as one ``pack_refund`` entry (its ``lot`` is the purchase, its note
    the credit note's number; 0 credits when nothing was left). The wallet row is locked; the balance never
    goes below zero. Idempotent per credit note. Returns the credits removed (None: no such purchase)."""
    with in_tenant(tenant), transaction.atomic():
        wallet = Wallet.objects.select_for_update().filter(tenant=tenant).first()
        lot = CreditEntry.objects.filter(pk=purchase_id, kind=EntryKind.PURCHASE).first()
        if wallet is None or lot is None or total <= 0:
            return None
        if CreditEntry.objects.filter(kind=EntryKind.PACK_REFUND, lot_id=lot.pk, note=reference[:200]).exists():
            return 0
        entries = _ledger_rows()
        already = -sum(e["credits"] for e in entries if e["kind"] == EntryKind.PACK_REFUND and e["lot_id"] == lot.pk)
        share = min(refunded, total)
        target = (2 * lot.credits * share + total) // (2 * total)  # the refunded share, half up
        n = max(0, min(target - already, lots_left(entries).get(lot.pk, 0)))
        if n and not Wallet.objects.filter(pk=wallet.pk, balance__gte=n).update(balance=F("balance") - n):
            raise AssertionError("a lot's remainder exceeds the balance")  # pragma: no cover - proven by test
        entry = CreditEntry.objects.create(kind=EntryKind.PACK_REFUND, credits=-n, lot_id=lot.pk, note=reference[:200])
        audit.record(
            AuditAction.OTHER,
            tenant=tenant,
            obj=entry,
            after={"kind": EntryKind.PACK_REFUND, "credits": -n, "purchase": lot.pk, "refund": reference},
            message=f"AI credits removed: pack refunded ({reference})",
        )
    return n


def expire_tenant(tenant: Tenant, now: dt.datetime) -> int | None:
    """Expire the lots of ``tenant`` due at ``now``: an ``expiry`` entry takes what is left of each (zero
    marks a lot already used up), and with ``Wallet.rollover_days`` what was left comes back once as a
    ``rollover`` lot valid that many days more. The wallet row is locked, so a concurrent reservation
    waits; idempotent (a lot with an expiry entry is skipped). Returns the credits that expired (net of
    rollovers), None when no lot was due."""
    total = 0
    with in_tenant(tenant), transaction.atomic():
        wallet = Wallet.objects.select_for_update().filter(tenant=tenant).first()
        if wallet is None:
            return None
        entries = _ledger_rows()
        done = {e["lot_id"] for e in entries if e["kind"] == EntryKind.EXPIRY}
        due = sorted(
            (e for e in entries if e["kind"] in LOT_KINDS and e["expires_at"] is not None and e["expires_at"] <= now),
            key=lambda e: (e["expires_at"], e["pk"]),
        )
        due = [e for e in due if e["pk"] not in done]
        if not due:
            return None
        left = lots_left(entries)
        for lot in due:
            n = left[lot["pk"]]
            if n and not Wallet.objects.filter(pk=wallet.pk, balance__gte=n).update(balance=F("balance") - n):
                raise AssertionError("a lot's remainder exceeds the balance")  # pragma: no cover - proven by test
            CreditEntry.objects.create(kind=EntryKind.EXPIRY, credits=-n, lot_id=lot["pk"], note="expired")
            total += n
            expired_at: dt.datetime = lot["expires_at"]
            if n and wallet.rollover_days and lot["kind"] != EntryKind.ROLLOVER:
                Wallet.objects.filter(pk=wallet.pk).update(balance=F("balance") + n)
                CreditEntry.objects.create(
                    kind=EntryKind.ROLLOVER,
                    credits=n,
                    lot_id=lot["pk"],
                    expires_at=expired_at + dt.timedelta(days=wallet.rollover_days),
                    note="carried over",
                )
                total -= n
    return total


def expire_credits(now: dt.datetime | None = None) -> dict[int, int]:
    """The periodic job (``novasaas ai_expire_credits``): every tenant with a lot due. Returns tenant id →
    credits that expired (net of rollovers)."""
    from novasaas.platform.tenancy import platform_context

    now = now or timezone.now()
    with platform_context():
        tenant_ids = set(
            CreditEntry.objects.filter(kind__in=LOT_KINDS, expires_at__lte=now).values_list("tenant_id", flat=True)
        )
        tenants = list(Tenant.objects.filter(pk__in=tenant_ids))
    expired = {t.pk: expire_tenant(t, now) for t in tenants}
    return {pk: n for pk, n in expired.items() if n is not None}


def maybe_top_up(tenant: Tenant) -> CreditEntry | None:
    """Automatic top-up: when the balance is below ``Wallet.topup_threshold``, buy ``Wallet.topup_pack``
    through the purchase path. The wallet row is locked and the balance read again, so concurrent requests
    crossing the threshold buy one pack, not one each."""
    with in_tenant(tenant), transaction.atomic():
        wallet = Wallet.objects.select_for_update().filter(tenant=tenant).first()
        if wallet is None or not wallet.topup_threshold or wallet.topup_pack_id is None:
            return None
        if wallet.balance >= wallet.topup_threshold:
            return None
        pack = CreditPack.objects.filter(pk=wallet.topup_pack_id, is_active=True).first()
        if pack is None:
            return None
        entry = record_purchase(tenant, pack, note="automatic top-up")
        from novasaas.platform.notifications import notify

        notify(  # the Tenant Admins learn of every automatic purchase (in-app + email per preferences)
            tenant,
            "core.ai.manage",
            "system",
            _("AI credits topped up: pack %(pack)s, %(credits)s credits for %(price)s VND")
            % {"pack": pack.name, "credits": f"{pack.credits:,}", "price": f"{pack.price_vnd:,}"},
            _("The balance fell below %(t)s credits; the automatic top-up bought one pack.")
            % {"t": f"{wallet.topup_threshold:,}"},
            url="/ai/tokens/",
        )
        return entry


def _change_byok_plan(tenant: Tenant, wallet: Wallet, code: str) -> None:
    from novasaas.ai import keys

    wallet.byok_plan = code
    limit = keys.limit_of(tenant, code)
    connected = keys.connected_providers()
    if limit is not None and len(connected) > limit:
        raise ValidationError(
            {
                "byok_plan": [
                    _("Own keys of %(n)d providers are active (%(p)s): revoke some before choosing this plan.")
                    % {"n": len(connected), "p": ", ".join(sorted(connected))}
                ]
            }
        )


def save_wallet_settings(
    principal: Any,
    *,
    allow_shared: bool | None = None,
    rollover_days: int | None = None,
    topup_threshold: int | None = None,
    topup_pack: str | None = None,
    byok_plan: str | None = None,
) -> Wallet:
    """Tenant Admin's wallet settings (None: unchanged). A top-up needs both a threshold and a pack; a
    BYOK plan ("" for none) cannot allow fewer providers than the active own keys cover."""
    principal.require("core.ai.manage")
    from novasaas.ai import catalogue

    if byok_plan and catalogue.byok_plan(byok_plan) is None:
        raise ValidationError({"byok_plan": [_("Unknown BYOK plan.")]})
    if rollover_days is not None and not 0 <= rollover_days <= 3660:
        raise ValidationError({"rollover_days": [_("From 0 to 3,660 days.")]})
    if topup_threshold is not None and not 0 <= topup_threshold <= 10**12:
        raise ValidationError({"topup_threshold": [_("A whole number of credits from 0.")]})
    pack = None
    if topup_pack:
        pack = CreditPack.objects.filter(code=topup_pack, is_active=True).first()
        if pack is None:
            raise ValidationError({"topup_pack": [_("Unknown credit pack.")]})
    ensure_wallet(principal.tenant)
    with in_tenant(principal.tenant), atomic():
        wallet = Wallet.objects.select_for_update().get(tenant=principal.tenant)
        if allow_shared is not None:
            wallet.allow_shared = allow_shared
        if rollover_days is not None:
            wallet.rollover_days = rollover_days
        if topup_threshold is not None:
            wallet.topup_threshold = topup_threshold
        if topup_pack is not None:
            wallet.topup_pack = pack
        if byok_plan is not None and byok_plan != wallet.byok_plan:
            from novasaas.ai import charges

            old_plan = wallet.byok_plan
            _change_byok_plan(principal.tenant, wallet, byok_plan)
            charges.charge_byok_change(principal.tenant, old_plan, byok_plan)
        if wallet.topup_threshold and wallet.topup_pack is None:
            raise ValidationError({"topup_pack": [_("Choose the pack the automatic top-up buys.")]})
        wallet.save(update_fields=["allow_shared", "rollover_days", "topup_threshold", "topup_pack", "byok_plan"])
        audit.record(
            AuditAction.UPDATE,
            actor=principal.user,
            tenant=principal.tenant,
            obj=wallet,
            after={
                "allow_shared": wallet.allow_shared,
                "rollover_days": wallet.rollover_days,
                "topup_threshold": wallet.topup_threshold,
                "topup_pack": pack.code if pack else "",
                "byok_plan": wallet.byok_plan,
            },
            message="AI wallet settings",
        )
    return wallet
