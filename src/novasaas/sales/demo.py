"""Demo data of Sales (idempotent, part by part): two customer groups, the directory's customer parties
as customers of the demo Sales Staff member and a few draft orders; a pipeline (leads in every status,
one converted, opportunities in every stage with a due activity); quotations (sent, accepted into a
draft order, expired unanswered, a draft); a contact person of the first customer with a customer
portal account (``customer@demo.novasaas.vn``, the demo password); a campaign with a coupon put on a
draft order; the loyalty programme with points given by hand to the VIP customers.

Nothing is confirmed, reserved, issued or posted, so the other modules' demo figures are unchanged (the
year regenerated from sales documents is listed under "Missing or partial" in docs/sales.md). Dates are
relative to today, like the rest of the demo."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone

from novasaas.platform import demo
from novasaas.platform.tenancy import tenant_context

PORTAL_EMAIL = f"customer@{demo.DEMO_DOMAIN}"
COUPON_CODE = "CUOINAM10"

# (contact name, company, source, status, phone) of the demo's leads
LEADS = [
    ("Trương Văn Hải", "Cửa hàng tạp hóa Hải Yến", "website", "new", "0912 345 601"),
    ("Lê Thị Thu", "Quán cà phê Mộc", "referral", "contacted", "0912 345 602"),
    ("Phan Minh Tuấn", "Siêu thị mini Tuấn Phát", "event", "qualified", "0912 345 603"),
    ("Đinh Quang Vinh", "Nhà hàng Sen Vàng", "call", "lost", "0912 345 604"),
    ("Võ Thị Hằng", "Công ty TNHH Thực phẩm Hằng Nga", "referral", "qualified", "0912 345 605"),
]
# (name, stage, expected amount, days to close) of the opportunities on existing customers
OPPORTUNITIES = [
    ("Cung cấp đồ uống quý I", "prospecting", 45_000_000, 75),
    ("Hợp đồng bia cho chuỗi quán", "qualification", 120_000_000, 50),
    ("Đơn hàng Tết Nguyên đán", "proposal", 85_000_000, 30),
    ("Gia hạn hợp đồng năm", "negotiation", 210_000_000, 14),
    ("Đơn hàng khai trương chi nhánh", "won", 64_000_000, -10),
    ("Cung cấp gạo cho bếp ăn", "lost", 38_000_000, -20),
]


def _member(tenant: Any, role: str) -> Any:
    from novasaas.identity.access import principal_for
    from novasaas.identity.models import Membership, MembershipRole

    ids = MembershipRole.objects.filter(role__code=role).values_list("membership_id", flat=True)
    membership = Membership.objects.select_related("tenant", "user").filter(pk__in=ids).order_by("pk").first()
    return principal_for(membership) if membership is not None else None


def load_demo_sales(tenant: Any) -> None:
    from novasaas.sales.models import Customer, CustomerGroup

    with tenant_context(tenant), transaction.atomic():
        admin = _member(tenant, "tenant_admin")
        if admin is None:
            raise RuntimeError("the demo tenant has no Tenant Admin")
        staff = _member(tenant, "sales_staff") or admin
        if not CustomerGroup.objects.filter(code="VIP").exists():
            _customers_and_orders(tenant, admin, staff)
        customers = list(Customer.objects.filter(is_active=True).select_related("group").order_by("pk"))
        if not customers:
            return
        today = timezone.localdate()
        _pipeline(staff, customers, today)
        _quotations(tenant, staff, customers, today)
        _portal(tenant, admin, customers[0])
        _coupon(admin, today)
        _loyalty(admin, customers, today)


def _customers_and_orders(tenant: Any, admin: Any, staff: Any) -> None:
    from novasaas.parties.models import Party
    from novasaas.sales import actions

    vip = actions.save_group(admin, code="VIP", name="Khách VIP", discount_percent="5")
    regular = actions.save_group(admin, code="THUONG", name="Khách thường", discount_percent="0")
    parties = Party.objects.filter(is_active=True, code__startswith="KH").order_by("code")[:12]
    customers = []
    for i, party in enumerate(parties):
        customers.append(
            actions.create_customer(
                admin,
                party_id=party.pk,
                group_id=(vip if i % 4 == 0 else regular).pk,
                credit_limit=str(200_000_000 if i % 4 == 0 else 50_000_000),
                payment_terms_days=30 if i % 4 == 0 else 15,
                salesperson_id=staff.user.pk if staff.user else None,
            )
        )
    products, warehouses = _products(tenant), _warehouses(tenant)
    if not customers or not products or not warehouses:
        return
    for n, customer in enumerate(customers[:3]):
        actions.create_order(
            staff, customer_id=customer.pk, warehouse_id=warehouses[0].pk, lines=_lines(products, n), note="Đơn mẫu"
        )


def _products(tenant: Any) -> list[Any]:
    from novasaas.sales import selectors

    return [p for p in selectors.list_products(tenant) if p.is_active and p.tracking == "none"][:6]


def _warehouses(tenant: Any) -> list[Any]:
    from novasaas.sales import selectors

    return [w for w in selectors.list_warehouses(tenant) if w.is_active]


def _lines(products: list[Any], n: int) -> list[dict[str, Any]]:
    picked = {products[(n + k) % len(products)].pk for k in range(3)}
    return [{"product_id": pid, "quantity": str(12 * (n + k + 1))} for k, pid in enumerate(sorted(picked))]


def _pipeline(staff: Any, customers: list[Any], today: dt.date) -> None:
    """Leads in every status (one converted into a customer and an opportunity) and opportunities in every
    stage on existing customers, owned by the demo Sales Staff member, with a call due in three days."""
    from novasaas.sales import pipeline
    from novasaas.sales.pipeline_models import Lead

    if Lead.objects.exists():
        return
    leads = []
    for i, (name, company, source, status, phone) in enumerate(LEADS):
        leads.append(
            pipeline.create_lead(
                staff,
                name=name,
                company=company,
                email=f"lead{i + 1}@example.vn",
                phone=phone,
                source=source,
                status=status,
                note="Khách tiềm năng từ chương trình demo",
            )
        )
    converted = pipeline.convert_lead(
        staff,
        leads[-1].pk,
        opportunity_name="Cung cấp thực phẩm cho bếp ăn công nghiệp",
        expected_amount="150000000",
        close_date=(today + dt.timedelta(days=40)).isoformat(),
    )
    pipeline.update_opportunity(staff, converted.pk, stage="qualification")
    for i, (name, stage, amount, days) in enumerate(OPPORTUNITIES):
        fields: dict[str, Any] = {
            "name": name,
            "customer_id": customers[i % len(customers)].pk,
            "stage": stage,
            "expected_amount": str(amount),
            "close_date": (today + dt.timedelta(days=days)).isoformat(),
        }
        if stage == "lost":
            fields["lost_reason"] = "Giá cao hơn đối thủ"
        opportunity = pipeline.create_opportunity(staff, **fields)
        if stage == "negotiation":
            pipeline.log_activity(
                staff,
                kind="call",
                subject="Gọi lại chốt điều khoản thanh toán",
                due_date=(today + dt.timedelta(days=3)).isoformat(),
                opportunity_id=opportunity.pk,
            )


def _quotations(tenant: Any, staff: Any, customers: list[Any], today: dt.date) -> None:
    """The first customer's sent quotation (answered on the portal) and one accepted into a draft order,
    another customer's quotation that expired unanswered, and a draft."""
    from novasaas.sales import actions, quotations
    from novasaas.sales.models import Quotation, QuotationStatus

    products, warehouses = _products(tenant), _warehouses(tenant)
    if Quotation.objects.exists() or not products or not warehouses:
        return

    def quote(customer: Any, n: int, days_ago: int, valid_days: int) -> Any:
        day = today - dt.timedelta(days=days_ago)
        return quotations.create_quotation(
            staff,
            customer_id=customer.pk,
            lines=_lines(products, n),
            date=day.isoformat(),
            valid_until=(day + dt.timedelta(days=valid_days)).isoformat(),
            note="Báo giá theo yêu cầu",
        )

    def sent(q: Any) -> None:
        # what send_quotation stores, without emailing the demo's invented customers
        address = quotations.customer_email(q) or PORTAL_EMAIL
        actions.move_to(staff, q, QuotationStatus.SENT, sent_to=address, sent_at=timezone.now())

    sent(quote(customers[0], 0, 3, 30))
    accepted = quote(customers[0], 1, 10, 30)
    sent(accepted)
    quotations.accept_quotation(staff, accepted.pk, warehouse_id=warehouses[0].pk)
    sent(quote(customers[1 % len(customers)], 2, 45, 15))  # expired unanswered
    quote(customers[2 % len(customers)], 3, 1, 30)  # draft


def _portal(tenant: Any, admin: Any, customer: Any) -> None:
    """A contact person of the first customer, invited to the customer portal; the demo accepts the
    invitation with the demo password (documented with the other demo users)."""
    from novasaas.identity import actions as identity
    from novasaas.identity.models import Membership
    from novasaas.sales import customers as sales_customers
    from novasaas.sales import portal
    from novasaas.sales.portal_models import PortalAccount

    if PortalAccount.objects.exists():
        return
    if Membership.objects.filter(user__email__iexact=PORTAL_EMAIL).exists():
        return  # a demo seeded before the portal: that sign-in stays a plain member of the company
    contact = sales_customers.save_contact(
        admin,
        customer.pk,
        name="Phạm Thị Hoa",
        position="Kế toán trưởng",
        phone="0913 222 333",
        email=PORTAL_EMAIL,
        is_primary=True,
    )
    _account, token = portal.invite_contact_with_token(admin, customer.pk, contact.pk)
    identity.accept_invitation(token, password=demo.DEMO_PASSWORD, full_name=contact.name)


def _coupon(admin: Any, today: dt.date) -> None:
    """A year-end campaign with a 10 % coupon, put on the first draft order (counted when confirmed)."""
    from novasaas.sales import promotions
    from novasaas.sales.models import OrderStatus, SalesOrder
    from novasaas.sales.promotion_models import Coupon

    if Coupon.objects.exists():
        return
    campaign = promotions.save_campaign(
        admin,
        name="Khuyến mãi cuối năm",
        starts_on=(today - dt.timedelta(days=15)).isoformat(),
        ends_on=(today + dt.timedelta(days=45)).isoformat(),
        note="Giảm 10% cho đơn từ 300.000 đ",
    )
    coupon = promotions.save_coupon(
        admin,
        code=COUPON_CODE,
        name="Giảm 10% cuối năm",
        kind="percent",
        value="10",
        min_order_amount="300000",
        valid_from=campaign.starts_on.isoformat(),
        valid_to=campaign.ends_on.isoformat(),
        usage_limit="200",
        per_customer_limit="1",
        campaign_id=campaign.pk,
    )
    order = (
        SalesOrder.objects.filter(status=OrderStatus.DRAFT, untaxed__gte=coupon.min_order_amount).order_by("pk").first()
    )
    if order is not None:
        promotions.apply_coupon(admin, "order", order.pk, coupon.code)


def _loyalty(admin: Any, customers: list[Any], today: dt.date) -> None:
    """One point per 10,000 đ invoiced, a point worth 100 đ, points expiring after 12 months; the VIP
    customers' points carried over from the shop's former loyalty card."""
    from novasaas.sales import loyalty
    from novasaas.sales.promotion_models import LoyaltyEntry

    if LoyaltyEntry.objects.exists():
        return
    loyalty.configure(admin, is_active=True, points_per="10000", point_value="100", expiry_months=12)
    day = (today - dt.timedelta(days=30)).isoformat()
    for i, customer in enumerate(c for c in customers if c.group is not None and c.group.code == "VIP"):
        loyalty.add_points(
            admin, customer.pk, points=1500 - 400 * i, reason="Điểm chuyển từ thẻ thành viên cũ", date=day
        )


demo.register_loader("CRM", load_demo_sales, order=20)  # after Inventory's catalogue and Accounting
