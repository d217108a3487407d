"""Domain events published by the parties directory."""

from __future__ import annotations

from dataclasses import dataclass

from novasaas.platform.events import DomainEvent


@dataclass(frozen=True, kw_only=True)
class PartiesMerged(DomainEvent):
    """Duplicates ``merged_ids`` were merged into ``kept_id``: modules holding references to a merged
    party (customers, vendors, employees, documents) repoint them to ``kept_id`` in their subscriber."""

    kept_id: int
    merged_ids: tuple[int, ...]
