"""Shared credits: the append-only ledger and the wallet it backs.

Every movement is one ``CreditEntry`` and one conditional UPDATE of ``Wallet.balance`` in the same
transaction, so the balance always equals the sum of the ledger and never goes below zero (a database
CHECK as well). A reservation is ``UPDATE … SET balance = balance - n WHERE balance >= n``: when two
requests race for the last credits, one UPDATE matches no row and that request is refused.
"""

from __future__ import annotations

import contextlib
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Sum
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
    actor: Any, tenant: Tenant, *, credits: int = 0, pack_code: str = "", kind: str = EntryKind.GRANT, note: str = ""
) -> CreditEntry:
    """Master Admin grants credits, or records a pack bought (kind purchase, price from the catalogue)."""
    _require_master_admin(actor)
    pack = None
    price = 0
    if pack_code:
        pack = CreditPack.objects.filter(code=pack_code, is_active=True).first()
        if pack is None:
            raise ValidationError({"pack": [_("Unknown credit pack.")]})
        credits, price, kind = pack.credits, pack.price_vnd, EntryKind.PURCHASE
    if kind not in (EntryKind.GRANT, EntryKind.PURCHASE, EntryKind.REFUND):
        raise ValidationError({"kind": [_("Credits are added as a grant, a purchase or a refund.")]})
    if not 1 <= credits <= 10**12:
        raise ValidationError({"credits": [_("Credits are a whole number from 1 to 1,000,000,000,000.")]})
    wallet = ensure_wallet(tenant)
    with tenant_context(tenant), atomic():
        Wallet.objects.filter(pk=wallet.pk).update(balance=F("balance") + credits)
        entry = CreditEntry.objects.create(
            kind=kind, credits=credits, pack=pack, price_vnd=price, actor=actor, note=note[:200]
        )
        audit.record(
            AuditAction.OTHER,
            actor=actor,
            tenant=tenant,
            obj=entry,
            after={"kind": kind, "credits": credits, "pack": pack_code, "price_vnd": price},
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
