"""Function-calling tools built from module selectors. A tool runs as the asking member's principal: it
exists only when the company has the tool's module and the member holds its right (so a tool of a
disabled module is never offered to the model), and it reads through that module's selectors."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from novasaas.identity.access import Principal
from novasaas.platform.tenancy import tenant_context


@dataclass(frozen=True)
class Tool:
    name: str
    module: str
    permission: str
    description: Any
    parameters: dict[str, Any]
    run: Callable[[Principal, dict[str, Any]], Any]


def _stock_of_product(p: Principal, args: dict[str, Any]) -> Any:
    from novasaas.inventory import selectors as inv

    query = str(args.get("query") or "")[:100]
    rows = []
    for product in inv.search_products(p.tenant, query)[:5]:
        stock = inv.stock_quantity(p.tenant, product.pk)
        rows.append(
            {
                "sku": product.sku,
                "name": product.name,
                "on_hand": str(stock["q"] or 0),
                "reserved": str(stock["r"] or 0),
            }
        )
    return {"products": rows}


def _open_sales_orders(p: Principal, args: dict[str, Any]) -> Any:
    from novasaas.sales import selectors as sales

    qs = sales.visible_orders(p).filter(status__in=["confirmed", "delivered"]).select_related("customer__party")
    orders = [
        {
            "number": o.number,
            "customer": str(o.customer.party),
            "date": o.date.isoformat(),
            "total": str(o.total),
            "status": o.status,
        }
        for o in qs.order_by("-date")[:10]
    ]
    return {"count": qs.count(), "latest": orders}


TOOLS = [
    Tool(
        "stock_of_product",
        "INV",
        "inv.stock.view",
        _("Stock on hand of products matching a name or SKU"),
        {
            "type": "object",
            "properties": {"query": {"type": "string", "description": "product name or SKU"}},
            "required": ["query"],
        },
        _stock_of_product,
    ),
    Tool(
        "open_sales_orders",
        "CRM",
        "crm.customer.view",
        _("Confirmed sales orders not yet invoiced"),
        {"type": "object", "properties": {}},
        _open_sales_orders,
    ),
]


def available(principal: Principal) -> list[Tool]:
    return [t for t in TOOLS if principal.tenant.has_module(t.module) and principal.has(t.permission)]


def schemas(principal: Principal) -> list[dict[str, Any]]:
    return [
        {
            "type": "function",
            "function": {"name": t.name, "description": str(t.description), "parameters": t.parameters},
        }
        for t in available(principal)
    ]


def call(principal: Principal, name: str, arguments: str) -> str:
    """Run a tool the principal may use; an unknown or forbidden tool is an error the model sees."""
    tool = next((t for t in available(principal) if t.name == name), None)
    if tool is None:
        return json.dumps({"error": f"no tool {name}"})
    try:
        args = json.loads(arguments or "{}")
    except ValueError:
        args = {}
    try:
        with transaction.atomic(), tenant_context(principal.tenant, savepoint=False):
            result = tool.run(principal, args if isinstance(args, dict) else {})
    except Exception as exc:  # the model is told the look-up failed; the answer goes on
        return json.dumps({"error": f"{name} failed: {type(exc).__name__}"})
    return json.dumps(result, ensure_ascii=False, default=str)
