"""Projects API (/api/v1/projects/): thin endpoints over actions and selectors (module gate PM)."""

from json import dumps
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Router
from ninja.pagination import LimitOffsetPagination, paginate

from novasaas.identity.access import Principal
from novasaas.platform.api import ErrorOut, Id, module_auth
from novasaas.projects import actions, invoicing, reports, selectors, timesheets
from novasaas.projects import schemas as s
from novasaas.projects.models import ProjectExpense, TaskComment, TaskDependency

router = Router(tags=["projects"], auth=module_auth("PM"))
E = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut}


def _p(request: HttpRequest, perm: str) -> Principal:
    principal: Principal = request.auth  # type: ignore[attr-defined]
    principal.require(perm)
    return principal


def _set(data: Any) -> dict[str, Any]:
    return data.model_dump(exclude_unset=True)  # type: ignore[no-any-return]


# --- projects --------------------------------------------------------------------------------------


@router.get("", response=list[s.ProjectOut])
@paginate(LimitOffsetPagination)
def list_projects(request: HttpRequest, q: str = "", status: s.ProjectStatusT | None = None, tag: str = "") -> Any:
    p = _p(request, "pm.project.view")
    return selectors.list_projects(p, q[:200], status or "", tag[:50])


@router.post("", response={201: s.ProjectOut, **E})
def create_project(request: HttpRequest, data: s.ProjectIn) -> Any:
    p = _p(request, "pm.project.manage")
    return 201, actions.save_project(p, **data.model_dump())


@router.get("/my-tasks", response=list[s.TaskOut])
@paginate(LimitOffsetPagination)
def my_tasks(request: HttpRequest, include_done: bool = False) -> Any:
    p = _p(request, "pm.task.work")
    return selectors.my_tasks(p, open_only=not include_done)


@router.get("/reports/{name}", response={200: s.ProjectReportOut, 403: ErrorOut, 404: ErrorOut, 503: ErrorOut})
def report(
    request: HttpRequest,
    name: s.ReportName,
    date_from: s.Date | None = None,
    date_to: s.Date | None = None,
    format: s.ReportFormat = "json",
) -> Any:
    """Costs and profitability, utilisation per person, or progress: JSON, or the page's Excel/PDF file."""
    p = _p(request, "pm.report.view")
    table = reports.build(p, name, date_from, date_to)
    if format == "json":
        return table.as_json()
    return reports.file_response(
        table,
        format,
        unavailable=lambda text: HttpResponse(dumps({"detail": text}), status=503, content_type="application/json"),
    )


@router.get("/{int:project_id}/burndown", response={200: s.ProjectReportOut, **E, 503: ErrorOut})
def burndown(request: HttpRequest, project_id: int, format: s.ReportFormat = "json") -> Any:
    """Remaining estimated hours per day against the ideal line: JSON, or the page's Excel/PDF file."""
    p = _p(request, "pm.report.view")
    table = reports.burndown(p, project_id)
    if format == "json":
        return table.as_json()
    return reports.file_response(
        table,
        format,
        unavailable=lambda text: HttpResponse(dumps({"detail": text}), status=503, content_type="application/json"),
    )


@router.get("/{int:project_id}/gantt", response={200: s.GanttOut, **E})
def gantt(request: HttpRequest, project_id: int) -> Any:
    """Phases, tasks (with finish-to-start dependencies and progress) and milestones of a project."""
    p = _p(request, "pm.project.view")
    data = selectors.gantt(selectors.get_project(p, project_id))
    # already JSON-ready (ISO dates, ints): serialised directly, without a per-task model validation
    # that costs more than the queries on a 2,000-task project (benchmarks/projects.py)
    return HttpResponse(dumps(data, ensure_ascii=False), content_type="application/json")


@router.get("/{int:project_id}", response={200: s.ProjectOut, **E})
def get_project(request: HttpRequest, project_id: int) -> Any:
    p = _p(request, "pm.project.view")
    return selectors.get_project(p, project_id)


@router.patch("/{int:project_id}", response={200: s.ProjectOut, **E})
def update_project(request: HttpRequest, project_id: int, data: s.ProjectUpdate) -> Any:
    p = _p(request, "pm.project.manage")
    return actions.save_project(p, project_id, **_set(data))


@router.delete("/{int:project_id}", response={204: None, **E})
def delete_project(request: HttpRequest, project_id: int) -> Any:
    p = _p(request, "pm.project.manage")
    actions.delete_project(p, project_id)
    return 204, None


@router.get("/{int:project_id}/phases", response={200: list[s.PhaseOut], **E})
def list_phases(request: HttpRequest, project_id: int) -> Any:
    p = _p(request, "pm.project.view")
    return list(selectors.list_phases(selectors.get_project(p, project_id)))


@router.post("/{int:project_id}/phases", response={201: s.PhaseOut, **E})
def create_phase(request: HttpRequest, project_id: int, data: s.PhaseIn) -> Any:
    p = _p(request, "pm.project.manage")
    return 201, actions.save_phase(p, project_id, **data.model_dump())


@router.get("/{int:project_id}/milestones", response={200: list[s.MilestoneOut], **E})
def list_milestones(request: HttpRequest, project_id: int) -> Any:
    p = _p(request, "pm.project.view")
    return list(selectors.list_milestones(selectors.get_project(p, project_id)))


@router.post("/{int:project_id}/milestones", response={201: s.MilestoneOut, **E})
def create_milestone(request: HttpRequest, project_id: int, data: s.MilestoneIn) -> Any:
    p = _p(request, "pm.project.manage")
    return 201, actions.save_milestone(p, project_id, **data.model_dump())


@router.get("/{int:project_id}/members", response={200: list[s.ProjectMemberOut], **E})
def list_members(request: HttpRequest, project_id: int) -> Any:
    p = _p(request, "pm.project.view")
    return list(selectors.list_members(selectors.get_project(p, project_id)))


@router.post("/{int:project_id}/members", response={201: s.ProjectMemberOut, **E})
def save_member(request: HttpRequest, project_id: int, data: s.MemberIn) -> Any:
    """Add a member or change their project role and rates (one row per user)."""
    p = _p(request, "pm.member.manage")
    return 201, actions.save_member(p, project_id, **data.model_dump())


@router.delete("/{int:project_id}/members/{int:member_id}", response={204: None, **E})
def remove_member(request: HttpRequest, project_id: int, member_id: int) -> Any:
    p = _p(request, "pm.member.manage")
    actions.remove_member(p, project_id, member_id)
    return 204, None


# --- tasks -----------------------------------------------------------------------------------------


@router.get("/{int:project_id}/tasks", response={200: list[s.TaskOut], **E})
@paginate(LimitOffsetPagination)
def list_tasks(
    request: HttpRequest, project_id: int, status: s.TaskStatusT | None = None, assignee_id: Id | None = None
) -> Any:
    p = _p(request, "pm.project.view")
    project = selectors.get_project(p, project_id)
    return selectors.list_tasks(p, project.pk, status=status or "", assignee_id=assignee_id)


@router.post("/{int:project_id}/tasks", response={201: s.TaskOut, **E})
def create_task(request: HttpRequest, project_id: int, data: s.TaskIn) -> Any:
    p = _p(request, "pm.task.manage")
    return 201, actions.save_task(p, project_id, **data.model_dump())


@router.get("/tasks/{int:task_id}", response={200: s.TaskOut, **E})
def get_task(request: HttpRequest, task_id: int) -> Any:
    p = _p(request, "pm.project.view")
    return selectors.get_task(p, task_id)


@router.patch("/tasks/{int:task_id}", response={200: s.TaskOut, **E})
def update_task(request: HttpRequest, task_id: int, data: s.TaskUpdate) -> Any:
    """Managers (``pm.task.manage``) change anything; members (``pm.task.work``) only the status."""
    p = _p(request, "pm.project.view")
    return actions.save_task(p, task_id=task_id, **_set(data))


@router.delete("/tasks/{int:task_id}", response={204: None, **E})
def delete_task(request: HttpRequest, task_id: int) -> Any:
    p = _p(request, "pm.task.manage")
    actions.delete_task(p, task_id)
    return 204, None


@router.post("/tasks/{int:task_id}/move", response={200: s.TaskOut, **E})
def move_task(request: HttpRequest, task_id: int, data: s.TaskMoveIn) -> Any:
    """Move a task to a board column at a position (the Kanban drag)."""
    p = _p(request, "pm.task.work")
    return actions.move_task(p, task_id, status=data.status, position=data.position)


@router.get("/tasks/{int:task_id}/dependencies", response={200: list[s.DependencyOut], **E})
def list_dependencies(request: HttpRequest, task_id: int) -> Any:
    p = _p(request, "pm.project.view")
    task = selectors.get_task(p, task_id)
    return list(TaskDependency.objects.filter(successor=task).order_by("id"))


@router.post("/tasks/{int:task_id}/dependencies", response={201: s.DependencyOut, **E})
def add_dependency(request: HttpRequest, task_id: int, data: s.DependencyIn) -> Any:
    """Finish-to-start: the task starts after ``predecessor_id`` finishes; a cycle is a 400."""
    p = _p(request, "pm.task.manage")
    return 201, actions.add_dependency(p, task_id, data.predecessor_id)


@router.delete("/tasks/{int:task_id}/dependencies/{int:predecessor_id}", response={204: None, **E})
def remove_dependency(request: HttpRequest, task_id: int, predecessor_id: int) -> Any:
    p = _p(request, "pm.task.manage")
    actions.remove_dependency(p, task_id, predecessor_id)
    return 204, None


@router.get("/tasks/{int:task_id}/comments", response={200: list[s.CommentOut], **E})
def list_comments(request: HttpRequest, task_id: int) -> Any:
    p = _p(request, "pm.project.view")
    return list(TaskComment.objects.filter(task=selectors.get_task(p, task_id)))


@router.post("/tasks/{int:task_id}/comments", response={201: s.CommentOut, **E})
def add_comment(request: HttpRequest, task_id: int, data: s.CommentIn) -> Any:
    """Comment; ``@name`` (email or its local part) of a project member notifies them."""
    p = _p(request, "pm.task.work")
    return 201, actions.add_comment(p, task_id, data.body)


# --- timesheets and expenses -----------------------------------------------------------------------


@router.get("/timesheets", response=list[s.TimesheetOut])
@paginate(LimitOffsetPagination)
def my_timesheets(request: HttpRequest) -> Any:
    p = _p(request, "pm.task.work")
    return selectors.my_timesheets(p)


@router.get("/timesheets/to-approve", response=list[s.TimesheetOut])
@paginate(LimitOffsetPagination)
def timesheets_to_approve(request: HttpRequest) -> Any:
    p = _p(request, "pm.timesheet.approve")
    return selectors.timesheets_to_approve(p)


@router.get("/timesheets/{int:timesheet_id}/entries", response={200: list[s.TimeEntryOut], **E})
def timesheet_entries(request: HttpRequest, timesheet_id: int) -> Any:
    p = _p(request, "pm.project.view")
    return list(selectors.get_timesheet(p, timesheet_id).entries.order_by("date", "id"))


@router.post("/time-entries", response={201: s.TimeEntryOut, **E})
def log_time(request: HttpRequest, data: s.TimeEntryIn) -> Any:
    p = _p(request, "pm.task.work")
    return 201, timesheets.log_time(p, **data.model_dump())


@router.patch("/time-entries/{int:entry_id}", response={200: s.TimeEntryOut, **E})
def update_entry(request: HttpRequest, entry_id: int, data: s.TimeEntryUpdate) -> Any:
    p = _p(request, "pm.task.work")
    return timesheets.update_entry(p, entry_id, **_set(data))


@router.delete("/time-entries/{int:entry_id}", response={204: None, **E})
def delete_entry(request: HttpRequest, entry_id: int) -> Any:
    p = _p(request, "pm.task.work")
    timesheets.delete_entry(p, entry_id)
    return 204, None


@router.post("/timesheets/{int:timesheet_id}/submit", response={200: s.TimesheetOut, **E})
def submit_timesheet(request: HttpRequest, timesheet_id: int) -> Any:
    p = _p(request, "pm.task.work")
    return timesheets.submit_timesheet(p, timesheet_id)


@router.post("/timesheets/{int:timesheet_id}/approve", response={200: s.TimesheetOut, **E})
def approve_timesheet(request: HttpRequest, timesheet_id: int) -> Any:
    p = _p(request, "pm.timesheet.approve")
    return timesheets.approve_timesheet(p, timesheet_id)


@router.post("/timesheets/{int:timesheet_id}/reject", response={200: s.TimesheetOut, **E})
def reject_timesheet(request: HttpRequest, timesheet_id: int, data: s.TimesheetRejectIn) -> Any:
    p = _p(request, "pm.timesheet.approve")
    return timesheets.reject_timesheet(p, timesheet_id, data.note)


@router.get("/{int:project_id}/expenses", response={200: list[s.ExpenseOut], **E})
def list_expenses(request: HttpRequest, project_id: int) -> Any:
    p = _p(request, "pm.project.view")
    return list(ProjectExpense.objects.filter(project=selectors.get_project(p, project_id)))


@router.post("/{int:project_id}/expenses", response={201: s.ExpenseOut, **E})
def add_expense(request: HttpRequest, project_id: int, data: s.ProjectExpenseIn) -> Any:
    p = _p(request, "pm.task.work")
    return 201, timesheets.add_expense(p, project_id, **data.model_dump())


@router.get("/expenses/{int:expense_id}", response={200: s.ExpenseOut, **E})
def get_expense(request: HttpRequest, expense_id: int) -> Any:
    p = _p(request, "pm.project.view")
    return selectors.get_expense(p, expense_id)


@router.patch("/expenses/{int:expense_id}", response={200: s.ExpenseOut, **E})
def update_expense(request: HttpRequest, expense_id: int, data: s.ProjectExpensePatchIn) -> Any:
    """Correct a draft expense (the member who recorded it or the project's manager)."""
    p = _p(request, "pm.task.work")
    return timesheets.update_expense(p, expense_id, **data.model_dump(exclude_unset=True))


@router.delete("/expenses/{int:expense_id}", response={204: None, **E})
def delete_expense(request: HttpRequest, expense_id: int) -> Any:
    """Delete a draft expense (the member who recorded it or the project's manager)."""
    p = _p(request, "pm.task.work")
    timesheets.delete_expense(p, expense_id)
    return 204, None


@router.post("/expenses/{int:expense_id}/approve", response={200: s.ExpenseOut, **E})
def approve_expense(request: HttpRequest, expense_id: int) -> Any:
    p = _p(request, "pm.timesheet.approve")
    return timesheets.approve_expense(p, expense_id)


@router.post("/expenses/{int:expense_id}/reject", response={200: s.ExpenseOut, **E})
def reject_expense(request: HttpRequest, expense_id: int, data: s.ProjectExpenseRejectIn) -> Any:
    p = _p(request, "pm.timesheet.approve")
    return timesheets.reject_expense(p, expense_id, reason=data.reason)


@router.put("/{int:project_id}/tags", response={200: list[str], **E})
def set_tags(request: HttpRequest, project_id: int, data: s.ProjectTagsIn) -> Any:
    p = _p(request, "pm.project.manage")
    return actions.set_project_tags(p, project_id, data.tags)


@router.post("/{int:project_id}/invoice-draft", response={201: s.ProjectInvoiceDraftOut, **E})
def draft_invoice(request: HttpRequest, project_id: int) -> Any:
    """Time-and-materials billing: a draft sales order (CRM) from the unbilled approved hours and expenses."""
    p = _p(request, "pm.timesheet.approve")
    order = invoicing.draft_sales_order(p, project_id)
    return 201, {"order_id": order.pk, "number": order.number, "total": order.total}
