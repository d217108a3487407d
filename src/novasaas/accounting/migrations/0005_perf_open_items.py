"""Open items of partner lines, maintained by posting and allocation (aging reads them alone), filled
here from the posted lines and allocations of existing ledgers."""

from typing import Any

import django.db.models.deletion
import novasaas.platform.money
from decimal import Decimal
from django.db import migrations, models

from novasaas.platform.rls import EnableRLS

FILL_SQL = """
INSERT INTO accounting_openitem (tenant_id, line_id, account_id, partner_id, date, due_date, debit, credit, open)
SELECT l.tenant_id, l.id, l.account_id, l.partner_id, e.date, l.due_date, l.debit, l.credit,
       l.debit + l.credit
       - COALESCE((SELECT SUM(a.amount) FROM accounting_allocation a WHERE a.invoice_line_id = l.id), 0)
       - COALESCE((SELECT SUM(a.amount) FROM accounting_allocation a WHERE a.payment_line_id = l.id), 0)
       + COALESCE((SELECT SUM(CASE WHEN l.debit > 0 THEN x.debit - x.credit ELSE x.credit - x.debit END)
                   FROM accounting_journalline x JOIN accounting_journalentry xe ON xe.id = x.entry_id
                   WHERE x.fx_adjusts_id = l.id AND xe.state = 'posted'), 0)
FROM accounting_journalline l JOIN accounting_journalentry e ON e.id = l.entry_id
WHERE e.state = 'posted' AND l.partner_id IS NOT NULL AND l.fx_adjusts_id IS NULL
"""


def fill(apps: Any, schema_editor: Any) -> None:
    with schema_editor.connection.cursor() as cursor:
        if schema_editor.connection.vendor == "postgresql":  # every tenant's rows, through row-level security
            cursor.execute("SELECT set_config('app.platform', 'on', true)")
        cursor.execute(FILL_SQL)
        if schema_editor.connection.vendor == "postgresql":
            cursor.execute("SELECT set_config('app.platform', '', true)")


class Migration(migrations.Migration):

    dependencies = [
        ('accounting', '0008_whacct_stock_accounts'),
        ('platform', '0003_notifications'),
    ]

    operations = [
        migrations.CreateModel(
            name='OpenItem',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('partner_id', models.BigIntegerField()),
                ('date', models.DateField()),
                ('due_date', models.DateField(blank=True, null=True)),
                ('debit', novasaas.platform.money.MoneyField(default=Decimal('0'), scale=2)),
                ('credit', novasaas.platform.money.MoneyField(default=Decimal('0'), scale=2)),
                ('open', novasaas.platform.money.MoneyField(default=Decimal('0'), scale=2)),
                ('account', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='accounting.account')),
                ('line', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='accounting.journalline')),
                ('tenant', models.ForeignKey(editable=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='platform.tenant')),
            ],
            options={
                'indexes': [models.Index(condition=models.Q(('open__gt', 0)), fields=['tenant', 'account', 'partner_id'], name='acc_openitem_open_idx')],
                'constraints': [models.UniqueConstraint(fields=('tenant', 'line'), name='acc_openitem_line_unique'), models.CheckConstraint(condition=models.Q(('open__gte', 0)), name='acc_openitem_open_non_negative')],
            },
        ),
        EnableRLS("OpenItem"),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
