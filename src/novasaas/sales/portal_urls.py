from django.urls import path

from novasaas.sales import portal_views as v

urlpatterns = [
    path("", v.PortalHomeView.as_view(), name="portal-home"),
    path("tickets/", v.PortalTicketListView.as_view(), name="portal-tickets"),
    path("tickets/<int:pk>/", v.PortalTicketDetailView.as_view(), name="portal-ticket"),
    path("loyalty/", v.PortalLoyaltyView.as_view(), name="portal-loyalty"),
    path("orders/", v.PortalOrderListView.as_view(), name="portal-orders"),
    path("orders/<int:pk>/", v.PortalOrderDetailView.as_view(), name="portal-order"),
    path("invoices/", v.PortalInvoiceListView.as_view(), name="portal-invoices"),
    path("invoices/<int:pk>/pdf/", v.PortalInvoicePdfView.as_view(), name="portal-invoice-pdf"),
    path("quotations/", v.PortalQuotationListView.as_view(), name="portal-quotations"),
    path("quotations/<int:pk>/", v.PortalQuotationDetailView.as_view(), name="portal-quotation"),
    path("quotations/<int:pk>/pdf/", v.PortalQuotationPdfView.as_view(), name="portal-quotation-pdf"),
    path("quotations/<int:pk>/<str:action>/", v.PortalQuotationAnswerView.as_view(), name="portal-quotation-answer"),
]
