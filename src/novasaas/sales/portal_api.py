"""Customer portal API (/api/v1/portal/): the signed-in customer contact's own documents only
(``crm.portal`` + an active portal account; another customer's ids are 404)."""

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Router
from ninja.pagination import LimitOffsetPagination, paginate

from novasaas.platform.api import ErrorOut, module_auth
from novasaas.sales import einvoice, portal, quotations, tickets
from novasaas.sales import portal_schemas as s

router = Router(tags=["portal"], auth=module_auth("CRM"))
E = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut}


def _account(request: HttpRequest) -> Any:
    return portal.portal_account(request.auth)  # type: ignore[attr-defined]


@router.get("/account", response={200: s.PortalAccountInfoOut, **E})
def account(request: HttpRequest) -> Any:
    """The customer (name, tax code, addresses, contact persons) and the signed-in contact (``me``)."""
    return portal.account_info(_account(request))


@router.patch("/account/contact", response={200: s.PortalContactOut, **E})
def update_contact(request: HttpRequest, data: s.PortalContactUpdate) -> Any:
    """The signed-in contact's own phone and email (as the company keeps them); bad values 400."""
    return portal.update_own_contact(request.auth, **data.model_dump(exclude_unset=True))  # type: ignore[attr-defined]


@router.get("/balance", response={200: s.PortalBalanceOut, **E})
def balance(request: HttpRequest) -> Any:
    return portal.balance(request.auth, _account(request))  # type: ignore[attr-defined]


@router.get("/loyalty", response={200: s.PortalLoyaltyOut, **E})
def loyalty(request: HttpRequest) -> Any:
    """The customer's loyalty points: balance and value, earned / redeemed / expired totals, the points
    expiring within 30 days and the ledger (last 200 rows, newest first)."""
    return portal.loyalty_of(_account(request))


@router.get("/orders", response={200: list[s.PortalOrderSummaryOut], **E})
@paginate(LimitOffsetPagination)
def list_orders(request: HttpRequest) -> Any:
    return portal.orders(_account(request))


@router.get("/orders/{int:order_id}", response={200: s.PortalOrderOut, **E})
def get_order(request: HttpRequest, order_id: int) -> Any:
    """An order with its lines (delivered, back-ordered) and its deliveries (dates and quantities)."""
    return portal.get_order(_account(request), order_id)


@router.get("/invoices", response={200: list[s.PortalInvoiceSummaryOut], **E})
@paginate(LimitOffsetPagination)
def list_invoices(request: HttpRequest) -> Any:
    return portal.invoices(_account(request))


@router.get("/invoices/{int:invoice_id}", response={200: s.PortalInvoiceOut, **E})
def get_invoice(request: HttpRequest, invoice_id: int) -> Any:
    return portal.get_invoice(_account(request), invoice_id)


@router.get("/invoices/{int:invoice_id}/pdf", response={200: None, **E, 503: ErrorOut})
def invoice_pdf(request: HttpRequest, invoice_id: int) -> Any:
    """The invoice PDF with the VietQR code of what is open (503 without a Unicode font)."""
    from novasaas.platform.pdf import PdfUnavailable

    invoice = portal.get_invoice(_account(request), invoice_id)
    try:
        content = einvoice.invoice_pdf(invoice)
    except PdfUnavailable as exc:
        return 503, {"detail": str(exc)}
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{invoice.number}.pdf"'
    return response


@router.get("/quotations", response={200: list[s.PortalQuotationSummaryOut], **E})
@paginate(LimitOffsetPagination)
def list_quotations(request: HttpRequest) -> Any:
    """Quotations sent to the customer and what became of them (never drafts)."""
    return portal.quotations_of(_account(request)).select_related("order")


@router.get("/quotations/{int:quotation_id}", response={200: s.PortalQuotationOut, **E})
def get_quotation(request: HttpRequest, quotation_id: int) -> Any:
    return portal.get_quotation(_account(request), quotation_id)


@router.get("/quotations/{int:quotation_id}/pdf", response={200: None, **E, 503: ErrorOut})
def quotation_pdf(request: HttpRequest, quotation_id: int) -> Any:
    from novasaas.platform.pdf import PdfUnavailable

    quotation = portal.get_quotation(_account(request), quotation_id)
    try:
        content = quotations.quotation_pdf(quotation)
    except PdfUnavailable as exc:
        return 503, {"detail": str(exc)}
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{quotation.number}.pdf"'
    return response


@router.post("/quotations/{int:quotation_id}/accept", response={201: s.PortalOrderSummaryOut, **E})
def accept_quotation(request: HttpRequest, quotation_id: int) -> Any:
    """Accept a sent quotation: the company gets a draft order with the same lines and totals (400 when
    it expired or was already answered)."""
    return 201, portal.accept_quotation(request.auth, quotation_id)  # type: ignore[attr-defined]


@router.post("/quotations/{int:quotation_id}/decline", response={200: s.PortalQuotationSummaryOut, **E})
def decline_quotation(request: HttpRequest, quotation_id: int) -> Any:
    return portal.decline_quotation(request.auth, quotation_id)  # type: ignore[attr-defined]


@router.get("/tickets", response={200: list[s.TicketSummaryOut], **E})
@paginate(LimitOffsetPagination)
def list_tickets(request: HttpRequest) -> Any:
    """The customer's support tickets, newest first."""
    return tickets.portal_tickets(request.auth)  # type: ignore[attr-defined]


@router.post("/tickets", response={201: s.TicketOut, **E})
def open_ticket(request: HttpRequest, data: s.TicketOpenIn) -> Any:
    """Open a ticket with its first message (the salesperson is notified)."""
    ticket = tickets.open_ticket(request.auth, subject=data.subject, body=data.body)  # type: ignore[attr-defined]
    return 201, tickets.portal_ticket(request.auth, ticket.pk)  # type: ignore[attr-defined]


@router.get("/tickets/{int:ticket_id}", response={200: s.TicketOut, **E})
def get_ticket(request: HttpRequest, ticket_id: int) -> Any:
    return tickets.portal_ticket(request.auth, ticket_id)  # type: ignore[attr-defined]


@router.post("/tickets/{int:ticket_id}/messages", response={201: s.TicketOut, **E})
def write_ticket(request: HttpRequest, ticket_id: int, data: s.TicketMessageIn) -> Any:
    """Write on a ticket (400 when it is closed)."""
    tickets.customer_writes(request.auth, ticket_id, data.body)  # type: ignore[attr-defined]
    return 201, tickets.portal_ticket(request.auth, ticket_id)  # type: ignore[attr-defined]
