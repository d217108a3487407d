from django.urls import path

from novasaas.billing import invoice_views, views

urlpatterns = [
    path("", views.subscription, name="billing-subscription"),
    path("plan/", views.change_plan, name="billing-change-plan"),
    path("quantity/", views.set_quantity, name="billing-quantity"),
    path("catalogue/", views.catalogue, name="billing-catalogue"),
    path("catalogue/plans/new/", views.plan_edit, name="billing-plan-new"),
    path("catalogue/plans/<int:plan_id>/", views.plan_edit, name="billing-plan"),
    path("catalogue/plans/<int:plan_id>/price/", views.plan_price, name="billing-plan-price"),
    path("catalogue/addons/new/", views.addon_edit, name="billing-addon-new"),
    path("catalogue/addons/<int:addon_id>/", views.addon_edit, name="billing-addon"),
    path("catalogue/addons/<int:addon_id>/price/", views.addon_price, name="billing-addon-price"),
    path("invoices/<int:invoice_id>/", invoice_views.invoice_detail, name="billing-invoice"),
    path("invoices/<int:invoice_id>/pdf/", invoice_views.invoice_pdf, name="billing-invoice-pdf"),
    path("console/", invoice_views.console, name="billing-console"),
    path("console/invoices/<int:invoice_id>/payment/", invoice_views.record_payment, name="billing-payment"),
    path("gateway/callback/", invoice_views.gateway_callback, name="billing-gateway-callback"),
]
