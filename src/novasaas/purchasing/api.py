"""Purchasing API (/api/v1/purchasing/): thin endpoints over actions and selectors (module gate SCM)."""

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import File, Router
from ninja.files import UploadedFile
from ninja.pagination import LimitOffsetPagination, paginate

from novasaas.identity.access import Principal
from novasaas.platform.api import ErrorOut, ImportErrors, module_auth
from novasaas.platform.excel import XLSX_TYPE
from novasaas.purchasing import actions, bills, credits, landed, requisitions, rfqs, selectors
from novasaas.purchasing import schemas as s
from novasaas.purchasing.models import BillStatus, OrderStatus, RequisitionStatus

router = Router(tags=["purchasing"], auth=module_auth("SCM"))
E = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut}


def _p(request: HttpRequest, perm: str) -> Principal:
    principal: Principal = request.auth  # type: ignore[attr-defined]
    principal.require(perm)
    return principal


def _data(data: Any) -> dict[str, Any]:
    return data.model_dump(exclude_unset=True)  # type: ignore[no-any-return]


# --- settings --------------------------------------------------------------------------------------


@router.get("/settings", response={200: s.PurchasingSettingsOut, **E})
def get_settings(request: HttpRequest) -> Any:
    p = _p(request, "scm.po.track")
    return selectors.get_settings(p.tenant)


@router.patch("/settings", response={200: s.PurchasingSettingsOut, **E})
def update_settings(request: HttpRequest, data: s.PurchasingSettingsIn) -> Any:
    p = _p(request, "scm.po.approve")
    return actions.update_settings(p, **_data(data))


# --- preferred vendor per product -----------------------------------------------------------------


@router.get("/preferred-vendors", response={200: list[s.PreferredVendorOut], **E})
def list_preferred_vendors(request: HttpRequest, vendor_id: int | None = None) -> Any:
    """Products with a preferred vendor (the low-stock draft order goes to it first)."""
    p = _p(request, "scm.vendor.view")
    return list(selectors.list_preferred_vendors(p.tenant, vendor_id))


@router.get("/preferred-vendors/{int:product_id}", response={200: s.PreferredVendorOut, **E})
def get_preferred_vendor(request: HttpRequest, product_id: int) -> Any:
    p = _p(request, "scm.vendor.view")
    return selectors.get_preferred_vendor(p.tenant, product_id)


@router.put("/preferred-vendors/{int:product_id}", response={200: s.PreferredVendorOut, **E})
def set_preferred_vendor(request: HttpRequest, product_id: int, data: s.PreferredVendorIn) -> Any:
    """Make the vendor (which must list the product) the product's preferred vendor."""
    p = _p(request, "scm.vendor.manage")
    actions.set_preferred_vendor(p, product_id, data.vendor_id)
    return selectors.get_preferred_vendor(p.tenant, product_id)


@router.delete("/preferred-vendors/{int:product_id}", response={204: None, **E})
def clear_preferred_vendor(request: HttpRequest, product_id: int) -> Any:
    p = _p(request, "scm.vendor.manage")
    actions.clear_preferred_vendor(p, product_id)
    return 204, None


# --- vendors ---------------------------------------------------------------------------------------


@router.get("/vendors/export", response={200: None, 403: ErrorOut})
def export_vendors(request: HttpRequest) -> HttpResponse:
    """Every vendor as an Excel file (also the import template)."""
    from novasaas.purchasing import excel

    p = _p(request, "scm.vendor.manage")
    response = HttpResponse(excel.export_vendors(p), content_type=XLSX_TYPE)
    response["Content-Disposition"] = 'attachment; filename="vendors.xlsx"'
    return response


@router.post(
    "/vendors/import", response={200: s.VendorImportResult, 400: ImportErrors, 403: ErrorOut, 413: ImportErrors}
)
def import_vendors(request: HttpRequest, file: File[UploadedFile]) -> Any:
    """Create or change vendors from an xlsx/csv file; all or nothing, with a line-by-line error report."""
    from novasaas.purchasing import excel

    p = _p(request, "scm.vendor.manage")
    try:
        created, changed = excel.import_vendors(p, file, file.name)
    except excel.VendorImportError as exc:
        return exc.status, {"detail": exc.detail, "errors": exc.as_json()}
    return 200, {"created": created, "changed": changed}


@router.get("/prices/export", response={200: None, 403: ErrorOut})
def export_prices(request: HttpRequest) -> HttpResponse:
    """Every vendor price list line as an Excel file (also the import template)."""
    from novasaas.purchasing import excel

    p = _p(request, "scm.vendor.manage")
    response = HttpResponse(excel.export_prices(p), content_type=XLSX_TYPE)
    response["Content-Disposition"] = 'attachment; filename="vendor-prices.xlsx"'
    return response


@router.post(
    "/prices/import", response={200: s.VendorImportResult, 400: ImportErrors, 403: ErrorOut, 413: ImportErrors}
)
def import_prices(request: HttpRequest, file: File[UploadedFile]) -> Any:
    """Add (or, with an exported ``id``, change) vendor price lines from an xlsx/csv file; all or nothing."""
    from novasaas.purchasing import excel

    p = _p(request, "scm.vendor.manage")
    try:
        created, changed = excel.import_prices(p, file, file.name)
    except excel.VendorImportError as exc:
        return exc.status, {"detail": exc.detail, "errors": exc.as_json()}
    return 200, {"created": created, "changed": changed}


@router.get("/vendors", response={200: list[s.VendorOut], **E})
@paginate(LimitOffsetPagination)
def list_vendors(request: HttpRequest, q: str = "", include_inactive: bool = False) -> Any:
    p = _p(request, "scm.vendor.view")
    return selectors.list_vendors(p.tenant, q[:200], include_inactive=include_inactive)


@router.post("/vendors", response={201: s.VendorOut, **E})
def create_vendor(request: HttpRequest, data: s.VendorIn) -> Any:
    p = _p(request, "scm.vendor.manage")
    vendor = actions.create_vendor(p, **data.model_dump())
    return 201, selectors.get_vendor(p.tenant, vendor.pk)


@router.get("/vendors/{int:vendor_id}", response={200: s.VendorOut, **E})
def get_vendor(request: HttpRequest, vendor_id: int) -> Any:
    p = _p(request, "scm.vendor.view")
    return selectors.get_vendor(p.tenant, vendor_id)


@router.patch("/vendors/{int:vendor_id}", response={200: s.VendorOut, **E})
def update_vendor(request: HttpRequest, vendor_id: int, data: s.VendorUpdate) -> Any:
    p = _p(request, "scm.vendor.manage")
    actions.update_vendor(p, vendor_id, **_data(data))
    return selectors.get_vendor(p.tenant, vendor_id)


@router.delete("/vendors/{int:vendor_id}", response={204: None, **E})
def deactivate_vendor(request: HttpRequest, vendor_id: int) -> Any:
    """Deactivates the vendor (204); nothing is deleted, since documents refer to it."""
    p = _p(request, "scm.vendor.manage")
    actions.update_vendor(p, vendor_id, is_active=False)
    return 204, None


@router.get("/vendors/{int:vendor_id}/prices", response={200: list[s.VendorPriceOut], **E})
def list_prices(request: HttpRequest, vendor_id: int) -> Any:
    p = _p(request, "scm.vendor.view")
    vendor = selectors.get_vendor(p.tenant, vendor_id)
    return list(selectors.list_prices(p.tenant, vendor.pk))


@router.post("/vendors/{int:vendor_id}/prices", response={201: s.VendorPriceOut, **E})
def create_price(request: HttpRequest, vendor_id: int, data: s.VendorPriceIn) -> Any:
    p = _p(request, "scm.vendor.manage")
    return 201, actions.save_price(p, vendor_id, **data.model_dump())


@router.delete("/vendors/{int:vendor_id}/prices/{int:price_id}", response={204: None, **E})
def delete_price(request: HttpRequest, vendor_id: int, price_id: int) -> Any:
    p = _p(request, "scm.vendor.manage")
    actions.delete_price(p, vendor_id, price_id)
    return 204, None


# --- purchase orders -------------------------------------------------------------------------------


@router.get("/orders", response={200: list[s.PurchaseOrderSummaryOut], **E})
@paginate(LimitOffsetPagination)
def list_orders(
    request: HttpRequest, status: str = "", vendor_id: int | None = None, q: str = "", late: bool = False
) -> Any:
    """Orders, newest first; ``late=true``: the late deliveries today (the same set as the late
    deliveries report and the dashboard widget, ``selectors.late_orders``)."""
    p = _p(request, "scm.po.track")
    status = status if status in OrderStatus.values else ""
    return selectors.list_orders(p.tenant, status, vendor_id, q[:100], late_on=timezone.localdate() if late else None)


@router.post("/orders", response={201: s.PurchaseOrderOut, **E})
def create_order(request: HttpRequest, data: s.PurchaseOrderIn) -> Any:
    p = _p(request, "scm.po.create")
    order = actions.create_order(p, **data.model_dump())
    return 201, selectors.get_order(p.tenant, order.pk)


@router.get("/orders/{int:order_id}", response={200: s.PurchaseOrderOut, **E})
def get_order(request: HttpRequest, order_id: int) -> Any:
    p = _p(request, "scm.po.track")
    return selectors.get_order(p.tenant, order_id)


@router.patch("/orders/{int:order_id}", response={200: s.PurchaseOrderOut, **E})
def update_order(request: HttpRequest, order_id: int, data: s.PurchaseOrderUpdate) -> Any:
    p = _p(request, "scm.po.create")
    actions.update_order(p, order_id, **_data(data))
    return selectors.get_order(p.tenant, order_id)


def _transition(name: str, perm: str, fn: Any, doc: str) -> None:
    def endpoint(request: HttpRequest, order_id: int) -> Any:
        p = _p(request, perm)
        fn(p, order_id)
        return selectors.get_order(p.tenant, order_id)

    endpoint.__name__ = f"{name}_order"
    endpoint.__doc__ = doc
    router.post(f"/orders/{{int:order_id}}/{name}", response={200: s.PurchaseOrderOut, **E})(endpoint)


_transition("submit", "scm.po.create", actions.submit_order, "Issue a draft: approved up to the limit, else waits.")
_transition("approve", "scm.po.approve", actions.approve_order, "Approve an order waiting for approval.")
_transition("reject", "scm.po.approve", actions.reject_order, "Send an order waiting for approval back to draft.")
_transition("cancel", "scm.po.create", actions.cancel_order, "Cancel an order nothing was received on.")
_transition("close", "scm.po.track", actions.close_order, "Close a received order, or close it short.")


@router.get("/orders/{int:order_id}/pdf", response={200: None, **E, 503: ErrorOut})
def order_pdf(request: HttpRequest, order_id: int) -> Any:
    """The order as a PDF to send to the vendor."""
    from django.http import HttpResponse

    from novasaas.platform.pdf import PdfUnavailable
    from novasaas.purchasing.pdf import order_pdf as render_pdf

    p = _p(request, "scm.po.track")
    order = selectors.get_order(p.tenant, order_id)
    try:
        content = render_pdf(order, selectors.warehouse_names(p.tenant).get(order.warehouse_id, ""))
    except PdfUnavailable as exc:
        return 503, {"detail": str(exc)}
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{order.number}.pdf"'
    return response


@router.post("/orders/{int:order_id}/send", response={200: s.PurchaseOrderOut, **E})
def send_order(request: HttpRequest, order_id: int, data: s.SendOrderIn) -> Any:
    """Email the approved order's PDF to ``to`` or the vendor's email (after commit, through the
    outbox); 400 for a draft, an order waiting for approval, no or a bad address."""
    from novasaas.purchasing import emailing

    p = _p(request, "scm.po.create")
    selectors.get_order(p.tenant, order_id)
    emailing.send_order(p, order_id, to=data.to)
    return selectors.get_order(p.tenant, order_id)


@router.post("/orders/{int:order_id}/receive", response={201: s.PurchaseReceiptOut, **E})
def receive_order(request: HttpRequest, order_id: int, data: s.ReceiveIn) -> Any:
    """Receive goods (default: every open quantity) through inventory's goods receipt. Quality check:
    per line ``quantity`` accepted (stocked) and ``rejected_quantity`` refused (not stocked, stays open
    on the order; needs ``rejection_reason``)."""
    p = _p(request, "scm.receipt.create")
    rows = [r.model_dump() for r in data.lines] if data.lines is not None else None
    return 201, actions.receive_order(p, order_id, lines=rows, date=data.date, rejection_reason=data.rejection_reason)


@router.post("/orders/{int:order_id}/return", response={201: s.VendorReturnOut, **E})
def return_to_vendor(request: HttpRequest, order_id: int, data: s.ReturnIn) -> Any:
    """Send received, not yet billed goods back to the vendor (inventory goods issue)."""
    p = _p(request, "scm.return.manage")
    selectors.get_order(p.tenant, order_id)
    rows = [r.model_dump() for r in data.lines]
    return 201, actions.return_to_vendor(p, order_id, lines=rows, date=data.date, reason=data.reason)


@router.get("/orders/{int:order_id}/receipts", response={200: list[s.PurchaseReceiptOut], **E})
def list_receipts(request: HttpRequest, order_id: int) -> Any:
    p = _p(request, "scm.po.track")
    return list(selectors.get_order(p.tenant, order_id).receipts.all())


# --- vendor bills ----------------------------------------------------------------------------------


@router.get("/bills", response={200: list[s.VendorBillSummaryOut], **E})
@paginate(LimitOffsetPagination)
def list_bills(request: HttpRequest, status: str = "", vendor_id: int | None = None) -> Any:
    p = _p(request, "scm.po.track")
    return selectors.list_bills(p.tenant, status if status in BillStatus.values else "", vendor_id)


@router.post("/bills", response={201: s.VendorBillOut, **E})
def create_bill(request: HttpRequest, data: s.VendorBillIn) -> Any:
    """A draft bill; with ``order_id`` matched three ways (see ``match_status``)."""
    p = _p(request, "scm.po.create")
    fields = data.model_dump()
    if data.lines is not None:
        fields["lines"] = [{k: v for k, v in row.items() if v is not None} for row in fields["lines"]]
    bill = bills.create_bill(p, **fields)
    return 201, selectors.get_bill(p.tenant, bill.pk)


@router.get("/bills/{int:bill_id}", response={200: s.VendorBillOut, **E})
def get_bill(request: HttpRequest, bill_id: int) -> Any:
    p = _p(request, "scm.po.track")
    return selectors.get_bill(p.tenant, bill_id)


@router.delete("/bills/{int:bill_id}", response={204: None, **E})
def delete_bill(request: HttpRequest, bill_id: int) -> Any:
    p = _p(request, "scm.po.create")
    bills.delete_bill(p, bill_id)
    return 204, None


@router.post("/bills/{int:bill_id}/approve-match", response={200: s.VendorBillOut, **E})
def approve_match(request: HttpRequest, bill_id: int) -> Any:
    p = _p(request, "scm.po.approve")
    bills.approve_match(p, bill_id)
    return selectors.get_bill(p.tenant, bill_id)


@router.post("/bills/{int:bill_id}/post", response={200: s.VendorBillOut, **E})
def post_bill(request: HttpRequest, bill_id: int) -> Any:
    p = _p(request, "scm.po.create")
    bills.post_bill(p, bill_id)
    return selectors.get_bill(p.tenant, bill_id)


@router.post("/bills/{int:bill_id}/payments", response={201: s.VendorPaymentOut, **E})
def pay_bill(request: HttpRequest, bill_id: int, data: s.VendorPaymentIn) -> Any:
    """Pay (part of) a posted bill; with ACC through accounting's supplier payments."""
    p: Principal = request.auth  # type: ignore[attr-defined]
    selectors.get_bill(p.tenant, bill_id)
    return 201, bills.pay_bill(p, bill_id, amount=data.amount, date=data.date, method=data.method or "")


@router.post("/landed-cost-bills", response={201: s.VendorBillOut, **E})
def create_landed_bill(request: HttpRequest, data: s.LandedCostBillIn) -> Any:
    """A draft landed-cost bill (freight, insurance, import duty, import VAT) of any vendor, spread over
    ``receipt_ids`` by value or quantity when posted (``POST bills/{id}/post``)."""
    p = _p(request, "scm.po.create")
    fields = data.model_dump()
    fields["lines"] = [{k: v for k, v in row.items() if v is not None} for row in fields["lines"]]
    bill = landed.create_landed_bill(p, **fields)
    return 201, selectors.get_bill(p.tenant, bill.pk)


@router.get("/bills/{int:bill_id}/credit-notes", response={200: list[s.VendorCreditNoteOut], **E})
def list_credit_notes(request: HttpRequest, bill_id: int) -> Any:
    p = _p(request, "scm.po.track")
    bill = selectors.get_bill(p.tenant, bill_id)
    return selectors.credit_notes_of(p.tenant, bill.pk)


@router.post("/bills/{int:bill_id}/credit-notes", response={201: s.VendorCreditNoteOut, **E})
def create_credit_note(request: HttpRequest, bill_id: int, data: s.VendorCreditNoteIn) -> Any:
    """Record and post a vendor credit note: ``return`` sends billed goods back (stock out through
    inventory), ``price`` lowers the price; both reduce what the bill leaves open."""
    p = _p(request, "scm.po.create")
    selectors.get_bill(p.tenant, bill_id)
    fields = data.model_dump()
    fields["lines"] = [{k: v for k, v in row.items() if v is not None} for row in fields["lines"]]
    note = credits.create_credit_note(p, bill_id, **fields)
    return 201, selectors.get_credit_note(p.tenant, note.pk)


# --- requests for quotation -----------------------------------------------------------------------


def _rfq_out(p: Principal, rfq_id: int) -> dict[str, Any]:
    rfq = selectors.get_rfq(p.tenant, rfq_id)
    table = rfqs.comparison(rfq)
    return {
        "id": rfq.pk,
        "number": rfq.number,
        "date": rfq.date,
        "deadline": rfq.deadline,
        "warehouse_id": rfq.warehouse_id,
        "status": rfq.status,
        "note": rfq.note,
        "awarded_vendor_id": rfq.awarded_vendor_id,
        "order_id": rfq.order_id,
        "vendors": [
            {
                "vendor_id": v.vendor_id,
                "code": v.vendor.code,
                "name": v.vendor.party.name,
                "responded_at": v.responded_at,
                "total": table.totals[i],
                "best": table.best_total == i,
            }
            for i, v in enumerate(table.vendors)
        ],
        "comparison": [
            {
                "line": row.line,
                "quotes": [
                    {
                        "vendor_id": v.vendor_id,
                        "unit_price": q.unit_price if q else None,
                        "lead_time_days": q.lead_time_days if q else None,
                        "best": row.best == i,
                    }
                    for i, (v, q) in enumerate(zip(table.vendors, row.cells, strict=True))
                ],
            }
            for row in table.rows
        ],
    }


@router.get("/rfqs", response={200: list[s.RfqSummaryOut], **E})
@paginate(LimitOffsetPagination)
def list_rfqs(request: HttpRequest, status: str = "") -> Any:
    p = _p(request, "scm.po.track")
    return selectors.list_rfqs(p.tenant, status[:20])


@router.post("/rfqs", response={201: s.RfqOut, **E})
def create_rfq(request: HttpRequest, data: s.RfqIn) -> Any:
    """A request for quotation of some products to two or more vendors."""
    p = _p(request, "scm.po.create")
    rfq = rfqs.create_rfq(p, **data.model_dump())
    return 201, _rfq_out(p, rfq.pk)


@router.get("/rfqs/{int:rfq_id}", response={200: s.RfqOut, **E})
def get_rfq(request: HttpRequest, rfq_id: int) -> Any:
    """The request with its price comparison (cheapest answer per line, cheapest complete vendor)."""
    p = _p(request, "scm.po.track")
    return _rfq_out(p, rfq_id)


@router.post("/rfqs/{int:rfq_id}/quotes", response={200: s.RfqOut, **E})
def enter_rfq_quote(request: HttpRequest, rfq_id: int, data: s.RfqQuoteIn) -> Any:
    p = _p(request, "scm.po.create")
    selectors.get_rfq(p.tenant, rfq_id)
    rfqs.enter_quote(p, rfq_id, vendor_id=data.vendor_id, prices=data.model_dump()["prices"])
    return _rfq_out(p, rfq_id)


@router.post("/rfqs/{int:rfq_id}/award", response={201: s.PurchaseOrderOut, **E})
def award_rfq(request: HttpRequest, rfq_id: int, data: s.RfqAwardIn) -> Any:
    """Award to one vendor: a draft purchase order at its quoted prices."""
    p = _p(request, "scm.po.create")
    selectors.get_rfq(p.tenant, rfq_id)
    order = rfqs.award(p, rfq_id, vendor_id=data.vendor_id)
    return 201, selectors.get_order(p.tenant, order.pk)


@router.post("/rfqs/{int:rfq_id}/cancel", response={200: s.RfqOut, **E})
def cancel_rfq(request: HttpRequest, rfq_id: int) -> Any:
    p = _p(request, "scm.po.create")
    selectors.get_rfq(p.tenant, rfq_id)
    rfqs.cancel_rfq(p, rfq_id)
    return _rfq_out(p, rfq_id)


# --- requisitions ----------------------------------------------------------------------------------


@router.get("/requisitions", response={200: list[s.RequisitionOut], **E})
@paginate(LimitOffsetPagination)
def list_requisitions(request: HttpRequest, status: str = "") -> Any:
    p = _p(request, "scm.requisition.create")
    return selectors.list_requisitions(p.tenant, status if status in RequisitionStatus.values else "")


@router.post("/requisitions", response={201: s.RequisitionOut, **E})
def create_requisition(request: HttpRequest, data: s.RequisitionIn) -> Any:
    p = _p(request, "scm.requisition.create")
    return 201, requisitions.create_requisition(p, **data.model_dump())


@router.get("/requisitions/{int:requisition_id}", response={200: s.RequisitionOut, **E})
def get_requisition(request: HttpRequest, requisition_id: int) -> Any:
    p = _p(request, "scm.requisition.create")
    return selectors.get_requisition(p.tenant, requisition_id)


@router.post("/requisitions/{int:requisition_id}/approve", response={200: s.RequisitionOut, **E})
def approve_requisition(request: HttpRequest, requisition_id: int) -> Any:
    p = _p(request, "scm.requisition.approve")
    return requisitions.approve_requisition(p, requisition_id)


@router.post("/requisitions/{int:requisition_id}/reject", response={200: s.RequisitionOut, **E})
def reject_requisition(request: HttpRequest, requisition_id: int) -> Any:
    p = _p(request, "scm.requisition.approve")
    return requisitions.reject_requisition(p, requisition_id)


@router.post("/requisitions/{int:requisition_id}/order", response={201: s.PurchaseOrderOut, **E})
def order_requisition(request: HttpRequest, requisition_id: int, data: s.RequisitionOrderIn) -> Any:
    """Turn an approved requisition into a draft purchase order of the chosen vendor."""
    p = _p(request, "scm.po.create")
    order = requisitions.convert_to_order(p, requisition_id, **data.model_dump())
    return 201, selectors.get_order(p.tenant, order.pk)


# --- reports ---------------------------------------------------------------------------------------


@router.get("/reports/grni", response={200: list[s.GrniRowOut], **E, 503: ErrorOut})
def grni_report(request: HttpRequest, format: s.PurchasingReportFormat = "json") -> Any:
    """Goods received not invoiced per vendor (ties to account 3388 for receipts through orders); the
    page's Excel/PDF file with ``format=xlsx|pdf``."""
    p = _p(request, "scm.report.view")
    if format != "json":
        from json import dumps

        from novasaas.platform.reports import file_response
        from novasaas.purchasing import reports

        return file_response(
            reports.grni(p.tenant),
            format,
            unavailable=lambda text: HttpResponse(dumps({"detail": text}), status=503, content_type="application/json"),
        )
    return selectors.grni_by_vendor(p.tenant)


# --- reports (after reports/grni: the {name} path would shadow it) ----------------------------


@router.get("/reports/{name}", response={200: s.PurchasingReportOut, **E, 503: ErrorOut})
def report(
    request: HttpRequest,
    name: s.PurchasingReportName,
    date_from: s.Date | None = None,
    date_to: s.Date | None = None,
    product_id: s.Id | None = None,
    format: s.PurchasingReportFormat = "json",
) -> Any:
    """Spend by vendor / product / month, price history of a product, best vendor (price, on-time rate,
    rejected at receipt), payables aging (on ``date_to``), open purchase orders and late deliveries
    (``scm.po.track``): JSON, or the page's Excel/PDF file (``format=xlsx|pdf``)."""
    from json import dumps

    from django.http import HttpResponse

    from novasaas.platform.reports import file_response
    from novasaas.purchasing import reports

    p = _p(request, reports.permission(name))
    table = reports.build(p.tenant, name, date_from, date_to, product_id)
    if format == "json":
        return table.as_json()
    return file_response(
        table,
        format,
        unavailable=lambda text: HttpResponse(dumps({"detail": text}), status=503, content_type="application/json"),
    )
