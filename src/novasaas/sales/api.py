"""Sales API (/api/v1/sales/): thin endpoints over actions and selectors (module gate CRM)."""

from typing import Any, Literal

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import File, Query, Router
from ninja.files import UploadedFile
from ninja.pagination import LimitOffsetPagination, paginate

from novasaas.platform.api import ErrorOut, ImportErrors, module_auth, principal_with
from novasaas.platform.excel import XLSX_TYPE
from novasaas.sales import (
    actions,
    customers,
    deliveries,
    einvoice,
    pipeline,
    policy,
    portal,
    pricing,
    quotations,
    reports,
    returns,
    selectors,
)
from novasaas.sales import schemas as s
from novasaas.sales.models import CustomerGroup, LeadStatus, OrderStatus, Stage
from novasaas.sales.portal_schemas import SalesPortalAccountOut, SalesPortalAccountUpdate
from novasaas.sales.reports import customer_aging

router = Router(tags=["sales"], auth=module_auth("CRM"))
E = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut}


_p = principal_with  # the request's principal holding the right, else 403


def _data(data: Any) -> dict[str, Any]:
    return data.model_dump(exclude_unset=True)  # type: ignore[no-any-return]


# --- customer groups -------------------------------------------------------------------------------


@router.get("/customer-groups", response=list[s.CustomerGroupOut])
def list_groups(request: HttpRequest, include_inactive: bool = False) -> Any:
    p = _p(request, "crm.customer.view")
    return selectors.list_groups(p.tenant, include_inactive)


@router.post("/customer-groups", response={201: s.CustomerGroupOut, **E})
def create_group(request: HttpRequest, data: s.CustomerGroupIn) -> Any:
    p = _p(request, "crm.customer.segment")
    return 201, actions.save_group(p, **data.model_dump())


@router.patch("/customer-groups/{int:group_id}", response={200: s.CustomerGroupOut, **E})
def update_group(request: HttpRequest, group_id: int, data: s.CustomerGroupUpdate) -> Any:
    p = _p(request, "crm.customer.segment")
    CustomerGroup.objects.get(pk=group_id)
    return actions.save_group(p, group_id, **_data(data))


# --- price lists -----------------------------------------------------------------------------------


@router.get("/price-lists", response=list[s.SalesPriceListOut])
def list_price_lists(request: HttpRequest) -> Any:
    p = _p(request, "crm.customer.view")
    return pricing.list_price_lists(p.tenant).prefetch_related("items")


@router.post("/price-lists", response={201: s.SalesPriceListOut, **E})
def create_price_list(request: HttpRequest, data: s.SalesPriceListIn) -> Any:
    """A price list with its quantity breaks (``items``); assign it to a group as its default."""
    p = _p(request, "crm.customer.segment")
    fields = data.model_dump()
    pl = pricing.save_price_list(p, **fields)
    return 201, pricing.get_price_list(p.tenant, pl.pk)


@router.get("/price-lists/{int:price_list_id}", response={200: s.SalesPriceListOut, **E})
def get_price_list(request: HttpRequest, price_list_id: int) -> Any:
    p = _p(request, "crm.customer.view")
    return pricing.get_price_list(p.tenant, price_list_id)


@router.patch("/price-lists/{int:price_list_id}", response={200: s.SalesPriceListOut, **E})
def update_price_list(request: HttpRequest, price_list_id: int, data: s.SalesPriceListUpdate) -> Any:
    """Change a price list; ``items`` when sent replace all its prices."""
    p = _p(request, "crm.customer.segment")
    pricing.get_price_list(p.tenant, price_list_id)
    pricing.save_price_list(p, price_list_id, **_data(data))
    return pricing.get_price_list(p.tenant, price_list_id)


# --- customers -------------------------------------------------------------------------------------


@router.get("/customers", response=list[s.SalesCustomerOut])
@paginate(LimitOffsetPagination)
def list_customers(request: HttpRequest, q: str = "", include_inactive: bool = False, tag: str = "") -> Any:
    p = _p(request, "crm.customer.view")
    return selectors.list_customers(p, q[:200], include_inactive=include_inactive, tag=tag[:60])


@router.post("/customers", response={201: s.SalesCustomerOut, **E})
def create_customer(request: HttpRequest, data: s.SalesCustomerIn) -> Any:
    p = _p(request, "crm.customer.create")
    customer = actions.create_customer(p, **data.model_dump())
    return 201, selectors.get_customer(p, customer.pk)


@router.get("/customers/export", response={200: None, 403: ErrorOut})
def export_customers(request: HttpRequest) -> HttpResponse:
    """The customers the caller sees as an Excel file (also the import template)."""
    from novasaas.sales.customer_excel import export_workbook

    p = _p(request, "crm.customer.import")
    response = HttpResponse(export_workbook(p), content_type=XLSX_TYPE)
    response["Content-Disposition"] = 'attachment; filename="customers.xlsx"'
    return response


@router.post(
    "/customers/import",
    response={200: s.SalesCustomerImportResult, 400: ImportErrors, 403: ErrorOut, 413: ImportErrors},
)
def import_customers(request: HttpRequest, file: File[UploadedFile]) -> Any:
    """Create customers from an xlsx file; all or nothing, with a line-by-line error report."""
    from novasaas.sales.customer_excel import CustomerImportError
    from novasaas.sales.customer_excel import import_customers as run_import

    p = _p(request, "crm.customer.import")
    try:
        created = run_import(p, file)
    except CustomerImportError as exc:
        return exc.status, {"detail": exc.detail, "errors": exc.as_json()}
    return 200, {"created": len(created), "codes": [c.code for c in created]}


@router.get("/customers/{int:customer_id}", response={200: s.SalesCustomerOut, **E})
def get_customer(request: HttpRequest, customer_id: int) -> Any:
    p = _p(request, "crm.customer.view")
    return selectors.get_customer(p, customer_id)


@router.patch("/customers/{int:customer_id}", response={200: s.SalesCustomerOut, **E})
def update_customer(request: HttpRequest, customer_id: int, data: s.SalesCustomerUpdate) -> Any:
    p = _p(request, "crm.customer.edit")
    actions.update_customer(p, customer_id, **_data(data))
    return selectors.get_customer(p, customer_id)


@router.delete("/customers/{int:customer_id}", response={204: None, **E})
def deactivate_customer(request: HttpRequest, customer_id: int) -> Any:
    """Deactivates the customer (204); nothing is deleted, since documents refer to it."""
    p = _p(request, "crm.customer.delete")
    actions.deactivate_customer(p, customer_id)
    return 204, None


@router.get("/customers/{int:customer_id}/balance", response={200: s.SalesCustomerBalanceOut, **E})
def customer_balance(request: HttpRequest, customer_id: int) -> Any:
    p = _p(request, "crm.customer.view")
    customer = selectors.get_customer(p, customer_id)
    return {
        "receivable": selectors.open_receivable(p.tenant, customer),
        "credit": returns.credit_balance(customer),
        "open_orders_and_receivable": selectors.credit_exposure(p.tenant, customer),
        "credit_limit": customer.credit_limit,
        "aging": {
            ("days_" + k if k[0].isdigit() else k): v
            for k, v in customer_aging(p, customer, timezone.localdate()).items()
        },
    }


@router.get("/customers/{int:customer_id}/contacts", response={200: list[s.SalesCustomerContactOut], **E})
def list_customer_contacts(request: HttpRequest, customer_id: int) -> Any:
    p = _p(request, "crm.customer.view")
    return customers.list_contacts(p, customer_id)


@router.post("/customers/{int:customer_id}/contacts", response={201: s.SalesCustomerContactOut, **E})
def create_customer_contact(request: HttpRequest, customer_id: int, data: s.SalesCustomerContactIn) -> Any:
    p = _p(request, "crm.customer.edit")
    return 201, customers.save_contact(p, customer_id, None, **data.model_dump())


@router.patch("/customers/{int:customer_id}/contacts/{int:contact_id}", response={200: s.SalesCustomerContactOut, **E})
def update_customer_contact(
    request: HttpRequest, customer_id: int, contact_id: int, data: s.SalesCustomerContactUpdate
) -> Any:
    p = _p(request, "crm.customer.edit")
    return customers.save_contact(p, customer_id, contact_id, **_data(data))


@router.delete("/customers/{int:customer_id}/contacts/{int:contact_id}", response={204: None, **E})
def delete_customer_contact(request: HttpRequest, customer_id: int, contact_id: int) -> Any:
    p = _p(request, "crm.customer.edit")
    customers.delete_contact(p, customer_id, contact_id)
    return 204, None


@router.get("/customers/{int:customer_id}/portal-accounts", response={200: list[SalesPortalAccountOut], **E})
def list_portal_accounts(request: HttpRequest, customer_id: int) -> Any:
    """The customer's contacts invited to the portal (status invited / active / inactive)."""
    p = _p(request, "crm.customer.view")
    return portal.list_accounts(p, customer_id)


@router.post(
    "/customers/{int:customer_id}/contacts/{int:contact_id}/portal-invite", response={201: SalesPortalAccountOut, **E}
)
def invite_contact_to_portal(request: HttpRequest, customer_id: int, contact_id: int) -> Any:
    """Email the contact person an invitation to the customer portal (a pending one is replaced)."""
    from django.conf import settings

    p = _p(request, "crm.customer.edit")
    return 201, portal.invite_contact(p, customer_id, contact_id, base_url=settings.PUBLIC_BASE_URL)


@router.patch(
    "/customers/{int:customer_id}/portal-accounts/{int:account_id}", response={200: SalesPortalAccountOut, **E}
)
def update_portal_account(
    request: HttpRequest, customer_id: int, account_id: int, data: SalesPortalAccountUpdate
) -> Any:
    """Stop (``is_active`` false) or give back a contact's portal access."""
    p = _p(request, "crm.customer.edit")
    return portal.set_account_active(p, customer_id, account_id, data.is_active)


@router.get("/customers/{int:customer_id}/purchases", response={200: list[s.SalesPurchaseRowOut], **E})
def customer_purchases(request: HttpRequest, customer_id: int) -> Any:
    """What the customer bought, per product, from its invoices net of credit notes (largest first)."""
    p = _p(request, "crm.customer.view")
    return customers.purchase_history(p, customer_id)


# --- orders ----------------------------------------------------------------------------------------


@router.get("/orders", response=list[s.SalesOrderSummaryOut])
@paginate(LimitOffsetPagination)
def list_orders(request: HttpRequest, status: str = "", customer_id: int | None = None) -> Any:
    p = _p(request, "crm.customer.view")
    return selectors.list_orders(p, status if status in OrderStatus.values else "", customer_id)


@router.post("/orders", response={201: s.SalesOrderOut, **E})
def create_order(request: HttpRequest, data: s.SalesOrderIn) -> Any:
    p = _p(request, "crm.order.create")
    order = actions.create_order(p, **data.model_dump())
    return 201, selectors.get_order(p, order.pk)


@router.get("/orders/{int:order_id}", response={200: s.SalesOrderOut, **E})
def get_order(request: HttpRequest, order_id: int) -> Any:
    p = _p(request, "crm.customer.view")
    return selectors.get_order(p, order_id)


@router.patch("/orders/{int:order_id}", response={200: s.SalesOrderOut, **E})
def update_order(request: HttpRequest, order_id: int, data: s.SalesOrderUpdate) -> Any:
    p = _p(request, "crm.order.create")
    actions.update_order(p, order_id, **_data(data))
    return selectors.get_order(p, order_id)


@router.post("/orders/{int:order_id}/confirm", response={200: s.SalesOrderOut, **E})
def confirm_order(request: HttpRequest, order_id: int, approve_over_credit_limit: bool = False) -> Any:
    """Reserves the stocked lines (INV) after the credit-limit check; a Sales Manager passes
    ``?approve_over_credit_limit=true`` to confirm over the limit."""
    p = _p(request, "crm.order.create")
    actions.confirm_order(p, order_id, approve_over_credit_limit=approve_over_credit_limit)
    return selectors.get_order(p, order_id)


@router.post("/orders/{int:order_id}/deliver", response={200: s.SalesOrderOut, **E})
def deliver_order(request: HttpRequest, order_id: int, date: s.Date | None = None) -> Any:
    """Delivers everything that remains of the order (``?date=`` defaults to today): one delivery, a
    goods issue with INV. ``POST /orders/{id}/deliveries`` delivers some lines or quantities."""
    p = _p(request, "crm.order.create")
    deliveries.deliver_order(p, order_id, date=date)
    return selectors.get_order(p, order_id)


@router.post("/orders/{int:order_id}/deliveries", response={201: s.SalesDeliveryOut, **E})
def create_delivery(request: HttpRequest, order_id: int, data: s.SalesDeliveryIn) -> Any:
    """A (partial) delivery: ``lines`` = ``[{line_id, quantity}]`` of this order, at most what remains of
    each line; without ``lines`` everything that remains. The rest stays open (back-order)."""
    p = _p(request, "crm.order.create")
    rows = [ln.model_dump() for ln in data.lines] if data.lines is not None else None
    delivery = deliveries.deliver_order(p, order_id, date=data.date, lines=rows)
    return 201, deliveries.get_delivery(p, delivery.pk)


@router.post("/orders/{int:order_id}/invoice", response={201: s.SalesInvoiceOut, **E})
def invoice_order(request: HttpRequest, order_id: int, date: s.Date | None = None) -> Any:
    """Invoices what the order has delivered and not yet invoiced (``?date=`` defaults to today): posts
    the sale with ACC."""
    p = _p(request, "crm.invoice.create")
    invoice = deliveries.invoice_order(p, order_id, date=date)
    return 201, selectors.get_invoice(p, invoice.pk)


# --- deliveries --------------------------------------------------------------------------------------


@router.get("/deliveries", response=list[s.SalesDeliveryOut])
@paginate(LimitOffsetPagination)
def list_deliveries(
    request: HttpRequest, customer_id: int | None = None, order_id: int | None = None, uninvoiced: bool = False
) -> Any:
    p = _p(request, "crm.customer.view")
    qs = deliveries.list_deliveries(p, customer_id=customer_id, order_id=order_id, uninvoiced=uninvoiced)
    return qs.prefetch_related("lines__order_line")


@router.get("/deliveries/{int:delivery_id}", response={200: s.SalesDeliveryOut, **E})
def get_delivery(request: HttpRequest, delivery_id: int) -> Any:
    p = _p(request, "crm.customer.view")
    return deliveries.get_delivery(p, delivery_id)


@router.get("/deliveries/{int:delivery_id}/pdf", response={200: None, **E, 503: ErrorOut})
def delivery_pdf(request: HttpRequest, delivery_id: int) -> Any:
    """The delivery note (biên bản giao hàng kiêm phiếu xuất kho) as PDF; 503 without a Unicode font."""
    from novasaas.platform.pdf import PdfUnavailable

    p = _p(request, "crm.document.print")
    delivery = deliveries.get_delivery(p, delivery_id)
    try:
        content = deliveries.delivery_pdf(delivery)
    except PdfUnavailable as exc:
        return 503, {"detail": str(exc)}
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{delivery.number}.pdf"'
    return response


# --- returns and credit notes ------------------------------------------------------------------------


@router.post("/deliveries/{int:delivery_id}/returns", response={201: s.SalesReturnOut, **E})
def return_goods(request: HttpRequest, delivery_id: int, data: s.SalesReturnIn) -> Any:
    """Goods of this delivery come back (INV: into stock at the cost they left at; ACC: COGS reversed)."""
    p = _p(request, "crm.order.create")
    rows = [ln.model_dump() for ln in data.lines] if data.lines is not None else None
    ret = returns.return_goods(p, delivery_id, lines=rows, date=data.date, reason=data.reason)
    return 201, returns.visible_returns(p).get(pk=ret.pk)


@router.get("/returns", response=list[s.SalesReturnOut])
@paginate(LimitOffsetPagination)
def list_returns(request: HttpRequest, customer_id: int | None = None) -> Any:
    p = _p(request, "crm.customer.view")
    qs = returns.visible_returns(p).prefetch_related("lines")
    return qs.filter(customer_id=customer_id) if customer_id else qs


@router.get("/returns/{int:return_id}", response={200: s.SalesReturnOut, **E})
def get_return(request: HttpRequest, return_id: int) -> Any:
    p = _p(request, "crm.customer.view")
    return returns.visible_returns(p).get(pk=return_id)


@router.post("/invoices/{int:invoice_id}/credit-notes", response={201: s.SalesCreditNoteOut, **E})
def credit_invoice(request: HttpRequest, invoice_id: int, data: s.SalesCreditNoteIn) -> Any:
    """A credit note against the invoice: revenue, VAT and the receivable reversed (ACC)."""
    p = _p(request, "crm.invoice.create")
    rows = [ln.model_dump() for ln in data.lines] if data.lines is not None else None
    note = returns.credit_invoice(
        p, invoice_id, lines=rows, date=data.date, reason=data.reason, return_id=data.return_id
    )
    return 201, returns.visible_credit_notes(p).get(pk=note.pk)


@router.get("/credit-notes", response=list[s.SalesCreditNoteOut])
@paginate(LimitOffsetPagination)
def list_credit_notes(request: HttpRequest, customer_id: int | None = None) -> Any:
    p = _p(request, "crm.customer.view")
    qs = returns.visible_credit_notes(p).prefetch_related("lines")
    return qs.filter(customer_id=customer_id) if customer_id else qs


@router.get("/credit-notes/{int:credit_note_id}", response={200: s.SalesCreditNoteOut, **E})
def get_credit_note(request: HttpRequest, credit_note_id: int) -> Any:
    p = _p(request, "crm.customer.view")
    return returns.visible_credit_notes(p).get(pk=credit_note_id)


@router.post("/invoices/{int:invoice_id}/apply-credit", response={201: s.SalesPaymentOut, **E})
def apply_credit(request: HttpRequest, invoice_id: int, data: s.SalesApplyCreditIn) -> Any:
    """Pay the invoice with the customer's credit (over-payments, credit notes on paid invoices)."""
    p = _p(request, "crm.payment.receive")
    return 201, returns.apply_credit(p, invoice_id, amount=data.amount, date=data.date)


# --- order policy ------------------------------------------------------------------------------------


@router.get("/order-settings", response={200: s.SalesSettingsOut, **E})
def get_order_settings(request: HttpRequest) -> Any:
    p = _p(request, "crm.customer.view")
    return policy.get_settings(p.tenant)


@router.patch("/order-settings", response={200: s.SalesSettingsOut, **E})
def update_order_settings(request: HttpRequest, data: s.SalesSettingsUpdate) -> Any:
    """Stock check on confirmation (``refuse`` | ``warn``) and the approval limit (null: none)."""
    p = _p(request, "crm.order.approve")
    return policy.save_settings(p, **_data(data))


@router.post("/orders/{int:order_id}/close-backorder", response={200: s.SalesOrderOut, **E})
def close_backorder(request: HttpRequest, order_id: int) -> Any:
    """Close what a partly delivered order still had to deliver; its reservation is released."""
    p = _p(request, "crm.order.create")
    deliveries.close_backorder(p, order_id)
    return selectors.get_order(p, order_id)


@router.post("/orders/{int:order_id}/cancel", response={200: s.SalesOrderOut, **E})
def cancel_order(request: HttpRequest, order_id: int) -> Any:
    p = _p(request, "crm.order.create")
    actions.cancel_order(p, order_id)
    return selectors.get_order(p, order_id)


# --- invoices and payments -------------------------------------------------------------------------


@router.get("/invoices", response=list[s.SalesInvoiceOut])
@paginate(LimitOffsetPagination)
def list_invoices(request: HttpRequest, customer_id: int | None = None) -> Any:
    p = _p(request, "crm.customer.view")
    return selectors.list_invoices(p, customer_id)


@router.post("/invoices", response={201: s.SalesInvoiceOut, **E})
def invoice_deliveries(request: HttpRequest, data: s.SalesInvoiceFromDeliveriesIn) -> Any:
    """One invoice for several deliveries not yet invoiced of one customer (one or more orders)."""
    p = _p(request, "crm.invoice.create")
    invoice = deliveries.invoice_deliveries(p, data.delivery_ids, date=data.date)
    return 201, selectors.get_invoice(p, invoice.pk)


@router.get("/invoices/{int:invoice_id}", response={200: s.SalesInvoiceOut, **E})
def get_invoice(request: HttpRequest, invoice_id: int) -> Any:
    p = _p(request, "crm.customer.view")
    return selectors.get_invoice(p, invoice_id)


@router.get("/invoices/{int:invoice_id}/pdf", response={200: None, **E, 503: ErrorOut})
def invoice_pdf(request: HttpRequest, invoice_id: int) -> Any:
    """The invoice as PDF with a VietQR code of what is open (503 without a Unicode font)."""
    from novasaas.platform.pdf import PdfUnavailable

    p = _p(request, "crm.document.print")
    invoice = selectors.get_invoice(p, invoice_id)
    try:
        content = einvoice.invoice_pdf(invoice)
    except PdfUnavailable as exc:
        return 503, {"detail": str(exc)}
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{invoice.number}.pdf"'
    return response


@router.get("/invoices/{int:invoice_id}/einvoice", response={200: None, **E})
def invoice_einvoice(request: HttpRequest, invoice_id: int) -> Any:
    """The e-invoice XML (data part, Circular 78 format, unsigned); 400 with what does not validate
    (e.g. the company has no tax code or address)."""
    from django.core.exceptions import ValidationError

    p = _p(request, "crm.document.print")
    invoice = selectors.get_invoice(p, invoice_id)
    xml = einvoice.invoice_xml(invoice)
    errors = einvoice.validate(xml)
    if errors:
        raise ValidationError({"einvoice": errors})
    response = HttpResponse(xml, content_type="application/xml; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{invoice.number}.xml"'
    return response


@router.get("/invoices/{int:invoice_id}/vietqr", response={200: s.SalesVietQrOut, **E})
def invoice_vietqr(request: HttpRequest, invoice_id: int) -> Any:
    """The VietQR payload paying what is open ("" without a payee account in the order settings)."""
    p = _p(request, "crm.customer.view")
    return {"payload": einvoice.vietqr_payload(selectors.get_invoice(p, invoice_id))}


@router.post("/invoices/{int:invoice_id}/payments", response={201: s.SalesPaymentOut, **E})
def receive_payment(request: HttpRequest, invoice_id: int, data: s.SalesPaymentIn) -> Any:
    p = _p(request, "crm.payment.receive")
    return 201, actions.receive_payment(p, invoice_id, **data.model_dump())


# --- quotations (crm.quotation.manage to write) ---------------------------------


@router.get("/quotations", response=list[s.QuotationSummaryOut])
@paginate(LimitOffsetPagination)
def list_quotations(request: HttpRequest, status: str = "", customer_id: int | None = None) -> Any:
    """``status``: draft, sent, accepted, declined or expired (draft/sent past the validity date)."""
    p = _p(request, "crm.customer.view")
    return quotations.list_quotations(p, status, customer_id)


@router.post("/quotations", response={201: s.QuotationOut, **E})
def create_quotation(request: HttpRequest, data: s.QuotationIn) -> Any:
    p = _p(request, "crm.quotation.manage")
    quotation = quotations.create_quotation(p, **data.model_dump())
    return 201, quotations.get_quotation(p, quotation.pk)


@router.get("/quotations/{int:quotation_id}", response={200: s.QuotationOut, **E})
def get_quotation(request: HttpRequest, quotation_id: int) -> Any:
    p = _p(request, "crm.customer.view")
    return quotations.get_quotation(p, quotation_id)


@router.patch("/quotations/{int:quotation_id}", response={200: s.QuotationOut, **E})
def update_quotation(request: HttpRequest, quotation_id: int, data: s.QuotationUpdate) -> Any:
    p = _p(request, "crm.quotation.manage")
    quotations.update_quotation(p, quotation_id, **_data(data))
    return quotations.get_quotation(p, quotation_id)


@router.post("/quotations/{int:quotation_id}/send", response={200: s.QuotationOut, **E})
def send_quotation(request: HttpRequest, quotation_id: int, to: str = "") -> Any:
    """Emails the PDF (after commit) to ``?to=`` or, without it, the customer's email, and marks the
    quotation sent."""
    p = _p(request, "crm.quotation.manage")
    quotations.send_quotation(p, quotation_id, to=to[:254])
    return quotations.get_quotation(p, quotation_id)


@router.post("/quotations/{int:quotation_id}/accept", response={201: s.SalesOrderOut, **E})
def accept_quotation(request: HttpRequest, quotation_id: int, warehouse_id: int | None = None) -> Any:
    """Creates the draft sales order with the quotation's lines (201, the order); 400 when expired."""
    p = _p(request, "crm.quotation.manage")
    order = quotations.accept_quotation(p, quotation_id, warehouse_id=warehouse_id)
    return 201, selectors.get_order(p, order.pk)


@router.post("/quotations/{int:quotation_id}/revise", response={201: s.QuotationOut, **E})
def revise_quotation(request: HttpRequest, quotation_id: int, data: s.QuotationReviseIn) -> Any:
    """A new draft revision (``<number>-R<n>``) of a sent or declined quotation, which becomes "revised"."""
    p = _p(request, "crm.quotation.manage")
    new = quotations.revise_quotation(p, quotation_id, date=data.date)
    return 201, quotations.get_quotation(p, new.pk)


@router.post("/quotations/{int:quotation_id}/decline", response={200: s.QuotationOut, **E})
def decline_quotation(request: HttpRequest, quotation_id: int) -> Any:
    p = _p(request, "crm.quotation.manage")
    quotations.decline_quotation(p, quotation_id)
    return quotations.get_quotation(p, quotation_id)


@router.get("/quotations/{int:quotation_id}/pdf", response={200: None, **E, 503: ErrorOut})
def quotation_pdf(request: HttpRequest, quotation_id: int) -> Any:
    from novasaas.platform.pdf import PdfUnavailable

    p = _p(request, "crm.customer.view")
    quotation = quotations.get_quotation(p, quotation_id)
    try:
        content = quotations.quotation_pdf(quotation)
    except PdfUnavailable as exc:
        return 503, {"detail": str(exc)}
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{quotation.number}.pdf"'
    return response


# --- pipeline: leads, opportunities, activities, forecast ------------------------------------------


@router.get("/leads", response=list[s.SalesLeadOut])
@paginate(LimitOffsetPagination)
def list_leads(request: HttpRequest, status: str = "") -> Any:
    p = _p(request, "crm.lead.manage")
    qs = pipeline.visible_leads(p)
    return qs.filter(status=status) if status in LeadStatus.values else qs


@router.post("/leads", response={201: s.SalesLeadOut, **E})
def create_lead(request: HttpRequest, data: s.SalesLeadIn) -> Any:
    p = _p(request, "crm.lead.manage")
    return 201, pipeline.create_lead(p, **data.model_dump())


@router.post("/leads/assign", response={200: s.SalesLeadAssignOut, **E})
def assign_leads(request: HttpRequest, data: s.SalesLeadAssignIn) -> Any:
    """Give the listed leads to one owner (Sales Manager); all or nothing."""
    p = _p(request, "crm.customer.assign")
    return {"assigned": pipeline.assign_leads(p, data.lead_ids, data.owner_id)}


@router.get("/leads/{int:lead_id}", response={200: s.SalesLeadOut, **E})
def get_lead(request: HttpRequest, lead_id: int) -> Any:
    p = _p(request, "crm.lead.manage")
    return pipeline.visible_leads(p).get(pk=lead_id)


@router.patch("/leads/{int:lead_id}", response={200: s.SalesLeadOut, **E})
def update_lead(request: HttpRequest, lead_id: int, data: s.SalesLeadUpdate) -> Any:
    p = _p(request, "crm.lead.manage")
    return pipeline.update_lead(p, lead_id, **_data(data))


@router.post("/leads/{int:lead_id}/convert", response={201: s.SalesOpportunityOut, **E})
def convert_lead(request: HttpRequest, lead_id: int, data: s.SalesLeadConvertIn) -> Any:
    """The lead becomes a customer (new party) and an opportunity (201: the opportunity)."""
    p = _p(request, "crm.lead.manage")
    return 201, pipeline.convert_lead(p, lead_id, **data.model_dump())


@router.get("/opportunities", response=list[s.SalesOpportunityOut])
@paginate(LimitOffsetPagination)
def list_opportunities(request: HttpRequest, stage: str = "", customer_id: int | None = None) -> Any:
    p = _p(request, "crm.opportunity.manage")
    qs = pipeline.visible_opportunities(p)
    if stage in Stage.values:
        qs = qs.filter(stage=stage)
    return qs.filter(customer_id=customer_id) if customer_id else qs


@router.post("/opportunities", response={201: s.SalesOpportunityOut, **E})
def create_opportunity(request: HttpRequest, data: s.SalesOpportunityIn) -> Any:
    p = _p(request, "crm.opportunity.manage")
    fields = data.model_dump()
    if fields["probability"] is None:
        fields.pop("probability")
    return 201, pipeline.create_opportunity(p, **fields)


@router.get("/opportunities/{int:opportunity_id}", response={200: s.SalesOpportunityOut, **E})
def get_opportunity(request: HttpRequest, opportunity_id: int) -> Any:
    p = _p(request, "crm.opportunity.manage")
    return pipeline.visible_opportunities(p).get(pk=opportunity_id)


@router.patch("/opportunities/{int:opportunity_id}", response={200: s.SalesOpportunityOut, **E})
def update_opportunity(request: HttpRequest, opportunity_id: int, data: s.SalesOpportunityUpdate) -> Any:
    """Moving to another ``stage`` sets that stage's probability unless ``probability`` is sent too."""
    p = _p(request, "crm.opportunity.manage")
    return pipeline.update_opportunity(p, opportunity_id, **_data(data))


@router.get("/activities", response=list[s.SalesActivityOut])
@paginate(LimitOffsetPagination)
def list_activities(request: HttpRequest, open_only: bool = False, customer_id: int | None = None) -> Any:
    p = _p(request, "crm.activity.log")
    qs = pipeline.visible_activities(p)
    if open_only:
        qs = qs.filter(done=False)
    return qs.filter(customer_id=customer_id) if customer_id else qs


@router.post("/activities", response={201: s.SalesActivityOut, **E})
def log_activity(request: HttpRequest, data: s.SalesActivityIn) -> Any:
    p = _p(request, "crm.activity.log")
    return 201, pipeline.log_activity(p, **data.model_dump())


@router.post("/activities/{int:activity_id}/done", response={200: s.SalesActivityOut, **E})
def complete_activity(request: HttpRequest, activity_id: int) -> Any:
    p = _p(request, "crm.activity.log")
    return pipeline.complete_activity(p, activity_id)


@router.get("/forecast", response={200: list[s.SalesForecastRowOut], **E})
def forecast(request: HttpRequest, owner_id: int | None = None) -> Any:
    """Open opportunities by month of their close date: Σ expected and Σ expected × probability."""
    p = _p(request, "crm.forecast.view")
    return pipeline.forecast(p, owner_id=owner_id)


@router.get("/lost-reasons", response={200: list[s.SalesLostReasonOut], **E})
def lost_reasons(request: HttpRequest) -> Any:
    """Lost opportunities per reason (count and expected amount), most frequent first."""
    p = _p(request, "crm.forecast.view")
    return pipeline.lost_reasons(p)


@router.get("/forecast/by-owner", response={200: list[s.SalesOwnerForecastRowOut], **E})
def forecast_by_owner(request: HttpRequest) -> Any:
    """Open opportunities per owner: Σ expected amount and Σ amount × probability."""
    p = _p(request, "crm.forecast.view")
    return pipeline.forecast_by_owner(p)


# --- reports (one definition: page, Excel, PDF, API) --------------------------------------------------


def _report_answer(report: Any, format: str) -> Any:
    from json import dumps

    if format == "json":
        return report.as_json()
    return reports.file_response(
        report,
        format,
        unavailable=lambda text: HttpResponse(dumps({"detail": text}), status=503, content_type="application/json"),
    )


@router.get("/reports/sales", response={200: s.SalesReportOut, **E, 503: ErrorOut})
def sales_report(
    request: HttpRequest,
    date_from: s.Date,
    date_to: s.Date,
    by: Literal["customer", "product", "salesperson", "month"] = "customer",
    format: Literal["json", "xlsx", "pdf"] = "json",
) -> Any:
    """Revenue of the period (invoices less credit notes) by customer, product, salesperson or month."""
    p = _p(request, "crm.report.view")
    if date_to < date_from:
        return 400, {"detail": "date_to is before date_from"}
    return _report_answer(reports.sales_by(p, by, date_from, date_to), format)


@router.get("/reports/ar-aging", response={200: s.SalesReportOut, **E, 503: ErrorOut})
def ar_aging_report(
    request: HttpRequest, as_of: s.Date | None = None, format: Literal["json", "xlsx", "pdf"] = "json"
) -> Any:
    """Open receivable per customer by days past due (accounting's receivables with ACC)."""
    from django.utils import timezone

    p = _p(request, "crm.report.view")
    return _report_answer(reports.ar_aging(p, as_of or timezone.localdate()), format)


@router.get("/reports/margin", response={200: s.SalesReportOut, **E, 503: ErrorOut})
def margin_report(
    request: HttpRequest, date_from: s.Date, date_to: s.Date, format: Literal["json", "xlsx", "pdf"] = "json"
) -> Any:
    """Revenue, cost of goods (INV issue cost) and margin per order dated in the period."""
    from novasaas.sales import analytics

    p = _p(request, "crm.report.view")
    if date_to < date_from:
        return 400, {"detail": "date_to is before date_from"}
    return _report_answer(analytics.order_margin(p, date_from, date_to), format)


@router.get("/reports/abc-margin", response={200: s.SalesReportOut, **E, 503: ErrorOut})
def abc_margin_report(
    request: HttpRequest, date_from: s.Date, date_to: s.Date, format: Literal["json", "xlsx", "pdf"] = "json"
) -> Any:
    """Products in classes A / B / C by margin of the period's invoices."""
    from novasaas.sales import analytics

    p = _p(request, "crm.report.view")
    if date_to < date_from:
        return 400, {"detail": "date_to is before date_from"}
    return _report_answer(analytics.abc_by_margin(p, date_from, date_to), format)


@router.get("/reports/rfm", response={200: s.SalesReportOut, **E, 503: ErrorOut})
def rfm_report(
    request: HttpRequest,
    as_of: s.Date | None = None,
    days: int = Query(365, ge=1, le=3660),
    format: Literal["json", "xlsx", "pdf"] = "json",
) -> Any:
    """Recency, frequency, monetary value and segment per customer."""
    from django.utils import timezone

    from novasaas.sales import analytics

    p = _p(request, "crm.report.view")
    return _report_answer(analytics.rfm(p, as_of or timezone.localdate(), days), format)


from novasaas.sales import promotion_api  # noqa: E402, F401  (coupons, campaigns, loyalty on this router)
