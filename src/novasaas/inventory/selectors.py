"""Read queries and reports of Inventory. Other modules read inventory data only through this file."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date as Date
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.db import connection
from django.db.models import Q, QuerySet, Sum

from novasaas.inventory.models import (
    Category,
    InventoryCount,
    Location,
    LocationUsage,
    LotNumber,
    Product,
    SerialNumber,
    Stock,
    StockAdjustment,
    StockMove,
    StockMovement,
    StockPeriodBalance,
    StockQuant,
    StockTransfer,
    Unit,
    ValueEntry,
    Warehouse,
)
from novasaas.platform.collation import by_name
from novasaas.platform.models import Tenant

ZERO = Decimal(0)


def _unaccent(text: str) -> str:
    from novasaas.parties.text import unaccent

    return unaccent(text)


def search_products(
    tenant: Tenant,
    q: str = "",
    *,
    category_id: int | None = None,
    kind: str | None = None,
    include_inactive: bool = False,
) -> QuerySet[Product]:
    """Products of ``tenant`` matching every word of ``q`` in SKU, name, barcode or variant SKU
    (accent-insensitive)."""
    qs = Product.objects.filter(tenant=tenant)
    if not include_inactive:
        qs = qs.filter(is_active=True)
    if category_id:
        qs = qs.filter(category_id=category_id)
    if kind:
        qs = qs.filter(kind=kind)
    for word in _unaccent(q).split()[:8]:
        qs = qs.filter(search_text__contains=word)
    return by_name(qs.select_related("category__parent", "stock_unit", "purchase_unit"), "name")


def get_product(tenant: Tenant, product_id: int) -> Product:
    return (  # type: ignore[no-any-return]
        Product.objects.filter(tenant=tenant)
        .select_related("category", "stock_unit", "purchase_unit")
        .prefetch_related("variants")
        .get(pk=product_id)
    )


def list_categories(tenant: Tenant, include_inactive: bool = False) -> list[Category]:
    qs = Category.objects.filter(tenant=tenant).select_related("parent")
    if not include_inactive:
        qs = qs.filter(is_active=True)
    return sorted(qs, key=lambda c: c.path().lower())


def list_units(tenant: Tenant, include_inactive: bool = False) -> QuerySet[Unit]:
    qs = Unit.objects.filter(tenant=tenant).select_related("base")
    return qs if include_inactive else qs.filter(is_active=True)


def list_warehouses(tenant: Tenant, include_inactive: bool = False) -> QuerySet[Warehouse]:
    qs = Warehouse.objects.filter(tenant=tenant)
    return qs if include_inactive else qs.filter(is_active=True)


def list_locations(tenant: Tenant, warehouse_id: int | None = None) -> QuerySet[Location]:
    qs = (
        Location.objects.filter(tenant=tenant).select_related("warehouse", "parent").order_by("warehouse__code", "code")
    )
    if warehouse_id:
        qs = qs.filter(warehouse_id=warehouse_id)
    return qs


# --- stock -----------------------------------------------------------------------------------------


def available(tenant: Tenant, product_id: int, warehouse_id: int, variant_id: int | None = None) -> Decimal:
    """Available (on hand − reserved) of a product in a warehouse: what Sales may promise."""
    stock = Stock.objects.filter(
        tenant=tenant, product_id=product_id, warehouse_id=warehouse_id, variant_key=variant_id or 0
    ).first()
    return stock.available if stock else ZERO


def stock_levels(
    tenant: Tenant, *, q: str = "", warehouse_id: int | None = None, product_id: int | None = None
) -> QuerySet[Stock]:
    """Per product × warehouse: on hand, reserved, value (rows with anything in them)."""
    qs = Stock.objects.filter(tenant=tenant).exclude(on_hand=0, reserved=0)
    if warehouse_id:
        qs = qs.filter(warehouse_id=warehouse_id)
    if product_id:
        qs = qs.filter(product_id=product_id)
    for word in _unaccent(q).split()[:8]:
        qs = qs.filter(product__search_text__contains=word)
    return qs.select_related("product", "product__stock_unit", "variant", "warehouse").order_by(
        "product__name", "warehouse__code"
    )


def stock_locations(tenant: Tenant, product_id: int, warehouse_id: int | None = None) -> QuerySet[StockQuant]:
    """Where a product is: on hand per location and lot (transit included)."""
    qs = StockQuant.objects.filter(tenant=tenant, product_id=product_id).exclude(on_hand=0)
    if warehouse_id:
        qs = qs.filter(warehouse_id=warehouse_id)
    return qs.select_related("location", "lot", "variant", "warehouse").order_by(
        "warehouse__code", "location__code", "lot__expires_on"
    )


@dataclass
class Ref:
    """A light reference to a product or warehouse in reports (no model instance per row)."""

    pk: int
    sku: str = ""
    code: str = ""
    name: str = ""


@dataclass
class ValuationRow:
    product: Ref
    warehouse: Ref
    quantity: Decimal
    value: Decimal

    @property
    def average_cost(self) -> Decimal:
        return (self.value / self.quantity).quantize(Decimal("0.01")) if self.quantity else ZERO


def valuation(tenant: Tenant, as_of: Date | None = None, warehouse_id: int | None = None) -> list[ValuationRow]:
    """Quantity and value per product × warehouse at the end of ``as_of`` (everything when None), ordered
    by warehouse code and product name: ``valuation_table`` as rows with product and warehouse refs."""
    warehouses: dict[int, Ref] = {}
    rows = []
    for pid, sku, name, wid, code, wh_name, q, v in valuation_table(tenant, as_of, warehouse_id):
        wh = warehouses.get(wid)
        if wh is None:
            wh = warehouses[wid] = Ref(wid, code=code, name=wh_name)
        rows.append(ValuationRow(Ref(pid, sku=sku, name=name), wh, q, v))
    return rows


# (product_id, sku, name, warehouse_id, warehouse code, warehouse name, quantity, value)
ValuationTuple = tuple[int, str, str, int, str, str, Decimal, Decimal]


def valuation_table(tenant: Tenant, as_of: Date | None = None, warehouse_id: int | None = None) -> list[ValuationTuple]:
    """Quantity and value per product × warehouse at the end of ``as_of`` (everything when None) as plain
    tuples ``(product_id, sku, name, warehouse_id, warehouse_code, warehouse_name, quantity, value)``,
    ordered by warehouse code, product name and product id; keys whose quantity and value are both zero
    are left out; variants of a product add up.

    Now (or when nothing is dated after ``as_of``): the stock rows, kept equal to the ledger in every
    transaction (``verify_stock``). In the past: the monthly closing balances (``StockPeriodBalance``) —
    the latest closing before ``as_of``'s month plus that month's moves and value entries up to
    ``as_of``, or, in the second half of the month, the month's own closing minus what is dated after
    ``as_of`` — so the cost is one read per product × warehouse and at most half a month of moves,
    however long the history. One SQL statement adds everything up on the stored scaled integers
    (exact), so Python sees only the final rows. Goods in transit are in no warehouse
    (``in_transit_value``)."""
    params: dict[str, Any] = {"tenant": tenant.pk, "warehouse": warehouse_id, "internal": LocationUsage.INTERNAL.value}
    wh_filter = " AND warehouse_id = %(warehouse)s" if warehouse_id else ""
    # table and column names only are formatted into the SQL below; values are parameters
    if as_of is None or not _dated_after(tenant, as_of):
        ctes = [
            f"parts AS (SELECT product_id, warehouse_id, on_hand AS q, value AS v FROM {Stock._meta.db_table}"  # noqa: S608
            f" WHERE tenant_id = %(tenant)s{wh_filter})"
        ]
    else:
        first = as_of.replace(day=1)
        next_month = (first + timedelta(days=32)).replace(day=1)
        if as_of.day <= 15:
            # closing of the month before, plus the month's entries dated up to as_of
            params.update(period=first, date_from=first, date_to=as_of, sign=1)
            closing = "<"
        else:
            # closing of as_of's month, minus the month's entries dated after as_of
            params.update(period=first, date_from=as_of + timedelta(days=1), date_to=next_month - timedelta(days=1))
            params["sign"] = -1
            closing = "<="
        parts = _latest_closings_sql(closing, warehouse_id) + _dated_parts(wh_filter)
        ctes = [*_dated_ctes(wh_filter), f"parts AS ({parts})"]
    if connection.vendor == "sqlite":
        params = {k: v.isoformat() if isinstance(v, Date) else v for k, v in params.items()}
    sql = (
        f"WITH {', '.join(ctes)}"  # noqa: S608
        " SELECT product_id, warehouse_id, CAST(SUM(q) AS BIGINT), CAST(SUM(v) AS BIGINT) FROM parts"
        " GROUP BY product_id, warehouse_id HAVING SUM(q) <> 0 OR SUM(v) <> 0"
    )
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # for this statement alone: no JIT compilation (it costs more, ~70 ms, than it saves), no memoizing
            # of the closing probes (every probe is a different key: ~20 % slower with it), and enough memory
            # to sum ~100,000 rows of 50,000 keys without spilling to disk
            settings = {"jit": "off", "enable_memoize": "off", "work_mem": "64MB"}
            cursor.execute("SELECT " + ", ".join("current_setting(%s)" for _ in settings), list(settings))
            before = dict(zip(settings, cursor.fetchone() or (), strict=True))
            cursor.execute("SELECT " + ", ".join("set_config(%s, %s, true)" for _ in settings), _flat(settings))
            cursor.execute(sql, params)
            totals = cursor.fetchall()
            cursor.execute("SELECT " + ", ".join("set_config(%s, %s, true)" for _ in settings), _flat(before))
        else:
            cursor.execute(sql, params)
            totals = cursor.fetchall()
    # names are joined and rows sorted here: the database's estimate of the summed rows is poor (it picks
    # 50,000 index probes of the products) and Python's sort is code-point order on every database
    products = Product.objects.filter(tenant=tenant)
    if len(totals) <= 500:  # a long IN list costs more than reading every product (0.6 s for 10,000)
        products = products.filter(pk__in={t[0] for t in totals})
    names = {pk: (sku, name) for pk, sku, name in products.values_list("pk", "sku", "name")}
    houses = {
        pk: (code, name) for pk, code, name in Warehouse.objects.filter(tenant=tenant).values_list("pk", "code", "name")
    }
    # the stock rows, closings, moves and value entries share the scales of these two fields
    q_exp, v_exp = -_scale(Stock, "on_hand"), -_scale(Stock, "value")
    rows = [
        (pid, *names[pid], wid, *houses[wid], Decimal(q).scaleb(q_exp), Decimal(v).scaleb(v_exp))
        for pid, wid, q, v in totals
    ]
    rows.sort(key=lambda r: (r[4], r[2], r[0]))
    return rows  # type: ignore[return-value]


def _flat(settings: dict[str, str]) -> list[str]:
    return [x for item in settings.items() for x in item]


def _scale(model: Any, field: str) -> int:
    return model._meta.get_field(field).scale  # type: ignore[no-any-return]


def _latest_closings_sql(op: str, warehouse_id: int | None) -> str:
    """Per product × variant × warehouse, the latest monthly closing before ``%(period)s`` (``op`` ``<``)
    or of that month itself (``<=``), as (product, warehouse, q, v)."""
    table = StockPeriodBalance._meta.db_table
    if connection.vendor == "postgresql":
        # one backward probe of the unique index (tenant, product, variant_key, warehouse, period) per stock
        # row: one closing read per key however many months it has (every closing's key has a stock row:
        # the ledger writes closings on the locked stock row)
        wh_filter = " AND s.warehouse_id = %(warehouse)s" if warehouse_id else ""
        return (
            f"SELECT s.product_id, s.warehouse_id, b.quantity AS q, b.value AS v FROM {Stock._meta.db_table} s"  # noqa: S608
            f" CROSS JOIN LATERAL (SELECT quantity, value FROM {table} b WHERE b.tenant_id = s.tenant_id"
            " AND b.product_id = s.product_id AND b.variant_key = s.variant_key AND b.warehouse_id = s.warehouse_id"
            f" AND b.period {op} %(period)s ORDER BY b.period DESC LIMIT 1) b WHERE s.tenant_id = %(tenant)s{wh_filter}"
        )
    wh_filter = " AND warehouse_id = %(warehouse)s" if warehouse_id else ""
    return (
        f"SELECT b.product_id, b.warehouse_id, b.quantity AS q, b.value AS v FROM {table} b"  # noqa: S608
        " JOIN (SELECT product_id, variant_key, warehouse_id, MAX(period) AS period"
        f" FROM {table} WHERE tenant_id = %(tenant)s AND period {op} %(period)s{wh_filter}"
        " GROUP BY product_id, variant_key, warehouse_id) l"
        " ON b.tenant_id = %(tenant)s AND b.product_id = l.product_id AND b.variant_key = l.variant_key"
        " AND b.warehouse_id = l.warehouse_id AND b.period = l.period"
    )


def _dated_ctes(wh_filter: str) -> list[str]:
    """``moved``: the moves dated ``%(date_from)s``..``%(date_to)s`` per product and source and destination
    warehouse (None outside the warehouses, or outside ``%(warehouse)s`` when given)."""
    return [
        f"loc AS (SELECT id, warehouse_id FROM {Location._meta.db_table}"  # noqa: S608
        f" WHERE tenant_id = %(tenant)s AND usage = %(internal)s{wh_filter})",
        "moved AS (SELECT m.product_id, s.warehouse_id AS src, d.warehouse_id AS dst,"  # noqa: S608
        f" SUM(m.quantity) AS q, SUM(m.value) AS v FROM {StockMove._meta.db_table} m"
        " LEFT JOIN loc s ON s.id = m.from_location_id LEFT JOIN loc d ON d.id = m.to_location_id"
        " WHERE m.tenant_id = %(tenant)s AND m.date >= %(date_from)s AND m.date <= %(date_to)s"
        " AND (s.id IS NOT NULL OR d.id IS NOT NULL)"
        " GROUP BY m.product_id, s.warehouse_id, d.warehouse_id)",
    ]


def _dated_parts(wh_filter: str) -> str:
    """What came in (× sign), what went out (× −sign; moves inside one warehouse count neither way) and
    the value entries (× sign) of the dated range, as (product, warehouse, q, v)."""
    return (
        " UNION ALL SELECT product_id, dst, %(sign)s * q, %(sign)s * v FROM moved"  # noqa: S608
        " WHERE dst IS NOT NULL AND (src IS NULL OR src <> dst)"
        " UNION ALL SELECT product_id, src, -%(sign)s * q, -%(sign)s * v FROM moved"
        " WHERE src IS NOT NULL AND (dst IS NULL OR src <> dst)"
        f" UNION ALL SELECT product_id, warehouse_id, 0, %(sign)s * value FROM {ValueEntry._meta.db_table}"
        " WHERE tenant_id = %(tenant)s AND date >= %(date_from)s AND date <= %(date_to)s"
        f"{wh_filter}"
    )


def _dated_after(tenant: Tenant, as_of: Date) -> bool:
    return (
        StockMove.objects.filter(tenant=tenant, date__gt=as_of).exists()
        or ValueEntry.objects.filter(tenant=tenant, date__gt=as_of).exists()
    )


def stock_on_hand_rows(tenant: Tenant, warehouse_id: int | None = None) -> list[tuple[Any, ...]]:
    """The full stock-on-hand report as tuples (sku, name, warehouse, on hand, reserved, unit, value)."""
    qs = Stock.objects.filter(tenant=tenant).exclude(on_hand=0, reserved=0)
    if warehouse_id:
        qs = qs.filter(warehouse_id=warehouse_id)
    return list(
        qs.order_by("product__name", "warehouse__code").values_list(
            "product__sku",
            "product__name",
            "warehouse__code",
            "on_hand",
            "reserved",
            "product__stock_unit__code",
            "value",
        )
    )


def in_transit_value(tenant: Tenant, as_of: Date | None = None) -> Decimal:
    """Value of goods shipped between warehouses and not yet received, at the end of ``as_of``."""
    transit = Location.objects.filter(tenant=tenant, usage=LocationUsage.TRANSIT).first()
    if transit is None:
        return ZERO
    moves = StockMove.objects.filter(tenant=tenant)
    if as_of is not None:
        moves = moves.filter(date__lte=as_of)
    v_in = moves.filter(to_location=transit).aggregate(v=Sum("value"))["v"] or ZERO
    v_out = moves.filter(from_location=transit).aggregate(v=Sum("value"))["v"] or ZERO
    return v_in - v_out  # type: ignore[no-any-return]


@dataclass(frozen=True)
class TransitValue:
    """Value of one transfer still on the road at a date (for Accounting's per-account reconciliation)."""

    transfer_id: int
    from_warehouse_id: int
    to_warehouse_id: int
    value: Decimal


def in_transit_by_transfer(tenant: Tenant, as_of: Date | None = None) -> list[TransitValue]:
    """Goods in transit at the end of ``as_of``, per transfer (Σ value = ``in_transit_value``)."""
    transit = Location.objects.filter(tenant=tenant, usage=LocationUsage.TRANSIT).first()
    if transit is None:
        return []
    moves = StockMove.objects.filter(tenant=tenant, document_type="inventory.transfer")
    if as_of is not None:
        moves = moves.filter(date__lte=as_of)
    value: dict[int, Decimal] = {}
    for loc_field, sign in (("to_location", 1), ("from_location", -1)):
        rows = moves.filter(**{loc_field: transit}).values("document_id").annotate(v=Sum("value"))
        for row in rows:
            value[row["document_id"]] = value.get(row["document_id"], ZERO) + sign * (row["v"] or ZERO)
    open_ids = [doc for doc, v in value.items() if v]
    transfers = StockTransfer.objects.filter(tenant=tenant, pk__in=open_ids).values_list(
        "pk", "from_warehouse_id", "to_warehouse_id"
    )
    return [TransitValue(pk, src, dst, value[pk]) for pk, src, dst in sorted(transfers)]


def get_warehouse(tenant: Tenant, warehouse_id: int) -> Warehouse | None:
    """A warehouse of ``tenant`` (closed ones included), or None."""
    return Warehouse.objects.filter(tenant=tenant, pk=warehouse_id).first()


def movement_history(
    tenant: Tenant,
    *,
    product_id: int | None = None,
    warehouse_id: int | None = None,
    date_from: Date | None = None,
    date_to: Date | None = None,
) -> QuerySet[StockMove]:
    qs = StockMove.objects.filter(tenant=tenant)
    if product_id:
        qs = qs.filter(product_id=product_id)
    if warehouse_id:
        qs = qs.filter(Q(from_location__warehouse_id=warehouse_id) | Q(to_location__warehouse_id=warehouse_id))
    if date_from:
        qs = qs.filter(date__gte=date_from)
    if date_to:
        qs = qs.filter(date__lte=date_to)
    return qs.select_related("product", "from_location", "to_location", "lot", "serial").order_by("-date", "-id")


@dataclass
class BelowReorderRow:
    product_id: int
    sku: str
    name: str
    unit: str
    warehouse_id: int
    warehouse_code: str
    on_hand: Decimal
    reserved: Decimal
    reorder_level: Decimal
    reorder_quantity: Decimal

    @property
    def available(self) -> Decimal:
        return self.on_hand - self.reserved


def below_reorder_level(tenant: Tenant, warehouse_id: int | None = None) -> list[BelowReorderRow]:
    """Product × warehouse pairs whose available stock (all variants, reservations counted) is below the
    reorder level now: the warehouse's ``ReorderRule`` where there is one (even with nothing in stock),
    else the product's own level where the product has stock rows in that warehouse. One row per pair,
    whatever the alert history; active goods and warehouses only."""
    from novasaas.inventory.models import ReorderRule

    rules = ReorderRule.objects.filter(tenant=tenant, reorder_level__gt=0)
    stocks = Stock.objects.filter(tenant=tenant).filter(
        Q(product__reorder_level__gt=0) | Q(product_id__in=rules.values("product_id"))
    )
    if warehouse_id:
        rules = rules.filter(warehouse_id=warehouse_id)
        stocks = stocks.filter(warehouse_id=warehouse_id)
    levels: dict[tuple[int, int], tuple[Decimal, Decimal]] = {
        (r.product_id, r.warehouse_id): (r.reorder_level, r.reorder_quantity) for r in rules
    }
    amounts: dict[tuple[int, int], tuple[Decimal, Decimal]] = {
        (p, w): (q or ZERO, r or ZERO)
        for p, w, q, r in stocks.values("product_id", "warehouse_id")
        .annotate(q=Sum("on_hand"), r=Sum("reserved"))
        .values_list("product_id", "warehouse_id", "q", "r")
    }
    ruled_pairs = set(
        ReorderRule.objects.filter(tenant=tenant).values_list("product_id", "warehouse_id")
    )  # a rule, even with level 0, replaces the product's own level in its warehouse
    products = {
        p.pk: p
        for p in Product.objects.filter(
            tenant=tenant, is_active=True, pk__in={k[0] for k in levels} | {k[0] for k in amounts}
        ).select_related("stock_unit")
    }
    warehouses = dict(Warehouse.objects.filter(tenant=tenant, is_active=True).values_list("pk", "code"))
    rows = []
    for key in set(levels) | set(amounts):
        product, code = products.get(key[0]), warehouses.get(key[1])
        if product is None or code is None or product.kind == "service":
            continue
        if key in levels:
            level, reorder_qty = levels[key]
        elif key in ruled_pairs:
            continue
        else:
            level, reorder_qty = product.reorder_level, product.reorder_quantity
        on_hand, reserved = amounts.get(key, (ZERO, ZERO))
        if level > 0 and on_hand - reserved < level:
            rows.append(
                BelowReorderRow(
                    product.pk,
                    product.sku,
                    product.name,
                    str(product.stock_unit),
                    key[1],
                    code,
                    on_hand,
                    reserved,
                    level,
                    reorder_qty,
                )
            )
    rows.sort(key=lambda r: (r.name, r.warehouse_code, r.product_id))
    return rows


def low_stock(tenant: Tenant) -> list[BelowReorderRow]:
    """What the dashboard and the reports page list as low stock (see ``below_reorder_level``)."""
    return below_reorder_level(tenant)


def count_lines(tenant: Tenant, count: InventoryCount) -> list[Any]:
    """The lines of a count with ``shown_value``: the posted variance value once approved, before that
    the variance at the warehouse's current average cost (the product's cost price when none)."""
    lines = list(count.lines.filter(tenant=tenant).select_related("product", "location", "lot", "variant"))
    done = count.status == "done"
    avg = {
        (st.product_id, st.variant_key): st.average_cost
        for st in Stock.objects.filter(
            tenant=tenant, warehouse=count.warehouse, product_id__in={ln.product_id for ln in lines}
        )
    }
    for ln in lines:
        variance = ln.variance
        ln.shown_value = (  # type: ignore[attr-defined]
            ln.value
            if done or variance is None
            else (variance * avg.get((ln.product_id, ln.variant_id or 0), ln.product.cost_price)).quantize(Decimal(1))
        )
    return lines


def pending_approvals(tenant: Tenant) -> int:
    return (
        StockMovement.objects.filter(tenant=tenant, status="pending").count()
        + StockAdjustment.objects.filter(tenant=tenant, status="pending").count()
        + StockTransfer.objects.filter(tenant=tenant, status="pending").count()
        + InventoryCount.objects.filter(tenant=tenant, status="pending").count()
    )


def stock_value(tenant: Tenant) -> Decimal:
    return Stock.objects.filter(tenant=tenant).aggregate(v=Sum("value"))["v"] or ZERO  # type: ignore[no-any-return]


def trace_lot(tenant: Tenant, lot_id: int) -> tuple[LotNumber, QuerySet[StockMove]]:
    """Every move of a lot: where it came from and where it went."""
    lot = LotNumber.objects.filter(tenant=tenant).select_related("product").get(pk=lot_id)
    moves = StockMove.objects.filter(tenant=tenant, lot=lot).select_related("from_location", "to_location")
    return lot, moves.order_by("date", "id")


def trace_serial(tenant: Tenant, serial_id: int) -> tuple[SerialNumber, QuerySet[StockMove]]:
    serial = SerialNumber.objects.filter(tenant=tenant).select_related("product", "location").get(pk=serial_id)
    moves = StockMove.objects.filter(tenant=tenant, serial=serial).select_related("from_location", "to_location")
    return serial, moves.order_by("date", "id")


def document_moves(tenant: Tenant, document_type: str, document_id: int) -> QuerySet[StockMove]:
    return (
        StockMove.objects.filter(tenant=tenant, document_type=document_type, document_id=document_id)
        .select_related("product", "from_location", "to_location", "lot", "serial")
        .order_by("id")
    )


def movement_with_lines(tenant: Tenant, movement_id: int) -> tuple[StockMovement, list[Any]]:
    """A stock document and its lines in order (product, ``stock_quantity``, ``value``): what another
    module reads of a receipt it reacts to (purchasing's receipts made in Inventory for an order)."""
    movement = StockMovement.objects.get(tenant=tenant, pk=movement_id)
    return movement, list(movement.lines.order_by("id"))


def serials_in_stock(tenant: Tenant, product_id: int) -> QuerySet[SerialNumber]:
    return SerialNumber.objects.filter(tenant=tenant, product_id=product_id, location__usage=LocationUsage.INTERNAL)


def expiring_lots(tenant: Tenant, before: Date, *, after: Date | None = None) -> list[tuple[LotNumber, Decimal]]:
    """Lots in stock expiring on or before ``before``; with ``after``, not those already expired by
    then (``expired_lots`` lists them separately)."""
    qs = StockQuant.objects.filter(tenant=tenant, lot__expires_on__lte=before, on_hand__gt=0)
    if after is not None:
        qs = qs.filter(lot__expires_on__gte=after)
    return _lots_with_quantity(qs, before)


def expired_lots(tenant: Tenant, today: Date) -> list[tuple[LotNumber, Decimal]]:
    """Lots still in stock whose expiry date is before ``today`` (to be written off or returned)."""
    qs = StockQuant.objects.filter(tenant=tenant, lot__expires_on__lt=today, on_hand__gt=0)
    return _lots_with_quantity(qs, today)


def _lots_with_quantity(qs: QuerySet[StockQuant], before: Date) -> list[tuple[LotNumber, Decimal]]:
    rows = qs.values("lot_id").annotate(q=Sum("on_hand"))
    lots = LotNumber.objects.select_related("product").in_bulk([r["lot_id"] for r in rows])
    return sorted(((lots[r["lot_id"]], r["q"]) for r in rows), key=lambda t: t[0].expires_on or before)


def stock_quantity(tenant: Tenant, product_id: int) -> Any:
    return Stock.objects.filter(tenant=tenant, product_id=product_id).aggregate(q=Sum("on_hand"), r=Sum("reserved"))


@dataclass
class AbcRow:
    product: Product
    quantity: Decimal
    value: Decimal
    share: Decimal  # percent of the total consumption value
    cumulative: Decimal
    klass: str


def abc_analysis(tenant: Tenant, date_from: Date, date_to: Date, *, a_cut: int = 80, b_cut: int = 15) -> list[AbcRow]:
    """ABC classes by consumption value (cost of goods issued to customers or used internally) in the
    period: A up to ``a_cut`` % of the cumulative value, B the next ``b_cut`` %, C the rest."""
    out_usages = [LocationUsage.CUSTOMER, LocationUsage.LOSS, LocationUsage.SUPPLIER]
    rows = (
        StockMove.objects.filter(
            tenant=tenant,
            date__gte=date_from,
            date__lte=date_to,
            from_location__usage=LocationUsage.INTERNAL,
            to_location__usage__in=out_usages,
        )
        .values("product_id")
        .annotate(q=Sum("quantity"), v=Sum("value"))
        .order_by("-v", "product_id")
    )
    total = sum((r["v"] for r in rows), ZERO)
    products = Product.objects.in_bulk([r["product_id"] for r in rows])
    result, running = [], ZERO
    for r in rows:
        share = (r["v"] * 100 / total) if total else ZERO
        before = running
        running += share
        klass = "A" if before < a_cut else ("B" if before < a_cut + b_cut else "C")
        result.append(
            AbcRow(
                products[r["product_id"]],
                r["q"],
                r["v"],
                share.quantize(Decimal("0.01")),
                running.quantize(Decimal("0.01")),
                klass,
            )
        )
    return result


def slow_moving(tenant: Tenant, since: Date) -> list[tuple[Product, Decimal, Date | None]]:
    """Products with stock on hand and no goods leaving a warehouse since ``since``: (product, on hand,
    date of the last outgoing move or None)."""
    on_hand = dict(
        Stock.objects.filter(tenant=tenant, on_hand__gt=0)
        .values("product_id")
        .annotate(q=Sum("on_hand"))
        .values_list("product_id", "q")
    )
    from django.db.models import Max

    last_out = dict(
        StockMove.objects.filter(tenant=tenant, product_id__in=list(on_hand), from_location__usage="internal")
        .exclude(to_location__usage="internal")
        .values("product_id")
        .annotate(d=Max("date"))
        .values_list("product_id", "d")
    )
    products = Product.objects.in_bulk(list(on_hand))
    rows = [
        (products[pid], q, last_out.get(pid))
        for pid, q in on_hand.items()
        if last_out.get(pid) is None or last_out[pid] < since
    ]
    return sorted(rows, key=lambda r: (r[2] or Date.min, r[0].name))


@dataclass
class CardLine:
    date: Date
    reference: str
    qty_in: Decimal
    qty_out: Decimal
    value_in: Decimal
    value_out: Decimal
    balance: Decimal
    balance_value: Decimal


def stock_card(
    tenant: Tenant, product_id: int, warehouse_id: int, date_from: Date, date_to: Date
) -> tuple[tuple[Decimal, Decimal], list[CardLine]]:
    """The stock card ("thẻ kho") of a product in a warehouse: the opening balance (quantity, value) on
    ``date_from`` and every move of the period with the running balance. Value-only entries (landed
    costs, revaluations) appear as lines without quantity."""
    locs = set(
        Location.objects.filter(tenant=tenant, warehouse_id=warehouse_id, usage=LocationUsage.INTERNAL).values_list(
            "pk", flat=True
        )
    )
    moves = (
        StockMove.objects.filter(tenant=tenant, product_id=product_id)
        .filter(Q(from_location_id__in=locs) | Q(to_location_id__in=locs))
        .exclude(from_location_id__in=locs, to_location_id__in=locs)
    )
    entries = ValueEntry.objects.filter(tenant=tenant, product_id=product_id, warehouse_id=warehouse_id)
    qty = value = ZERO
    for src, q, v in moves.filter(date__lt=date_from).values_list("from_location_id", "quantity", "value"):
        sign = -1 if src in locs else 1
        qty += sign * q
        value += sign * v
    value += entries.filter(date__lt=date_from).aggregate(v=Sum("value"))["v"] or ZERO
    opening = (qty, value)
    events: list[tuple[Any, ...]] = [
        (m.date, m.created_at, m.reference, m.from_location_id in locs, m.quantity, m.value)
        for m in moves.filter(date__gte=date_from, date__lte=date_to)
    ]
    events += [
        (e.date, e.created_at, e.reference, False, ZERO, e.value)
        for e in entries.filter(date__gte=date_from, date__lte=date_to)
    ]
    events.sort(key=lambda e: (e[0], e[1]))
    lines = []
    for on, _created, ref, out, q, v in events:
        qty += -q if out else q
        value += -v if out else v
        lines.append(
            CardLine(
                on, ref, ZERO if out else q, q if out else ZERO, ZERO if out else v, v if out else ZERO, qty, value
            )
        )
    return opening, lines


def cost_of_sales(tenant: Tenant, date_from: Date, date_to: Date) -> Decimal:
    """Cost of goods sold per the inventory ledger for ``date_from``–``date_to``: the value of goods
    issued for sale, less customer returns received, plus the COGS share of landed costs and
    revaluations — what Accounting posts to the ``cogs`` role (632) for those documents."""
    dated = {"tenant": tenant, "date__gte": date_from, "date__lte": date_to}
    sales = StockMovement.objects.filter(tenant=tenant, kind="issue", purpose="sale").values("pk")
    returns = StockMovement.objects.filter(tenant=tenant, kind="receipt", is_customer_return=True).values("pk")
    issued = StockMove.objects.filter(document_type="inventory.issue", document_id__in=sales, **dated)
    returned = StockMove.objects.filter(document_type="inventory.receipt", document_id__in=returns, **dated)
    extra = ValueEntry.objects.filter(**dated).aggregate(v=Sum("cogs_value"))["v"] or ZERO
    out = issued.aggregate(v=Sum("value"))["v"] or ZERO
    back = returned.aggregate(v=Sum("value"))["v"] or ZERO
    return Decimal(out) - Decimal(back) + Decimal(extra)


def product_categories(tenant: Tenant, product_ids: Any) -> dict[int, set[int]]:
    """For each product id: its category and that category's ancestors (ids; empty without a category).
    Used by Sales' coupons restricted to categories."""
    parents: dict[int, int | None] = dict(Category.objects.filter(tenant=tenant).values_list("pk", "parent_id"))
    found: dict[int, set[int]] = {}
    rows = Product.objects.filter(tenant=tenant, pk__in=list(product_ids)).values_list("pk", "category_id")
    for pid, category_id in rows:
        chain: set[int] = set()
        node: int | None = category_id
        while node is not None and node not in chain:
            chain.add(node)
            node = parents.get(node)
        found[pid] = chain
    return found


def products_by_sku(tenant: Tenant, skus: Any) -> dict[str, int]:
    """{sku: product id} of the given SKUs that exist (case as stored)."""
    return dict(Product.objects.filter(tenant=tenant, sku__in=list(skus)).values_list("sku", "pk"))


def product_skus(tenant: Tenant, product_ids: Any) -> dict[int, str]:
    return dict(Product.objects.filter(tenant=tenant, pk__in=list(product_ids)).values_list("pk", "sku"))


def existing_category_ids(tenant: Tenant, category_ids: Any) -> set[int]:
    return set(Category.objects.filter(tenant=tenant, pk__in=list(category_ids)).values_list("pk", flat=True))
