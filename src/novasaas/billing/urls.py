from django.urls import path

from novasaas.billing import invoice_views, views

urlpatterns = [
    path("", views.subscription, name="billing-subscription"),
    path("plan/", views.ChangePlanView.as_view(), name="billing-change-plan"),
    path("cancel/", views.CancelView.as_view(), name="billing-cancel"),
    path("quantity/", views.QuantityView.as_view(), name="billing-quantity"),
    path("invoices/<int:invoice_id>/", invoice_views.invoice_detail, name="billing-invoice"),
    path("invoices/<int:invoice_id>/pdf/", invoice_views.invoice_pdf, name="billing-invoice-pdf"),
    path("refunds/<int:refund_id>/pdf/", invoice_views.refund_pdf, name="billing-refund-pdf"),
    path("gateway/callback/", invoice_views.GatewayCallbackView.as_view(), name="billing-gateway-callback"),
]
