"""Seed the statutory payroll figures in force in 2026 (``hrm/statutory.py``; sources in docs/hrm.md)."""

from django.db import migrations


def seed(apps, schema_editor):
    from novasaas.hrm.statutory import ensure_statutory_rows

    ensure_statutory_rows(apps.get_model("hrm", "StatutoryRate"), apps.get_model("hrm", "PitBracket"))


class Migration(migrations.Migration):
    dependencies = [("hrm", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
