"""The spec's catalogue (§12.2–§12.5), loaded once by the data migration ``0002_seed_catalogue``.

These are *initial data*: after the migration the Master Admin edits the catalogue (page and API) and
no code reads these numbers again. Where the spec gives a range the lower bound is taken
(docs/billing.md, "Decisions").
"""

from __future__ import annotations

from typing import Any

ALL = ["HRM", "CRM", "INV", "ACC", "SCM", "PM", "DMS"]
FEATURE_KEYS = (
    "dashboard",
    "reports",
    "ai_tier",
    "api_access",
    "api_rate_per_minute",
    "webhooks",
    "custom_fields",
    "multi_currency",
    "multi_language",
    "export",
    "white_label",
    "support",
    "response_hours",
    "sla_uptime",
    "backup",
    "support_hours",
)


def _f(**kw: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "dashboard": "none",
        "reports": "none",
        "ai_tier": "none",
        "api_access": "none",
        "api_rate_per_minute": 0,
        "webhooks": False,
        "custom_fields": "none",
        "multi_currency": False,
        "multi_language": False,
        "export": False,
        "white_label": False,
        "support": "community",
        "response_hours": None,
        "sla_uptime": None,
        "backup": "",
        "support_hours": "",
    }
    base.update(kw)
    return base


# code, name vi, name en, trial days, included users, extra user price, monthly price, modules,
# limits (users, customers, products, warehouses, orders/month, storage MB), features
PLANS: list[dict[str, Any]] = [
    {
        "code": "free",
        "name": "Miễn phí trọn đời",
        "name_en": "Free Forever",
        "trial_days": 0,
        "included_users": 1,
        "extra_user_price": 0,
        "monthly_price": 0,
        "modules": ["CRM", "INV"],
        "limits": (1, 50, 100, 1, 100, 500),
        "features": _f(white_label=False),
    },
    {
        "code": "starter",
        "name": "Starter",
        "name_en": "Starter",
        "trial_days": 14,
        "included_users": 5,
        "extra_user_price": 50_000,
        "monthly_price": 500_000,
        "modules": ["CRM", "INV"],
        "limits": (None, 500, 1_000, 1, None, 5_120),
        "features": _f(
            dashboard="basic",
            reports="basic",
            ai_tier="basic",
            support="email",
            response_hours=48,
            sla_uptime="99",
            backup="daily",
            support_hours="8x5",
        ),
    },
    {
        "code": "business",
        "name": "Business",
        "name_en": "Business",
        "trial_days": 14,
        "included_users": 10,
        "extra_user_price": 80_000,
        "monthly_price": 2_000_000,
        "modules": ["CRM", "INV", "ACC"],
        "limits": (None, 2_000, 5_000, 3, None, 20_480),
        "features": _f(
            dashboard="full",
            reports="standard",
            ai_tier="rag",
            api_access="limited",
            api_rate_per_minute=60,
            custom_fields="limited",
            export=True,
            support="email_chat",
            response_hours=24,
            sla_uptime="99.5",
            backup="daily",
            support_hours="8x5",
        ),
    },
    {
        "code": "professional",
        "name": "Professional",
        "name_en": "Professional",
        "trial_days": 7,
        "included_users": 30,
        "extra_user_price": 100_000,
        "monthly_price": 5_000_000,
        "modules": ["CRM", "INV", "ACC", "SCM", "HRM"],
        "limits": (None, None, None, 10, None, 102_400),
        "features": _f(
            dashboard="full",
            reports="advanced",
            ai_tier="functions",
            api_access="full",
            api_rate_per_minute=600,
            webhooks=True,
            custom_fields="full",
            multi_currency=True,
            multi_language=True,
            export=True,
            support="priority",
            response_hours=4,
            sla_uptime="99.9",
            backup="hourly",
            support_hours="12x6",
        ),
    },
    {
        "code": "enterprise",
        "name": "Enterprise",
        "name_en": "Enterprise",
        "trial_days": 0,
        "included_users": None,
        "extra_user_price": 0,
        "monthly_price": 20_000_000,
        "modules": ALL,
        "limits": (None, None, None, None, None, None),
        "features": _f(
            dashboard="custom",
            reports="custom",
            ai_tier="custom",
            api_access="full",
            api_rate_per_minute=6000,
            webhooks=True,
            custom_fields="full",
            multi_currency=True,
            multi_language=True,
            export=True,
            white_label=True,
            support="dedicated",
            response_hours=1,
            sla_uptime="99.99",
            backup="realtime",
            support_hours="24x7",
        ),
    },
]

# Industry packages (§12.4): module sets with a "from" price; limits and features of Business.
_PKG = {
    "included_users": 10,
    "extra_user_price": 80_000,
    "trial_days": 14,
    "limits": (None, 2_000, 5_000, 3, None, 20_480),
    "features": PLANS[2]["features"],
}
PACKAGES: list[dict[str, Any]] = [
    {
        "code": "retail",
        "name": "Gói Bán lẻ",
        "name_en": "Retail",
        "monthly_price": 1_500_000,
        "modules": ["CRM", "INV"],
        **_PKG,
    },
    {
        "code": "service",
        "name": "Gói Dịch vụ",
        "name_en": "Service",
        "monthly_price": 3_000_000,
        "modules": ["CRM", "PM", "HRM"],
        **_PKG,
    },
    {
        "code": "trading",
        "name": "Gói Thương mại",
        "name_en": "Trading",
        "monthly_price": 5_000_000,
        "modules": ["CRM", "INV", "SCM", "ACC"],
        **_PKG,
    },
    {
        "code": "manufacturing",
        "name": "Gói Sản xuất",
        "name_en": "Manufacturing",
        "monthly_price": 8_000_000,
        "modules": ["INV", "SCM", "ACC", "PM", "HRM"],
        **_PKG,
    },
    {
        "code": "healthcare",
        "name": "Gói Y tế",
        "name_en": "Healthcare",
        "monthly_price": 6_000_000,
        "modules": ["CRM", "INV", "HRM", "DMS"],
        **_PKG,
    },
    {
        "code": "hospitality",
        "name": "Gói Nhà hàng – Khách sạn",
        "name_en": "Hospitality",
        "monthly_price": 4_000_000,
        "modules": ["CRM", "INV", "HRM", "ACC"],
        **_PKG,
    },
]

# Add-ons (§12.5): code, vi, en, unit, monthly price, limit raised, step
ADDONS: list[tuple[str, str, str, str, int, str, int]] = [
    ("extra-storage", "Thêm dung lượng 10 GB", "Extra storage 10 GB", "month", 100_000, "storage_mb", 10_240),
    ("extra-warehouse", "Thêm kho", "Extra warehouse", "month", 200_000, "warehouses", 1),
    ("ai-advanced", "AI nâng cao", "AI Advanced", "month", 500_000, "", 0),
    ("white-label", "Thương hiệu riêng", "White label", "month", 1_000_000, "", 0),
    ("api-premium", "API không giới hạn", "API Premium", "month", 500_000, "", 0),
    ("priority-support", "Hỗ trợ ưu tiên 24/7", "Priority support 24/7", "month", 1_000_000, "", 0),
    ("custom-report", "Báo cáo tùy chỉnh", "Custom report", "month", 500_000, "", 0),
    ("data-migration", "Chuyển đổi dữ liệu", "Data migration", "one_off", 2_000_000, "", 0),
    ("training", "Đào tạo (buổi/người)", "Training (session/person)", "one_off", 500_000, "", 0),
]
LIMIT_FIELDS = (
    "max_users",
    "max_customers",
    "max_products",
    "max_warehouses",
    "max_orders_per_month",
    "max_storage_mb",
)


def load(apps: Any, schema_editor: Any) -> None:
    plan_model = apps.get_model("billing", "Plan")
    addon_model = apps.get_model("billing", "AddOn")
    price_model = apps.get_model("billing", "PriceVersion")
    for kind, rows in (("plan", PLANS), ("package", PACKAGES)):
        for position, row in enumerate(rows):
            plan = plan_model.objects.create(
                code=row["code"],
                kind=kind,
                name=row["name"],
                name_en=row["name_en"],
                position=position,
                trial_days=row["trial_days"],
                included_users=row["included_users"],
                modules=row["modules"],
                features=row["features"],
                **dict(zip(LIMIT_FIELDS, row["limits"], strict=True)),
            )
            price_model.objects.create(
                plan=plan, version=1, monthly_price=row["monthly_price"], extra_user_price=row["extra_user_price"]
            )
    for position, (code, name, name_en, unit, price, limit, step) in enumerate(ADDONS):
        addon = addon_model.objects.create(
            code=code, name=name, name_en=name_en, unit=unit, limit=limit, limit_step=step, position=position
        )
        price_model.objects.create(addon=addon, version=1, monthly_price=price)


def unload(apps: Any, schema_editor: Any) -> None:
    apps.get_model("billing", "PriceVersion").objects.all().delete()
    apps.get_model("billing", "Plan").objects.all().delete()
    apps.get_model("billing", "AddOn").objects.all().delete()


# Upgrade offers of §12.6: code, name, kind, from plan, to plan, percent
PROMOTIONS: list[tuple[str, str, str, str, str, int]] = [
    ("starter-business-setup", "Starter → Business: miễn phí setup", "free_setup", "starter", "business", 0),
    (
        "business-professional-20",
        "Business → Professional: giảm 20% tháng đầu",
        "first_month",
        "business",
        "professional",
        20,
    ),
]


def load_promotions(apps: Any, schema_editor: Any) -> None:
    plan_model = apps.get_model("billing", "Plan")
    promotion_model = apps.get_model("billing", "Promotion")
    plans = {p.code: p for p in plan_model.objects.all()}
    for code, name, kind, from_code, to_code, percent in PROMOTIONS:
        if from_code in plans and to_code in plans and not promotion_model.objects.filter(code=code).exists():
            promotion_model.objects.create(
                code=code, name=name, kind=kind, from_plan=plans[from_code], to_plan=plans[to_code], percent=percent
            )


def unload_promotions(apps: Any, schema_editor: Any) -> None:
    apps.get_model("billing", "Promotion").objects.all().delete()
