"""State changes of the parties directory: create, update, deactivate, merge. Each action runs in one
transaction, checks the acting principal's permission, validates everything before writing, and is
audited. Merging publishes ``PartiesMerged`` so modules that reference parties can repoint."""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from novasaas.identity.access import Principal
from novasaas.parties.events import PartiesMerged
from novasaas.parties.models import (
    ContactKind,
    Party,
    PartyAddress,
    PartyBankAccount,
    PartyContact,
    PartyKind,
    PartyTag,
    Tag,
)
from novasaas.parties.selectors import find_duplicates  # noqa: F401  (part of the public API here too)
from novasaas.parties.text import unaccent
from novasaas.platform import audit
from novasaas.platform.events import publish
from novasaas.platform.models import AuditAction
from novasaas.platform.mst import normalize_tax_code
from novasaas.platform.numbering import next_number

CODE_PREFIX = "KH"
CODE_KEY = "parties.party"
# Suppliers get their own series (NCC00001, …) so a code tells at a glance who is a supplier.
SUPPLIER_PREFIX = "NCC"
SUPPLIER_KEY = "parties.supplier"
# People hired through HRM get theirs too (NV00001, …); only HRM creates them (not offered on party pages).
EMPLOYEE_PREFIX = "NV"
EMPLOYEE_KEY = "parties.employee"
ROLES = ("customer", "supplier", "employee")


def code_series(role: str) -> tuple[str, str]:
    """The (prefix, numbering key) of a new party's code for ``role``."""
    if role == "employee":
        return EMPLOYEE_PREFIX, EMPLOYEE_KEY
    return (SUPPLIER_PREFIX, SUPPLIER_KEY) if role == "supplier" else (CODE_PREFIX, CODE_KEY)


SCALAR_FIELDS = ("name", "kind", "tax_code", "id_number", "website", "note")
ADDRESS_FIELDS = ("label", "line", "ward", "district", "province", "country", "is_default")
CONTACT_FIELDS = ("kind", "value", "label", "is_primary")
BANK_FIELDS = ("bank_name", "account_number", "holder", "branch")
MAX_TAGS = 30

Rows = Sequence[Mapping[str, Any]]


# --- helpers ---------------------------------------------------------------------------------------


def _actor(principal: Principal) -> Any:
    return principal.user


def full_snapshot(party: Party) -> dict[str, Any]:
    """The party with its nested rows, for the audit trail."""
    data = audit.snapshot(party)
    data.pop("search_text", None)
    data["addresses"] = [{f: getattr(a, f) for f in ADDRESS_FIELDS} for a in party.addresses.order_by("id")]
    data["contacts"] = [{f: getattr(c, f) for f in CONTACT_FIELDS} for c in party.contacts.order_by("id")]
    data["bank_accounts"] = [{f: getattr(b, f) for f in BANK_FIELDS} for b in party.bank_accounts.order_by("id")]
    data["tags"] = sorted(PartyTag.objects.filter(party=party).values_list("tag__name", flat=True))
    return data


def refresh_search_text(party: Party) -> None:
    contacts = list(party.contacts.values_list("value", "normalized"))
    tags = list(PartyTag.objects.filter(party=party).values_list("tag__name", flat=True))
    parts = [
        party.code,
        party.name,
        party.tax_code,
        party.tax_code.replace("-", ""),
        party.id_number,
        party.website,
        *[v for pair in contacts for v in pair],
        *tags,
    ]
    text = unaccent(" ".join(p for p in parts if p))
    if text != party.search_text:
        party.search_text = text
        Party.objects.filter(pk=party.pk).update(search_text=text)


def _clean_tags(tags: Sequence[str]) -> list[str]:
    seen: dict[str, str] = {}
    for raw in tags:
        name = " ".join(str(raw).split())
        if name and name.lower() not in seen:
            if len(name) > 60:
                raise ValidationError({"tags": _("A tag has at most 60 characters.")})
            seen[name.lower()] = name
    if len(seen) > MAX_TAGS:
        raise ValidationError({"tags": _("At most %(n)d tags.") % {"n": MAX_TAGS}})
    return list(seen.values())


def _build_children(
    party: Party,
    addresses: Rows | None,
    contacts: Rows | None,
    bank_accounts: Rows | None,
    errors: dict[str, list[str]],
) -> tuple[list[PartyAddress] | None, list[PartyContact] | None, list[PartyBankAccount] | None]:
    """Unsaved, validated child rows; problems go to ``errors`` under keys like ``addresses[0].line``."""

    def build(model: type[Any], rows: Rows | None, allowed: tuple[str, ...], prefix: str) -> list[Any] | None:
        if rows is None:
            return None
        built = []
        for i, row in enumerate(rows):
            unknown = set(row) - set(allowed)
            if unknown:
                errors.setdefault(f"{prefix}[{i}]", []).append(_("Unknown fields: %s") % ", ".join(sorted(unknown)))
                continue
            obj = model(tenant_id=party.tenant_id, **{k: ("" if v is None else v) for k, v in row.items()})
            try:
                obj.full_clean(exclude=["party", "tenant"])
            except ValidationError as exc:
                for fname, msgs in exc.message_dict.items():
                    errors.setdefault(f"{prefix}[{i}].{fname}", []).extend(msgs)
            built.append(obj)
        return built

    built_addresses = build(PartyAddress, addresses, ADDRESS_FIELDS, "addresses")
    built_contacts = build(PartyContact, contacts, CONTACT_FIELDS, "contacts")
    built_banks = build(PartyBankAccount, bank_accounts, BANK_FIELDS, "bank_accounts")
    # One default address and one primary contact per kind: the first flagged one, else the first row.
    if built_addresses:
        flagged = [a for a in built_addresses if a.is_default]
        for a in built_addresses:
            a.is_default = a is (flagged[0] if flagged else built_addresses[0])
    if built_contacts:
        for kind in ContactKind.values:
            of_kind = [c for c in built_contacts if c.kind == kind]
            flagged = [c for c in of_kind if c.is_primary]
            for c in of_kind:
                c.is_primary = c is (flagged[0] if flagged else of_kind[0])
    return built_addresses, built_contacts, built_banks


def _check_tax_code_free(party: Party) -> None:
    if party.is_active and party.tax_code:
        clash = Party.objects.filter(tax_code=party.tax_code, is_active=True).exclude(pk=party.pk).first()
        if clash is not None:
            raise ValidationError(
                {
                    "tax_code": _("The tax code %(mst)s already belongs to %(party)s.")
                    % {"mst": party.tax_code, "party": clash}
                }
            )


def _validate_party(party: Party, errors: dict[str, list[str]]) -> None:
    party.tax_code = normalize_tax_code(party.tax_code)
    # composed form (NFC): a name typed decomposed (macOS, copied from PDFs) is the same name, and is
    # stored, sorted, exported and matched like the composed one
    party.name = unicodedata.normalize("NFC", " ".join((party.name or "").split()))
    try:
        party.full_clean(exclude=["tenant", "code", "merged_into", "search_text"], validate_constraints=False)
    except ValidationError as exc:
        for fname, msgs in exc.message_dict.items():
            errors.setdefault(fname, []).extend(msgs)
    if "tax_code" not in errors:
        try:
            _check_tax_code_free(party)
        except ValidationError as exc:
            errors.setdefault("tax_code", []).extend(exc.message_dict["tax_code"])


def _write_children(
    party: Party,
    addresses: list[PartyAddress] | None,
    contacts: list[PartyContact] | None,
    banks: list[PartyBankAccount] | None,
    tags: list[str] | None,
) -> None:
    for model, rows in ((PartyAddress, addresses), (PartyContact, contacts), (PartyBankAccount, banks)):
        if rows is None:
            continue
        model.objects.filter(party=party).delete()
        for obj in rows:
            obj.party = party
            obj.save()
    if tags is not None:
        PartyTag.objects.filter(party=party).delete()
        for name in tags:
            PartyTag.objects.create(party=party, tag=get_or_create_tag(name))


def get_or_create_tag(name: str) -> Tag:
    """The tenant's tag called ``name`` (case-insensitive), created when missing; safe when two
    requests create the same new tag at once (the loser of the insert race reads the winner's row)."""
    tag = Tag.objects.filter(name__iexact=name).first()
    if tag is not None:
        return tag
    try:
        with transaction.atomic():
            return Tag.objects.create(name=name)
    except IntegrityError:
        return Tag.objects.get(name=name)


def _save_guarded(party: Party, **kwargs: Any) -> None:
    try:
        with transaction.atomic():
            party.save(**kwargs)
    except IntegrityError as exc:  # a concurrent writer took the tax code between check and save
        raise ValidationError({"tax_code": _("Another active party already has this tax code.")}) from exc


# --- actions ---------------------------------------------------------------------------------------


@transaction.atomic
def create_party(
    principal: Principal,
    *,
    name: str,
    kind: str = PartyKind.COMPANY,
    tax_code: str = "",
    id_number: str = "",
    website: str = "",
    note: str = "",
    addresses: Rows = (),
    contacts: Rows = (),
    bank_accounts: Rows = (),
    tags: Sequence[str] = (),
    role: str = "customer",
) -> Party:
    """Create a party with its nested rows and a new gapless code (KH00001, …; a supplier NCC00001, …).
    Either everything is written or nothing (``ValidationError`` listing every problem, keyed by field)."""
    principal.require("core.parties.edit")
    party = Party(
        tenant=principal.tenant,
        name=name,
        kind=kind,
        tax_code=tax_code or "",
        id_number=id_number or "",
        website=website or "",
        note=note or "",
    )
    errors: dict[str, list[str]] = {}
    _validate_party(party, errors)
    built = _build_children(party, addresses, contacts, bank_accounts, errors)
    try:
        clean_tags = _clean_tags(tags)
    except ValidationError as exc:
        errors.update(exc.message_dict)
        clean_tags = []
    if role not in ROLES:
        errors.setdefault("role", []).append(_("Choose customer or supplier."))
    if errors:
        raise ValidationError(errors)
    prefix, key = code_series(role)
    party.code = f"{prefix}{next_number(key):05d}"
    _save_guarded(party)
    _write_children(party, *built, clean_tags)
    refresh_search_text(party)
    audit.record(AuditAction.CREATE, actor=_actor(principal), obj=party, after=full_snapshot(party))
    return party


@transaction.atomic
def update_party(
    principal: Principal,
    party_id: int,
    *,
    addresses: Rows | None = None,
    contacts: Rows | None = None,
    bank_accounts: Rows | None = None,
    tags: Sequence[str] | None = None,
    **fields: Any,
) -> Party:
    """Change scalar fields and replace whichever nested lists are given (None = leave as is), atomically.
    Merged parties cannot be edited."""
    principal.require("core.parties.edit")
    unknown = set(fields) - set(SCALAR_FIELDS)
    if unknown:
        raise ValidationError({k: [_("Unknown field.")] for k in sorted(unknown)})
    party = Party.objects.select_for_update().get(pk=party_id)
    if party.merged_into_id is not None:
        raise ValidationError(_("This party was merged into another one and cannot be changed."))
    before = full_snapshot(party)
    for key, value in fields.items():
        setattr(party, key, "" if value is None else value)
    errors: dict[str, list[str]] = {}
    _validate_party(party, errors)
    built = _build_children(party, addresses, contacts, bank_accounts, errors)
    clean_tags: list[str] | None = None
    if tags is not None:
        try:
            clean_tags = _clean_tags(tags)
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    _save_guarded(party)
    _write_children(party, *built, clean_tags)
    refresh_search_text(party)
    audit.record(AuditAction.UPDATE, actor=_actor(principal), obj=party, before=before, after=full_snapshot(party))
    return party


@transaction.atomic
def deactivate_party(principal: Principal, party_id: int) -> Party:
    """Hide a party from lists and pickers; it stays readable for the documents that reference it."""
    principal.require("core.parties.edit")
    party = Party.objects.select_for_update().get(pk=party_id)
    if party.is_active:
        before = audit.snapshot(party)
        party.is_active = False
        party.save(update_fields=["is_active", "updated_at"])
        audit.record(
            AuditAction.UPDATE,
            actor=_actor(principal),
            obj=party,
            before=before,
            after=audit.snapshot(party),
            message="deactivated",
        )
    return party


@transaction.atomic
def reactivate_party(principal: Principal, party_id: int) -> Party:
    principal.require("core.parties.edit")
    party = Party.objects.select_for_update().get(pk=party_id)
    if party.merged_into_id is not None:
        raise ValidationError(_("This party was merged into another one and cannot be reactivated."))
    if not party.is_active:
        before = audit.snapshot(party)
        party.is_active = True
        _check_tax_code_free(party)
        _save_guarded(party, update_fields=["is_active", "updated_at"])
        audit.record(
            AuditAction.UPDATE,
            actor=_actor(principal),
            obj=party,
            before=before,
            after=audit.snapshot(party),
            message="reactivated",
        )
    return party


@transaction.atomic
def merge_parties(principal: Principal, keep_id: int, duplicate_ids: Sequence[int]) -> Party:
    """Merge ``duplicate_ids`` into ``keep_id``.

    Guarantees: addresses, bank accounts, contacts and tags of the duplicates end up on the kept party
    (contacts and bank accounts it already has are not doubled; its default address and primary contacts
    stay); a duplicate's tax code moves over when the kept party has none; each duplicate becomes
    inactive with ``merged_into`` = kept party (and parties earlier merged into a duplicate are repointed);
    ``PartiesMerged`` is published in the same transaction. All parties must be active parties of the
    tenant (``Party.DoesNotExist`` otherwise, i.e. 404).
    """
    principal.require("core.parties.merge")
    dup_ids = sorted({int(i) for i in duplicate_ids})
    if not dup_ids:
        raise ValidationError({"duplicate_ids": _("Choose at least one duplicate to merge.")})
    if keep_id in dup_ids:
        raise ValidationError({"duplicate_ids": _("The kept party cannot also be a duplicate.")})
    # Lock in id order so that two concurrent merges of overlapping sets cannot deadlock.
    locked = {p.pk: p for p in Party.objects.select_for_update().filter(pk__in=[keep_id, *dup_ids]).order_by("pk")}
    missing = [i for i in [keep_id, *dup_ids] if i not in locked]
    if missing:
        raise Party.DoesNotExist(f"unknown parties {missing}")
    keep = locked[keep_id]
    duplicates = [locked[i] for i in dup_ids]
    inactive = [p for p in [keep, *duplicates] if not p.is_active]
    if inactive:
        raise ValidationError(_("Only active parties can be merged: %s") % ", ".join(str(p) for p in inactive))

    keep_before = full_snapshot(keep)
    dup_befores = {d.pk: full_snapshot(d) for d in duplicates}
    has_contact = set(PartyContact.objects.filter(party=keep).values_list("kind", "normalized"))
    has_bank = {
        (b.replace(" ", ""), n.lower())
        for b, n in PartyBankAccount.objects.filter(party=keep).values_list("account_number", "bank_name")
    }
    has_tag = set(PartyTag.objects.filter(party=keep).values_list("tag_id", flat=True))
    has_default = PartyAddress.objects.filter(party=keep, is_default=True).exists()
    primary_kinds = set(PartyContact.objects.filter(party=keep, is_primary=True).values_list("kind", flat=True))
    moved_tax_code = ""
    for dup in duplicates:
        for address in PartyAddress.objects.filter(party=dup).order_by("-is_default", "id"):
            address.party = keep
            address.is_default = address.is_default and not has_default
            has_default = has_default or address.is_default
            address.save()
        for contact in PartyContact.objects.filter(party=dup).order_by("-is_primary", "id"):
            if (contact.kind, contact.normalized) in has_contact:
                contact.delete()
                continue
            has_contact.add((contact.kind, contact.normalized))
            contact.party = keep
            contact.is_primary = contact.is_primary and contact.kind not in primary_kinds
            if contact.is_primary:
                primary_kinds.add(contact.kind)
            contact.save()
        for bank in PartyBankAccount.objects.filter(party=dup).order_by("id"):
            bank_key = (bank.account_number.replace(" ", ""), bank.bank_name.lower())
            if bank_key in has_bank:
                bank.delete()
                continue
            has_bank.add(bank_key)
            bank.party = keep
            bank.save()
        for link in PartyTag.objects.filter(party=dup):
            if link.tag_id in has_tag:
                link.delete()
                continue
            has_tag.add(link.tag_id)
            link.party = keep
            link.save()
        if not keep.tax_code and not moved_tax_code and dup.tax_code:
            moved_tax_code = dup.tax_code
        dup.is_active = False
        dup.merged_into = keep
        dup.save(update_fields=["is_active", "merged_into", "updated_at"])
    # Chains stay one hop long: whatever pointed at a duplicate now points at the kept party.
    Party.objects.filter(merged_into_id__in=dup_ids).update(merged_into=keep)
    if moved_tax_code:
        keep.tax_code = moved_tax_code
        _save_guarded(keep, update_fields=["tax_code", "updated_at"])
    else:
        keep.save(update_fields=["updated_at"])
    refresh_search_text(keep)
    for dup in duplicates:
        refresh_search_text(dup)
        audit.record(
            AuditAction.UPDATE,
            actor=_actor(principal),
            obj=dup,
            before=dup_befores[dup.pk],
            after=full_snapshot(dup),
            message=f"merged into {keep.code}",
        )
    audit.record(
        AuditAction.UPDATE,
        actor=_actor(principal),
        obj=keep,
        before=keep_before,
        after=full_snapshot(keep),
        message="merged " + ", ".join(d.code for d in duplicates),
    )
    publish(PartiesMerged(tenant_id=keep.tenant_id, kept_id=keep.pk, merged_ids=tuple(dup_ids)))
    return keep
