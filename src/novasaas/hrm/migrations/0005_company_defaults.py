"""Companies that had HRM before its default leave types, public holidays and work schedule existed get
them now (new companies get them when HRM is enabled: ``statutory.set_up_hrm``). Idempotent: only
missing rows are written."""

from django.db import migrations


def fill(apps, schema_editor):
    from novasaas.hrm.statutory import ensure_company_rows

    if schema_editor.connection.vendor == "postgresql":  # every tenant's rows, through row-level security
        schema_editor.execute("SELECT set_config('app.platform', 'on', true)")
    tenant = apps.get_model("platform", "Tenant")
    models = [apps.get_model("hrm", name) for name in ("LeaveType", "PublicHoliday", "WorkSchedule")]
    for pk, modules in tenant.objects.values_list("pk", "enabled_modules"):
        if "HRM" in (modules or []):
            ensure_company_rows(pk, *models)
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("SELECT set_config('app.platform', '', true)")


class Migration(migrations.Migration):
    dependencies = [("hrm", "0004_time_attendance"), ("platform", "0006_rls_policy_split")]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
