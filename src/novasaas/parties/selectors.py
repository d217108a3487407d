"""Read queries of the parties directory. Other modules read parties only through this file."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from typing import Any

from django.db.models import Prefetch, Q, QuerySet

from novasaas.parties.models import ContactKind, Party, PartyAddress, PartyContact, PartyTag
from novasaas.parties.text import name_key, normalize_email, normalize_phone, unaccent
from novasaas.platform.collation import by_name
from novasaas.platform.models import Tenant

NAME_SIMILARITY = 0.88  # SequenceMatcher ratio of name keys above which two names are "very similar"
MAX_NAME_SCAN = 20_000  # upper bound of names compared in Python when looking for similar names


def with_details(qs: QuerySet[Party]) -> QuerySet[Party]:
    """Prefetch what lists and summaries show, in a fixed number of queries whatever the page size."""
    return qs.prefetch_related(
        Prefetch("contacts", queryset=PartyContact.objects.order_by("kind", "-is_primary", "id")),
        Prefetch("addresses", queryset=PartyAddress.objects.order_by("-is_default", "id")),
        Prefetch("party_tags", queryset=PartyTag.objects.select_related("tag").order_by("tag__name")),
    )


def search_parties(
    tenant: Tenant,
    q: str = "",
    *,
    kind: str | None = None,
    tag: str | None = None,
    include_inactive: bool = False,
) -> QuerySet[Party]:
    """Parties of ``tenant`` matching every word of ``q`` in name, code, tax code, ID number, phone,
    email or tag — accent-insensitive (``nguyen`` finds ``Nguyễn``) and phone-format-insensitive."""
    qs = Party.objects.filter(tenant=tenant)
    if not include_inactive:
        qs = qs.filter(is_active=True)
    if kind:
        qs = qs.filter(kind=kind)
    if tag:
        qs = qs.filter(party_tags__tag__name__iexact=tag.strip())
    for word in unaccent(q).split()[:8]:
        digits = normalize_phone(word)
        cond = Q(search_text__contains=word)
        if digits and digits != word and len(digits) >= 3:
            cond |= Q(search_text__contains=digits)
        qs = qs.filter(cond)
    return by_name(with_details(qs), "name")


def get_party(tenant: Tenant, party_id: int) -> Party:
    """One party of ``tenant`` with its details; ``Party.DoesNotExist`` for another tenant's id."""
    return with_details(Party.objects.filter(tenant=tenant)).get(pk=party_id)


def primary_contact(party: Party, kind: str) -> str:
    """The primary (or first) phone/email of a party whose contacts are prefetched."""
    values = [c for c in party.contacts.all() if c.kind == kind]
    values.sort(key=lambda c: (not c.is_primary, c.pk))
    return values[0].value if values else ""


def default_address(party: Party) -> PartyAddress | None:
    addresses = sorted(party.addresses.all(), key=lambda a: (not a.is_default, a.pk))
    return addresses[0] if addresses else None


def tag_names(party: Party) -> list[str]:
    return [pt.tag.name for pt in party.party_tags.all()]


@dataclass(frozen=True)
class PartySummary:
    """What another module needs to show a party on its documents."""

    id: int
    code: str
    name: str
    kind: str
    tax_code: str
    is_active: bool
    merged_into_id: int | None
    phone: str
    email: str
    address: str
    tags: list[str] = field(default_factory=list)


def _summary(party: Party) -> PartySummary:
    address = default_address(party)
    return PartySummary(
        id=party.pk,
        code=party.code,
        name=party.name,
        kind=party.kind,
        tax_code=party.tax_code,
        is_active=party.is_active,
        merged_into_id=party.merged_into_id,
        phone=primary_contact(party, ContactKind.PHONE),
        email=primary_contact(party, ContactKind.EMAIL),
        address=str(address) if address else "",
        tags=tag_names(party),
    )


def party_summary(tenant: Tenant, party_id: int) -> PartySummary | None:
    """Summary of one party of ``tenant`` (inactive and merged ones too), or None when unknown."""
    party = with_details(Party.objects.filter(tenant=tenant, pk=party_id)).first()
    return _summary(party) if party else None


def party_summaries(tenant: Tenant, party_ids: Iterable[int]) -> dict[int, PartySummary]:
    """Summaries of many parties in a constant number of queries (for other modules' lists)."""
    parties = with_details(Party.objects.filter(tenant=tenant, pk__in=set(party_ids)))
    return {p.pk: _summary(p) for p in parties}


def resolve_party_id(tenant: Tenant, party_id: int) -> int | None:
    """Follow ``merged_into`` to the party that now stands for ``party_id`` (None when unknown)."""
    seen: set[int] = set()
    current = party_id
    while True:
        row = Party.objects.filter(tenant=tenant, pk=current).values_list("merged_into_id", flat=True)
        found = list(row)
        if not found:
            return None
        seen.add(current)
        nxt = found[0]
        if nxt is None or nxt in seen:
            return current
        current = nxt


def resolve_party_ids(tenant: Tenant, party_ids: Iterable[int]) -> dict[int, int | None]:
    """``resolve_party_id`` for many ids with one query (more only for merged parties)."""
    wanted = set(party_ids)
    found = dict(Party.objects.filter(tenant=tenant, pk__in=wanted).order_by().values_list("pk", "merged_into_id"))
    return {
        pid: (None if pid not in found else pid if found[pid] is None else resolve_party_id(tenant, pid))
        for pid in wanted
    }


@dataclass
class DuplicateCandidate:
    party: Party
    reasons: list[str]


def find_duplicates(tenant: Tenant, party: Party) -> list[DuplicateCandidate]:
    """Active parties of ``tenant`` that look like ``party``: same tax code, a shared normalised
    phone or email, or a very similar name (legal-form words and accents ignored)."""
    reasons: dict[int, list[str]] = {}

    def add(pid: int, reason: str) -> None:
        if pid != party.pk and reason not in reasons.setdefault(pid, []):
            reasons[pid].append(reason)

    active = Party.objects.filter(tenant=tenant, is_active=True).exclude(pk=party.pk)
    if party.tax_code:
        base = party.tax_code.replace("-", "")[:10]
        for pid in active.filter(tax_code__startswith=base).values_list("pk", flat=True):
            add(pid, "tax_code")
    own = list(party.contacts.all())
    phones = {c.normalized for c in own if c.kind == ContactKind.PHONE and c.normalized}
    emails = {normalize_email(c.value) for c in own if c.kind == ContactKind.EMAIL}
    if phones or emails:
        rows = (
            PartyContact.objects.filter(tenant=tenant, party__in=active)
            .filter(Q(kind=ContactKind.PHONE, normalized__in=phones) | Q(kind=ContactKind.EMAIL, normalized__in=emails))
            .values_list("party_id", "kind")
        )
        for pid, kind in rows:
            add(pid, kind)
    key = name_key(party.name)
    if key:
        for pid, name in active.filter(kind=party.kind).values_list("pk", "name")[:MAX_NAME_SCAN]:
            if SequenceMatcher(None, key, name_key(name)).ratio() >= NAME_SIMILARITY:
                add(pid, "name")
    parties = by_name(with_details(Party.objects.filter(tenant=tenant, pk__in=reasons)), "name")
    return [DuplicateCandidate(party=p, reasons=reasons[p.pk]) for p in parties]


def export_rows(tenant: Tenant) -> Iterable[dict[str, Any]]:
    """One row per active party: scalar fields, primary phone/email, default address, tags."""
    for party in (
        with_details(Party.objects.filter(tenant=tenant, is_active=True)).order_by("code").iterator(chunk_size=500)
    ):
        address = default_address(party)
        yield {
            "code": party.code,
            "name": party.name,
            "kind": party.kind,
            "tax_code": party.tax_code,
            "id_number": party.id_number,
            "website": party.website,
            "phone": primary_contact(party, ContactKind.PHONE),
            "email": primary_contact(party, ContactKind.EMAIL),
            "address": address.line if address else "",
            "ward": address.ward if address else "",
            "district": address.district if address else "",
            "province": address.province if address else "",
            "tags": ", ".join(tag_names(party)),
            "note": party.note,
        }
