from django.urls import path

from novasaas.hrm import views as v

urlpatterns = [
    path("", v.HomeView.as_view(), name="hrm-home"),
    path("employees/", v.EmployeeListView.as_view(), name="hrm-employees"),
    path("employees/new/", v.EmployeeFormView.as_view(), name="hrm-employee-new"),
    path("employees/<int:pk>/", v.EmployeeDetailView.as_view(), name="hrm-employee"),
    path("employees/<int:pk>/edit/", v.EmployeeFormView.as_view(), name="hrm-employee-edit"),
    path("employees/<int:pk>/contracts/new/", v.ContractFormView.as_view(), name="hrm-contract-new"),
    path("employees/<int:pk>/dependants/", v.DependantAddView.as_view(), name="hrm-dependant-add"),
    path("contracts/<int:pk>/terminate/", v.ContractTerminateView.as_view(), name="hrm-contract-terminate"),
    path("departments/", v.DepartmentListView.as_view(), name="hrm-departments"),
    path("positions/", v.PositionListView.as_view(), name="hrm-positions"),
    path("rules/", v.RulesView.as_view(), name="hrm-rules"),
    path("payroll/", v.PayrollListView.as_view(), name="hrm-payrolls"),
    path("payroll/<int:pk>/", v.PayrollDetailView.as_view(), name="hrm-payroll"),
    path("payroll/<int:pk>/approve/", v.PayrollApproveView.as_view(), name="hrm-payroll-approve"),
    path("payroll/<int:pk>/register.<str:fmt>", v.PayrollRegisterFileView.as_view(), name="hrm-payroll-register"),
    path("leave/", v.LeaveView.as_view(), name="hrm-leave"),
    path("leave/types/", v.LeaveTypeListView.as_view(), name="hrm-leave-types"),
    path("leave/<int:pk>/<str:decision>/", v.LeaveDecisionView.as_view(), name="hrm-leave-decision"),
    path("payslips/", v.PayslipListView.as_view(), name="hrm-payslips"),
    path("payslips/<int:pk>/", v.PayslipDetailView.as_view(), name="hrm-payslip"),
    path("payslips/<int:pk>/pdf/", v.PayslipPdfView.as_view(), name="hrm-payslip-pdf"),
]
