from django.urls import path

from novasaas.sales import views as v

urlpatterns = [
    path("", v.OrderListView.as_view(), name="sales-orders"),
    path("orders/new/", v.OrderFormView.as_view(), name="sales-order-new"),
    path("orders/<int:pk>/", v.OrderDetailView.as_view(), name="sales-order"),
    path("orders/<int:pk>/edit/", v.OrderFormView.as_view(), name="sales-order-edit"),
    path("orders/<int:pk>/<str:action>/", v.OrderActionView.as_view(), name="sales-order-action"),
    path("customers/", v.CustomerListView.as_view(), name="sales-customers"),
    path("customers/new/", v.CustomerFormView.as_view(), name="sales-customer-new"),
    path("customers/<int:pk>/", v.CustomerDetailView.as_view(), name="sales-customer"),
    path("customers/<int:pk>/edit/", v.CustomerFormView.as_view(), name="sales-customer-edit"),
    path("groups/", v.GroupListView.as_view(), name="sales-groups"),
    path("invoices/", v.InvoiceListView.as_view(), name="sales-invoices"),
    path("invoices/<int:pk>/", v.InvoiceDetailView.as_view(), name="sales-invoice"),
]
