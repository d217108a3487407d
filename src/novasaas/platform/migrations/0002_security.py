from django.db import migrations

from novasaas.platform.rls import EnableRLS, audit_append_only, grant_app_role


class Migration(migrations.Migration):
    dependencies = [("platform", "0001_initial")]

    operations = [
        migrations.RunPython(grant_app_role, migrations.RunPython.noop),
        migrations.RunPython(audit_append_only, migrations.RunPython.noop),
        EnableRLS("OutboxMessage"),
        EnableRLS("Sequence"),
    ]
