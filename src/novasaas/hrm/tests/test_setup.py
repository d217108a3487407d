"""HRM's company data (leave types, public holidays, the default work schedule) exists without a manual
step: written when HRM is enabled, and by migration 0005 for companies that had HRM before."""

from __future__ import annotations

import importlib
from types import SimpleNamespace

from django.db import connection
from django.db.migrations.loader import MigrationLoader

from novasaas.hrm.models import LeaveType, PublicHoliday, WorkSchedule
from novasaas.identity.actions import set_tenant_modules
from novasaas.platform.models import Tenant
from novasaas.platform.tenancy import platform_context, tenant_context
from novasaas.platform.testing.fixtures import create_tenant

migration = importlib.import_module("novasaas.hrm.migrations.0005_company_defaults")


def _counts(tenant) -> tuple[int, int, int]:
    with tenant_context(tenant):
        return LeaveType.objects.count(), PublicHoliday.objects.count(), WorkSchedule.objects.count()


def _empty(tenant) -> None:
    with tenant_context(tenant):
        LeaveType.objects.all().delete()
        PublicHoliday.objects.all().delete()
        WorkSchedule.objects.all().delete()


def _run_migration() -> None:
    """Run the migration's function with the historical models (plain managers, as ``migrate`` does)."""
    state = MigrationLoader(connection).project_state(("hrm", "0005_company_defaults"))
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("RESET ROLE")  # ``migrate`` runs as the tables' owner, not the app's role
        migration.fill(state.apps, SimpleNamespace(connection=connection, execute=cursor.execute))


def test_enabling_hrm_writes_the_company_defaults(db):
    tenant = create_tenant("hoa-mai", modules=["INV"])
    assert _counts(tenant) == (0, 0, 0)
    set_tenant_modules(tenant, ["INV", "HRM"], actor=None)
    leave_types, holidays, schedules = _counts(tenant)
    assert leave_types == 6 and holidays >= 22 and schedules == 1
    with tenant_context(tenant):
        assert WorkSchedule.objects.get().is_default
        assert PublicHoliday.objects.filter(date="2027-02-06").exists()  # Tết 2027


def test_the_migration_fills_companies_that_had_hrm_before_and_only_them(db):
    old = create_tenant("hoa-mai", modules=["HRM"])
    other = create_tenant("sen-vang", modules=["INV"])
    _empty(old)
    with tenant_context(old):  # one holiday the HR Manager kept: not duplicated
        PublicHoliday.objects.create(date="2026-01-01", name="Tết Dương lịch (giữ)")
    with platform_context():  # a company given HRM before set-up existed
        Tenant.objects.filter(pk=other.pk).update(enabled_modules=["INV", "HRM"])
    _run_migration()
    for tenant in (old, other):
        leave_types, holidays, schedules = _counts(tenant)
        assert leave_types == 6 and holidays >= 22 and schedules == 1
    with tenant_context(old):
        assert PublicHoliday.objects.get(date="2026-01-01").name == "Tết Dương lịch (giữ)"
    before = _counts(old)
    _run_migration()  # idempotent
    assert _counts(old) == before


def test_the_migration_writes_nothing_for_companies_without_hrm(db):
    tenant = create_tenant("hoa-mai", modules=["INV"])
    _run_migration()
    assert _counts(tenant) == (0, 0, 0)
