"""State changes of the ledger. Each action runs in one transaction, takes the tenant (or the acting
principal) explicitly, checks the permission, locks what it must, and is audited.

Posting (``post_entry``, ``approve_entry``, ``reverse_entry``) funnels into ``_post``, and
``post_source_document`` / ``post_source_documents`` (batch) into ``_post_documents``; both guarantee:
the entry balances and is not empty; every account is active and allows posting, and lines on partner
accounts name a partner of this tenant; the period is open (its row is locked, so a concurrent close
waits); the number is gapless per journal and fiscal year; the entry is appended to the tenant's hash
chain; the maintained ``AccountBalance`` and ``OpenItem`` rows move in the same transaction
(``_after_post``). Postings of one tenant are serialised by the chain lock, which is always taken first, so
concurrent postings queue instead of deadlocking.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from novasaas.accounting import config_cache, taxes
from novasaas.accounting.charts import DEFAULT_TEMPLATE, ROLE_DEFAULTS, TEMPLATES
from novasaas.accounting.models import (
    Account,
    AccountBalance,
    AccountingSettings,
    AccountMapping,
    ChartOfAccount,
    EntryState,
    FiscalPeriod,
    FiscalYear,
    FiscalYearState,
    Journal,
    JournalEntry,
    JournalKind,
    JournalLine,
    PeriodState,
)
from novasaas.accounting.scope import atomic_in, in_tenant
from novasaas.billing import selectors as billing_selectors
from novasaas.identity.access import Principal
from novasaas.platform import audit
from novasaas.platform.models import AuditAction, Tenant
from novasaas.platform.money import (
    FixedPointField,
    convert,
    currency_decimals,
    decimals_error,
    format_amount,
    has_valid_decimals,
    is_known_currency,
    round_money,
    to_decimal,
)
from novasaas.platform.ttlcache import BoundedCache

MAX_LINES = 500
DEFAULT_JOURNALS = [
    ("GEN", "Sổ nhật ký chung", JournalKind.GENERAL),
    ("SAL", "Nhật ký bán hàng", JournalKind.SALES),
    ("PUR", "Nhật ký mua hàng", JournalKind.PURCHASE),
    ("CASH", "Nhật ký thu chi tiền mặt", JournalKind.CASH),
    ("BANK", "Nhật ký ngân hàng", JournalKind.BANK),
    ("INV", "Nhật ký kho", JournalKind.INVENTORY),
    ("CLO", "Bút toán kết chuyển", JournalKind.CLOSING),
]


@dataclass(frozen=True)
class LineInput:
    """One line to post: ``account`` is an Account, an account code, or (for source documents) a role."""

    account: Any
    debit: Decimal
    credit: Decimal
    partner_id: int | None = None
    memo: str = ""
    due_date: dt.date | None = None
    tax_rate: Any = None  # a TaxRate code ("VAT10") or id: the line is taxed (see taxes.py)
    tax_base: Any = 0
    paid_in_cash: bool = False
    dimension: Any = None  # a Dimension id, "department:KD" / "project:P01", or a code unique across kinds
    # Foreign currency: with ``currency`` (ISO code other than the base currency) debit/credit are
    # amounts *in that currency*; the VND amount is amount × ``exchange_rate`` (default: the tenant's
    # latest rate on or before the entry date) rounded by ``round_money``. ``amount_base``, when given,
    # is the VND amount the caller expects: a mismatch is refused.
    currency: str = ""
    exchange_rate: Any = None
    amount_base: Any = None


# --- chart ------------------------------------------------------------------------------------------


# A chart, once created, exists for good: remember it per process (its template may only change while
# the ledger is empty, and ``apply_chart_template`` refreshes this cache).
_CHARTS: BoundedCache[ChartOfAccount] = BoundedCache(maxsize=2_000)  # per process, LRU (issue 20)


def _chart_key(tenant: Tenant) -> tuple[int, Any]:
    return (tenant.pk, getattr(tenant, "created_at", None))  # ids can be reused (SQLite, test rollbacks)


def ensure_chart(tenant: Tenant, template: str | None = None) -> ChartOfAccount:
    """Create the tenant's chart (default Circular 133), settings, journals and the current fiscal year
    the first time accounting is used. Idempotent and safe to call concurrently."""
    cached = _CHARTS.get(_chart_key(tenant))
    if cached is not None:
        return cached
    with in_tenant(tenant):
        found = ChartOfAccount.objects.filter(tenant=tenant).first()
        if found is not None:
            key = _chart_key(tenant)
            # cache only what is committed: a rolled-back first use must not leave a phantom chart
            transaction.on_commit(lambda: _CHARTS.set(key, found))
            return found
        try:
            with transaction.atomic():
                chart = _create_chart(tenant, template or DEFAULT_TEMPLATE)
        except IntegrityError:  # created by a concurrent first use
            return ChartOfAccount.objects.get(tenant=tenant)
        return chart


def _create_chart(tenant: Tenant, template: str) -> ChartOfAccount:
    if template not in TEMPLATES:
        raise ValidationError({"template": _("Unknown chart template.")})
    name, rows = TEMPLATES[template]
    chart = ChartOfAccount.objects.create(tenant=tenant, template=template, name=name)
    _create_accounts(tenant, chart, template)
    AccountingSettings.objects.get_or_create(tenant=tenant)
    taxes.seed_rates()
    have = set(Journal.objects.values_list("code", flat=True))
    Journal.objects.bulk_create(
        [
            Journal(tenant=tenant, code=code, name=jname, kind=kind)
            for code, jname, kind in DEFAULT_JOURNALS
            if code not in have
        ]
    )
    today = timezone.localdate()
    if not FiscalYear.objects.exists():
        _create_year(dt.date(today.year, 1, 1))
    return chart


def _create_accounts(tenant: Tenant, chart: ChartOfAccount, template: str) -> None:
    rows = TEMPLATES[template][1]
    codes = {r.code for r in rows}
    by_code: dict[str, Account] = {}
    # one INSERT per level of the tree (parents first, so children know their parent's id): ~6 statements
    # for a chart of 150 accounts instead of 150, since every new tenant with ACC gets one at sign-up
    for length in sorted({len(r.code) for r in rows}):
        level = []
        for row in sorted((r for r in rows if len(r.code) == length), key=lambda r: r.code):
            parent_code = next((row.code[:n] for n in range(len(row.code) - 1, 2, -1) if row.code[:n] in codes), None)
            has_children = any(c != row.code and c.startswith(row.code) for c in codes)
            level.append(
                Account(
                    tenant=tenant,
                    chart=chart,
                    code=row.code,
                    name_vi=row.name_vi,
                    name_en=row.name_en,
                    parent=by_code[parent_code] if parent_code else None,
                    level=len(row.code) - 2,
                    type=row.type,
                    normal_balance=row.normal,
                    allows_posting=not has_children,
                    needs_partner=row.needs_partner,
                    from_template=True,
                )
            )
        for account in Account.objects.bulk_create(level):
            by_code[account.code] = account


def apply_chart_template(principal: Principal, template: str) -> ChartOfAccount:
    """Replace the chart by another template; only while nothing has been posted or drafted."""
    principal.require("acc.coa.configure")
    tenant = principal.tenant
    if template not in TEMPLATES:
        raise ValidationError({"template": _("Unknown chart template.")})
    with atomic_in(tenant):
        chart = ensure_chart(tenant)
        chart = ChartOfAccount.objects.select_for_update(of=("self",), no_key=True).get(pk=chart.pk)
        if JournalLine.objects.exists() or JournalEntry.objects.exists():
            raise ValidationError(_("The chart can only be changed before the first entry."))
        if chart.template == template:
            return chart
        AccountMapping.objects.all().delete()
        AccountBalance.objects.all().delete()
        for level in range(18, 0, -1):
            Account.objects.filter(level=level).delete()
        chart.template, chart.name = template, TEMPLATES[template][0]
        chart.save(update_fields=["template", "name"])
        _CHARTS.delete(_chart_key(tenant))
        transaction.on_commit(lambda: _CHARTS.delete(_chart_key(tenant)))
        _create_accounts(tenant, chart, template)
        audit.record(AuditAction.UPDATE, actor=principal.user, obj=chart, after={"template": template})
        config_cache.bump()  # every process drops its cached configuration
        return chart


def _get_account(pk: int) -> Account:
    return Account.objects.get(pk=pk)


def create_account(
    principal: Principal,
    *,
    parent_id: int,
    code: str,
    name_vi: str,
    name_en: str = "",
    needs_partner: bool | None = None,
) -> Account:
    """Add a sub-account under ``parent_id``; its code extends the parent's code. The parent stops
    allowing direct posting (its balance is the sum of its sub-accounts)."""
    principal.require("acc.coa.configure")
    tenant = principal.tenant
    with atomic_in(tenant):
        chart = ensure_chart(tenant)
        parent = Account.objects.select_for_update(of=("self",), no_key=True).get(pk=parent_id)
        code = (code or "").strip()
        errors: dict[str, list[str]] = {}
        if not code.isdigit() or not code.startswith(parent.code) or len(code) <= len(parent.code) or len(code) > 20:
            errors["code"] = [
                _("The code must be digits extending the parent's code %(code)s.") % {"code": parent.code}
            ]
        elif Account.objects.filter(code=code).exists():
            errors["code"] = [_("An account with this code already exists.")]
        if not (name_vi or "").strip():
            errors["name_vi"] = [_("Enter a name.")]
        if not parent.is_active:
            errors["parent_id"] = [_("The parent account is inactive.")]
        if errors:
            raise ValidationError(errors)
        account = Account.objects.create(
            tenant=tenant,
            chart=chart,
            code=code,
            name_vi=name_vi.strip()[:200],
            name_en=(name_en or "").strip()[:200],
            parent=parent,
            level=parent.level + 1,
            type=parent.type,
            normal_balance=parent.normal_balance,
            needs_partner=parent.needs_partner if needs_partner is None else needs_partner,
            allows_posting=True,
        )
        if parent.allows_posting:
            parent.allows_posting = False
            parent.save(update_fields=["allows_posting"])
        audit.record_created(account, principal.user)
        config_cache.bump()  # every process drops its cached configuration
        return account


def update_account(principal: Principal, account_id: int, **changes: Any) -> Account:
    """Rename an account or change whether it needs a partner; the code and type never change."""
    principal.require("acc.coa.configure")
    allowed = {"name_vi", "name_en", "needs_partner"}
    unknown = set(changes) - allowed
    if unknown:
        raise ValidationError(_("Unknown fields: %s") % ", ".join(sorted(unknown)))
    with atomic_in(principal.tenant):
        account = Account.objects.select_for_update(of=("self",), no_key=True).get(pk=account_id)
        before = audit.snapshot(account)
        for key, value in changes.items():
            if value is None:
                continue
            if key in ("name_vi", "name_en"):
                value = str(value).strip()[:200]
                if key == "name_vi" and not value:
                    raise ValidationError({"name_vi": [_("Enter a name.")]})
            setattr(account, key, value)
        account.save()
        audit.record_updated(account, principal.user, before)
        config_cache.bump()  # every process drops its cached configuration
        return account


def set_account_active(principal: Principal, account_id: int, active: bool) -> Account:
    principal.require("acc.coa.configure")
    with atomic_in(principal.tenant):
        account = Account.objects.select_for_update(of=("self",), no_key=True).get(pk=account_id)
        if not active and AccountMapping.objects.filter(account=account).exists():
            raise ValidationError(_("This account is used by a posting role; map the role elsewhere first."))
        before = audit.snapshot(account)
        account.is_active = active
        account.save(update_fields=["is_active"])
        audit.record_updated(account, principal.user, before)
        config_cache.bump()  # every process drops its cached configuration
        return account


def delete_account(principal: Principal, account_id: int) -> None:
    """Delete an account that has no entries, no sub-accounts and is not part of the template."""
    principal.require("acc.coa.configure")
    with atomic_in(principal.tenant):
        account = Account.objects.select_for_update().get(pk=account_id)
        if JournalLine.objects.filter(account=account).exists():
            raise ValidationError(_("An account with entries cannot be deleted; deactivate it instead."))
        if account.children.exists():
            raise ValidationError(_("An account with sub-accounts cannot be deleted."))
        if account.from_template:
            raise ValidationError(_("A standard account of the chart cannot be deleted; deactivate it instead."))
        if AccountMapping.objects.filter(account=account).exists():
            raise ValidationError(_("This account is used by a posting role; map the role elsewhere first."))
        parent = account.parent
        AccountBalance.objects.filter(account=account).delete()
        audit.record_deleted(account, principal.user)
        account.delete()
        if parent is not None and not parent.children.exists():
            Account.objects.filter(pk=parent.pk).update(allows_posting=True)
        config_cache.bump()  # every process drops its cached configuration


def set_account_mapping(principal: Principal, role: str, account_id: int) -> AccountMapping:
    principal.require("acc.coa.configure")
    from novasaas.accounting.charts import ROLES

    if role not in ROLES:
        raise ValidationError({"role": [_("Unknown posting role.")]})
    with atomic_in(principal.tenant):
        ensure_chart(principal.tenant)
        account = Account.objects.get(pk=account_id)
        if not account.allows_posting or not account.is_active:
            raise ValidationError({"account_id": [_("Choose an active account that allows posting.")]})
        mapping, _created = AccountMapping.objects.update_or_create(role=role, defaults={"account": account})
        audit.record(
            AuditAction.UPDATE, actor=principal.user, obj=mapping, after={"role": role, "account": account.code}
        )
        config_cache.bump()  # every process drops its cached configuration
        return mapping


def update_settings(
    principal: Principal, *, approval_threshold: Any = None, vat_period: str | None = None
) -> AccountingSettings:
    """Approval threshold and the VAT filing period (month or quarter); ``None`` leaves a value as is."""
    principal.require("acc.coa.configure")
    with atomic_in(principal.tenant):
        ensure_chart(principal.tenant)
        obj = AccountingSettings.objects.select_for_update(of=("self",), no_key=True).get()
        before = audit.snapshot(obj)
        if approval_threshold is not None:
            value = to_decimal(approval_threshold)
            if value < 0:
                raise ValidationError({"approval_threshold": [_("Enter zero or a positive amount.")]})
            obj.approval_threshold = round_money(value, obj.base_currency)
        if vat_period is not None:
            if vat_period not in ("month", "quarter"):
                raise ValidationError({"vat_period": [_("Choose monthly or quarterly.")]})
            obj.vat_period = vat_period
        obj.save()
        audit.record_updated(obj, principal.user, before)
        config_cache.bump()  # every process drops its cached configuration
        return obj


def resolve_role(tenant: Tenant, role: str) -> Account:
    """The account a posting role resolves to: the tenant's mapping, else the chart template's default."""
    with in_tenant(tenant):
        return _resolve_role(tenant, role)


def _resolve_role(tenant: Tenant, role: str, template: str | None = None) -> Account:
    if template is None:
        mapping = AccountMapping.objects.select_related("account").filter(role=role).first()
        if mapping is not None:
            return mapping.account
        ensure_chart(tenant)
        # read fresh, not from the per-process chart cache: another process may have switched templates
        template = ChartOfAccount.objects.filter(tenant=tenant).values_list("template", flat=True).first() or ""
    code = ROLE_DEFAULTS.get(template, {}).get(role)
    if code is None:
        raise ValidationError(_("Unknown posting role “%(role)s”.") % {"role": role})
    account = Account.objects.filter(code=code).first()
    if account is None:
        raise ValidationError(_("No account %(code)s for the role “%(role)s”.") % {"code": code, "role": role})
    if not account.allows_posting:  # the tenant added sub-accounts: take the first active one
        child = (
            Account.objects.filter(code__startswith=code, allows_posting=True, is_active=True).order_by("code").first()
        )
        if child is None:
            raise ValidationError(_("Map the role “%(role)s” to an account.") % {"role": role})
        return child
    return account


def create_tax_rate(
    principal: Principal,
    *,
    code: str,
    name: str,
    rate: Any,
    valid_from: dt.date,
    valid_to: dt.date | None = None,
    is_exempt: bool = False,
) -> Any:
    """A new effective-dated VAT rate (rates change by decree: add one, never edit history)."""
    from novasaas.accounting.models import TaxRate

    principal.require("acc.tax.configure")
    value = to_decimal(rate)
    if not Decimal(0) <= value <= Decimal(100):
        raise ValidationError({"rate": [_("Enter a rate between 0 and 100.")]})
    if valid_to is not None and valid_to < valid_from:
        raise ValidationError({"valid_to": [_("The end is before the start.")]})
    with atomic_in(principal.tenant):
        ensure_chart(principal.tenant)
        code = code.strip().upper()
        if TaxRate.objects.filter(code=code, valid_from=valid_from).exists():
            raise ValidationError({"code": [_("This rate already exists from that date.")]})
        obj = TaxRate.objects.create(  # type: ignore[misc]  # FixedPointField holds Decimal
            code=code,
            name=name.strip()[:120],
            rate=value,
            valid_from=valid_from,
            valid_to=valid_to,
            is_exempt=is_exempt,
        )
        audit.record_created(obj, principal.user)
        return obj


# --- fiscal years and periods --------------------------------------------------------------------


def _add_months(day: dt.date, months: int) -> dt.date:
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _create_year(start: dt.date) -> FiscalYear:
    if start.day != 1:
        raise ValidationError({"start_date": [_("A fiscal year starts on the first day of a month.")]})
    end = _add_months(start, 12) - dt.timedelta(days=1)
    if FiscalYear.objects.filter(start_date__lte=end, end_date__gte=start).exists():
        raise ValidationError({"start_date": [_("This fiscal year overlaps an existing one.")]})
    name = str(start.year) if start.month == 1 else f"{start.year}-{end.year}"
    year = FiscalYear.objects.create(name=name, start_date=start, end_date=end)
    FiscalPeriod.objects.bulk_create(
        [
            FiscalPeriod(
                tenant_id=year.tenant_id,
                fiscal_year=year,
                number=i + 1,
                start_date=_add_months(start, i),
                end_date=_add_months(start, i + 1) - dt.timedelta(days=1),
            )
            for i in range(12)
        ]
    )
    return year


def create_fiscal_year(principal: Principal, start_date: dt.date) -> FiscalYear:
    """A fiscal year of twelve monthly periods starting on ``start_date`` (first day of a month)."""
    principal.require("acc.period.configure")
    with atomic_in(principal.tenant):
        ensure_chart(principal.tenant)
        if not dt.date(1900, 1, 1) <= start_date <= dt.date(2999, 1, 1):
            raise ValidationError({"start_date": [_("Enter a realistic date.")]})
        year = _create_year(start_date)
        audit.record_created(year, principal.user)
        return year


def _ensure_year_for(day: dt.date) -> None:
    """Open a calendar fiscal year for ``day`` when none covers it (system postings from other modules)."""
    if FiscalPeriod.objects.filter(start_date__lte=day, end_date__gte=day).exists():
        return
    last = FiscalYear.objects.order_by("-end_date").first()
    start = dt.date(day.year, 1, 1) if last is None else last.end_date + dt.timedelta(days=1)
    if last is not None and day < start:
        # Before the first year (e.g. a backdated goods receipt when stock was kept before accounting
        # was switched on): open earlier years back to ``day``, but only while nothing has been closed,
        # so a closing already done is never invalidated. A gap between years stays refused.
        first = FiscalYear.objects.order_by("start_date").first()
        if first is None or day >= first.start_date or FiscalPeriod.objects.exclude(state="open").exists():
            return
        start = _add_months(first.start_date, -12)
        while start > day:
            start = _add_months(start, -12)
        while start < first.start_date:
            try:
                with transaction.atomic():
                    _create_year(start)
            except (IntegrityError, ValidationError):
                return
            start = _add_months(start, 12)
        return
    while True:
        try:
            with transaction.atomic():
                year = _create_year(start)
        except (IntegrityError, ValidationError):
            return
        if year.end_date >= day:
            return
        start = year.end_date + dt.timedelta(days=1)


def _set_period_state(principal: Principal, period_id: int, allowed_from: set[str], to: str) -> FiscalPeriod:
    principal.require("acc.period.close")
    with atomic_in(principal.tenant):
        period = FiscalPeriod.objects.select_for_update(of=("self",), no_key=True).get(pk=period_id)
        if period.state not in allowed_from:
            raise ValidationError(_("The period %(p)s is %(s)s.") % {"p": period, "s": period.get_state_display()})
        if to == PeriodState.OPEN and period.fiscal_year.state == FiscalYearState.CLOSED:
            raise ValidationError(_("The fiscal year is closed."))
        if (
            to in (PeriodState.CLOSED, PeriodState.LOCKED)
            and JournalEntry.objects.filter(period=period, state=EntryState.PENDING).exists()
        ):
            raise ValidationError(_("Entries of this period are awaiting approval: approve or reject them first."))
        before = audit.snapshot(period)
        period.state = to
        period.save(update_fields=["state"])
        audit.record_updated(period, principal.user, before)
        return period


def close_period(principal: Principal, period_id: int) -> FiscalPeriod:
    """No posting lands in a closed period; a Finance Manager may reopen it until it is locked."""
    return _set_period_state(principal, period_id, {PeriodState.OPEN}, PeriodState.CLOSED)


def reopen_period(principal: Principal, period_id: int) -> FiscalPeriod:
    return _set_period_state(principal, period_id, {PeriodState.CLOSED}, PeriodState.OPEN)


def lock_period(principal: Principal, period_id: int) -> FiscalPeriod:
    """Locking is irreversible; only a closed period can be locked."""
    return _set_period_state(principal, period_id, {PeriodState.CLOSED}, PeriodState.LOCKED)


# --- journals -----------------------------------------------------------------------------------------


def create_journal(principal: Principal, *, code: str, name: str, kind: str = "general") -> Journal:
    principal.require("acc.coa.configure")
    code = (code or "").strip().upper()
    if not code.isalnum() or len(code) > 10:
        raise ValidationError({"code": [_("Use up to 10 letters or digits.")]})
    if kind not in JournalKind.values:
        raise ValidationError({"kind": [_("Unknown journal kind.")]})
    if not (name or "").strip():
        raise ValidationError({"name": [_("Enter a name.")]})
    with atomic_in(principal.tenant):
        ensure_chart(principal.tenant)
        if Journal.objects.filter(code=code).exists():
            raise ValidationError({"code": [_("A journal with this code exists.")]})
        journal = Journal.objects.create(code=code, name=name.strip()[:120], kind=kind)
        audit.record_created(journal, principal.user)
        config_cache.bump()  # every process drops its cached configuration
        return journal


# --- entries ------------------------------------------------------------------------------------------


def _period_for(day: dt.date, *, lock: bool = False) -> FiscalPeriod:
    """The period of ``day`` with its fiscal year (one statement; with ``lock``, held with a share
    lock for a posting). The fiscal year after the last one is opened when one of its dates is
    first used (never further ahead: a typo such as 2062 is refused, not given forty years)."""

    def read() -> FiscalPeriod | None:
        found = _periods_shared("p.start_date <= %s AND p.end_date >= %s", [day, day], lock=lock)
        return found[0] if found else None

    period = read()
    if period is None:
        last = FiscalYear.objects.order_by("-end_date").first()
        if last is not None and last.end_date < day < _add_months(last.end_date + dt.timedelta(days=1), 12):
            _ensure_year_for(day)
            period = read()
    if period is None:
        raise ValidationError({"date": [_("No fiscal period covers %(d)s.") % {"d": day.isoformat()}]})
    return period


def _amount(value: Any, field: str, index: int, currency: str = "VND") -> Decimal:
    try:
        amount = to_decimal(value if value not in (None, "") else "0")
    except (TypeError, ValueError) as exc:
        raise ValidationError({f"lines[{index}].{field}": [_("Enter a number.")]}) from exc
    if not amount.is_finite() or amount < 0 or amount >= Decimal("1e15"):
        raise ValidationError({f"lines[{index}].{field}": [_("Enter an amount between 0 and 10^15.")]})
    problem = decimals_error(amount, currency)
    if problem:
        raise ValidationError({f"lines[{index}].{field}": [problem]})
    return amount


# a posting role of one warehouse, ``f"{role}{WAREHOUSE_ROLE}{warehouse_id}"`` (``"inventory@wh:12"``): the
# warehouse's own account for the role (``stock_accounts``), else the role's; resolved from the cached
# configuration like any role (Inventory's subscribers post with it)
WAREHOUSE_ROLE = "@wh:"


class _Lookups:
    """What building lines reads — role mappings, accounts, partners, tax rates, journals — fetched once
    per posting call, and for a batch once for all its documents (one query per kind, not per line)."""

    def __init__(self, tenant: Tenant, config: config_cache.LedgerConfig | None = None) -> None:
        self.tenant = tenant
        # the tenant's cached configuration (accounts, roles, journals) when the caller read its version
        self.config = config or config_cache.LedgerConfig(-1)
        self.accounts: dict[Any, Account | None] = {}
        self.errors: dict[Any, list[str]] = {}  # references that failed to resolve, with why
        self.mapped: dict[str, Account] | None = None
        self.partners: dict[int, int | None] = {}
        self.rates: dict[tuple[Any, dt.date], Any] = {}
        self.journals: dict[Any, Journal] = {}

    def prefetch(self, lines: Iterable[LineInput], *, by_role: bool) -> None:
        roles: set[str] = set()
        codes: dict[str, list[Any]] = defaultdict(list)
        ids: set[int] = set()
        partners: set[int] = set()
        warehouse_refs: list[str] = []
        for line in lines:
            ref = line.account
            pid = line.partner_id
            if isinstance(pid, int) and 0 < pid < 2**63 and pid not in self.partners:
                partners.add(pid)
            if isinstance(ref, Account) or ref in self.accounts or ref in self.errors:
                continue
            cached = self.config.roles.get(ref) if by_role and isinstance(ref, str) else None
            cached = cached or self.config.accounts.get(ref.strip() if isinstance(ref, str) else ref)
            if cached is not None:
                self.accounts[ref] = cached
                continue
            if by_role and isinstance(ref, str) and WAREHOUSE_ROLE in ref:
                warehouse_refs.append(ref)
            elif isinstance(ref, int):
                ids.add(ref)
            elif by_role and isinstance(ref, str) and not ref.isdigit():
                roles.add(ref)
            else:
                codes[str(ref).strip()].append(ref)
        if ids:
            found = Account.objects.in_bulk(list(ids))
            config_cache.remember_accounts(self.config, list(found.values()))
            for pk in ids:
                self.accounts[pk] = found.get(pk)
        if codes:
            by_code = {a.code: a for a in Account.objects.filter(code__in=list(codes))}
            config_cache.remember_accounts(self.config, list(by_code.values()))
            for code, refs in codes.items():
                for ref in refs:
                    self.accounts[ref] = by_code.get(code)
        fallback: dict[str, str] = {}
        for ref in warehouse_refs:  # "inventory@wh:12": the warehouse's own account, else the role's
            role, _sep, wid = ref.partition(WAREHOUSE_ROLE)
            mapped = config_cache.warehouse_accounts(self.config).get((int(wid), role)) if wid.isdigit() else None
            if mapped is not None:
                self.accounts[ref] = self.config.roles[ref] = mapped
            else:
                fallback[ref] = role
                if role in self.config.roles:
                    self.accounts.setdefault(role, self.config.roles[role])
                elif role not in self.accounts and role not in self.errors:
                    roles.add(role)
        if roles:
            self._resolve_roles(roles)
        for ref, role in fallback.items():
            if role in self.errors:
                self.errors[ref] = self.errors[role]
            elif (resolved := self.accounts.get(role)) is not None:
                self.accounts[ref] = self.config.roles[ref] = resolved
        if partners:
            from novasaas.parties import selectors as parties

            self.partners.update(parties.resolve_party_ids(self.tenant, partners))

    def _resolve_roles(self, roles: set[str]) -> None:
        if self.mapped is None:  # one query for the tenant's role mappings
            self.mapped = {m.role: m.account for m in AccountMapping.objects.select_related("account")}
        unmapped = set()
        for role in roles:
            if role in self.mapped:
                self.accounts[role] = self.config.roles[role] = self.mapped[role]
            else:
                unmapped.add(role)
        if not unmapped:
            return
        # the template's default accounts of every unmapped role in one query; the chart (and so the
        # template, read fresh: another process may have switched it) comes along with the accounts
        candidates = {code for defaults in ROLE_DEFAULTS.values() for r in unmapped if (code := defaults.get(r))}
        found = {a.code: a for a in Account.objects.filter(code__in=candidates).select_related("chart")}
        template = next(iter(found.values())).chart.template if found else None
        if template is None:
            template = ChartOfAccount.objects.filter(tenant=self.tenant).values_list("template", flat=True).first()
        for role in unmapped:
            code = ROLE_DEFAULTS.get(template or "", {}).get(role)
            account = found.get(code) if code else None
            if account is not None and account.allows_posting:
                self.accounts[role] = self.config.roles[role] = account
                continue
            try:  # unknown role, missing account, or the tenant added sub-accounts under it
                self.accounts[role] = self.config.roles[role] = _resolve_role(self.tenant, role, template or "")
            except ValidationError as exc:
                self.errors[role] = exc.messages

    def rate(self, ref: Any, day: dt.date) -> Any:
        if isinstance(ref, str | int):
            key = (ref, day)
            if key not in self.rates:
                self.rates[key] = taxes.rate_for(ref, day)
            return self.rates[key]
        return taxes.rate_for(ref, day)

    def journal(self, ref: Any) -> Journal:
        if isinstance(ref, Journal):
            return ref
        if ref not in self.journals:
            self.journals[ref] = _journal(ref, self.config)
        return self.journals[ref]


def _line_input(raw: Any) -> LineInput:
    return raw if isinstance(raw, LineInput) else LineInput(**raw) if isinstance(raw, dict) else LineInput(*raw)


def _build_lines(
    tenant: Tenant,
    lines: Sequence[Any],
    *,
    by_role: bool = False,
    day: dt.date | None = None,
    lookups: _Lookups | None = None,
) -> list[JournalLine]:
    """Validated, unsaved lines; errors are keyed ``lines[i].field`` for forms and imports."""
    if not lines:
        raise ValidationError({"lines": [_("Add at least two lines.")]})
    if len(lines) > MAX_LINES:
        raise ValidationError({"lines": [_("At most %(n)d lines.") % {"n": MAX_LINES}]})
    errors: dict[str, list[str]] = {}
    built: list[JournalLine] = []
    inputs: list[LineInput] = []
    for i, raw in enumerate(lines):
        try:
            inputs.append(_line_input(raw))
        except TypeError as exc:
            raise ValidationError({f"lines[{i}]": [_("Malformed line.")]}) from exc
    if lookups is None:
        lookups = _Lookups(tenant)
    lookups.prefetch(inputs, by_role=by_role)
    dimension_cache: dict[Any, Any] = {}
    fx = _FxConversion(tenant, day or timezone.localdate())
    for i, line in enumerate(inputs):
        try:
            currency = (line.currency or "VND").strip().upper()
            debit, credit = _amount(line.debit, "debit", i, currency), _amount(line.credit, "credit", i, currency)
        except ValidationError as exc:
            for key, msgs in exc.message_dict.items():
                errors.setdefault(key, []).extend(msgs)
            continue
        if (debit > 0) == (credit > 0):
            errors.setdefault(f"lines[{i}].debit", []).append(_("Enter either a debit or a credit amount."))
        converted = fx.convert_line(i, line, debit, credit, errors)
        if converted is None:
            continue
        debit, credit, currency, amount_currency, exchange_rate = converted
        ref = line.account
        account: Account | None
        if isinstance(ref, Account):
            account = ref if ref.tenant_id == tenant.pk else None
        elif ref in lookups.errors:
            errors.setdefault(f"lines[{i}].account", []).extend(lookups.errors[ref])
            continue
        else:
            account = lookups.accounts.get(ref)
        if account is None:
            errors.setdefault(f"lines[{i}].account", []).append(_("Unknown account."))
            continue
        if not account.is_active or not account.allows_posting:
            errors.setdefault(f"lines[{i}].account", []).append(
                _("Account %(code)s does not allow posting (inactive or has sub-accounts).") % {"code": account.code}
            )
        partner_id = line.partner_id
        if partner_id is not None:
            if not isinstance(partner_id, int) or partner_id <= 0 or partner_id >= 2**63:
                errors.setdefault(f"lines[{i}].partner_id", []).append(_("Unknown partner."))
            elif lookups.partners.get(partner_id) is None:
                errors.setdefault(f"lines[{i}].partner_id", []).append(_("Unknown partner."))
        elif account.needs_partner:
            errors.setdefault(f"lines[{i}].partner_id", []).append(
                _("Account %(code)s needs a partner.") % {"code": account.code}
            )
        rate = None
        tax_base = Decimal(0)
        if line.tax_rate not in (None, ""):
            rate = lookups.rate(line.tax_rate, day or timezone.localdate())
            if rate is None:
                errors.setdefault(f"lines[{i}].tax_rate", []).append(
                    _("No tax rate %(code)s valid on this date.") % {"code": str(line.tax_rate)[:20]}
                )
            try:
                tax_base = _amount(line.tax_base, "tax_base", i)
            except ValidationError as exc:
                for key, msgs in exc.message_dict.items():
                    errors.setdefault(key, []).extend(msgs)
        dimension = None
        if line.dimension not in (None, ""):
            from novasaas.accounting import dimensions

            dimension = dimensions.lookup(line.dimension, dimension_cache)
            if dimension is None:
                errors.setdefault(f"lines[{i}].dimension", []).append(
                    _("Unknown department or project “%(d)s”.") % {"d": str(line.dimension)[:40]}
                )
            elif not dimension.is_active:
                errors.setdefault(f"lines[{i}].dimension", []).append(
                    _("The department or project %(d)s is inactive.") % {"d": dimension.code}
                )
        if rate is not None and not currency and account.code.startswith(taxes.VAT_ACCOUNT_PREFIXES):
            expected = Decimal(0) if rate.is_exempt else round_money(tax_base * rate.rate / 100, "VND")
            if abs((debit + credit) - expected) > taxes.VAT_TOLERANCE:
                errors.setdefault(f"lines[{i}].tax_base", []).append(
                    _("The VAT %(tax)s is not the base %(base)s × %(rate)s%% = %(expected)s.")
                    % {
                        "tax": format_amount(debit + credit),
                        "base": format_amount(tax_base),
                        "rate": format_amount(rate.rate, "USD"),
                        "expected": format_amount(expected),
                    }
                )
        built.append(
            JournalLine(  # type: ignore[misc]  # MoneyField holds Decimal
                tenant_id=tenant.pk,
                line_no=i + 1,
                account=account,
                debit=debit,
                credit=credit,
                partner_id=partner_id,
                memo=str(line.memo or "")[:300],
                due_date=line.due_date,
                tax_rate=rate,
                tax_base=tax_base,
                paid_in_cash=bool(line.paid_in_cash),
                dimension=dimension,
                currency=currency,
                amount_currency=amount_currency,
                exchange_rate=exchange_rate,
            )
        )
    if errors:
        raise ValidationError(errors)
    if len(built) < 2:
        raise ValidationError({"lines": [_("Add at least two lines.")]})
    rounding = fx.rounding_line(tenant, built)
    if rounding is not None:
        built.append(rounding)
    return built


class _FxConversion:
    """Converts the currency lines of one entry to VND and remembers the exact (unrounded) sums, so a
    difference made only by rounding becomes an explicit line (``rounding_line``), never a silent one."""

    def __init__(self, tenant: Tenant, day: dt.date) -> None:
        self.tenant, self.day = tenant, day
        self.base: str | None = None
        self.rates: dict[str, Decimal | None] = {}
        self.exact_debit = self.exact_credit = Decimal(0)
        self.currency_lines = 0
        self.plan_refusal: str | None = None

    def _base(self) -> str:
        if self.base is None:
            self.base = AccountingSettings.objects.values_list("base_currency", flat=True).first() or "VND"
        return self.base

    def convert_line(
        self, i: int, line: LineInput, debit: Decimal, credit: Decimal, errors: dict[str, list[str]]
    ) -> tuple[Decimal, Decimal, str, Decimal, Decimal | None] | None:
        currency = str(line.currency or "").strip().upper()
        if not currency or currency == self._base():
            self.exact_debit += debit
            self.exact_credit += credit
            if line.exchange_rate not in (None, "") or line.amount_base not in (None, ""):
                errors.setdefault(f"lines[{i}].currency", []).append(
                    _("An exchange rate needs a foreign currency on the line.")
                )
            return debit, credit, "", Decimal(0), None
        self.currency_lines += 1
        if not is_known_currency(currency):
            errors.setdefault(f"lines[{i}].currency", []).append(_("Unknown currency %(cur)s.") % {"cur": currency[:3]})
            return None
        if self.plan_refusal is None:  # the plan's multi-currency feature (§12.3), read once per entry
            self.plan_refusal = billing_selectors.feature_refusal(self.tenant, "multi_currency")
        if self.plan_refusal:
            errors.setdefault(f"lines[{i}].currency", []).append(self.plan_refusal)
            return None
        amount = debit or credit
        if not has_valid_decimals(amount, currency):
            errors.setdefault(f"lines[{i}].debit", []).append(
                _("%(cur)s amounts have at most %(n)d decimals.") % {"cur": currency, "n": currency_decimals(currency)}
            )
            return None
        if line.exchange_rate not in (None, ""):
            try:
                rate = to_decimal(line.exchange_rate)
            except (TypeError, ValueError):
                rate = Decimal(-1)
            if not rate.is_finite() or rate <= 0 or rate >= Decimal("1e9") or rate != round(rate, 6):
                errors.setdefault(f"lines[{i}].exchange_rate", []).append(
                    _("Enter a positive exchange rate with at most 6 decimals.")
                )
                return None
        else:
            if currency not in self.rates:
                from novasaas.accounting.fx import rate_on

                self.rates[currency] = rate_on(currency, self.day)
            found = self.rates[currency]
            if found is None:
                errors.setdefault(f"lines[{i}].exchange_rate", []).append(
                    _("No exchange rate for %(cur)s on or before %(d)s: add one to the exchange-rate table.")
                    % {"cur": currency, "d": self.day.strftime("%d/%m/%Y")}
                )
                return None
            rate = found
        base_amount = convert(amount, rate, self._base())
        if line.amount_base not in (None, ""):
            try:
                expected = to_decimal(line.amount_base)
            except (TypeError, ValueError):
                expected = Decimal(-1)
            if expected != base_amount:
                errors.setdefault(f"lines[{i}].amount_base", []).append(
                    _("%(amt)s %(cur)s × %(rate)s = %(vnd)s VND, not %(given)s.")
                    % {"amt": amount, "cur": currency, "rate": rate, "vnd": base_amount, "given": line.amount_base}
                )
                return None
        if amount > 0 and base_amount <= 0:
            errors.setdefault(f"lines[{i}].debit", []).append(_("The amount is too small to convert."))
            return None
        if debit > 0:
            self.exact_debit += amount * rate
            return base_amount, Decimal(0), currency, amount, rate
        self.exact_credit += amount * rate
        return Decimal(0), base_amount, currency, amount, rate

    def rounding_line(self, tenant: Tenant, built: list[JournalLine]) -> JournalLine | None:
        """The explicit line for a difference made only by rounding currency lines (to 515/635)."""
        if not self.currency_lines or self.exact_debit != self.exact_credit:
            return None
        diff = sum((ln.debit for ln in built), Decimal(0)) - sum((ln.credit for ln in built), Decimal(0))
        if diff == 0:
            return None
        account = _resolve_role(tenant, "fx_gain" if diff > 0 else "fx_loss")
        return JournalLine(  # type: ignore[misc]  # MoneyField holds Decimal
            tenant_id=tenant.pk,
            line_no=len(built) + 1,
            account=account,
            debit=-diff if diff < 0 else Decimal(0),
            credit=diff if diff > 0 else Decimal(0),
            memo=_("Rounding of currency conversion"),
        )


def _check_balanced(lines: Iterable[JournalLine]) -> Decimal:
    debit = sum((line.debit for line in lines), Decimal(0))
    credit = sum((line.credit for line in lines), Decimal(0))
    if debit != credit:
        raise ValidationError(
            {
                "lines": [
                    _("The entry is not balanced: debit %(d)s, credit %(c)s.")
                    % {"d": format_amount(debit), "c": format_amount(credit)}
                ]
            }
        )
    if debit <= 0:
        raise ValidationError({"lines": [_("The entry has no amount.")]})
    return debit


def _journal(ref: Any, config: config_cache.LedgerConfig | None = None) -> Journal:
    if isinstance(ref, Journal):
        return ref
    key = ref if isinstance(ref, int) else str(ref)
    if config is not None and key in config.journals:
        return config.journals[key]
    if isinstance(ref, int):
        journal = Journal.objects.get(pk=ref)
    else:
        found = Journal.objects.filter(code=str(ref)).first()
        if found is None:
            raise ValidationError({"journal": [_("Unknown journal.")]})
        journal = found
    if config is not None:
        config.journals[journal.pk] = config.journals[journal.code] = journal
    return journal


def create_entry(
    principal: Principal,
    *,
    journal_id: Any,
    date: dt.date,
    lines: Sequence[Any],
    memo: str = "",
    source_reference: str = "",
    post: bool = False,
) -> JournalEntry:
    """A draft entry (validated lines; balance is required only when posting). With ``post``, the same
    transaction posts it at once — or, above the approval threshold for an author without the approval
    right, leaves it awaiting approval — with the guarantees of ``post_entry``: a refused posting
    writes nothing, not even the draft. The entry carries its lines in memory (``in_memory_lines``)."""
    principal.require("acc.entry.create")
    tenant = principal.tenant
    with atomic_in(tenant):
        ensure_chart(tenant)
        if post and any(_line_input(raw).tax_rate not in (None, "") for raw in lines if _is_line(raw)):
            _chain_lock()  # a taxed posting: the serial lock comes before the period (chain's lock order)
        period = _period_for(date, lock=post)
        config = config_cache.for_period(period)
        journal = _journal(journal_id, config)
        if not journal.is_active:
            raise ValidationError({"journal_id": [_("The journal is inactive.")]})
        built = _build_lines(tenant, lines, day=date, lookups=_Lookups(tenant, config))
        entry = JournalEntry(  # type: ignore[misc]  # MoneyField holds Decimal
            tenant_id=tenant.pk,
            journal=journal,
            year=period.fiscal_year.start_date.year,
            date=date,
            period=period,
            memo=(memo or "")[:500],
            source_reference=(source_reference or "")[:60],
            total=sum((line.debit for line in built), Decimal(0)),
            created_by=principal.user,
        )
        approve_first = False
        if post:
            _check_balanced(built)
            _refuse_unless_open(period)
            threshold = config_cache.settings(config).approval_threshold
            approve_first = entry.total > threshold and not principal.has("acc.entry.approve")
        insert_drafts([(entry, built)])
        audit.record_created(entry, principal.user)
        for obj in (entry, *built):
            _as_stored(obj)
        entry.in_memory_lines = built  # type: ignore[attr-defined]
        if approve_first:
            entry.state = EntryState.PENDING
            entry.save(update_fields=["state"])
            audit.record(AuditAction.UPDATE, actor=principal.user, obj=entry, after={"state": "pending"})
            _notify_approvers(tenant, entry)
        elif post:
            _finish(tenant.pk, [(entry, period, journal, built)], principal.user)
        return entry


def _as_stored(obj: Any) -> None:
    """Exact amounts in the form a read gives them back (``1000000.00``), for responses from memory."""
    for f in obj._meta.concrete_fields:
        if isinstance(f, FixedPointField) and getattr(obj, f.attname) is not None:
            setattr(obj, f.attname, f.from_db_value(f.get_prep_value(getattr(obj, f.attname)), None, connection))


def _is_line(raw: Any) -> bool:
    try:
        _line_input(raw)
    except TypeError:
        return False  # reported by _build_lines
    return True


def update_entry(principal: Principal, entry_id: int, **changes: Any) -> JournalEntry:
    """Change a draft (posted and pending entries are never edited)."""
    principal.require("acc.entry.create")
    tenant = principal.tenant
    with atomic_in(tenant):
        entry = JournalEntry.objects.select_for_update(of=("self",), no_key=True).get(pk=entry_id)
        if entry.state != EntryState.DRAFT:
            raise ValidationError(_("Only a draft can be changed."))
        before = audit.snapshot(entry)
        if changes.get("journal_id") is not None:
            entry.journal = _journal(changes["journal_id"])
        if changes.get("date") is not None:
            entry.date = changes["date"]
            entry.period = _period_for(entry.date)
            entry.year = entry.period.fiscal_year.start_date.year
        if changes.get("memo") is not None:
            entry.memo = str(changes["memo"])[:500]
        if changes.get("lines") is not None:
            built = _build_lines(tenant, changes["lines"], day=entry.date)
            JournalLine.objects.filter(entry=entry).delete()
            for line in built:
                line.entry = entry
            JournalLine.objects.bulk_create(built)
            entry.total = sum((line.debit for line in built), Decimal(0))
        entry.save()
        audit.record_updated(entry, principal.user, before)
        return entry


def delete_entry(principal: Principal, entry_id: int) -> None:
    principal.require("acc.entry.create")
    with atomic_in(principal.tenant):
        entry = JournalEntry.objects.select_for_update().get(pk=entry_id)
        if entry.state != EntryState.DRAFT:
            raise ValidationError(_("Only a draft can be deleted; reverse a posted entry instead."))
        from novasaas.accounting.attachments import delete_files_of_entry

        delete_files_of_entry(entry)  # the rows go with the entry (cascade), the files after commit
        audit.record_deleted(entry, principal.user)
        entry.delete()


def post_entry(principal: Principal, entry_id: int) -> JournalEntry:
    """Post a draft. An entry above the approval threshold posted by someone without the approval
    right (an Accountant) waits for Finance Manager approval instead (state ``pending``)."""
    principal.require("acc.entry.create")
    tenant = principal.tenant
    with atomic_in(tenant):
        entry = JournalEntry.objects.select_for_update(of=("self",), no_key=True).get(pk=entry_id)
        if entry.state != EntryState.DRAFT:
            raise ValidationError(_("Only a draft can be posted."))
        threshold = AccountingSettings.objects.get().approval_threshold
        if entry.total > threshold and not principal.has("acc.entry.approve"):
            _check_balanced(list(entry.lines.all()))
            _check_period_open(entry.period_id, lock=False)
            entry.state = EntryState.PENDING
            entry.save(update_fields=["state"])
            audit.record(AuditAction.UPDATE, actor=principal.user, obj=entry, after={"state": "pending"})
            _notify_approvers(tenant, entry)
            return entry
        return _post(entry, principal.user)


def _notify_approvers(tenant: Tenant, entry: JournalEntry) -> None:
    from django.urls import NoReverseMatch, reverse

    from novasaas.platform.notifications import notify

    try:
        url = reverse("accounting-entry-detail", args=[entry.pk])
    except NoReverseMatch:
        url = ""
    notify(
        tenant,
        "acc.entry.approve",
        "approvals",
        _("Journal entry awaiting approval: %(total)s") % {"total": format_amount(entry.total)},
        entry.memo,
        url,
    )


def approve_entry(principal: Principal, entry_id: int) -> JournalEntry:
    principal.require("acc.entry.approve")
    with atomic_in(principal.tenant):
        entry = JournalEntry.objects.select_for_update(of=("self",), no_key=True).get(pk=entry_id)
        if entry.state != EntryState.PENDING:
            raise ValidationError(_("Only an entry awaiting approval can be approved."))
        return _post(entry, principal.user, approver=principal.user)


def reject_entry(principal: Principal, entry_id: int, reason: str = "") -> JournalEntry:
    """Send an entry awaiting approval back to draft."""
    principal.require("acc.entry.approve")
    with atomic_in(principal.tenant):
        entry = JournalEntry.objects.select_for_update(of=("self",), no_key=True).get(pk=entry_id)
        if entry.state != EntryState.PENDING:
            raise ValidationError(_("Only an entry awaiting approval can be rejected."))
        entry.state = EntryState.DRAFT
        entry.save(update_fields=["state"])
        audit.record(
            AuditAction.UPDATE, actor=principal.user, obj=entry, after={"state": "draft"}, message=(reason or "")[:500]
        )
        return entry


def reverse_entry(principal: Principal, entry_id: int, *, date: dt.date | None = None, memo: str = "") -> JournalEntry:
    """Post the mirror image of a posted entry (debits and credits swapped), linked to it. The original
    stays untouched; an entry is reversed at most once."""
    principal.require("acc.entry.reverse")
    tenant = principal.tenant
    with atomic_in(tenant):
        _chain_lock()
        original = JournalEntry.objects.get(pk=entry_id)
        if original.state != EntryState.POSTED:
            raise ValidationError(_("Only a posted entry can be reversed."))
        if original.reversal_of_id is not None:
            raise ValidationError(_("A reversal is not reversed; post a new entry instead."))
        if JournalEntry.objects.filter(reversal_of=original).exists():
            raise ValidationError(_("This entry is already reversed."))
        day = date or timezone.localdate()
        period = _period_for(day)
        lines = list(original.lines.all())
        reversal = JournalEntry.objects.create(
            journal=original.journal,
            year=period.fiscal_year.start_date.year,
            date=day,
            period=period,
            memo=(memo or _("Reversal of %(ref)s") % {"ref": original.reference})[:500],
            total=original.total,
            reversal_of=original,
            created_by=principal.user,
        )
        JournalLine.objects.bulk_create(
            [
                JournalLine(
                    tenant_id=tenant.pk,
                    entry=reversal,
                    line_no=line.line_no,
                    account_id=line.account_id,
                    debit=line.credit,
                    credit=line.debit,
                    partner_id=line.partner_id,
                    memo=line.memo,
                    tax_rate_id=line.tax_rate_id,
                    tax_base=-line.tax_base,
                    paid_in_cash=line.paid_in_cash,
                    dimension_id=line.dimension_id,
                    currency=line.currency,
                    amount_currency=line.amount_currency,
                    exchange_rate=line.exchange_rate,
                    fx_adjusts_id=line.fx_adjusts_id,
                )
                for line in lines
            ]
        )
        posted = _post(reversal, principal.user, check_accounts=False)
        audit.record_created(posted, principal.user)
        return posted


def require(principal: Principal, code: str) -> None:
    if not principal.has(code):
        raise PermissionDenied


# --- year-end closing ----------------------------------------------------------------------------------------


def close_fiscal_year(principal: Principal, year_id: int) -> list[JournalEntry]:
    """Year-end closing: revenues and expenses of the year move to 911 (income summary), the result
    moves from 911 to retained earnings (role ``retained_earnings``, 4212), both posted in the
    ``CLO`` journal on the last day of the year; then every period and the year are closed. Balances
    carry forward by construction (opening balances are the sum of all earlier periods). Closing
    entries are kept apart in the maintained balances so the income statement still shows the year."""
    principal.require("acc.period.close")
    tenant = principal.tenant
    with atomic_in(tenant):
        year = FiscalYear.objects.select_for_update(of=("self",), no_key=True).get(pk=year_id)
        if year.state == FiscalYearState.CLOSED:
            raise ValidationError(_("This fiscal year is already closed."))
        # the lock order of ``chain`` (serial, then periods): the year's periods are held exclusively
        # before its balances are read, so a posting in flight lands before them and none after
        _chain_lock()
        list(FiscalPeriod.objects.select_for_update(of=("self",), no_key=True).filter(fiscal_year=year))
        if timezone.localdate() < year.end_date:
            raise ValidationError(
                _("The fiscal year ends on %(d)s: it can be closed from that day on.")
                % {"d": year.end_date.strftime("%d/%m/%Y")}
            )
        if JournalEntry.objects.filter(period__fiscal_year=year, state=EntryState.PENDING).exists():
            raise ValidationError(_("Entries of this year are awaiting approval: approve or reject them first."))
        last = year.periods.order_by("-end_date").first()
        if last is None or last.state != PeriodState.OPEN:
            raise ValidationError(_("The last period of the year must be open to post the closing entries."))
        sums = (
            AccountBalance.objects.filter(period__fiscal_year=year, account__type__in=["revenue", "expense"])
            .values("account_id")
            .annotate(d=Sum("debit"), c=Sum("credit"))
        )
        income = resolve_role(tenant, "income_summary")
        retained = resolve_role(tenant, "retained_earnings")
        rows: list[LineInput] = []
        result = Decimal(0)
        # gross: each account's balance goes to 911 on its own pair of lines, so 911 shows the year's
        # revenues on the credit side and its expenses on the debit side (Nợ 511 / Có 911, Nợ 911 / Có 632)
        for r in sums:
            net = (r["d"] or Decimal(0)) - (r["c"] or Decimal(0))
            if net == 0:
                continue
            result -= net  # credit balances (revenue) add to the result
            rows.append(LineInput(r["account_id"], Decimal(0) if net > 0 else -net, net if net > 0 else Decimal(0)))
            rows.append(LineInput(income.pk, net if net > 0 else Decimal(0), Decimal(0) if net > 0 else -net))
        entries: list[JournalEntry] = []
        closing = Journal.objects.filter(kind=JournalKind.CLOSING, is_active=True).order_by("code").first()
        if closing is None:
            raise ValidationError(_("Create a closing journal first."))
        if rows:
            entries.append(_post_system(principal, closing, last, rows, _("Closing revenues and expenses to 911")))
            if result != 0:
                transfer = [
                    LineInput(income.pk, result if result > 0 else Decimal(0), -result if result < 0 else Decimal(0)),
                    LineInput(retained.pk, -result if result < 0 else Decimal(0), result if result > 0 else Decimal(0)),
                ]
                entries.append(_post_system(principal, closing, last, transfer, _("Result of the year to 421")))
        FiscalPeriod.objects.filter(fiscal_year=year, state=PeriodState.OPEN).update(state=PeriodState.CLOSED)
        year.state = FiscalYearState.CLOSED
        year.save(update_fields=["state"])
        audit.record(
            AuditAction.UPDATE, actor=principal.user, obj=year, after={"state": "closed", "result": str(result)}
        )
        if not FiscalYear.objects.filter(start_date__gt=year.end_date).exists():
            _create_year(year.end_date + dt.timedelta(days=1))
        return entries


def carry_forward_result(principal: Principal, year_id: int) -> JournalEntry | None:
    """At the start of a new fiscal year, move the balance of 4212 (result of the current year) to 4211
    (results of prior years): one entry dated the year's first day in the general journal. Offered on
    the periods page once the previous year is closed; ``None`` when 4212 holds nothing."""
    principal.require("acc.period.close")
    tenant = principal.tenant
    with atomic_in(tenant):
        year = FiscalYear.objects.select_for_update(of=("self",), no_key=True).get(pk=year_id)
        previous = FiscalYear.objects.filter(end_date__lt=year.start_date).order_by("-end_date").first()
        if previous is None or previous.state != FiscalYearState.CLOSED:
            raise ValidationError(_("Close the previous fiscal year first."))
        current, prior = resolve_role(tenant, "retained_earnings"), resolve_role(tenant, "retained_earnings_prior")
        from novasaas.accounting.selectors import balance_as_of

        # at the end of the year's first day, so a carry-forward already posted counts
        balance = -balance_as_of(tenant, [current.pk], year.start_date)  # credit = profit kept
        if balance == 0:
            return None
        first = year.periods.order_by("start_date").first()
        if first is None:
            raise ValidationError(_("The fiscal year has no periods."))
        journal = _journal("GEN")
        rows = [
            LineInput(current.pk, balance if balance > 0 else Decimal(0), -balance if balance < 0 else Decimal(0)),
            LineInput(prior.pk, -balance if balance < 0 else Decimal(0), balance if balance > 0 else Decimal(0)),
        ]
        entry = _post_system(
            principal, journal, first, rows, _("Result of prior years: 4212 to 4211"), day=first.start_date
        )
        audit.record(AuditAction.UPDATE, actor=principal.user, obj=year, after={"carried_forward": str(balance)})
        return entry


def _post_system(
    principal: Principal,
    journal: Journal,
    period: FiscalPeriod,
    rows: list[LineInput],
    memo: str,
    day: dt.date | None = None,
) -> JournalEntry:
    day = day or period.end_date
    built = _build_lines(principal.tenant, rows, day=day)
    entry = JournalEntry.objects.create(  # type: ignore[misc]
        journal=journal,
        year=period.fiscal_year.start_date.year,
        date=day,
        period=period,
        memo=memo[:500],
        total=Decimal(0),
        created_by=principal.user,
    )
    for line in built:
        line.entry = entry
    JournalLine.objects.bulk_create(built)
    return _post(entry, principal.user, check_accounts=False)


def undo_year_closing(principal: Principal, year_id: int, *, reason: str = "") -> list[JournalEntry]:
    """Undo a year-end closing: every closing entry of the year (closing journal, last day of the year)
    is reversed on that same day in the closing journal, the last period (where those entries live) and
    the year are open again; the other periods keep their state (a Finance Manager reopens them one by
    one). Refused when a period of the year is locked, when a later year is already closed, or when an
    entry posted after the year end moves retained earnings (421…): it was based on this result, so it
    must be reversed first. Re-closing the year afterwards posts fresh closing entries."""
    principal.require("acc.period.close")
    tenant = principal.tenant
    with atomic_in(tenant):
        # the same lock order as close_fiscal_year (year, then the chain lock every posting takes first)
        year = FiscalYear.objects.select_for_update(of=("self",), no_key=True).get(pk=year_id)
        _chain_lock()
        if year.state != FiscalYearState.CLOSED:
            raise ValidationError(_("This fiscal year is not closed."))
        periods = list(
            FiscalPeriod.objects.select_for_update(of=("self",), no_key=True)
            .filter(fiscal_year=year)
            .order_by("start_date")
        )
        locked = [str(p) for p in periods if p.state == PeriodState.LOCKED]
        if locked:
            raise ValidationError(
                _("Periods of this year are locked (%(p)s): the closing can no longer be undone.")
                % {"p": ", ".join(locked)}
            )
        later = FiscalYear.objects.filter(start_date__gt=year.end_date, state=FiscalYearState.CLOSED).first()
        if later is not None:
            raise ValidationError(
                _("The later fiscal year %(y)s is closed: undo its closing first.") % {"y": later.name}
            )
        retained = resolve_role(tenant, "retained_earnings")
        dependent = list(
            JournalEntry.objects.filter(
                state=EntryState.POSTED,
                date__gt=year.end_date,
                lines__account__code__startswith=retained.code[:3],
            )
            .exclude(reversals__isnull=False)
            .exclude(reversal_of__isnull=False)
            .distinct()
            .order_by("date", "id")
            .values_list("reference", flat=True)[:20]
        )
        if dependent:
            raise ValidationError(
                _(
                    "Entries posted after the year end use its result (retained earnings %(code)s): %(refs)s. "
                    "Reverse them before undoing the closing."
                )
                % {"code": retained.code[:3], "refs": ", ".join(dependent)}
            )
        last = periods[-1]
        closing_entries = list(
            JournalEntry.objects.filter(
                period=last,
                date=year.end_date,
                journal__kind=JournalKind.CLOSING,
                state=EntryState.POSTED,
                reversal_of__isnull=True,
                reversals__isnull=True,
            ).order_by("-chain_seq")
        )
        FiscalPeriod.objects.filter(pk=last.pk).update(state=PeriodState.OPEN)
        year.state = FiscalYearState.OPEN
        year.save(update_fields=["state"])
        reversals: list[JournalEntry] = []
        for original in closing_entries:
            lines = list(original.lines.select_related("account"))
            reversal = JournalEntry.objects.create(  # type: ignore[misc]  # MoneyField holds Decimal
                journal=original.journal,
                year=original.year,
                date=original.date,
                period=last,
                memo=(_("Undo of the year-end closing: reversal of %(ref)s") % {"ref": original.reference})[:500],
                total=original.total,
                reversal_of=original,
                created_by=principal.user,
            )
            built = [
                JournalLine(  # type: ignore[misc]
                    tenant_id=tenant.pk,
                    entry=reversal,
                    line_no=line.line_no,
                    account=line.account,
                    debit=line.credit,
                    credit=line.debit,
                    partner_id=line.partner_id,
                    memo=line.memo,
                )
                for line in lines
            ]
            JournalLine.objects.bulk_create(built)
            reversals.append(_post(reversal, principal.user, check_accounts=False, lines=built))
        audit.record(
            AuditAction.UPDATE,
            actor=principal.user,
            obj=year,
            before={"state": "closed"},
            after={
                "state": "open",
                "reopened_period": str(last),
                "reversed": [e.reference for e in closing_entries],
                "reversals": [e.reference for e in reversals],
            },
            message=(reason or _("Year-end closing undone"))[:500],
        )
        return reversals


# The posting core and the chain live in their own modules; their names stay importable from here (other
# modules and tests import ``post_source_document`` and friends from ``actions``). Imported last: they call
# this module's line builders and chart helpers at run time.
from novasaas.accounting.chain import CHAIN_KEY, GENESIS, entry_digest  # noqa: E402
from novasaas.accounting.posting import (  # noqa: E402
    NONDEDUCTIBLE_VAT_SOURCE,
    SourceDocument,
    _chain_lock,
    _check_period_open,
    _finish,
    _periods_shared,
    _post,
    _refuse_unless_open,
    insert_drafts,
    is_posted_source,
    post_prepared_lines,
    post_source_document,
    post_source_documents,
)

__all__ = [
    "CHAIN_KEY",
    "GENESIS",
    "NONDEDUCTIBLE_VAT_SOURCE",
    "SourceDocument",
    "entry_digest",
    "is_posted_source",
    "post_prepared_lines",
    "post_source_document",
    "post_source_documents",
]
