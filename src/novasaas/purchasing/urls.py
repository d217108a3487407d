from django.urls import path

from novasaas.purchasing import views as v

urlpatterns = [
    path("", v.OrderListView.as_view(), name="purchasing-orders"),
    path("orders/new/", v.OrderFormView.as_view(), name="purchasing-order-new"),
    path("orders/<int:pk>/", v.OrderDetailView.as_view(), name="purchasing-order"),
    path("orders/<int:pk>/edit/", v.OrderFormView.as_view(), name="purchasing-order-edit"),
    path("orders/<int:pk>/pdf/", v.OrderPdfView.as_view(), name="purchasing-order-pdf"),
    path("orders/<int:pk>/send/", v.OrderSendView.as_view(), name="purchasing-order-send"),
    path("orders/<int:pk>/return/", v.OrderReturnView.as_view(), name="purchasing-order-return"),
    path("orders/<int:pk>/receive/", v.OrderReceiveView.as_view(), name="purchasing-order-receive"),
    path("orders/<int:pk>/<str:action>/", v.OrderActionView.as_view(), name="purchasing-order-action"),
    path("vendors/", v.VendorListView.as_view(), name="purchasing-vendors"),
    path("vendors/excel/", v.VendorExcelView.as_view(), name="purchasing-vendor-excel"),
    path("vendors/new/", v.VendorFormView.as_view(), name="purchasing-vendor-new"),
    path("vendors/<int:pk>/", v.VendorDetailView.as_view(), name="purchasing-vendor"),
    path("vendors/<int:pk>/edit/", v.VendorFormView.as_view(), name="purchasing-vendor-edit"),
    path("vendors/<int:pk>/prices/", v.VendorPriceView.as_view(), name="purchasing-vendor-prices"),
    path("bills/", v.BillListView.as_view(), name="purchasing-bills"),
    path("bills/new/", v.BillFormView.as_view(), name="purchasing-bill-new"),
    path("bills/new-landed-cost/", v.LandedBillFormView.as_view(), name="purchasing-landed-bill-new"),
    path("bills/<int:pk>/", v.BillDetailView.as_view(), name="purchasing-bill"),
    path("bills/<int:pk>/credit-notes/", v.BillCreditNoteView.as_view(), name="purchasing-bill-credit"),
    path("bills/<int:pk>/<str:action>/", v.BillActionView.as_view(), name="purchasing-bill-action"),
    path("requisitions/", v.RequisitionListView.as_view(), name="purchasing-requisitions"),
    path("requisitions/<int:pk>/", v.RequisitionDetailView.as_view(), name="purchasing-requisition"),
    path(
        "requisitions/<int:pk>/<str:action>/", v.RequisitionActionView.as_view(), name="purchasing-requisition-action"
    ),
    path("rfqs/", v.RfqListView.as_view(), name="purchasing-rfqs"),
    path("rfqs/<int:pk>/", v.RfqDetailView.as_view(), name="purchasing-rfq"),
    path("rfqs/<int:pk>/<str:action>/", v.RfqActionView.as_view(), name="purchasing-rfq-action"),
    path("grni/", v.GrniView.as_view(), name="purchasing-grni"),
    path("reports/<str:name>/", v.ReportView.as_view(), name="purchasing-report"),
    path("late-deliveries/", v.ReportView.as_view(), {"name": "late_deliveries"}, name="purchasing-late-deliveries"),
    path("settings/", v.SettingsView.as_view(), name="purchasing-settings"),
]
