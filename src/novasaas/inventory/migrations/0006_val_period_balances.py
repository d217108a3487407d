"""Monthly closing balances per product × variant × warehouse (``StockPeriodBalance``), an index on the
moves' date, and the backfill of the balances from every tenant's existing ledger."""

from decimal import Decimal
from typing import Any

import django.db.models.deletion
from django.db import migrations, models

import novasaas.platform.money
from novasaas.platform.rls import EnableRLS

# One statement: the monthly net change of each product × variant × warehouse (moves crossing the
# warehouse's boundary and value entries), accumulated in period order. Kept here (not imported from
# ledger.py) so that the migration does not change when the application code does.
BACKFILL = """
INSERT INTO inventory_stockperiodbalance
    (tenant_id, product_id, variant_key, warehouse_id, period, quantity, value)
SELECT tenant_id, product_id, vk, wh, period,
       SUM(dq) OVER (PARTITION BY tenant_id, product_id, vk, wh ORDER BY period),
       SUM(dv) OVER (PARTITION BY tenant_id, product_id, vk, wh ORDER BY period)
FROM (
    SELECT tenant_id, product_id, vk, wh, {month} AS period, SUM(q) AS dq, SUM(v) AS dv
    FROM (
        SELECT m.tenant_id, m.product_id, COALESCE(m.variant_id, 0) AS vk, lt.warehouse_id AS wh,
               m.date, m.quantity AS q, m.value AS v
        FROM inventory_stockmove m
        JOIN inventory_location lt ON lt.id = m.to_location_id
        JOIN inventory_location lf ON lf.id = m.from_location_id
        WHERE lt.usage = 'internal'
          AND NOT (lf.usage = 'internal' AND lf.warehouse_id = lt.warehouse_id)
        UNION ALL
        SELECT m.tenant_id, m.product_id, COALESCE(m.variant_id, 0), lf.warehouse_id,
               m.date, -m.quantity, -m.value
        FROM inventory_stockmove m
        JOIN inventory_location lt ON lt.id = m.to_location_id
        JOIN inventory_location lf ON lf.id = m.from_location_id
        WHERE lf.usage = 'internal'
          AND NOT (lt.usage = 'internal' AND lf.warehouse_id = lt.warehouse_id)
        UNION ALL
        SELECT e.tenant_id, e.product_id, COALESCE(e.variant_id, 0), e.warehouse_id, e.date, 0, e.value
        FROM inventory_valueentry e
    ) sides
    GROUP BY tenant_id, product_id, vk, wh, {month}
) monthly
"""


def month_sql(vendor: str, column: str) -> str:
    if vendor == "postgresql":
        return f"CAST(date_trunc('month', {column}) AS date)"
    return f"date({column}, 'start of month')"


def backfill(apps: Any, schema_editor: Any) -> None:
    connection = schema_editor.connection
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            # every tenant's rows (row-level security is forced, also for the tables' owner)
            cur.execute("SELECT set_config('app.platform', 'on', true)")
        cur.execute(BACKFILL.format(month=month_sql(connection.vendor, "date")))


def unbackfill(apps: Any, schema_editor: Any) -> None:
    pass  # the table is dropped by the reversed CreateModel


class Migration(migrations.Migration):
    dependencies = [
        ("inventory", "0005_reorder_rules"),
        ("platform", "0003_notifications"),
    ]

    operations = [
        migrations.CreateModel(
            name="StockPeriodBalance",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("variant_key", models.BigIntegerField(default=0)),
                ("period", models.DateField()),
                ("quantity", novasaas.platform.money.QuantityField(default=Decimal("0"), scale=4)),
                ("value", novasaas.platform.money.MoneyField(default=Decimal("0"), scale=2)),
                (
                    "product",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="+", to="inventory.product"
                    ),
                ),
                (
                    "tenant",
                    models.ForeignKey(
                        editable=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="platform.tenant",
                    ),
                ),
                (
                    "warehouse",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="+", to="inventory.warehouse"
                    ),
                ),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(
                        fields=("tenant", "product", "variant_key", "warehouse", "period"),
                        name="inventory_period_unique",
                    )
                ],
            },
        ),
        EnableRLS("StockPeriodBalance"),
        migrations.AddIndex(
            model_name="stockmove",
            index=models.Index(fields=["tenant", "date"], name="inventory_move_date_idx"),
        ),
        migrations.RunPython(backfill, unbackfill),
    ]
