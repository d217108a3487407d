"""The order edit page saves what it shows: an order accepted from a quotation (no warehouse yet) is
opened, given a warehouse and saved exactly as a browser would submit the form. (The line formset used to
drop every line the user had not changed, so such a save was refused with "add at least one line" and
an edit of one line of several dropped the others.)"""

from __future__ import annotations

from decimal import Decimal
from html.parser import HTMLParser

from novasaas.platform.tenancy import tenant_context
from novasaas.platform.testing.fixtures import web_client
from novasaas.sales import quotations
from novasaas.sales.models import SalesOrder
from novasaas.sales.tests.helpers import beer_line, world


class _Form(HTMLParser):
    """The fields a browser submits from the page's main form (inputs, checked boxes, selected options)."""

    def __init__(self) -> None:
        super().__init__()
        self.data: dict[str, str] = {}
        self._select: str | None = None
        self._first_option: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        name = a.get("name")
        if tag == "input" and name and a.get("type") not in ("submit", "button", "file"):
            if a.get("type") in ("checkbox", "radio") and "checked" not in a:
                return
            if "disabled" not in a:
                self.data[name] = a.get("value", "on" if a.get("type") == "checkbox" else "")
        elif tag == "select" and name and "disabled" not in a:
            self._select, self._first_option = name, None
            self.data.setdefault(name, "")
        elif tag == "option" and self._select:
            if self._first_option is None:
                self._first_option = a.get("value", "")
                self.data[self._select] = self._first_option
            if "selected" in a:
                self.data[self._select] = a.get("value", "")
        elif tag == "textarea" and name:
            self._textarea = name
            self.data[name] = ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data: str) -> None:
        if self._textarea:
            self.data[self._textarea] += data


def form_fields(html: str) -> dict[str, str]:
    parser = _Form()
    parser.feed(html)
    return parser.data


def test_an_order_accepted_from_a_quotation_is_given_a_warehouse_on_its_edit_page(tenant_a):
    with tenant_context(tenant_a):
        w = world(tenant_a, 20)
        quote = quotations.create_quotation(w.staff, customer_id=w.customer.pk, lines=[beer_line(w, 4)])
        order = quotations.accept_quotation(w.staff, quote.pk)
    assert order.warehouse_id is None
    web = web_client(tenant_a, w.staff.user)
    page = web.get(f"/sales/orders/{order.pk}/edit/")
    assert page.status_code == 200
    data = form_fields(page.content.decode())
    data["warehouse_id"] = str(w.inv.wh.pk)
    r = web.post(f"/sales/orders/{order.pk}/edit/", data)
    assert r.status_code == 302, r.content.decode()[-3000:]
    with tenant_context(tenant_a):
        saved = SalesOrder.objects.get(pk=order.pk)
        assert saved.warehouse_id == w.inv.wh.pk
        line = saved.lines.get()
        assert (line.quantity, line.unit_price) == (Decimal(4), Decimal(15000))


def test_purchase_order_lines_shown_on_the_edit_page_are_kept_when_unchanged():
    from novasaas.purchasing import forms as pforms

    initial = [{"product_id": 1, "quantity": "2", "unit_price": "1000"}, {"product_id": 2, "quantity": "1"}]
    data = {"lines-TOTAL_FORMS": "4", "lines-INITIAL_FORMS": "2", "lines-MIN_NUM_FORMS": "0"}
    data |= {"lines-MAX_NUM_FORMS": "500", "lines-0-product_id": "1", "lines-0-quantity": "2"}
    data |= {"lines-0-unit_price": "1000", "lines-1-product_id": "2", "lines-1-quantity": "5"}
    formset = pforms.OrderLineFormSet(data, initial=initial, prefix="lines", products=[(1, "A"), (2, "B")])
    assert formset.is_valid(), formset.errors
    assert [(r["product_id"], r["quantity"]) for r in formset.rows()] == [(1, Decimal(2)), (2, Decimal(5))]
