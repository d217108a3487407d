"""Price lists (spec §5: per customer group, quantity breaks, validity dates), imported by ``models``.

A customer group may name a default price list; a product line of a quotation or order whose price is
left empty takes the list's price for the largest quantity break not above the line's quantity, when
the list is active and the document date lies within its validity (``pricing.list_price``).
"""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from novasaas.platform.models import TenantModel
from novasaas.platform.money import MoneyField, QuantityField

ZERO = Decimal(0)


class PriceList(TenantModel):
    code = models.CharField(_("code"), max_length=20)
    name = models.CharField(_("name"), max_length=100)
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    # False: a line may not be priced otherwise than the list says unless the user holds crm.order.approve
    allow_override = models.BooleanField(_("price may be changed on a line"), default=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant", "code"], name="sales_pricelist_code_unique"),
            models.CheckConstraint(
                condition=Q(valid_from__isnull=True) | Q(valid_to__isnull=True) | Q(valid_to__gte=F("valid_from")),
                name="sales_pricelist_dates",
            ),
        ]
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class PriceListItem(TenantModel):
    price_list = models.ForeignKey(PriceList, on_delete=models.CASCADE, related_name="items")
    product_id = models.BigIntegerField(_("product"))  # inventory.Product id (no FK across modules)
    min_quantity = QuantityField(_("from quantity"), default=Decimal(1))
    unit_price = MoneyField(_("unit price"))

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "price_list", "product_id", "min_quantity"], name="sales_pricelist_item_unique"
            ),
            models.CheckConstraint(condition=Q(min_quantity__gt=0), name="sales_pricelist_item_qty_gt_0"),
            models.CheckConstraint(condition=Q(unit_price__gte=0), name="sales_pricelist_item_price_ge_0"),
        ]
        ordering = ["product_id", "min_quantity"]
