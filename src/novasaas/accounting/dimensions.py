"""Analytic dimensions (departments, projects): managed by the Finance Manager (``acc.coa.configure``),
carried optionally by journal lines and budget lines. Posted lines with a dimension move
``DimensionBalance`` (account × period × dimension) in the posting transaction, so budget vs actual per
dimension reads maintained balances like every other report.

Other modules refer to a dimension by kind and code (``"department:KD"``, ``"project:P001"``) and read
them through ``dimension_by_code`` / ``list_dimensions``."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import F, Value
from django.utils.translation import gettext as _

from novasaas.accounting.models import Dimension, DimensionBalance, DimensionKind, JournalLine
from novasaas.accounting.scope import atomic_in, in_tenant
from novasaas.identity.access import Principal
from novasaas.platform import audit
from novasaas.platform.models import Tenant
from novasaas.platform.money import MoneyField

CODE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,29}$")


def _clean_code(code: str) -> str:
    code = (code or "").strip().upper()
    if not CODE_RE.match(code):
        raise ValidationError({"code": [_("Use up to 30 letters, digits, dots, dashes or underscores.")]})
    return code


def create_dimension(principal: Principal, *, kind: str, code: str, name: str) -> Dimension:
    """A department or project; ``(kind, code)`` is unique per tenant and never changes."""
    principal.require("acc.coa.configure")
    errors: dict[str, list[str]] = {}
    if kind not in DimensionKind.values:
        errors["kind"] = [_("Choose department or project.")]
    try:
        code = _clean_code(code)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if not (name or "").strip():
        errors["name"] = [_("Enter a name.")]
    if errors:
        raise ValidationError(errors)
    with atomic_in(principal.tenant):
        if Dimension.objects.filter(kind=kind, code=code).exists():
            raise ValidationError({"code": [_("A dimension with this code exists.")]})
        dim = Dimension.objects.create(kind=kind, code=code, name=name.strip()[:120])
        audit.record_created(dim, principal.user)
        return dim


def update_dimension(
    principal: Principal, dimension_id: int, *, name: str | None = None, is_active: bool | None = None
) -> Dimension:
    """Rename or (de)activate; an inactive dimension cannot be put on new lines or budget lines."""
    principal.require("acc.coa.configure")
    with atomic_in(principal.tenant):
        dim = Dimension.objects.select_for_update(of=("self",), no_key=True).get(pk=dimension_id)
        before = audit.snapshot(dim)
        if name is not None:
            if not name.strip():
                raise ValidationError({"name": [_("Enter a name.")]})
            dim.name = name.strip()[:120]
        if is_active is not None:
            dim.is_active = is_active
        dim.save()
        audit.record_updated(dim, principal.user, before)
        return dim


def list_dimensions(tenant: Tenant, kind: str = "", *, active_only: bool = False) -> list[Dimension]:
    with in_tenant(tenant):
        qs = Dimension.objects.filter(tenant=tenant)
        if kind:
            qs = qs.filter(kind=kind)
        if active_only:
            qs = qs.filter(is_active=True)
        return list(qs.order_by("kind", "code"))


def dimension_by_code(tenant: Tenant, kind: str, code: str) -> Dimension | None:
    """For other modules (HR departments, projects): the tenant's dimension of this kind and code."""
    with in_tenant(tenant):
        return Dimension.objects.filter(tenant=tenant, kind=kind, code=(code or "").strip().upper()).first()


def lookup(ref: Any, cache: dict[Any, Dimension | None] | None = None) -> Dimension | None:
    """Resolve a dimension reference in the current tenant: a ``Dimension``, an id, ``"kind:code"``, or a
    bare code when only one dimension has it. ``None`` when not found (the caller reports the error)."""
    if isinstance(ref, Dimension):
        return ref
    if cache is not None and ref in cache:
        return cache[ref]
    found: Dimension | None = None
    if isinstance(ref, int) and not isinstance(ref, bool):
        found = Dimension.objects.filter(pk=ref).first() if 0 < ref < 2**63 else None
    elif isinstance(ref, str):
        text = ref.strip()
        if ":" in text:
            kind, _sep, code = text.partition(":")
            found = Dimension.objects.filter(kind=kind.strip().lower(), code=code.strip().upper()).first()
        elif text.isdigit() and len(text) < 19:
            found = Dimension.objects.filter(pk=int(text)).first()
        elif text:
            matches = list(Dimension.objects.filter(code=text.upper())[:2])
            found = matches[0] if len(matches) == 1 else None
    if cache is not None:
        cache[ref] = found
    return found


def apply_balances(tenant_id: int, period_id: int, lines: Iterable[JournalLine]) -> None:
    """Move ``DimensionBalance`` for the posted lines that carry a dimension (called by posting, after
    the chain lock, in the posting transaction)."""
    sums: dict[tuple[int, int], list[Decimal]] = defaultdict(lambda: [Decimal(0), Decimal(0)])
    for line in lines:
        if line.dimension_id is None:
            continue
        sums[(line.account_id, line.dimension_id)][0] += line.debit
        sums[(line.account_id, line.dimension_id)][1] += line.credit
    for account_id, dimension_id in sorted(sums):
        debit, credit = sums[(account_id, dimension_id)]
        updated = DimensionBalance.objects.filter(
            account_id=account_id, period_id=period_id, dimension_id=dimension_id
        ).update(
            debit=F("debit") + Value(debit, output_field=MoneyField()),
            credit=F("credit") + Value(credit, output_field=MoneyField()),
        )
        if not updated:
            DimensionBalance.objects.create(  # type: ignore[misc]  # MoneyField holds Decimal
                tenant_id=tenant_id,
                account_id=account_id,
                period_id=period_id,
                dimension_id=dimension_id,
                debit=debit,
                credit=credit,
            )
