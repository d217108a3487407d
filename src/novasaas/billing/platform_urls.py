"""Master Admin pages of billing, under /platform/billing/ (platform staff only)."""

from django.urls import path

from novasaas.billing import invoice_views, views

urlpatterns = [
    path("", invoice_views.console, name="billing-console"),
    path("invoices/<int:invoice_id>/payment/", invoice_views.record_payment, name="billing-payment"),
    path("invoices/<int:invoice_id>/refund/", invoice_views.refund, name="billing-refund"),
    path("refunds/<int:refund_id>/pdf/", invoice_views.platform_refund_pdf, name="billing-platform-refund-pdf"),
    path("tenants/<int:tenant_id>/", invoice_views.tenant_detail, name="billing-tenant"),
    path("tenants/<int:tenant_id>/action/", invoice_views.manual_action, name="billing-manual-action"),
    path("catalogue/", views.catalogue, name="billing-catalogue"),
    path("catalogue/plans/new/", views.plan_edit, name="billing-plan-new"),
    path("catalogue/plans/<int:plan_id>/", views.plan_edit, name="billing-plan"),
    path("catalogue/plans/<int:plan_id>/price/", views.plan_price, name="billing-plan-price"),
    path("catalogue/promotions/", views.promotion_save, name="billing-promotion-new"),
    path("catalogue/promotions/<int:promotion_id>/", views.promotion_save, name="billing-promotion"),
    path("catalogue/addons/new/", views.addon_edit, name="billing-addon-new"),
    path("catalogue/addons/<int:addon_id>/", views.addon_edit, name="billing-addon"),
    path("catalogue/addons/<int:addon_id>/price/", views.addon_price, name="billing-addon-price"),
]
