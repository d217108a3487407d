from django.urls import path

from novasaas.sales import delivery_views as d
from novasaas.sales import pipeline_views as pv
from novasaas.sales import pricing_views as pr
from novasaas.sales import promotion_views as pm
from novasaas.sales import quotation_views as q
from novasaas.sales import views as v

urlpatterns = [
    path("", v.OrderListView.as_view(), name="sales-orders"),
    path("orders/new/", v.OrderFormView.as_view(), name="sales-order-new"),
    path("orders/<int:pk>/", v.OrderDetailView.as_view(), name="sales-order"),
    path("orders/<int:pk>/edit/", v.OrderFormView.as_view(), name="sales-order-edit"),
    path("orders/<int:pk>/promotion/", pm.DocumentPromotionView.as_view(kind="order"), name="sales-order-promotion"),
    path("orders/<int:pk>/<str:action>/", v.OrderActionView.as_view(), name="sales-order-action"),
    path("quotations/", q.QuotationListView.as_view(), name="sales-quotations"),
    path("quotations/new/", q.QuotationFormView.as_view(), name="sales-quotation-new"),
    path("quotations/<int:pk>/", q.QuotationDetailView.as_view(), name="sales-quotation"),
    path("quotations/<int:pk>/edit/", q.QuotationFormView.as_view(), name="sales-quotation-edit"),
    path("quotations/<int:pk>/pdf/", q.QuotationPdfView.as_view(), name="sales-quotation-pdf"),
    path(
        "quotations/<int:pk>/promotion/",
        pm.DocumentPromotionView.as_view(kind="quotation"),
        name="sales-quotation-promotion",
    ),
    path("quotations/<int:pk>/<str:action>/", q.QuotationActionView.as_view(), name="sales-quotation-action"),
    path("customers/", v.CustomerListView.as_view(), name="sales-customers"),
    path("customers/new/", v.CustomerFormView.as_view(), name="sales-customer-new"),
    path("customers/import/", v.CustomerImportView.as_view(), name="sales-customer-import"),
    path("customers/export/", v.CustomerExportView.as_view(), name="sales-customer-export"),
    path("customers/<int:pk>/", v.CustomerDetailView.as_view(), name="sales-customer"),
    path("customers/<int:pk>/edit/", v.CustomerFormView.as_view(), name="sales-customer-edit"),
    path("customers/<int:pk>/contacts/new/", v.CustomerContactFormView.as_view(), name="sales-contact-new"),
    path(
        "customers/<int:pk>/contacts/<int:contact_pk>/portal/<str:action>/",
        v.CustomerPortalInviteView.as_view(),
        name="sales-contact-portal",
    ),
    path(
        "customers/<int:pk>/contacts/<int:contact_pk>/edit/",
        v.CustomerContactFormView.as_view(),
        name="sales-contact-edit",
    ),
    path(
        "customers/<int:pk>/contacts/<int:contact_pk>/delete/",
        v.CustomerContactDeleteView.as_view(),
        name="sales-contact-delete",
    ),
    path("customers/<int:pk>/loyalty/", pm.CustomerLoyaltyView.as_view(), name="sales-customer-loyalty"),
    path("groups/", v.GroupListView.as_view(), name="sales-groups"),
    path("coupons/", pm.CouponListView.as_view(), name="sales-coupons"),
    path("coupons/<int:pk>/", pm.CouponDetailView.as_view(), name="sales-coupon"),
    path("campaigns/", pm.CampaignListView.as_view(), name="sales-campaigns"),
    path("campaigns/<int:pk>/", pm.CampaignDetailView.as_view(), name="sales-campaign"),
    path("loyalty/", pm.LoyaltyProgrammeView.as_view(), name="sales-loyalty"),
    path("price-lists/", pr.PriceListListView.as_view(), name="sales-price-lists"),
    path("price-lists/<int:pk>/", pr.PriceListDetailView.as_view(), name="sales-price-list"),
    path("deliveries/", d.DeliveryListView.as_view(), name="sales-deliveries"),
    path("deliveries/invoice/", d.DeliveryInvoiceView.as_view(), name="sales-deliveries-invoice"),
    path("deliveries/<int:pk>/", d.DeliveryDetailView.as_view(), name="sales-delivery"),
    path("deliveries/<int:pk>/pdf/", d.DeliveryPdfView.as_view(), name="sales-delivery-pdf"),
    path("deliveries/<int:pk>/return/", d.DeliveryReturnView.as_view(), name="sales-delivery-return"),
    path("invoices/<int:pk>/pdf/", d.InvoiceDocumentView.as_view(), {"kind": "pdf"}, name="sales-invoice-pdf"),
    path("invoices/<int:pk>/einvoice/", d.InvoiceDocumentView.as_view(), {"kind": "xml"}, name="sales-invoice-xml"),
    path("invoices/<int:pk>/<str:action>/", d.InvoiceCreditView.as_view(), name="sales-invoice-action"),
    path("settings/", d.SettingsView.as_view(), name="sales-settings"),
    path("leads/", pv.LeadListView.as_view(), name="sales-leads"),
    path("leads/assign/", pv.LeadAssignView.as_view(), name="sales-leads-assign"),
    path("leads/<int:pk>/", pv.LeadDetailView.as_view(), name="sales-lead"),
    path("pipeline/", pv.BoardView.as_view(), name="sales-pipeline"),
    path("opportunities/<int:pk>/", pv.OpportunityDetailView.as_view(), name="sales-opportunity"),
    path("opportunities/<int:pk>/move/", pv.OpportunityMoveView.as_view(), name="sales-opportunity-move"),
    path("forecast/", pv.ForecastView.as_view(), name="sales-forecast"),
    path("reports/", pv.ReportView.as_view(), name="sales-reports"),
    path("invoices/", v.InvoiceListView.as_view(), name="sales-invoices"),
    path("invoices/<int:pk>/", v.InvoiceDetailView.as_view(), name="sales-invoice"),
]
