"""Identity's domain events (other modules subscribe; identity never imports them)."""

from __future__ import annotations

from dataclasses import dataclass

from novasaas.platform.events import DomainEvent


@dataclass(frozen=True)
class InvitationAccepted(DomainEvent):
    """Someone accepted ``invitation_id`` and is now the member ``user_id`` of the tenant (Sales links a
    portal account to its user)."""

    invitation_id: int
    user_id: int
