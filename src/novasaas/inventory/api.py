"""Inventory API (/api/v1/inventory/): thin endpoints over actions and selectors (module gate INV)."""

from datetime import date as Date
from json import dumps
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import File, Router
from ninja.files import UploadedFile
from ninja.pagination import LimitOffsetPagination, paginate

from novasaas.identity.access import Principal
from novasaas.inventory import actions, ledger, reports, selectors
from novasaas.inventory import schemas as s
from novasaas.inventory.excel import XLSX_TYPE, CatalogueImportError, export_catalogue, import_catalogue
from novasaas.inventory.models import (
    Category,
    InventoryCount,
    Location,
    LotNumber,
    Product,
    ProductVariant,
    StockAdjustment,
    StockMovement,
    StockTransfer,
    Unit,
    Warehouse,
)
from novasaas.platform.api import ErrorOut, module_auth, principal_with

router = Router(tags=["inventory"], auth=module_auth("INV"))
E = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut}


_p = principal_with  # the request's principal holding the right, else 403


def _data(data: Any) -> dict[str, Any]:
    return data.model_dump(exclude_unset=True)  # type: ignore[no-any-return]


# --- categories and units --------------------------------------------------------------------------


@router.get("/categories", response=list[s.CategoryOut])
def list_categories(request: HttpRequest, include_inactive: bool = False) -> Any:
    p = _p(request, "inv.product.view")
    return selectors.list_categories(p.tenant, include_inactive)


@router.post("/categories", response={201: s.CategoryOut, **E})
def create_category(request: HttpRequest, data: s.CategoryIn) -> Any:
    p = _p(request, "inv.product.manage")
    return 201, actions.save_category(p, **data.model_dump())


@router.patch("/categories/{int:category_id}", response={200: s.CategoryOut, **E})
def update_category(request: HttpRequest, category_id: int, data: s.CategoryUpdate) -> Any:
    p = _p(request, "inv.product.manage")
    Category.objects.get(pk=category_id)
    return actions.save_category(p, category_id, **_data(data))


@router.delete("/categories/{int:category_id}", response={204: None, **E})
def deactivate_category(request: HttpRequest, category_id: int) -> Any:
    """Deactivates the category (204); nothing is deleted, since documents refer to it."""
    p = _p(request, "inv.product.manage")
    Category.objects.get(pk=category_id)
    actions.save_category(p, category_id, is_active=False)
    return 204, None


@router.get("/units", response=list[s.UnitOut])
def list_units(request: HttpRequest, include_inactive: bool = False) -> Any:
    p = _p(request, "inv.product.view")
    return list(selectors.list_units(p.tenant, include_inactive))


@router.post("/units", response={201: s.UnitOut, **E})
def create_unit(request: HttpRequest, data: s.UnitIn) -> Any:
    p = _p(request, "inv.product.manage")
    return 201, actions.save_unit(p, **data.model_dump())


@router.patch("/units/{int:unit_id}", response={200: s.UnitOut, **E})
def update_unit(request: HttpRequest, unit_id: int, data: s.UnitUpdate) -> Any:
    p = _p(request, "inv.product.manage")
    Unit.objects.get(pk=unit_id)
    return actions.save_unit(p, unit_id, **_data(data))


@router.delete("/units/{int:unit_id}", response={204: None, **E})
def deactivate_unit(request: HttpRequest, unit_id: int) -> Any:
    """Deactivates the unit (204); nothing is deleted, since documents refer to it."""
    p = _p(request, "inv.product.manage")
    Unit.objects.get(pk=unit_id)
    actions.save_unit(p, unit_id, is_active=False)
    return 204, None


# --- products --------------------------------------------------------------------------------------


@router.get("/products", response=list[s.ProductListItem])
@paginate(LimitOffsetPagination)
def list_products(
    request: HttpRequest, q: str = "", category_id: int | None = None, kind: str = "", include_inactive: bool = False
) -> Any:
    """Search by SKU, name, barcode or variant SKU (accent-insensitive)."""
    p = _p(request, "inv.product.view")
    cat = category_id if category_id and 0 < category_id < 2**63 else None
    return selectors.search_products(
        p.tenant, q[:200], category_id=cat, kind=kind[:20] or None, include_inactive=include_inactive
    )


@router.post("/products", response={201: s.ProductOut, **E})
def create_product(request: HttpRequest, data: s.ProductIn) -> Any:
    p = _p(request, "inv.product.manage")
    product = actions.save_product(p, **data.model_dump())
    return 201, selectors.get_product(p.tenant, product.pk)


@router.get("/products/export", response={200: None, 403: ErrorOut})
def export_products(request: HttpRequest) -> HttpResponse:
    p = _p(request, "inv.product.manage")
    response = HttpResponse(export_catalogue(p.tenant), content_type=XLSX_TYPE)
    response["Content-Disposition"] = 'attachment; filename="products.xlsx"'
    return response


@router.post(
    "/products/import", response={200: s.ProductImportResult, 400: s.ImportErrors, 403: ErrorOut, 413: s.ImportErrors}
)
def import_products(request: HttpRequest, file: File[UploadedFile]) -> Any:
    """Create or update products (by SKU) from an xlsx file; all or nothing, with line errors."""
    p = _p(request, "inv.product.manage")
    try:
        created, updated = import_catalogue(p, file)
    except CatalogueImportError as exc:
        return exc.status, {"detail": exc.detail, "errors": exc.as_json()}
    return 200, {"created": created, "updated": updated}


@router.get("/products/{int:product_id}", response={200: s.ProductOut, 404: ErrorOut})
def get_product(request: HttpRequest, product_id: int) -> Any:
    p = _p(request, "inv.product.view")
    return selectors.get_product(p.tenant, product_id)


@router.patch("/products/{int:product_id}", response={200: s.ProductOut, **E})
def update_product(request: HttpRequest, product_id: int, data: s.ProductUpdate) -> Any:
    p = _p(request, "inv.product.manage")
    Product.objects.get(pk=product_id)
    actions.save_product(p, product_id, **_data(data))
    return selectors.get_product(p.tenant, product_id)


@router.delete("/products/{int:product_id}", response={409: ErrorOut, 403: ErrorOut, 404: ErrorOut})
def delete_product(request: HttpRequest, product_id: int) -> Any:
    """Always 409: a product is never deleted, since stock moves, lots and entries refer to it. Take it
    out of use with ``POST /products/{id}/deactivate`` (``…/activate`` brings it back)."""
    _p(request, "inv.product.manage")
    Product.objects.get(pk=product_id)
    message = _("A product is never deleted: stock moves and entries refer to it. Deactivate it instead (%(url)s).")
    return 409, {"detail": message % {"url": f"POST /api/v1/inventory/products/{product_id}/deactivate"}}


@router.post("/products/{int:product_id}/deactivate", response={200: s.ProductOut, **E})
def deactivate_product(request: HttpRequest, product_id: int) -> Any:
    """Take the product out of use: hidden from lists and pickers, refused on new documents; its history
    stays. Answers the product (``is_active: false``)."""
    p = _p(request, "inv.product.manage")
    Product.objects.get(pk=product_id)
    actions.save_product(p, product_id, is_active=False)
    return selectors.get_product(p.tenant, product_id)


@router.post("/products/{int:product_id}/activate", response={200: s.ProductOut, **E})
def activate_product(request: HttpRequest, product_id: int) -> Any:
    """Put a deactivated product back in use."""
    p = _p(request, "inv.product.manage")
    Product.objects.get(pk=product_id)
    actions.save_product(p, product_id, is_active=True)
    return selectors.get_product(p.tenant, product_id)


@router.post("/products/{int:product_id}/image", response={200: s.ProductOut, **E})
def upload_image(request: HttpRequest, product_id: int, file: File[UploadedFile]) -> Any:
    p = _p(request, "inv.product.manage")
    actions.set_product_image(p, product_id, file)
    return selectors.get_product(p.tenant, product_id)


@router.post("/products/{int:product_id}/variants", response={201: s.VariantOut, **E})
def create_variant(request: HttpRequest, product_id: int, data: s.VariantIn) -> Any:
    p = _p(request, "inv.product.manage")
    return 201, actions.save_variant(p, product_id, **data.model_dump())


@router.patch("/variants/{int:variant_id}", response={200: s.VariantOut, **E})
def update_variant(request: HttpRequest, variant_id: int, data: s.VariantUpdate) -> Any:
    p = _p(request, "inv.product.manage")
    variant = ProductVariant.objects.get(pk=variant_id)
    return actions.save_variant(p, variant.product_id, variant_id, **_data(data))


@router.delete("/variants/{int:variant_id}", response={204: None, **E})
def deactivate_variant(request: HttpRequest, variant_id: int) -> Any:
    """Deactivates the variant (204); nothing is deleted, since documents refer to it."""
    p = _p(request, "inv.product.manage")
    variant = ProductVariant.objects.get(pk=variant_id)
    actions.save_variant(p, variant.product_id, variant_id, is_active=False)
    return 204, None


@router.get("/products/{int:product_id}/stock", response={200: s.ProductStockOut, 404: ErrorOut})
def product_stock(request: HttpRequest, product_id: int) -> Any:
    """Where a product is: per warehouse (on hand, reserved, available) and per location and lot."""
    p = _p(request, "inv.stock.view")
    Product.objects.get(pk=product_id)
    return {
        "levels": list(selectors.stock_levels(p.tenant, product_id=product_id)),
        "locations": list(selectors.stock_locations(p.tenant, product_id)),
    }


# --- warehouses, locations, settings ---------------------------------------------------------------


@router.get("/warehouses", response=list[s.WarehouseOut])
def list_warehouses(request: HttpRequest, include_inactive: bool = False) -> Any:
    p = _p(request, "inv.stock.view")
    return list(selectors.list_warehouses(p.tenant, include_inactive))


@router.post("/warehouses", response={201: s.WarehouseOut, **E})
def create_warehouse(request: HttpRequest, data: s.WarehouseIn) -> Any:
    p = _p(request, "inv.warehouse.manage")
    return 201, actions.save_warehouse(p, **data.model_dump())


@router.put("/warehouses/mine", response={200: s.WarehouseOut | None, **E})
def set_my_warehouse(request: HttpRequest, data: s.MyWarehouseIn) -> Any:
    """The caller's own default warehouse (null clears it)."""
    p = _p(request, "inv.stock.view")
    return actions.set_my_warehouse(p, data.warehouse_id)


@router.patch("/warehouses/{int:warehouse_id}", response={200: s.WarehouseOut, **E})
def update_warehouse(request: HttpRequest, warehouse_id: int, data: s.WarehouseUpdate) -> Any:
    p = _p(request, "inv.warehouse.manage")
    Warehouse.objects.get(pk=warehouse_id)
    return actions.save_warehouse(p, warehouse_id, **_data(data))


@router.delete("/warehouses/{int:warehouse_id}", response={204: None, **E})
def close_warehouse(request: HttpRequest, warehouse_id: int) -> Any:
    """Deactivates the warehouse (204); nothing is deleted, since documents refer to it."""
    p = _p(request, "inv.warehouse.manage")
    Warehouse.objects.get(pk=warehouse_id)
    actions.save_warehouse(p, warehouse_id, is_active=False)
    return 204, None


@router.get("/locations", response=list[s.LocationOut])
def list_locations(request: HttpRequest, warehouse_id: int | None = None) -> Any:
    p = _p(request, "inv.stock.view")
    wid = warehouse_id if warehouse_id and 0 < warehouse_id < 2**63 else None
    return list(selectors.list_locations(p.tenant, wid))


@router.post("/locations", response={201: s.LocationOut, **E})
def create_location(request: HttpRequest, data: s.LocationIn) -> Any:
    p = _p(request, "inv.warehouse.manage")
    return 201, actions.save_location(p, **data.model_dump())


@router.patch("/locations/{int:location_id}", response={200: s.LocationOut, **E})
def update_location(request: HttpRequest, location_id: int, data: s.LocationUpdate) -> Any:
    p = _p(request, "inv.warehouse.manage")
    Location.objects.get(pk=location_id, usage="internal")
    return actions.save_location(p, location_id, **_data(data))


@router.delete("/locations/{int:location_id}", response={204: None, **E})
def deactivate_location(request: HttpRequest, location_id: int) -> Any:
    """Deactivates the location (204); nothing is deleted, since documents refer to it."""
    p = _p(request, "inv.warehouse.manage")
    Location.objects.get(pk=location_id, usage="internal")
    actions.save_location(p, location_id, is_active=False)
    return 204, None


@router.get("/settings", response=s.InventorySettingsOut)
def get_settings(request: HttpRequest) -> Any:
    _p(request, "inv.warehouse.manage")
    return actions.inventory_settings()


@router.put("/settings", response={200: s.InventorySettingsOut, **E})
def put_settings(request: HttpRequest, data: s.InventorySettingsIn) -> Any:
    p = _p(request, "inv.warehouse.manage")
    return actions.save_settings(p, **data.model_dump())


# --- stock -----------------------------------------------------------------------------------------


@router.get("/stock", response=list[s.StockLevelOut])
@paginate(LimitOffsetPagination)
def stock_levels(request: HttpRequest, q: str = "", warehouse_id: int | None = None) -> Any:
    p = _p(request, "inv.stock.view")
    wid = warehouse_id if warehouse_id and 0 < warehouse_id < 2**63 else None
    return selectors.stock_levels(p.tenant, q=q[:200], warehouse_id=wid)


@router.post("/reservations", response={201: s.ReservationOut, **E})
def reserve(request: HttpRequest, data: s.ReserveIn) -> Any:
    """Reserve stock for a document; 400 when not enough is available (one conditional update)."""
    p = _p(request, "inv.issue.create")
    product = Product.objects.get(pk=data.product_id)
    variant = ProductVariant.objects.get(pk=data.variant_id, product=product) if data.variant_id else None
    warehouse = Warehouse.objects.get(pk=data.warehouse_id)
    return 201, ledger.reserve(p.tenant, product, warehouse, data.quantity, data.for_document, variant=variant)


@router.post("/reservations/release", response={200: s.ReservationOut, **E})
def release(request: HttpRequest, data: s.ReleaseIn) -> Any:
    p = _p(request, "inv.issue.create")
    product = Product.objects.get(pk=data.product_id)
    variant = ProductVariant.objects.get(pk=data.variant_id, product=product) if data.variant_id else None
    warehouse = Warehouse.objects.get(pk=data.warehouse_id)
    amount = ledger.release(p.tenant, product, warehouse, data.quantity, data.for_document, variant=variant)
    return {"for_document": data.for_document, "quantity": amount}


@router.post("/putaway", response={201: s.MoveOut, **E})
def put_away(request: HttpRequest, data: s.PutAwayIn) -> Any:
    """Move stock between two locations of one warehouse. Serial-tracked goods move by ``serials`` (each
    must be at the from-location; the quantity is their number): one move per unit, the first is returned."""
    p = _p(request, "inv.receipt.create")
    return 201, actions.put_away(p, **data.model_dump())


# --- receipts and issues ---------------------------------------------------------------------------


def _movement(movement_id: int) -> StockMovement:
    return StockMovement.objects.prefetch_related("lines").get(pk=movement_id)  # type: ignore[no-any-return]


@router.get("/movements", response=list[s.MovementListItem])
@paginate(LimitOffsetPagination)
def list_movements(request: HttpRequest, kind: str = "", status: str = "") -> Any:
    _p(request, "inv.stock.view")
    qs = StockMovement.objects.all()
    if kind:
        qs = qs.filter(kind=kind[:10])
    if status:
        qs = qs.filter(status=status[:12])
    return qs


@router.post("/movements", response={201: s.MovementOut, **E})
def create_movement(request: HttpRequest, data: s.MovementIn) -> Any:
    """A draft goods receipt or goods issue; with ``validate: true`` it is validated (posted) in the same
    request and transaction (or waits for approval above the thresholds when the author cannot approve),
    so a refused validation creates nothing."""
    principal: Principal = request.auth  # type: ignore[attr-defined]
    payload = data.model_dump()
    validate = payload.pop("validate_now")
    payload["lines"] = [dict(ln) for ln in payload["lines"]]
    movement = actions.create_movement(principal, **payload, validate=validate)
    return 201, movement


@router.get("/movements/{int:movement_id}", response={200: s.MovementOut, 404: ErrorOut})
def get_movement(request: HttpRequest, movement_id: int) -> Any:
    _p(request, "inv.stock.view")
    return _movement(movement_id)


@router.patch("/movements/{int:movement_id}", response={200: s.MovementOut, **E})
def update_movement(request: HttpRequest, movement_id: int, data: s.MovementUpdate) -> Any:
    """Change a draft receipt or issue (header fields sent; ``lines`` sent replace all lines)."""
    principal: Principal = request.auth  # type: ignore[attr-defined]
    changes = data.model_dump(exclude_unset=True)
    if changes.get("lines") is not None:
        changes["lines"] = [dict(ln) for ln in changes["lines"]]
    actions.update_movement(principal, movement_id, changes)
    return _movement(movement_id)


def _doc_step(model: Any, action: str, perm: str | None, answer: Any = None) -> Any:
    """An endpoint that runs ``actions.<action>(principal, doc_id)`` on a document of ``model`` (404 for
    another tenant's id) after checking ``perm`` (the action checks its own rights too)."""

    def endpoint(request: HttpRequest, doc_id: int) -> Any:
        principal: Principal = request.auth  # type: ignore[attr-defined]
        if perm:
            principal.require(perm)
        model.objects.get(pk=doc_id)
        result = getattr(actions, action)(principal, doc_id)
        return answer(doc_id) if answer else result

    endpoint.__name__ = action
    return endpoint


def _steps(prefix: str, model: Any, out: Any, steps: Any, answer: Any = None) -> None:
    for path, action, perm in steps:
        router.post(
            f"/{prefix}/{{int:doc_id}}/{path}",
            response={200: out, **E},
            operation_id=f"inventory_{prefix.removesuffix('s')}_{path}",
        )(_doc_step(model, action, perm, answer))


_steps(
    "movements",
    StockMovement,
    s.MovementOut,
    (
        ("pick", "pick_issue", "inv.issue.create"),
        ("pack", "pack_issue", "inv.issue.create"),
        ("validate", "validate_movement", None),
        ("approve", "approve_movement", "inv.movement.approve"),
        ("cancel", "cancel_movement", None),
    ),
    answer=_movement,
)


@router.post("/movements/{int:movement_id}/scan", response={200: s.MovementLineOut, **E})
def scan_movement(request: HttpRequest, movement_id: int, data: s.MovementScanIn) -> Any:
    """A barcode scanner read on a draft receipt or issue: adds ``quantity`` (1, stock unit) of the
    scanned product to its line at that location (the scanner page's API)."""
    principal: Principal = request.auth  # type: ignore[attr-defined]
    StockMovement.objects.get(pk=movement_id)
    return actions.scan_movement(principal, movement_id, **data.model_dump())


@router.post("/movements/{int:movement_id}/landed-costs", response={201: s.LandedCostOut, **E})
def add_landed_cost(request: HttpRequest, movement_id: int, data: s.LandedCostIn) -> Any:
    """Add freight/duty/insurance to a posted receipt (publishes LandedCostAdded)."""
    p = _p(request, "inv.adjustment.create")
    StockMovement.objects.get(pk=movement_id)
    return 201, actions.add_landed_cost(p, movement_id, **data.model_dump())


# --- adjustments -----------------------------------------------------------------------------------


@router.get("/adjustments", response=list[s.DocListItem])
@paginate(LimitOffsetPagination)
def list_adjustments(request: HttpRequest) -> Any:
    _p(request, "inv.adjustment.create")
    return StockAdjustment.objects.all()


@router.post("/adjustments", response={201: s.AdjustmentOut, **E})
def create_adjustment(request: HttpRequest, data: s.AdjustmentIn) -> Any:
    p = _p(request, "inv.adjustment.create")
    payload = data.model_dump()
    return 201, actions.create_adjustment(p, **payload)


@router.get("/adjustments/{int:adjustment_id}", response={200: s.AdjustmentOut, 404: ErrorOut})
def get_adjustment(request: HttpRequest, adjustment_id: int) -> Any:
    _p(request, "inv.adjustment.create")
    return StockAdjustment.objects.get(pk=adjustment_id)


_steps(
    "adjustments",
    StockAdjustment,
    s.AdjustmentOut,
    (
        ("approve", "approve_adjustment", "inv.movement.approve"),
        ("reject", "reject_adjustment", "inv.movement.approve"),
    ),
)


# --- transfers -------------------------------------------------------------------------------------


@router.get("/transfers", response=list[s.DocListItem])
@paginate(LimitOffsetPagination)
def list_transfers(request: HttpRequest) -> Any:
    _p(request, "inv.stock.view")
    return StockTransfer.objects.all()


@router.post("/transfers", response={201: s.TransferOut, **E})
def create_transfer(request: HttpRequest, data: s.TransferIn) -> Any:
    p = _p(request, "inv.transfer.create")
    return 201, actions.create_transfer(p, **data.model_dump())


@router.get("/transfers/{int:transfer_id}", response={200: s.TransferOut, 404: ErrorOut})
def get_transfer(request: HttpRequest, transfer_id: int) -> Any:
    _p(request, "inv.stock.view")
    return StockTransfer.objects.get(pk=transfer_id)


_steps(
    "transfers",
    StockTransfer,
    s.TransferOut,
    (
        ("approve", "approve_transfer", "inv.transfer.approve"),
        ("ship", "ship_transfer", "inv.transfer.execute"),
        ("cancel", "cancel_transfer", "inv.transfer.approve"),
    ),
)


@router.post("/transfers/{int:transfer_id}/receive", response={200: s.TransferOut, **E})
def receive_transfer(request: HttpRequest, transfer_id: int, data: s.TransferReceiveIn) -> Any:
    p = _p(request, "inv.transfer.execute")
    StockTransfer.objects.get(pk=transfer_id)
    return actions.receive_transfer(p, transfer_id, data.location_id, data.serials)


# --- counts ----------------------------------------------------------------------------------------


@router.get("/counts", response=list[s.DocListItem])
@paginate(LimitOffsetPagination)
def list_counts(request: HttpRequest) -> Any:
    _p(request, "inv.count.perform")
    return InventoryCount.objects.all()


@router.post("/counts", response={201: s.CountOut, **E})
def create_count(request: HttpRequest, data: s.CountIn) -> Any:
    p = _p(request, "inv.count.create")
    return 201, actions.create_count(p, **data.model_dump())


@router.get("/counts/{int:count_id}", response={200: s.CountOut, 404: ErrorOut})
def get_count(request: HttpRequest, count_id: int) -> Any:
    _p(request, "inv.count.perform")
    return InventoryCount.objects.get(pk=count_id)


@router.post("/counts/{int:count_id}/entries", response={200: s.CountOut, **E})
def record_counts(request: HttpRequest, count_id: int, data: s.CountEntriesIn) -> Any:
    p = _p(request, "inv.count.perform")
    InventoryCount.objects.get(pk=count_id)
    return actions.record_counts(p, count_id, [e.model_dump() for e in data.entries])


@router.post("/counts/{int:count_id}/scan", response={200: s.CountLineOut, **E})
def scan(request: HttpRequest, count_id: int, data: s.ScanIn) -> Any:
    """A barcode scanner read: adds ``quantity`` (1) to the counted quantity of the product. A serial-tracked
    product counts one unit per read: its code with ``serial``, or the serial number alone as ``code``."""
    p = _p(request, "inv.count.perform")
    InventoryCount.objects.get(pk=count_id)
    return actions.scan_count(p, count_id, **data.model_dump())


_steps(
    "counts",
    InventoryCount,
    s.CountOut,
    (
        ("submit", "submit_count", "inv.count.perform"),
        ("approve", "approve_count", "inv.count.approve"),
        ("cancel", "cancel_count", "inv.count.create"),
    ),
)


# --- reports and traceability ----------------------------------------------------------------------


def _answer(request: HttpRequest, report: reports.Report, format: str, json: Any = None) -> Any:
    """``format=json`` (default): ``json`` (the endpoint's own shape) or the report table; ``xlsx``/``pdf``:
    the same file as the page's export (503 when the machine has no Unicode font for the PDF)."""
    if format == "json":
        return report.as_json() if json is None else json
    return reports.file_response(
        report,
        format,
        unavailable=lambda text: HttpResponse(dumps({"detail": text}), status=503, content_type="application/json"),
    )


def _id(value: int | None) -> int | None:
    return value if value and 0 < value < 2**63 else None


FILE = {503: ErrorOut}


@router.get("/reports/valuation", response={200: s.ValuationOut, 403: ErrorOut, **FILE})
def valuation(
    request: HttpRequest, as_of: Date | None = None, warehouse_id: int | None = None, format: s.ReportFormat = "json"
) -> Any:
    """Quantity and value per product × warehouse as of a date, from the ledger."""
    p = _p(request, "inv.report.view")
    wid = _id(warehouse_id)
    warehouse = Warehouse.objects.get(pk=wid) if wid else None
    report = reports.valuation(p.tenant, as_of or timezone.localdate(), warehouse)
    json = {
        "as_of": report.summary["as_of"],
        "rows": report.rows,
        "total_value": report.totals["value"],
        "in_transit_value": report.summary["in_transit_value"],
    }
    return _answer(request, report, format, json)


@router.get("/reports/stock-on-hand", response={200: s.ReportOut, 403: ErrorOut, **FILE})
def stock_on_hand(
    request: HttpRequest, q: str = "", warehouse_id: int | None = None, format: s.ReportFormat = "json"
) -> Any:
    """Stock on hand per product × warehouse; the value column only for members with ``inv.report.view``."""
    p = _p(request, "inv.stock.view")
    report = reports.stock_on_hand(
        p.tenant, q=q[:200], warehouse_id=_id(warehouse_id), show_value=p.has("inv.report.view")
    )
    return _answer(request, report, format)


@router.get("/reports/movements", response={200: s.ReportOut, 403: ErrorOut, **FILE})
def movement_report(request: HttpRequest, product_id: int | None = None, format: s.ReportFormat = "json") -> Any:
    """The latest 2,000 moves of the ledger (of one product, or all), newest first."""
    p = _p(request, "inv.report.view")
    return _answer(request, reports.movement_history(p.tenant, product_id=_id(product_id)), format)


@router.get("/reports/in-out", response={200: s.ReportOut, 400: ErrorOut, 403: ErrorOut, **FILE})
def in_out(
    request: HttpRequest,
    date_from: Date,
    date_to: Date,
    warehouse_id: int | None = None,
    format: s.ReportFormat = "json",
) -> Any:
    """In, out and balance by period ("nhập – xuất – tồn") per product × warehouse."""
    p = _p(request, "inv.report.view")
    if date_from > date_to:
        return 400, {"detail": "date_from must not be after date_to"}
    return _answer(request, reports.movement_summary(p.tenant, date_from, date_to, _id(warehouse_id)), format)


@router.get("/reports/expiring", response={200: s.ReportOut, 403: ErrorOut, **FILE})
def expiring(request: HttpRequest, days: int = 30, format: s.ReportFormat = "json") -> Any:
    """Lots expiring within ``days`` days (0–3650) with their quantity on hand."""
    p = _p(request, "inv.report.view")
    return _answer(request, reports.expiring(p.tenant, max(0, min(days, 3650)), timezone.localdate()), format)


@router.get("/reports/expired", response={200: s.ReportOut, 403: ErrorOut, **FILE})
def expired(request: HttpRequest, format: s.ReportFormat = "json") -> Any:
    """Lots still in stock whose expiry date has passed."""
    p = _p(request, "inv.report.view")
    return _answer(request, reports.expired(p.tenant, timezone.localdate()), format)


@router.get("/reports/below-reorder", response={200: s.ReportOut, 403: ErrorOut, **FILE})
def below_reorder(request: HttpRequest, warehouse_id: int | None = None, format: s.ReportFormat = "json") -> Any:
    """Products whose available stock is below the reorder level, once per product × warehouse."""
    p = _p(request, "inv.stock.view")
    return _answer(request, reports.below_reorder(p.tenant, _id(warehouse_id)), format)


@router.get("/counts/{int:count_id}/variance", response={200: s.ReportOut, 403: ErrorOut, 404: ErrorOut, **FILE})
def count_variance(request: HttpRequest, count_id: int, format: s.ReportFormat = "json") -> Any:
    """The variance report of a count (values estimated at the average cost until approval)."""
    p = _p(request, "inv.count.perform")
    count = InventoryCount.objects.select_related("warehouse").get(pk=count_id)
    return _answer(request, reports.count_variance(p.tenant, count), format)


@router.get("/moves", response=list[s.MoveOut])
@paginate(LimitOffsetPagination)
def moves(
    request: HttpRequest, product_id: int | None = None, date_from: Date | None = None, date_to: Date | None = None
) -> Any:
    """The stock ledger (movement history), newest first."""
    p = _p(request, "inv.stock.view")
    pid = product_id if product_id and 0 < product_id < 2**63 else None
    return selectors.movement_history(p.tenant, product_id=pid, date_from=date_from, date_to=date_to)


@router.get("/lots", response=list[s.LotOut])
def list_lots(request: HttpRequest, product_id: int) -> Any:
    _p(request, "inv.stock.view")
    if not 0 < product_id < 2**63:
        return []
    return list(LotNumber.objects.filter(product_id=product_id))


@router.get("/lots/{int:lot_id}/trace", response={200: s.TraceOut, 404: ErrorOut})
def trace_lot(request: HttpRequest, lot_id: int) -> Any:
    """Where a lot came from and where it went."""
    p = _p(request, "inv.stock.view")
    lot, lot_moves = selectors.trace_lot(p.tenant, lot_id)
    return {"lot": lot, "moves": list(lot_moves)}


@router.get("/serials/{int:serial_id}/trace", response={200: s.TraceOut, 404: ErrorOut})
def trace_serial(request: HttpRequest, serial_id: int) -> Any:
    p = _p(request, "inv.stock.view")
    serial, serial_moves = selectors.trace_serial(p.tenant, serial_id)
    return {"serial": serial.code, "moves": list(serial_moves)}


@router.get("/reports/abc", response={200: list[s.AbcRowOut], 400: ErrorOut, 403: ErrorOut, **FILE})
def abc(
    request: HttpRequest,
    date_from: Date,
    date_to: Date,
    a_cut: int = 80,
    b_cut: int = 15,
    format: s.ReportFormat = "json",
) -> Any:
    """ABC classes by consumption value in the period (A up to ``a_cut`` %, B the next ``b_cut`` %)."""
    p = _p(request, "inv.report.view")
    if not (1 <= a_cut <= 98 and 1 <= b_cut <= 99 - a_cut):
        return 400, {"detail": "1 ≤ a_cut ≤ 98 and 1 ≤ b_cut ≤ 99 − a_cut"}
    report = reports.abc(p.tenant, date_from, date_to, a_cut, b_cut)
    return _answer(request, report, format, report.rows)


@router.get("/reports/slow-moving", response={200: list[s.SlowRowOut], 403: ErrorOut, **FILE})
def slow_moving(request: HttpRequest, days: int = 90, format: s.ReportFormat = "json") -> Any:
    """Products in stock with no goods issued for ``days`` days."""
    p = _p(request, "inv.report.view")
    report = reports.slow_moving(p.tenant, max(1, min(days, 3650)), timezone.localdate())
    return _answer(request, report, format, report.rows)


@router.get("/reorder-rules", response=list[s.ReorderRuleOut])
def list_reorder_rules(request: HttpRequest, product_id: int | None = None) -> Any:
    from novasaas.inventory.models import ReorderRule

    _p(request, "inv.stock.view")
    qs = ReorderRule.objects.all()
    if product_id and 0 < product_id < 2**63:
        qs = qs.filter(product_id=product_id)
    return list(qs)


@router.put("/reorder-rules", response={200: s.ReorderRuleOut | None, **E})
def put_reorder_rule(request: HttpRequest, data: s.ReorderRuleIn) -> Any:
    """Reorder level and quantity of a product in a warehouse (both 0 removes the rule)."""
    p = _p(request, "inv.reorder.configure")
    return actions.set_reorder_rule(p, **data.model_dump())


@router.get("/reports/stock-card", response={200: s.StockCardOut, 403: ErrorOut, 404: ErrorOut, **FILE})
def stock_card(
    request: HttpRequest,
    product_id: int,
    warehouse_id: int,
    date_from: Date,
    date_to: Date,
    format: s.ReportFormat = "json",
) -> Any:
    """The stock card ("thẻ kho") of a product in a warehouse: opening balance and running balance."""
    p = _p(request, "inv.report.view")
    if not (_id(product_id) and _id(warehouse_id)):
        return 404, {"detail": "Not found."}
    product = Product.objects.get(pk=product_id)
    warehouse = Warehouse.objects.get(pk=warehouse_id)
    report = reports.stock_card(p.tenant, product, warehouse, date_from, date_to)
    json = {**report.summary, "lines": [r for r in report.rows if not r.get("_opening")]}
    return _answer(request, report, format, json)
