"""Coupons: the discount spread over the lines before VAT (figures worked out by hand), through the
invoice, the e-invoice, the books and a credit note; refusals with their reasons that change nothing;
use counted on confirmation and released on cancellation; quotations; campaigns' results."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from novasaas.platform.tenancy import tenant_context
from novasaas.sales import actions, deliveries, einvoice, promotions, quotations, returns
from novasaas.sales.models import Coupon, CouponRedemption, OrderStatus, SalesOrder
from novasaas.sales.subscribers import INVOICE_SOURCE
from novasaas.sales.tests.helpers import beer_line, ledger_lines, order, world

D = Decimal


@pytest.fixture(autouse=True)
def _english():
    """The refusals are checked by their English text (the Vietnamese catalogue is checked in test_i18n)."""
    from django.utils import translation

    with translation.override("en"):
        yield


def _three_lines(w):
    return [
        beer_line(w, 3, "15333", vat_code="VAT10"),  # 45,999
        {"description": "Phí giao hàng", "quantity": "1", "unit_price": "30000", "vat_code": "VAT10"},  # 30,000
        beer_line(w, 2, "15000", discount_percent="5", vat_code="VAT5"),  # 28,500
    ]


def _coupon(w, **fields):
    fields = {"code": "GIAM10", "kind": "percent", "value": "10", **fields}
    return promotions.save_coupon(w.manager, **fields)


def test_percent_coupon_flows_through_invoice_einvoice_books_and_credit_note(tenant_a):
    with tenant_context(tenant_a):
        w = world(tenant_a, 20)
        _coupon(w, code="giam10")  # kept upper case
        o = order(w, *_three_lines(w))
        assert (o.untaxed, o.vat, o.total) == (D(104499), D(9025), D(113524))
        promotions.apply_coupon(w.staff, "order", o.pk, "Giam10")
        o = SalesOrder.objects.get(pk=o.pk)
        # 10 % of 104,499 = 10,449.9 → 10,450, spread 45,999 : 30,000 : 28,500 →
        # exact 4,599.946 / 2,999.990 / 2,850.027: floors 4,599 + 2,999 + 2,850 = 10,448, the 2 đồng left
        # to the largest remainders (line 2, line 1) → 4,600 / 3,000 / 2,850
        lines = list(o.lines.all())
        assert [li.allowance for li in lines] == [D(4600), D(3000), D(2850)]
        # nets 41,399 / 27,000 / 25,650; VAT 4,139.9 → 4,140 / 2,700 / 1,282.5 → 1,283
        assert [(li.net_amount, li.vat_amount) for li in lines] == [
            (D(41399), D(4140)),
            (D(27000), D(2700)),
            (D(25650), D(1283)),
        ]
        assert (o.coupon_discount, o.untaxed, o.vat, o.total) == (D(10450), D(94049), D(8123), D(102172))
        assert Coupon.objects.get().used_count == 0  # counted on confirmation, not before

        actions.confirm_order(w.staff, o.pk)
        assert Coupon.objects.get().used_count == 1
        assert CouponRedemption.objects.get().discount == D(10450)
        deliveries.deliver_order(w.staff, o.pk)
        invoice = deliveries.invoice_order(w.staff, o.pk)
        assert (invoice.untaxed, invoice.vat, invoice.total) == (D(94049), D(8123), D(102172))
        assert ledger_lines(tenant_a, INVOICE_SOURCE, invoice.pk) == {
            "131": (D(102172), D(0)),
            "5111": (D(0), D(41399 + 25650)),
            "5113": (D(0), D(27000)),
            "33311": (D(0), D(8123)),
        }
        tenant_a.legal_name, tenant_a.tax_code, tenant_a.address = "Công ty TNHH Alpha", "0101234567", "Hà Nội"
        tenant_a.save(update_fields=["legal_name", "tax_code", "address"])
        xml = einvoice.invoice_xml(invoice)
        assert b"<STCKhau>4600</STCKhau>" in xml  # 45,999 − 41,399
        assert einvoice.validate(xml) == []

        # credit one beer of the first line: 15,333 − its share of 4,600 (1/3 → 1,533.33 → 1,533) = 13,800
        first = invoice.lines.get(position=1)
        note = returns.credit_invoice(w.staff, invoice.pk, lines=[{"line_id": first.pk, "quantity": "1"}])
        credited = note.lines.get()
        assert (credited.allowance, credited.net_amount, credited.vat_amount) == (D(1533), D(13800), D(1380))
        assert ledger_lines(tenant_a, "sales.credit_note", note.pk) == {
            "5111": (D(13800), D(0)),
            "33311": (D(1380), D(0)),
            "131": (D(0), D(15180)),
        }
        # the other two take what is left of the line: 4,600 − 1,533 = 3,067 off 30,666 = 27,599
        rest = returns.credit_invoice(w.staff, invoice.pk, lines=[{"line_id": first.pk, "quantity": "2"}])
        last = rest.lines.get()
        assert (last.allowance, last.net_amount, last.vat_amount) == (D(3067), D(41399 - 13800), D(4140 - 1380))


def test_amount_coupon_partial_invoices_add_up_to_the_order(tenant_a):
    with tenant_context(tenant_a):
        w = world(tenant_a, 20)
        _coupon(w, code="TRU50K", kind="amount", value="50000", min_order_amount="100000")
        o = order(w, beer_line(w, 7, "20000"))  # 140,000
        promotions.apply_coupon(w.staff, "order", o.pk, "TRU50K")
        o.refresh_from_db()
        assert (o.coupon_discount, o.untaxed, o.vat, o.total) == (D(50000), D(90000), D(9000), D(99000))
        actions.confirm_order(w.staff, o.pk)
        line = o.lines.get()
        invoices = []
        for qty in ("3", "4"):
            deliveries.deliver_order(w.staff, o.pk, lines=[{"line_id": line.pk, "quantity": qty}])
            invoices.append(deliveries.invoice_order(w.staff, o.pk))
        # 3/7 of 50,000 = 21,428.57 → 21,429 off 60,000 = 38,571, VAT 3,857.1 → 3,857; the last takes the rest
        assert [(i.untaxed, i.vat) for i in invoices] == [(D(38571), D(3857)), (D(90000 - 38571), D(9000 - 3857))]
        assert sum(i.total for i in invoices) == o.total


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        ({"valid_to": "2020-01-31"}, "expired on 31/01/2020"),
        ({"valid_from": "2099-01-01"}, "valid from 01/01/2099"),
        ({"min_order_amount": "1000000"}, "at least"),
        ({"is_active": False}, "no longer active"),
    ],
)
def test_coupon_refusals_give_the_reason_and_change_nothing(tenant_a, fields, reason):
    with tenant_context(tenant_a):
        w = world(tenant_a, 20)
        _coupon(w, **fields)
        o = order(w, beer_line(w, 2))
        with pytest.raises(ValidationError) as exc:
            promotions.apply_coupon(w.staff, "order", o.pk, "GIAM10")
        assert reason in str(exc.value)
        again = SalesOrder.objects.get(pk=o.pk)
        assert (again.coupon_id, again.total, again.untaxed) == (None, o.total, o.untaxed)
        with pytest.raises(ValidationError, match="no coupon"):
            promotions.apply_coupon(w.staff, "order", o.pk, "KHONGCO")


def test_group_restriction_and_limits(tenant_a):
    with tenant_context(tenant_a):
        w = world(tenant_a, 50)
        vip = actions.save_group(w.manager, code="VIP", name="VIP")
        _coupon(w, customer_group_id=vip.pk, usage_limit=2, per_customer_limit=1)
        o1 = order(w, beer_line(w, 1))
        with pytest.raises(ValidationError, match="only for customers of the group VIP"):
            promotions.apply_coupon(w.staff, "order", o1.pk, "GIAM10")
        actions.update_customer(w.manager, w.customer.pk, group_id=vip.pk)
        promotions.apply_coupon(w.staff, "order", o1.pk, "GIAM10")
        o2 = order(w, beer_line(w, 1))
        promotions.apply_coupon(w.staff, "order", o2.pk, "GIAM10")  # not counted yet: both drafts hold it
        actions.confirm_order(w.staff, o1.pk)
        with pytest.raises(ValidationError, match="already used coupon GIAM10 1 times"):
            actions.confirm_order(w.staff, o2.pk)
        assert SalesOrder.objects.get(pk=o2.pk).status == OrderStatus.DRAFT
        # cancelling the first gives the use back
        actions.cancel_order(w.staff, o1.pk)
        assert Coupon.objects.get().used_count == 0
        actions.confirm_order(w.staff, o2.pk)
        assert Coupon.objects.get().used_count == 1
        # another customer of the group reaches the total limit of 2, a third use is refused
        from novasaas.sales.tests.helpers import party

        other = actions.create_customer(w.manager, party_id=party(w.manager, "Cty B").pk, group_id=vip.pk)
        third = actions.create_customer(w.manager, party_id=party(w.manager, "Cty C").pk, group_id=vip.pk)
        o3 = actions.create_order(w.manager, customer_id=other.pk, warehouse_id=w.inv.wh.pk, lines=[beer_line(w, 1)])
        promotions.apply_coupon(w.manager, "order", o3.pk, "GIAM10")
        actions.confirm_order(w.manager, o3.pk)
        o4 = actions.create_order(w.manager, customer_id=third.pk, warehouse_id=w.inv.wh.pk, lines=[beer_line(w, 1)])
        with pytest.raises(ValidationError, match="reached its limit of 2 uses"):
            promotions.apply_coupon(w.manager, "order", o4.pk, "GIAM10")
        assert Coupon.objects.get().used_count == 2


def test_editing_lines_reprices_and_refuses_below_minimum(tenant_a):
    with tenant_context(tenant_a):
        w = world(tenant_a, 20)
        _coupon(w, kind="amount", value="10000", min_order_amount="40000")
        o = order(w, beer_line(w, 3))  # 45,000
        promotions.apply_coupon(w.staff, "order", o.pk, "GIAM10")
        actions.update_order(w.staff, o.pk, lines=[beer_line(w, 4)])
        o.refresh_from_db()
        assert (o.coupon_discount, o.untaxed) == (D(10000), D(50000))
        with pytest.raises(ValidationError, match="at least"):
            actions.update_order(w.staff, o.pk, lines=[beer_line(w, 2)])
        assert SalesOrder.objects.get(pk=o.pk).untaxed == D(50000)
        promotions.remove_coupon(w.staff, "order", o.pk)
        o.refresh_from_db()
        assert (o.coupon_id, o.coupon_discount, o.untaxed) == (None, D(0), D(60000))
        assert o.lines.get().allowance == 0


def test_quotation_coupon_carries_to_the_order(tenant_a):
    with tenant_context(tenant_a):
        w = world(tenant_a, 20)
        _coupon(w)
        q = quotations.create_quotation(w.staff, customer_id=w.customer.pk, lines=_three_lines(w))
        promotions.apply_coupon(w.staff, "quotation", q.pk, "GIAM10")
        q.refresh_from_db()
        assert (q.coupon_discount, q.total) == (D(10450), D(102172))
        o = quotations.accept_quotation(w.staff, q.pk, warehouse_id=w.inv.wh.pk)
        assert (o.coupon_id, o.coupon_discount, o.total) == (q.coupon_id, D(10450), D(102172))
        assert [li.allowance for li in o.lines.all()] == [D(4600), D(3000), D(2850)]


def test_roles_and_campaign_results(tenant_a):
    with tenant_context(tenant_a):
        w = world(tenant_a, 20)
        with pytest.raises(PermissionDenied):
            promotions.save_coupon(w.staff, code="X", value="5")
        with pytest.raises(PermissionDenied):
            promotions.save_campaign(w.staff, name="Tết", starts_on="2026-01-01", ends_on="2026-02-01")
        camp = promotions.save_campaign(w.manager, name="Tết", starts_on="2026-01-01", ends_on="2026-02-01")
        with pytest.raises(ValidationError, match="before the start"):
            promotions.save_campaign(w.manager, camp.pk, ends_on="2025-12-01")
        _coupon(w, campaign_id=camp.pk)
        for qty in (1, 2):
            o = order(w, beer_line(w, qty))
            promotions.apply_coupon(w.staff, "order", o.pk, "GIAM10")
            actions.confirm_order(w.staff, o.pk)
        draft = order(w, beer_line(w, 5))
        promotions.apply_coupon(w.staff, "order", draft.pk, "GIAM10")
        result = promotions.get_campaign(tenant_a, camp.pk)
        # 15,000 − 1,500 and 30,000 − 3,000; the draft does not count
        assert (result.order_count, result.revenue) == (2, D(13500 + 27000))
        with pytest.raises(ValidationError, match="already used"):
            promotions.save_coupon(w.manager, code="giam10", value="5")
        with pytest.raises(ValidationError, match="percentage"):
            promotions.save_coupon(w.manager, code="X", value="101")
        with pytest.raises(ValidationError):
            promotions.save_coupon(w.manager, code="Y", kind="amount", value="10.5")
        assert not Coupon.objects.filter(code__in=["X", "Y"]).exists()


def test_allocate_is_exact():
    assert promotions.allocate([D(1), D(1), D(1)], D(2)) == [D(1), D(1), D(0)]
    assert promotions.allocate([D(0), D(10)], D(10)) == [D(0), D(10)]
    assert promotions.allocate([], D(0)) == []
    assert dt  # the module imports what the parametrised dates need
