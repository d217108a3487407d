"""Demo data of the revenue console (issue 16): a platform of tenants over the last months on several
plans, so the Master Admin console has MRR history, new / expansion / contraction / churn, invoices and
payments (``novasaas billing_demo [--tenants 30] [--months 12]``).

Each demo tenant (slug ``billing-demo-NN``, modules CRM + INV, no other data) starts on the 1st of a
month within the window on a plan and billing period drawn from a fixed seed; a few upgrade in the middle
of a month (pro-rata charged), a few cancel (churn at the period's end), a few leave their last invoice
unpaid (past due). Time runs month by month through the billing's own actions (renewal, invoicing,
gateway payments, the month's MRR snapshot), touching only the demo tenants. Idempotent: an existing
demo tenant is left as it is.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from typing import Any

from novasaas.billing import actions, invoicing
from novasaas.billing.models import InvoiceStatus, PaymentMethod, Period, PlatformInvoice
from novasaas.billing.pricing import add_months
from novasaas.platform.models import Tenant
from novasaas.platform.tenancy import platform_context, tenant_context

PLANS = ("starter", "starter", "business", "business", "business", "professional", "enterprise", "free")
UPGRADES = {"starter": "business", "business": "professional", "professional": "enterprise"}
NAMES = (
    "An Phát", "Bình Minh", "Cửu Long", "Đại Việt", "Hoàng Long", "Hải Đăng", "Kim Ngân", "Lạc Hồng",
    "Minh Khang", "Nam Sơn", "Phú Quý", "Phương Nam", "Quang Trung", "Sao Mai", "Tân Tiến", "Thành Công",
    "Thiên Phúc", "Trường Sơn", "Vạn Xuân", "Việt Á", "Xuân Thủy", "Hưng Thịnh", "Gia Bảo", "Đông Á",
    "Hồng Hà", "Mê Kông", "Tây Nguyên", "Bắc Hà", "Sông Hàn", "Phú Mỹ",
)  # fmt: skip


@dataclass
class _Story:
    tenant: Tenant
    plan: str
    period: str
    start: int  # month index in the window
    upgrade_at: int | None = None
    cancel_at: int | None = None
    unpaid_from: int | None = None
    events: list[str] = field(default_factory=list)


def _admin_principal(tenant: Tenant) -> Any:
    from novasaas.identity.access import principal_for
    from novasaas.identity.models import Membership

    with tenant_context(tenant):
        membership = Membership.objects.select_related("tenant", "user").filter(tenant_id=tenant.pk).first()
        assert membership is not None
        return principal_for(membership)


def _stories(today: dt.date, tenants: int, months: int, seed: int) -> list[_Story]:
    from novasaas.identity import actions as identity_actions

    rng = random.Random(seed)  # noqa: S311 - demo data, not a secret
    stories = []
    for i in range(tenants):
        slug = f"billing-demo-{i + 1:02d}"
        plan = rng.choice(PLANS)
        period = Period.ANNUAL if plan != "free" and rng.random() < 0.2 else Period.MONTHLY
        start = rng.randrange(months)
        upgrade_at = cancel_at = unpaid_from = None
        if plan in UPGRADES and period == Period.MONTHLY and start < months - 2 and rng.random() < 0.3:
            upgrade_at = rng.randrange(start + 1, months)
        elif plan != "free" and period == Period.MONTHLY and start < months - 2 and rng.random() < 0.2:
            cancel_at = rng.randrange(start + 1, months)
        elif plan != "free" and rng.random() < 0.1:
            unpaid_from = months - 1
        with platform_context():
            if Tenant.objects.filter(slug=slug).exists():
                continue
        name = f"Công ty TNHH {NAMES[i % len(NAMES)]}" + (f" {i // len(NAMES) + 1}" if i >= len(NAMES) else "")
        tenant, _admin = identity_actions.create_tenant(
            slug=slug, name=name, admin_email=f"admin@{slug}.demo.novasaas.vn", modules=["CRM", "INV"]
        )
        stories.append(_Story(tenant, plan, period, start, upgrade_at, cancel_at, unpaid_from))
    return stories


def _pay_open_invoices(story: _Story, month: int) -> int:
    if story.unpaid_from is not None and month >= story.unpaid_from:
        return 0
    with platform_context():
        open_ids = list(
            PlatformInvoice.objects.filter(tenant_id=story.tenant.pk, status=InvoiceStatus.ISSUED).values_list(
                "pk", "total", "paid", "number"
            )
        )
    for pk, total, paid, number in open_ids:
        invoicing.record_payment(
            pk, amount=total - paid, reference=f"DEMO-{number}", method=PaymentMethod.GATEWAY, actor=None
        )
    return len(open_ids)


def seed_billing_demo(
    *, today: dt.date | None = None, tenants: int = 30, months: int = 12, seed: int = 2026
) -> dict[str, int]:
    """Create the demo tenants and run their billing month by month up to ``today``'s month."""
    from django.utils import timezone

    today = today or timezone.localdate()
    first = add_months(today.replace(day=1), -(months - 1))
    stories = _stories(today, tenants, months, seed)
    counts = {"tenants": len(stories), "invoices": 0, "upgrades": 0, "cancellations": 0, "payments": 0}
    for m in range(months):
        month_start = add_months(first, m)
        mid, month_end = month_start + dt.timedelta(days=14), add_months(month_start, 1) - dt.timedelta(days=1)
        for story in stories:
            t = story.tenant
            if m < story.start:
                continue
            with tenant_context(t):
                if m == story.start:
                    actions.start_subscription(t, story.plan, period=story.period, on=month_start, trial=False)
                else:
                    actions.renew(t, on=month_start)
                if invoicing.invoice_charges(t, on=month_start):
                    counts["invoices"] += 1
                if story.upgrade_at == m and mid <= today:
                    actions.change_plan(_admin_principal(t), UPGRADES[story.plan], on=mid)
                    counts["upgrades"] += 1
                if story.cancel_at == m and mid <= today:
                    actions.cancel_subscription(_admin_principal(t), on=mid)
                    counts["cancellations"] += 1
                if invoicing.invoice_charges(t, on=min(mid, today)):
                    counts["invoices"] += 1
            counts["payments"] += _pay_open_invoices(story, m)
            with tenant_context(t):
                invoicing.snapshot_mrr(t, min(month_end, today))
    return counts
