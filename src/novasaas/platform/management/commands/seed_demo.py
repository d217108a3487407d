"""Create the demo tenant "Công ty TNHH Demo" with one user per actor of spec §2 and print them."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from novasaas.identity.catalogue import CUSTOMER, ROLES, TENANT_ADMIN
from novasaas.identity.models import User
from novasaas.platform.demo import DEMO_PASSWORD
from novasaas.platform.models import Tenant, TenantStatus
from novasaas.platform.modules import OPTIONAL_MODULES, modules_with_screens
from novasaas.platform.tenancy import platform_context

DEMO_SLUG = "demo"
__all__ = ["DEMO_PASSWORD", "DEMO_SLUG", "Command"]


class Command(BaseCommand):
    help = "Load the demo tenant with one user per actor (idempotent) and print the credentials."

    def handle(self, *args: Any, **options: Any) -> None:
        from novasaas.identity import actions
        from novasaas.platform import demo

        # only the modules that have pages: the demo must not promise screens that do not exist yet
        modules = [code for code in OPTIONAL_MODULES if code in modules_with_screens()]
        with platform_context():
            tenant = Tenant.objects.filter(slug=DEMO_SLUG).first()
        if tenant is not None and sorted(tenant.enabled_modules or []) != sorted(modules):
            tenant = actions.set_tenant_modules(tenant, modules, actor=None)
        if tenant is None:
            tenant, _admin = actions.create_tenant(
                slug=DEMO_SLUG,
                name="Công ty TNHH Demo",
                legal_name="Công ty TNHH Demo NovaSaaS",
                admin_email="admin@demo.novasaas.vn",
                admin_password=DEMO_PASSWORD,
                admin_name="Nguyễn Văn An",
                modules=modules,
                tax_code="0100109106",
                address="12 Tràng Tiền, Hoàn Kiếm, Hà Nội",
                phone="024 3826 0000",
                email="lienhe@demo.novasaas.vn",
                locale="vi",
                base_currency="VND",
            )
            with platform_context():
                tenant.status = TenantStatus.ACTIVE
                tenant.save(update_fields=["status"])
        rows = [("Master Admin", "master@novasaas.vn"), ("Support Staff", "support@novasaas.vn")]
        with platform_context():
            for label, email in rows:
                if not User.objects.filter(email=email).exists():
                    role = "master_admin" if label == "Master Admin" else "support"
                    User.objects.create_user(email, DEMO_PASSWORD, full_name=label, platform_role=role)
        names = demo.PEOPLE
        portal_rows = []
        for i, (code, name_en, _vi) in enumerate(ROLES):
            email = "admin@demo.novasaas.vn" if code == TENANT_ADMIN else f"{code.replace('_', '.')}@demo.novasaas.vn"
            if code == CUSTOMER:
                # a customer's contact person: the CRM loader invites them to the customer portal and
                # accepts the invitation with the demo password (sales/demo.py), which makes the member
                portal_rows.append((f"{name_en} (portal)", email))
                continue
            with platform_context():
                user = User.objects.filter(email=email).first()
                if user is None:
                    user = User.objects.create_user(email, DEMO_PASSWORD, full_name=names[i % len(names)])
            actions.add_member(tenant, user, [code])
            rows.append((name_en, email))
        demo.load_module_data(tenant)
        demo.refresh_planner_statistics()
        with platform_context():
            rows += [row for row in portal_rows if User.objects.filter(email=row[1]).exists()]
        self.stdout.write(self.style.SUCCESS(f"Demo tenant: {tenant.name} (workspace '{tenant.slug}')"))
        self.stdout.write(f"Password for every demo user: {DEMO_PASSWORD}")
        width = max(len(r[0]) for r in rows)
        for label, email in rows:
            self.stdout.write(f"  {label.ljust(width)}  {email}")
