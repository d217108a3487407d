"""The permission catalogue and the default roles, transcribed from the spec's tables.

Each ``Perm`` is one function of a spec table (§3–§10) with the roles that have it (✅). A view-only
cell (👁️) is a separate ``*.view`` permission that the role gets without the write permission.
⚙️ cells ("depends on configuration") are not granted by default; Tenant Admin grants them.
``tests/test_role_matrix.py`` checks the seeded roles against this table.

Interpretation of the generic columns of §3: "Manager" is the Manager role; the module managers
(HR, Finance, Sales, Warehouse, Project, Purchase Manager) are "Manager" for the dashboard and the AI
assistant (they manage a module) and "Staff" for users, roles and company settings. "Staff" is every
staff role, Accountant included. Employee and Customer have only sign-in, profile and notifications.
"""

from __future__ import annotations

from dataclasses import dataclass

TENANT_ADMIN = "tenant_admin"
MANAGER = "manager"
HR_MANAGER = "hr_manager"
FINANCE_MANAGER = "finance_manager"
SALES_MANAGER = "sales_manager"
WAREHOUSE_MANAGER = "warehouse_manager"
PROJECT_MANAGER = "project_manager"
PURCHASE_MANAGER = "purchase_manager"
ACCOUNTANT = "accountant"
HR_STAFF = "hr_staff"
SALES_STAFF = "sales_staff"
WAREHOUSE_STAFF = "warehouse_staff"
PURCHASE_STAFF = "purchase_staff"
EMPLOYEE = "employee"
CUSTOMER = "customer"

# (code, English name, Vietnamese name) in the order of spec §2.2 (+ Purchase Manager/Staff of §8).
ROLES: list[tuple[str, str, str]] = [
    (TENANT_ADMIN, "Tenant Admin", "Quản trị doanh nghiệp"),
    (MANAGER, "Manager", "Quản lý"),
    (HR_MANAGER, "HR Manager", "Quản lý nhân sự"),
    (FINANCE_MANAGER, "Finance Manager", "Quản lý tài chính"),
    (SALES_MANAGER, "Sales Manager", "Quản lý bán hàng"),
    (WAREHOUSE_MANAGER, "Warehouse Manager", "Quản lý kho"),
    (PROJECT_MANAGER, "Project Manager", "Quản lý dự án"),
    (PURCHASE_MANAGER, "Purchase Manager", "Quản lý mua hàng"),
    (ACCOUNTANT, "Accountant", "Kế toán viên"),
    (HR_STAFF, "HR Staff", "Nhân viên nhân sự"),
    (SALES_STAFF, "Sales Staff", "Nhân viên bán hàng"),
    (WAREHOUSE_STAFF, "Warehouse Staff", "Nhân viên kho"),
    (PURCHASE_STAFF, "Purchase Staff", "Nhân viên mua hàng"),
    (EMPLOYEE, "Employee", "Nhân viên"),
    (CUSTOMER, "Customer", "Khách hàng"),
]

MODULE_MANAGERS = [HR_MANAGER, FINANCE_MANAGER, SALES_MANAGER, WAREHOUSE_MANAGER, PROJECT_MANAGER, PURCHASE_MANAGER]
STAFF = [ACCOUNTANT, HR_STAFF, SALES_STAFF, WAREHOUSE_STAFF, PURCHASE_STAFF]
ALL_STAFF = [MANAGER, *MODULE_MANAGERS, *STAFF]  # everyone who works in the back office
ALL_INTERNAL = [*ALL_STAFF, EMPLOYEE]
# Roles of people outside the company (a customer's contact on the portal): invited by the module that
# owns the relation (Sales, ``identity.actions.invite_portal_user``), not paid users of the plan.
PORTAL_ROLES = frozenset({CUSTOMER})


@dataclass(frozen=True)
class Perm:
    code: str
    module: str
    label: str  # Vietnamese, as the spec names the function
    label_en: str
    roles: tuple[str, ...]

    def display(self, language: str | None) -> str:
        """The right in the user's words: English label in English; in Vietnamese the spec's name
        without its technical shorthand ("CRUD Coupon" → "Quản lý coupon")."""
        if (language or "vi").startswith("en"):
            return self.label_en
        if self.label.startswith("CRUD "):
            rest = self.label[5:]
            return "Quản lý " + rest[:1].lower() + rest[1:]
        return self.label

    def role_names(self, language: str | None) -> list[str]:
        """The names of the built-in roles that hold this right, in the user's language."""
        english = (language or "vi").startswith("en")
        names = {code: (en if english else vi) for code, en, vi in ROLES}
        return [names[r] for r in self.roles if r in names]


def _p(code: str, module: str, label: str, label_en: str, roles: list[str]) -> Perm:
    return Perm(code, module, label, label_en, tuple(sorted(set(roles))))


M, MM = [MANAGER], MODULE_MANAGERS

PERMISSIONS: list[Perm] = [
    # §3.1.1 Identity & Access Management
    _p("core.users.view", "CORE", "Xem người dùng", "View users", M),
    _p("core.users.manage", "CORE", "Quản lý Users", "Manage users", []),
    _p("core.roles.manage", "CORE", "Quản lý Roles", "Manage roles", []),
    _p("core.roles.assign", "CORE", "Gán Permissions", "Assign permissions", []),
    _p("core.users.invite", "CORE", "Mời người dùng", "Invite users", M),
    _p("core.audit.view", "CORE", "Xem Audit Logs", "View audit log", M),
    # §3.1.2 Tenant settings
    _p("core.settings.company.view", "CORE", "Xem thông tin công ty", "View company information", M),
    _p("core.settings.company.edit", "CORE", "Thông tin công ty", "Edit company information", []),
    _p("core.settings.appearance", "CORE", "Cấu hình giao diện", "Appearance", []),
    _p("core.settings.notifications", "CORE", "Cài đặt thông báo", "Notification settings", M),
    _p("core.settings.region", "CORE", "Cấu hình khu vực", "Region settings", []),
    _p("core.apikeys.manage", "CORE", "Quản lý API Keys", "Manage API keys", []),
    _p("core.subscription.view", "CORE", "Xem gói dịch vụ", "View subscription", M),
    _p("core.subscription.manage", "CORE", "Nâng cấp gói", "Upgrade subscription", []),
    # §3.1.3 Dashboard
    _p("core.dashboard.view", "CORE", "Xem tổng quan", "View dashboard", ALL_STAFF),
    _p("core.dashboard.full", "CORE", "Xem tổng quan đầy đủ", "Full dashboard", []),
    _p("core.dashboard.customize", "CORE", "Tùy chỉnh Dashboard", "Arrange dashboard", [*M, *MM]),
    _p("core.quick_actions", "CORE", "Quick Actions", "Quick actions", ALL_STAFF),
    # §3.1.4 AI assistant (⚙️ for staff: not granted by default)
    _p("core.ai.chat", "CORE", "Chat AI cơ bản", "Basic AI chat", ALL_STAFF),
    _p("core.ai.rag", "CORE", "Chat với RAG", "Chat with documents", [*M, *MM]),
    _p("core.ai.functions", "CORE", "Function Calling", "AI data queries", [*M, *MM]),
    _p("core.ai.upload", "CORE", "Upload tài liệu AI", "Upload AI knowledge", [*M, *MM]),
    # NextFlow AI token document §8: keys, credits, budgets and usage of the company (Tenant Admin only)
    _p("core.ai.manage", "CORE", "Quản lý AI token, khóa và ngân sách", "Manage AI keys, credits and budgets", []),
    # Parties: the shared directory; whoever keeps customers, vendors or employees edits it.
    _p("core.parties.view", "CORE", "Xem danh bạ đối tác", "View parties", ALL_STAFF),
    _p(
        "core.parties.edit",
        "CORE",
        "Sửa danh bạ đối tác",
        "Edit parties",
        [
            MANAGER,
            SALES_MANAGER,
            SALES_STAFF,
            PURCHASE_MANAGER,
            PURCHASE_STAFF,
            FINANCE_MANAGER,
            ACCOUNTANT,
            HR_MANAGER,
        ],
    ),
    _p(
        "core.parties.merge",
        "CORE",
        "Gộp đối tác trùng",
        "Merge duplicate parties",
        [SALES_MANAGER, PURCHASE_MANAGER, FINANCE_MANAGER],
    ),
    _p(
        "core.parties.import",
        "CORE",
        "Import/Export đối tác",
        "Import/export parties",
        [SALES_MANAGER, PURCHASE_MANAGER, FINANCE_MANAGER],
    ),
    # §4 HRM
    _p("hrm.org.manage", "HRM", "CRUD Phòng ban, Chức vụ", "Departments and positions", [HR_MANAGER]),
    _p("hrm.org.view", "HRM", "Sơ đồ tổ chức", "Org chart", [HR_MANAGER, HR_STAFF, MANAGER]),
    _p("hrm.employee.manage", "HRM", "CRUD Hồ sơ nhân viên", "Manage employees", [HR_MANAGER]),
    _p("hrm.employee.view", "HRM", "Xem hồ sơ nhân viên", "View employees", [HR_MANAGER, HR_STAFF]),
    _p(
        "hrm.employee.update_contact",
        "HRM",
        "Cập nhật thông tin cơ bản",
        "Update contact details",
        [HR_MANAGER, HR_STAFF],
    ),
    _p("hrm.team.view", "HRM", "Xem nhân viên trong team", "View my team", [MANAGER, HR_MANAGER]),
    _p("hrm.contract.manage", "HRM", "Quản lý Hợp đồng", "Contracts", [HR_MANAGER]),
    _p("hrm.import", "HRM", "Import/Export danh sách", "Import/export employees", [HR_MANAGER]),
    _p("hrm.attendance.configure", "HRM", "Cấu hình ca làm việc", "Shifts", [HR_MANAGER]),
    _p("hrm.attendance.report", "HRM", "Xem báo cáo chấm công", "Attendance reports", [HR_MANAGER]),
    _p("hrm.attendance.adjust", "HRM", "Điều chỉnh chấm công", "Adjust attendance", [HR_MANAGER]),
    _p("hrm.attendance.enter", "HRM", "Nhập dữ liệu chấm công", "Enter attendance", [HR_STAFF]),
    _p("hrm.attendance.confirm_team", "HRM", "Xác nhận chấm công", "Confirm team overtime", [MANAGER]),
    _p("hrm.attendance.self", "HRM", "Chấm công", "Check in/out", [EMPLOYEE, *ALL_STAFF]),
    _p("hrm.leave.configure", "HRM", "Cấu hình loại nghỉ", "Leave types", [HR_MANAGER]),
    _p("hrm.leave.approve", "HRM", "Duyệt đơn nghỉ", "Approve leave", [HR_MANAGER]),
    _p("hrm.leave.approve_team", "HRM", "Duyệt đơn nghỉ phép cấp 1", "Approve team leave", [MANAGER]),
    _p("hrm.leave.process", "HRM", "Xử lý đơn nghỉ phép", "Process leave requests", [HR_STAFF]),
    _p("hrm.leave.report", "HRM", "Báo cáo nghỉ phép", "Leave reports", [HR_MANAGER]),
    _p("hrm.leave.request", "HRM", "Gửi đơn nghỉ phép", "Request leave", [EMPLOYEE, *ALL_STAFF]),
    _p("hrm.payroll.configure", "HRM", "Cấu hình công thức lương", "Salary formulas", [HR_MANAGER]),
    _p("hrm.payroll.generate", "HRM", "Tạo bảng lương", "Generate payroll", [HR_MANAGER]),
    _p("hrm.payroll.approve", "HRM", "Duyệt bảng lương", "Approve payroll", [HR_MANAGER]),
    _p("hrm.bonus.manage", "HRM", "Quản lý thưởng/phạt", "Bonus and deductions", [HR_MANAGER]),
    _p("hrm.payslip.self", "HRM", "Xem phiếu lương", "My pay slips", [EMPLOYEE, *ALL_STAFF]),
    _p("hrm.performance.manage", "HRM", "Thiết lập KPI, đợt đánh giá", "KPIs and review cycles", [HR_MANAGER]),
    _p("hrm.performance.review", "HRM", "Đánh giá hiệu suất", "Review my team", [MANAGER, HR_MANAGER]),
    _p("hrm.performance.self", "HRM", "Tự đánh giá", "Self-assessment", [EMPLOYEE, *ALL_STAFF]),
    _p("hrm.recruitment.manage", "HRM", "Tuyển dụng", "Recruitment", [HR_MANAGER]),
    _p("hrm.recruitment.assist", "HRM", "Hỗ trợ tuyển dụng", "Assist recruitment", [HR_STAFF]),
    _p("hrm.training.manage", "HRM", "Đào tạo", "Training programmes", [HR_MANAGER]),
    _p("hrm.training.self", "HRM", "Xem đào tạo", "My training", [EMPLOYEE, *ALL_STAFF]),
    # §5 CRM
    _p("crm.customer.view", "CRM", "Xem khách hàng", "View customers", [SALES_MANAGER, SALES_STAFF]),
    _p("crm.customer.create", "CRM", "Thêm khách hàng mới", "Create customers", [SALES_MANAGER, SALES_STAFF]),
    _p("crm.customer.edit", "CRM", "Cập nhật thông tin", "Edit customers", [SALES_MANAGER, SALES_STAFF]),
    _p("crm.customer.delete", "CRM", "Xóa khách hàng", "Delete customers", [SALES_MANAGER]),
    _p("crm.customer.segment", "CRM", "Phân nhóm khách hàng", "Customer groups", [SALES_MANAGER]),
    _p("crm.customer.credit_limit", "CRM", "Thiết lập hạn mức tín dụng", "Credit limits", [SALES_MANAGER]),
    _p("crm.customer.assign", "CRM", "Phân công Sales", "Assign salespeople", [SALES_MANAGER]),
    _p("crm.customer.import", "CRM", "Import/Export", "Import/export customers", [SALES_MANAGER]),
    _p("crm.activity.log", "CRM", "Ghi nhận Activity", "Log activities", [SALES_MANAGER, SALES_STAFF]),
    _p("crm.lead.manage", "CRM", "Quản lý Lead", "Leads", [SALES_MANAGER, SALES_STAFF]),
    _p("crm.opportunity.manage", "CRM", "Quản lý Opportunity", "Opportunities", [SALES_MANAGER, SALES_STAFF]),
    _p("crm.forecast.view", "CRM", "Dự báo doanh thu", "Sales forecast", [SALES_MANAGER]),
    _p("crm.order.view_all", "CRM", "Xem tất cả đơn hàng", "All orders", [SALES_MANAGER]),
    _p("crm.order.create", "CRM", "Tạo Đơn hàng", "Create orders", [SALES_MANAGER, SALES_STAFF]),
    _p("crm.order.approve", "CRM", "Duyệt đơn hàng lớn", "Approve large orders", [SALES_MANAGER]),
    _p("crm.quotation.manage", "CRM", "Quản lý báo giá", "Quotations", [SALES_MANAGER, SALES_STAFF]),
    _p("crm.invoice.create", "CRM", "Tạo Hóa đơn", "Create invoices", [SALES_MANAGER, SALES_STAFF]),
    _p("crm.document.print", "CRM", "In đơn/hóa đơn", "Print documents", [SALES_MANAGER, SALES_STAFF]),
    _p("crm.payment.receive", "CRM", "Nhận thanh toán", "Receive payments", [SALES_MANAGER, SALES_STAFF]),
    _p("crm.coupon.manage", "CRM", "CRUD Coupon", "Coupons", [SALES_MANAGER]),
    _p("crm.coupon.apply", "CRM", "Áp dụng Coupon", "Apply coupons", [SALES_MANAGER, SALES_STAFF]),
    _p("crm.loyalty.configure", "CRM", "Cấu hình Loyalty", "Loyalty programme", [SALES_MANAGER]),
    _p("crm.loyalty.add", "CRM", "Cộng điểm Loyalty", "Add loyalty points", [SALES_MANAGER, SALES_STAFF]),
    _p("crm.campaign.manage", "CRM", "Tạo Campaign", "Campaigns", [SALES_MANAGER]),
    _p("crm.report.view", "CRM", "Báo cáo bán hàng", "Sales reports", [SALES_MANAGER]),
    _p("crm.portal", "CRM", "Portal khách hàng", "Customer portal", [CUSTOMER]),
    # §6 INV
    _p("inv.product.manage", "INV", "CRUD Sản phẩm, danh mục, đơn vị, biến thể", "Catalogue", [WAREHOUSE_MANAGER]),
    _p("inv.product.view", "INV", "Xem sản phẩm", "View catalogue", [WAREHOUSE_MANAGER, WAREHOUSE_STAFF]),
    _p("inv.tracking.configure", "INV", "Cấu hình Lot/Serial", "Lot/serial settings", [WAREHOUSE_MANAGER]),
    _p(
        "inv.warehouse.manage", "INV", "CRUD Kho, vị trí, kho mặc định", "Warehouses and locations", [WAREHOUSE_MANAGER]
    ),
    _p("inv.stock.view", "INV", "Xem tồn kho", "View stock", [WAREHOUSE_MANAGER, WAREHOUSE_STAFF]),
    _p("inv.reorder.configure", "INV", "Thiết lập ngưỡng cảnh báo", "Reorder levels", [WAREHOUSE_MANAGER]),
    _p("inv.adjustment.create", "INV", "Điều chỉnh tồn kho", "Stock adjustments", [WAREHOUSE_MANAGER]),
    _p("inv.movement.approve", "INV", "Duyệt phiếu xuất/nhập", "Approve movements", [WAREHOUSE_MANAGER]),
    _p(
        "inv.receipt.create",
        "INV",
        "Nhận hàng, tạo phiếu nhập, put-away",
        "Receive goods",
        [WAREHOUSE_MANAGER, WAREHOUSE_STAFF],
    ),
    _p(
        "inv.issue.create", "INV", "Pick, đóng gói, tạo phiếu xuất", "Issue goods", [WAREHOUSE_MANAGER, WAREHOUSE_STAFF]
    ),
    _p("inv.count.create", "INV", "Tạo lệnh kiểm kê", "Create counts", [WAREHOUSE_MANAGER]),
    _p(
        "inv.count.perform",
        "INV",
        "Thực hiện đếm, ghi nhận chênh lệch",
        "Perform counts",
        [WAREHOUSE_MANAGER, WAREHOUSE_STAFF],
    ),
    _p("inv.count.approve", "INV", "Duyệt kết quả kiểm kê", "Approve counts", [WAREHOUSE_MANAGER]),
    _p("inv.transfer.create", "INV", "Tạo lệnh chuyển kho", "Create transfers", [WAREHOUSE_MANAGER]),
    _p("inv.transfer.approve", "INV", "Duyệt chuyển kho", "Approve transfers", [WAREHOUSE_MANAGER]),
    _p(
        "inv.transfer.execute",
        "INV",
        "Thực hiện chuyển, xác nhận nhận hàng",
        "Execute and receive transfers",
        [WAREHOUSE_MANAGER, WAREHOUSE_STAFF],
    ),
    _p("inv.report.view", "INV", "Báo cáo kho, ABC", "Inventory reports", [WAREHOUSE_MANAGER]),
    # §7 ACC
    _p("acc.coa.configure", "ACC", "Thiết lập hệ thống tài khoản", "Chart of accounts", [FINANCE_MANAGER]),
    _p("acc.period.configure", "ACC", "Cấu hình năm/kỳ kế toán", "Fiscal years and periods", [FINANCE_MANAGER]),
    _p("acc.tax.configure", "ACC", "Thiết lập thuế suất", "Tax rates", [FINANCE_MANAGER]),
    _p("acc.bank.configure", "ACC", "Liên kết tài khoản ngân hàng", "Bank accounts", [FINANCE_MANAGER]),
    _p("acc.entry.approve", "ACC", "Duyệt bút toán", "Approve entries", [FINANCE_MANAGER]),
    _p("acc.entry.reverse", "ACC", "Đảo bút toán", "Reverse entries", [FINANCE_MANAGER]),
    _p("acc.period.close", "ACC", "Khóa kỳ kế toán", "Close periods", [FINANCE_MANAGER]),
    _p("acc.aging.view", "ACC", "Theo dõi công nợ phải thu/phải trả", "AR and AP aging", [FINANCE_MANAGER, ACCOUNTANT]),
    _p("acc.payment.approve", "ACC", "Duyệt thanh toán", "Approve payments", [FINANCE_MANAGER]),
    _p("acc.budget.manage", "ACC", "Tạo ngân sách", "Budgets", [FINANCE_MANAGER]),
    _p("acc.budget.view", "ACC", "Theo dõi thực hiện ngân sách", "Budget vs actual", [FINANCE_MANAGER]),
    _p("acc.statement.view", "ACC", "Báo cáo tài chính", "Financial statements", [FINANCE_MANAGER]),
    _p("acc.tax.report", "ACC", "Báo cáo thuế, kê khai thuế", "Tax reports and filing", [FINANCE_MANAGER]),
    _p("acc.entry.create", "ACC", "Tạo bút toán thủ công", "Create entries", [ACCOUNTANT, FINANCE_MANAGER]),
    _p("acc.entry.import", "ACC", "Import bút toán", "Import entries", [ACCOUNTANT, FINANCE_MANAGER]),
    _p("acc.ledger.view", "ACC", "Xem sổ sách", "View ledgers", [ACCOUNTANT, FINANCE_MANAGER]),
    _p("acc.payment.record", "ACC", "Ghi nhận thanh toán", "Record payments", [ACCOUNTANT, FINANCE_MANAGER]),
    _p("acc.reconcile", "ACC", "Đối chiếu công nợ, ngân hàng", "Reconciliation", [ACCOUNTANT, FINANCE_MANAGER]),
    _p("acc.reminder.send", "ACC", "Gửi nhắc nợ", "Send reminders", [ACCOUNTANT, FINANCE_MANAGER]),
    _p("acc.bank.import", "ACC", "Import sao kê", "Import statements", [ACCOUNTANT, FINANCE_MANAGER]),
    _p("acc.revenue.confirm", "ACC", "Xác nhận doanh thu", "Confirm revenue", [ACCOUNTANT, FINANCE_MANAGER]),
    _p("acc.expense.record", "ACC", "Ghi nhận chi phí", "Record expenses", [ACCOUNTANT, FINANCE_MANAGER]),
    _p("acc.cost.calculate", "ACC", "Tính giá vốn", "Cost calculation", [ACCOUNTANT, FINANCE_MANAGER]),
    # §8 SCM
    _p(
        "scm.vendor.manage",
        "SCM",
        "CRUD Nhà cung cấp, đánh giá, bảng giá",
        "Vendors and price lists",
        [PURCHASE_MANAGER],
    ),
    _p("scm.vendor.view", "SCM", "Liên hệ NCC", "View and contact vendors", [PURCHASE_MANAGER, PURCHASE_STAFF]),
    _p("scm.requisition.create", "SCM", "Tạo yêu cầu mua", "Create requisitions", [PURCHASE_STAFF, PURCHASE_MANAGER]),
    _p("scm.requisition.approve", "SCM", "Duyệt yêu cầu mua", "Approve requisitions", [PURCHASE_MANAGER]),
    _p("scm.po.create", "SCM", "Tạo đơn đặt hàng", "Create purchase orders", [PURCHASE_MANAGER, PURCHASE_STAFF]),
    _p("scm.po.approve", "SCM", "Duyệt đơn đặt hàng", "Approve purchase orders", [PURCHASE_MANAGER]),
    _p("scm.po.track", "SCM", "Theo dõi đơn hàng", "Track orders", [PURCHASE_MANAGER, PURCHASE_STAFF]),
    _p("scm.return.manage", "SCM", "Xử lý trả hàng", "Returns to vendor", [PURCHASE_MANAGER, WAREHOUSE_STAFF]),
    _p(
        "scm.receipt.create",
        "SCM",
        "Nhận hàng từ NCC, kiểm tra chất lượng",
        "Receive from vendors",
        [WAREHOUSE_STAFF, PURCHASE_MANAGER],
    ),
    _p("scm.report.view", "SCM", "Phân tích mua hàng", "Purchase analysis", [PURCHASE_MANAGER]),
    # §9 PM
    _p("pm.project.manage", "PM", "CRUD Dự án, giai đoạn, milestones, ngân sách", "Manage projects", [PROJECT_MANAGER]),
    _p("pm.task.manage", "PM", "Tạo/phân công Tasks", "Assign tasks", [PROJECT_MANAGER]),
    _p("pm.member.manage", "PM", "Thành viên dự án", "Project members", [PROJECT_MANAGER]),
    _p("pm.timesheet.approve", "PM", "Duyệt Timesheet", "Approve timesheets", [PROJECT_MANAGER]),
    _p("pm.report.view", "PM", "Báo cáo dự án", "Project reports", [PROJECT_MANAGER]),
    _p("pm.project.view", "PM", "Xem dự án", "View projects", [PROJECT_MANAGER, *ALL_INTERNAL]),
    _p(
        "pm.task.work",
        "PM",
        "Cập nhật task, log thời gian, comment, đính kèm",
        "Work on my tasks",
        [PROJECT_MANAGER, *ALL_INTERNAL],
    ),
    # §10 DMS
    _p("dms.admin", "DMS", "Thư mục, phân quyền, mẫu, workflow, quota", "Administer documents", []),
    _p("dms.use", "DMS", "Upload, tải, xem, version, chia sẻ, tìm kiếm", "Use documents", ALL_INTERNAL),
]

PERMISSIONS_BY_CODE: dict[str, Perm] = {p.code: p for p in PERMISSIONS}
ROLE_CODES = [code for code, _en, _vi in ROLES]


def default_role_permissions() -> dict[str, set[str]]:
    """Role code → permission codes. Tenant Admin has every permission."""
    grants: dict[str, set[str]] = {code: set() for code in ROLE_CODES}
    for perm in PERMISSIONS:
        for role in perm.roles:
            grants[role].add(perm.code)
    grants[TENANT_ADMIN] = set(PERMISSIONS_BY_CODE)
    return grants
