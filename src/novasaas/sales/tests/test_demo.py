"""The CRM demo loader: groups, customers of the demo Sales Staff, draft orders, a pipeline, quotations
in several states, a customer portal account, a coupon on a draft order and loyalty points; idempotent,
and nothing confirmed or posted."""

from __future__ import annotations

from novasaas.identity.models import Membership, User
from novasaas.inventory.tests.helpers import setup_catalogue
from novasaas.parties import demo as parties_demo
from novasaas.platform import demo
from novasaas.platform.tenancy import platform_context, tenant_context
from novasaas.platform.testing.fixtures import create_user
from novasaas.sales import demo as sales_demo
from novasaas.sales import loyalty, portal
from novasaas.sales.models import Customer, CustomerGroup, OrderStatus, Quotation, QuotationStatus, SalesOrder
from novasaas.sales.pipeline_models import Lead, LeadStatus, Opportunity, Stage
from novasaas.sales.portal_models import PortalAccount
from novasaas.sales.promotion_models import Coupon, LoyaltyEntry


def test_registered_after_inventory():
    assert ("CRM", sales_demo.load_demo_sales) in demo._loaders


def _counts() -> dict[str, int]:
    models = [Customer, SalesOrder, Quotation, Lead, Opportunity, PortalAccount, Coupon, LoyaltyEntry]
    return {m.__name__: m.objects.count() for m in models}


def test_demo_sales(tenant_a, tenant_b, today):
    staff = create_user(tenant_a, "sales_staff")
    parties_demo.load_demo_parties(tenant_a)
    with tenant_context(tenant_a):
        setup_catalogue(tenant_a)  # a small catalogue: the inventory demo's year is tested apart
    sales_demo.load_demo_sales(tenant_a)
    with tenant_context(tenant_a):
        loaded = _counts()
    sales_demo.load_demo_sales(tenant_a)  # idempotent
    with tenant_context(tenant_a):
        assert _counts() == loaded
        assert CustomerGroup.objects.count() == 2
        assert Customer.objects.count() >= 6  # the directory's customers and the converted lead
        assert set(Customer.objects.values_list("salesperson_id", flat=True)) == {staff.pk}
        orders = SalesOrder.objects.all()
        # the three sample orders and the accepted quotation's order: drafts, nothing reserved or posted
        assert orders.count() == 4 and {o.status for o in orders} == {OrderStatus.DRAFT}
        assert all(o.total > 0 for o in orders)
        # pipeline: every lead status, every stage, owned by the Sales Staff member
        assert set(Lead.objects.values_list("status", flat=True)) == set(LeadStatus.values)
        assert set(Opportunity.objects.values_list("stage", flat=True)) == set(Stage.values)
        assert set(Opportunity.objects.values_list("owner_id", flat=True)) == {staff.pk}
        assert Opportunity.objects.get(stage=Stage.LOST).lost_reason
        # quotations: sent, accepted into an order, expired unanswered, a draft
        quotes = list(Quotation.objects.all())
        assert {q.status for q in quotes} == {QuotationStatus.SENT, QuotationStatus.ACCEPTED, QuotationStatus.DRAFT}
        assert sum(q.is_expired(today) for q in quotes) == 1
        accepted = Quotation.objects.get(status=QuotationStatus.ACCEPTED)
        assert accepted.order is not None and accepted.order.status == OrderStatus.DRAFT
        # a coupon of a campaign, on a draft order
        coupon = Coupon.objects.get()
        assert coupon.code == sales_demo.COUPON_CODE and coupon.campaign is not None and coupon.used_count == 0
        assert SalesOrder.objects.filter(coupon=coupon).count() == 1
        # loyalty: the programme on, points for the VIP customers
        assert loyalty.programme(tenant_a).is_active
        vip = Customer.objects.filter(group__code="VIP", loyalty_entries__isnull=False).distinct()
        assert vip.exists() and all(c.loyalty_points > 0 for c in vip)
        # the portal: the first customer's contact signs in with the demo password and sees its quotations
        account = PortalAccount.objects.select_related("customer", "user").get()
        assert account.user is not None and account.user.email == sales_demo.PORTAL_EMAIL
        assert Membership.objects.filter(user=account.user).count() == 1
        assert set(portal.quotations_of(account)) == set(Quotation.objects.filter(customer=account.customer))
        assert portal.quotations_of(account).filter(status=QuotationStatus.SENT).exists()
    with platform_context():
        assert User.objects.get(email=sales_demo.PORTAL_EMAIL).check_password(demo.DEMO_PASSWORD)
    with tenant_context(tenant_b):
        assert not Customer.objects.exists() and not Lead.objects.exists() and not PortalAccount.objects.exists()
