from django.urls import path

from novasaas.accounting import views

urlpatterns = [
    path("", views.HomeView.as_view(), name="accounting-home"),
    path("chart/", views.ChartView.as_view(), name="accounting-chart"),
    path("accounts/new/", views.AccountCreateView.as_view(), name="accounting-account-create"),
    path("accounts/<int:pk>/edit/", views.AccountEditView.as_view(), name="accounting-account-edit"),
    path(
        "accounts/<int:pk>/deactivate/",
        views.AccountStateView.as_view(operation="deactivate"),
        name="accounting-account-deactivate",
    ),
    path(
        "accounts/<int:pk>/activate/",
        views.AccountStateView.as_view(operation="activate"),
        name="accounting-account-activate",
    ),
    path(
        "accounts/<int:pk>/delete/",
        views.AccountStateView.as_view(operation="delete"),
        name="accounting-account-delete",
    ),
    path("accounts/<int:pk>/ledger/", views.AccountLedgerView.as_view(), name="accounting-account-ledger"),
    path("settings/", views.SettingsView.as_view(), name="accounting-settings"),
    path("periods/", views.PeriodsView.as_view(), name="accounting-periods"),
    path("periods/new-year/", views.FiscalYearCreateView.as_view(), name="accounting-year-create"),
    path("periods/<int:pk>/close/", views.PeriodStateView.as_view(operation="close"), name="accounting-period-close"),
    path(
        "periods/<int:pk>/reopen/", views.PeriodStateView.as_view(operation="reopen"), name="accounting-period-reopen"
    ),
    path("periods/<int:pk>/lock/", views.PeriodStateView.as_view(operation="lock"), name="accounting-period-lock"),
    path("journals/", views.JournalsView.as_view(), name="accounting-journals"),
    path("entries/", views.EntryListView.as_view(), name="accounting-entries"),
    path("entries/new/", views.EntryFormView.as_view(), name="accounting-entry-create"),
    path("entries/import/", views.EntryImportView.as_view(), name="accounting-entry-import"),
    path("entries/<int:pk>/", views.EntryDetailView.as_view(), name="accounting-entry-detail"),
    path("entries/<int:pk>/edit/", views.EntryFormView.as_view(), name="accounting-entry-edit"),
    path("entries/<int:pk>/post/", views.EntryPostView.as_view(), name="accounting-entry-post"),
    path("entries/<int:pk>/approve/", views.EntryApproveView.as_view(), name="accounting-entry-approve"),
    path("entries/<int:pk>/reject/", views.EntryRejectView.as_view(), name="accounting-entry-reject"),
    path("entries/<int:pk>/reverse/", views.EntryReverseView.as_view(), name="accounting-entry-reverse"),
    path("entries/<int:pk>/delete/", views.EntryDeleteView.as_view(), name="accounting-entry-delete"),
    path("reports/trial-balance/", views.TrialBalanceView.as_view(), name="accounting-trial-balance"),
    path("reports/journal/", views.JournalReportView.as_view(), name="accounting-journal-report"),
    path("reports/balance-sheet/", views.BalanceSheetView.as_view(), name="accounting-balance-sheet"),
    path("reports/income-statement/", views.IncomeStatementView.as_view(), name="accounting-income-statement"),
    path("taxes/", views.TaxRatesView.as_view(), name="accounting-taxes"),
    path("reports/vat/", views.VatReportView.as_view(), name="accounting-vat"),
]
