from django.urls import path

from novasaas.hrm import views as v
from novasaas.hrm import views_formulas as vf
from novasaas.hrm import views_leave as vl
from novasaas.hrm import views_pay as vp
from novasaas.hrm import views_payroll as vr
from novasaas.hrm import views_people as vo
from novasaas.hrm import views_time as vt

urlpatterns = [
    path("", v.HomeView.as_view(), name="hrm-home"),
    path("me/", v.MyHrView.as_view(), name="hrm-me"),
    path("employees/", vo.EmployeeListView.as_view(), name="hrm-employees"),
    path("employees/new/", vo.EmployeeFormView.as_view(), name="hrm-employee-new"),
    path("employees/import/", vo.EmployeeImportView.as_view(), name="hrm-employee-import"),
    path("employees.<str:fmt>", vo.EmployeeFileView.as_view(), name="hrm-employee-file"),
    path("employees/<int:pk>/", vo.EmployeeDetailView.as_view(), name="hrm-employee"),
    path("employees/<int:pk>/edit/", vo.EmployeeFormView.as_view(), name="hrm-employee-edit"),
    path("employees/<int:pk>/contracts/new/", vo.ContractFormView.as_view(), name="hrm-contract-new"),
    path("employees/<int:pk>/dependants/", vo.DependantAddView.as_view(), name="hrm-dependant-add"),
    path("contracts/<int:pk>/renew/", vo.ContractRenewView.as_view(), name="hrm-contract-renew"),
    path("contracts/<int:pk>/terminate/", vo.ContractTerminateView.as_view(), name="hrm-contract-terminate"),
    path("departments/", vo.DepartmentListView.as_view(), name="hrm-departments"),
    path("positions/", vo.PositionListView.as_view(), name="hrm-positions"),
    path("rules/", vr.RulesView.as_view(), name="hrm-rules"),
    path("payroll/", vr.PayrollListView.as_view(), name="hrm-payrolls"),
    path("payroll/adjustments/", vp.AdjustmentListView.as_view(), name="hrm-adjustments"),
    path("payroll/adjustments/<int:pk>/", vp.AdjustmentEditView.as_view(), name="hrm-adjustment"),
    path("payroll/formulas/", vf.SalaryFormulaListView.as_view(), name="hrm-formulas"),
    path("payroll/formulas/<int:pk>/", vf.SalaryFormulaEditView.as_view(), name="hrm-formula"),
    path("payroll/payments/", vp.PaymentListView.as_view(), name="hrm-payments"),
    path("payroll/<int:pk>/payments/", vp.PayrollPaymentDetailView.as_view(), name="hrm-payroll-payments"),
    path("payroll/<int:pk>/pay/", vp.PayrollPayView.as_view(), name="hrm-payroll-pay"),
    path("payroll/<int:pk>/unapprove/", vp.PayrollUnapproveView.as_view(), name="hrm-payroll-unapprove"),
    path("payroll/<int:pk>/", vr.PayrollDetailView.as_view(), name="hrm-payroll"),
    path("payroll/<int:pk>/approve/", vr.PayrollApproveView.as_view(), name="hrm-payroll-approve"),
    path("payroll/<int:pk>/register.<str:fmt>", vr.PayrollRegisterFileView.as_view(), name="hrm-payroll-register"),
    path("payroll/<int:pk>/insurance/", vr.InsuranceListView.as_view(), name="hrm-insurance-list"),
    path("payroll/<int:pk>/insurance.<str:fmt>", vr.InsuranceListView.as_view(), name="hrm-insurance-file"),
    path("payroll/pit/", vr.PitFinalisationView.as_view(), name="hrm-pit-year"),
    path("payroll/pit.<str:fmt>", vr.PitFinalisationView.as_view(), name="hrm-pit-year-file"),
    path("leave/", vl.LeaveView.as_view(), name="hrm-leave"),
    path("leave/balances/", vl.LeaveBalanceReportView.as_view(), name="hrm-leave-balances"),
    path("leave/balances.<str:fmt>", vl.LeaveBalanceReportView.as_view(), name="hrm-leave-balances-file"),
    path("leave/types/", vl.LeaveTypeListView.as_view(), name="hrm-leave-types"),
    path("leave/<int:pk>/<str:decision>/", vl.LeaveDecisionView.as_view(), name="hrm-leave-decision"),
    path("payslips/", vr.PayslipListView.as_view(), name="hrm-payslips"),
    path("payslips/<int:pk>/", vr.PayslipDetailView.as_view(), name="hrm-payslip"),
    path("payslips/<int:pk>/pdf/", vr.PayslipPdfView.as_view(), name="hrm-payslip-pdf"),
    path("attendance/", vt.AttendanceView.as_view(), name="hrm-attendance"),
    path("attendance.<str:fmt>", vt.AttendanceFileView.as_view(), name="hrm-attendance-file"),
    path("attendance/<int:pk>/adjust/", vt.AttendanceAdjustView.as_view(), name="hrm-attendance-adjust"),
    path("attendance/<int:pk>/overtime/<str:decision>/", vt.OvertimeDecisionView.as_view(), name="hrm-overtime"),
    path("timesheet/", vt.TimesheetView.as_view(), name="hrm-timesheet"),
    path("timesheet.<str:fmt>", vt.TimesheetView.as_view(), name="hrm-timesheet-file"),
    path("holidays/", vt.HolidayListView.as_view(), name="hrm-holidays"),
    path("schedules/", vt.WorkScheduleListView.as_view(), name="hrm-schedules"),
    path("leave/calendar/", vl.LeaveCalendarView.as_view(), name="hrm-leave-calendar"),
    path("payroll/<int:pk>/bank.<str:fmt>", vr.PayrollBankFileView.as_view(), name="hrm-payroll-bank"),
    path("payroll/<int:pk>/email/", vr.PayslipEmailView.as_view(), name="hrm-payroll-email"),
]
