"""Project pages: thin views over actions and selectors (module gate PM)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views import View

from novasaas.identity.access import Principal, require_perm
from novasaas.platform.modules import ModuleDisabled
from novasaas.projects import actions, forms, selectors, timesheets
from novasaas.projects.actions import _int
from novasaas.projects.models import TaskStatus

PAGE_SIZE = 50


class ProjectsView(LoginRequiredMixin, View):
    """Signed-in members of a tenant with PM holding ``permission``; the module is checked first."""

    permission = "pm.project.view"
    principal: Principal

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        tenant = getattr(request, "tenant", None)
        if tenant is not None and not tenant.has_module("PM"):
            raise ModuleDisabled("PM")
        self.principal = require_perm(request, self.permission)
        try:
            return super().dispatch(request, *args, **kwargs)
        except ObjectDoesNotExist as exc:
            raise Http404 from exc


def attach_errors(form: Any, exc: ValidationError) -> None:
    if not hasattr(exc, "error_dict"):
        for msg in exc.messages:
            form.add_error(None, msg)
        return
    for key, msgs in exc.message_dict.items():
        for msg in msgs:
            form.add_error(key if key in form.fields else None, msg)


def _users(p: Principal) -> list[tuple[int, str]]:
    return [(u.pk, u.email) for u in selectors.internal_users(p.tenant)]


def _clean(data: dict[str, Any]) -> dict[str, Any]:
    """Form data for an action: empty numbers become 0 where the action needs a value."""
    return {
        k: ("0" if v is None and k in ("budget", "contract_amount", "cost_rate", "bill_rate", "estimate_hours") else v)
        for k, v in data.items()
    }


# --- projects --------------------------------------------------------------------------------------


class ProjectListView(ProjectsView):
    def get(self, request: HttpRequest) -> HttpResponse:
        q = request.GET.get("q", "")[:200]
        tag = request.GET.get("tag", "")[:50]
        projects = selectors.list_projects(self.principal, q, tag=tag)
        page = Paginator(projects, PAGE_SIZE).get_page(request.GET.get("page"))
        return render(
            request,
            "projects/projects.html",
            {"page": page, "q": q, "tag": tag, "can_manage": self.principal.has("pm.project.manage")},
        )


class ProjectFormView(ProjectsView):
    permission = "pm.project.manage"

    def _form(self, data: Any = None, project: Any = None) -> forms.ProjectForm:
        initial = {}
        if project is not None:
            initial = {
                f: getattr(project, f)
                for f in (
                    "code",
                    "name",
                    "customer_id",
                    "manager_id",
                    "billing_type",
                    "status",
                    "budget",
                    "contract_amount",
                    "start_date",
                    "end_date",
                    "description",
                )
            }
        return forms.ProjectForm(
            data,
            initial=initial,
            customers=selectors.customer_choices(self.principal),
            users=_users(self.principal),
            editing=project is not None,
        )

    def get(self, request: HttpRequest, pk: int | None = None, form: Any = None, status: int = 200) -> HttpResponse:
        project = selectors.get_project(self.principal, pk) if pk else None
        return render(
            request,
            "projects/project_form.html",
            {"form": form or self._form(project=project), "project": project},
            status=status,
        )

    def post(self, request: HttpRequest, pk: int | None = None) -> HttpResponse:
        project = selectors.get_project(self.principal, pk) if pk else None
        form = self._form(request.POST, project)
        if form.is_valid():
            data = _clean(dict(form.cleaned_data))
            if project is not None:
                data.pop("code")
            try:
                saved = actions.save_project(self.principal, pk, **data)
                messages.success(request, _("Project %(c)s saved.") % {"c": saved.code})
                return redirect("projects-project", saved.pk)
            except ValidationError as exc:
                attach_errors(form, exc)
        return self.get(request, pk, form, status=400)


class ProjectDetailView(ProjectsView):
    FORMS = {
        "phase": forms.PhaseForm,
        "milestone": forms.MilestoneForm,
        "member": forms.MemberForm,
        "task": forms.TaskForm,
        "expense": forms.ExpenseForm,
    }

    def _forms(self, project: Any, bound: tuple[str, Any] | None = None) -> dict[str, Any]:
        p = self.principal
        users = _users(p)
        members = [(m.user_id, m.user.email) for m in selectors.list_members(project)]
        parents = [(t.pk, t.title) for t in project.tasks.filter(parent__isnull=True).order_by("position", "id")[:500]]
        phases = [(ph.pk, ph.name) for ph in selectors.list_phases(project)]
        made: dict[str, Any] = {}
        for key, cls in self.FORMS.items():
            data = bound[1] if bound and bound[0] == key else None
            kwargs: dict[str, Any] = {}
            if key == "member":
                kwargs = {"users": users}
            elif key == "task":
                kwargs = {"users": members, "parents": parents, "phases": phases}
            made[key] = cls(data, prefix=key, **kwargs)
        return made

    def get(
        self, request: HttpRequest, pk: int, bound: tuple[str, Any] | None = None, status: int = 200
    ) -> HttpResponse:
        p = self.principal
        project = selectors.get_project(p, pk)
        costs = timesheets.project_costs(project) if p.has("pm.report.view") else None
        context = {
            "project": project,
            "phases": selectors.list_phases(project),
            "milestones": selectors.list_milestones(project),
            "members": selectors.list_members(project),
            "tasks": selectors.list_tasks(p, project.pk),
            "expenses": project.expenses.select_related("created_by")[:100],
            "forms": self._forms(project, bound),
            "costs": costs,
            "can_manage": p.has("pm.project.manage"),
            "can_members": p.has("pm.member.manage"),
            "can_tasks": p.has("pm.task.manage"),
            "can_work": p.has("pm.task.work"),
            "can_approve": p.has("pm.timesheet.approve"),
            "tags": [t.name for t in project.tags.all()],
            "can_bill": p.has("pm.timesheet.approve")
            and project.billing_type == "time_materials"
            and p.tenant.has_module("CRM"),
        }
        return render(request, "projects/project.html", context, status=status)

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        p = self.principal
        project = selectors.get_project(p, pk)
        kind = request.POST.get("kind", "")
        if kind == "approve_expense":
            try:
                timesheets.approve_expense(p, _int(request.POST.get("expense_id")))
                messages.success(request, _("Expense approved."))
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
            return redirect("projects-project", pk)
        if kind == "reject_expense":
            try:
                timesheets.reject_expense(
                    p, _int(request.POST.get("expense_id")), reason=request.POST.get("reason", "")
                )
                messages.success(request, _("Expense rejected."))
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
                return self.get(request, pk, status=400)
            return redirect("projects-project", pk)
        if kind == "tags":
            try:
                actions.set_project_tags(p, pk, request.POST.get("tags", "")[:1100])
                messages.success(request, _("Saved."))
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
                return self.get(request, pk, status=400)
            return redirect("projects-project", pk)
        if kind == "draft_invoice":
            from novasaas.projects import invoicing

            try:
                order = invoicing.draft_sales_order(p, pk)
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
                return self.get(request, pk, status=400)
            messages.success(request, _("Sales order %(n)s drafted.") % {"n": order.number})
            return redirect("projects-project", pk)
        if kind == "remove_member":
            actions.remove_member(p, project.pk, _int(request.POST.get("member_id")))
            return redirect("projects-project", pk)
        if kind not in self.FORMS:
            raise Http404
        form = self._forms(project, (kind, request.POST))[kind]
        if form.is_valid():
            data = _clean(dict(form.cleaned_data))
            try:
                if kind == "phase":
                    actions.save_phase(p, pk, **data)
                elif kind == "milestone":
                    actions.save_milestone(p, pk, **data)
                elif kind == "member":
                    actions.save_member(p, pk, **data)
                elif kind == "task":
                    actions.save_task(p, pk, **data)
                else:
                    timesheets.add_expense(p, pk, **data)
                messages.success(request, _("Saved."))
                return redirect("projects-project", pk)
            except ValidationError as exc:
                attach_errors(form, exc)
        return self.get(request, pk, (kind, request.POST), status=400)


# --- tasks -----------------------------------------------------------------------------------------


class TaskDetailView(ProjectsView):
    def get(self, request: HttpRequest, pk: int, form: Any = None, status: int = 200) -> HttpResponse:
        p = self.principal
        task = selectors.get_task(p, pk)
        pred, succ = selectors.task_dependencies(task)
        project = task.project
        can_tasks = p.has("pm.task.manage")
        edit = None
        if can_tasks:
            edit = form or forms.TaskForm(
                initial={
                    f: getattr(task, f)
                    for f in (
                        "title",
                        "parent_id",
                        "phase_id",
                        "assignee_id",
                        "estimate_hours",
                        "start_date",
                        "due_date",
                        "priority",
                        "status",
                        "description",
                    )
                },
                users=[(m.user_id, m.user.email) for m in selectors.list_members(project)],
                parents=[(t.pk, t.title) for t in project.tasks.filter(parent__isnull=True).exclude(pk=task.pk)[:500]],
                phases=[(ph.pk, ph.name) for ph in selectors.list_phases(project)],
            )
        context = {
            "task": task,
            "project": project,
            "subtasks": task.subtasks.select_related("assignee"),
            "predecessors": pred,
            "successors": succ,
            "candidates": project.tasks.exclude(pk=task.pk).order_by("position", "id")[:500] if can_tasks else [],
            "comments": selectors.task_comments(task),
            "form": edit,
            "statuses": TaskStatus.choices,
            "can_tasks": can_tasks,
            "can_work": p.has("pm.task.work"),
        }
        return render(request, "projects/task.html", context, status=status)

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        p = self.principal
        task = selectors.get_task(p, pk)
        kind = request.POST.get("kind", "")
        try:
            if kind == "comment":
                actions.add_comment(p, task.pk, request.POST.get("body", ""))
            elif kind == "status":
                actions.move_task(p, task.pk, status=request.POST.get("status", ""))
            elif kind == "dependency":
                actions.add_dependency(p, task.pk, request.POST.get("predecessor_id"))
            elif kind == "remove_dependency":
                actions.remove_dependency(p, task.pk, _int(request.POST.get("predecessor_id")))
            elif kind == "edit":
                p.require("pm.task.manage")
                project = task.project
                form = forms.TaskForm(
                    request.POST,
                    users=[(m.user_id, m.user.email) for m in selectors.list_members(project)],
                    parents=[
                        (t.pk, t.title) for t in project.tasks.filter(parent__isnull=True).exclude(pk=task.pk)[:500]
                    ],
                    phases=[(ph.pk, ph.name) for ph in selectors.list_phases(project)],
                )
                if not form.is_valid():
                    return self.get(request, pk, form, status=400)
                try:
                    actions.save_task(p, task_id=task.pk, **_clean(dict(form.cleaned_data)))
                except ValidationError as exc:
                    attach_errors(form, exc)
                    return self.get(request, pk, form, status=400)
            else:
                raise Http404
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return self.get(request, pk, status=400)
        return redirect("projects-task", pk)


class MyTasksView(ProjectsView):
    permission = "pm.task.work"

    def get(self, request: HttpRequest) -> HttpResponse:
        show_done = request.GET.get("done") == "1"
        tasks = selectors.my_tasks(self.principal, open_only=not show_done)
        page = Paginator(tasks, PAGE_SIZE).get_page(request.GET.get("page"))
        return render(request, "projects/my_tasks.html", {"page": page, "show_done": show_done})


class TaskListView(ProjectsView):
    """Every task the principal may see, across projects, filterable by status."""

    def get(self, request: HttpRequest) -> HttpResponse:
        status = request.GET.get("status", "")
        if status not in TaskStatus.values:
            status = ""
        tasks = selectors.list_tasks(self.principal, status=status)
        page = Paginator(tasks, PAGE_SIZE).get_page(request.GET.get("page"))
        return render(request, "projects/tasks.html", {"page": page, "status": status, "statuses": TaskStatus.choices})


class BoardView(ProjectsView):
    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        p = self.principal
        project = selectors.get_project(p, pk)
        can_move = p.has("pm.task.work") and (
            selectors.sees_all(p) or selectors.is_member(project, p.user.pk if p.user else None)
        )
        context = {
            "project": project,
            "columns": selectors.board(p, project),
            "statuses": TaskStatus.choices,
            "can_move": can_move,
        }
        return render(request, "projects/board.html", context)


class TaskMoveView(ProjectsView):
    """POST (htmx from the board, or a plain form): move a task to a column and position."""

    permission = "pm.task.work"

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        position = request.POST.get("position")
        try:
            task = actions.move_task(
                self.principal,
                pk,
                status=request.POST.get("status", ""),
                position=int(position) if position and position.isdigit() else None,
            )
        except ValidationError as exc:
            if request.headers.get("HX-Request"):
                return HttpResponse(" ".join(exc.messages), status=400)
            messages.error(request, " ".join(exc.messages))
            return redirect("projects-task", pk)
        if request.headers.get("HX-Request"):
            return HttpResponse(status=204)
        return redirect("projects-board", task.project_id)


# --- expenses --------------------------------------------------------------------------------------


class ExpenseView(ProjectsView):
    """One expense: its details, its receipts (DMS attachments, kind ``pm.expense``) and, while it is a
    draft, edit and delete for the member who recorded it or the project's manager."""

    def get(self, request: HttpRequest, pk: int, form: Any = None, status: int = 200) -> HttpResponse:
        p = self.principal
        expense = selectors.get_expense(p, pk)
        uid = p.user.pk if p.user else None
        can_change = (
            expense.status == "draft"
            and p.has("pm.task.work")
            and (
                expense.created_by_id == uid
                or (p.has("pm.timesheet.approve") and (selectors.sees_all(p) or expense.project.manager_id == uid))
            )
        )
        if can_change and form is None:
            form = forms.ExpenseForm(
                initial={f: getattr(expense, f) for f in ("date", "description", "amount", "is_billable")},
                prefix="expense",
            )
        context = {"expense": expense, "project": expense.project, "form": form if can_change else None}
        return render(request, "projects/expense.html", context, status=status)

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        p = self.principal
        expense = selectors.get_expense(p, pk)
        if request.POST.get("kind") == "delete":
            try:
                timesheets.delete_expense(p, expense.pk)
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
                return self.get(request, pk, status=400)
            messages.success(request, _("Expense deleted."))
            return redirect("projects-project", expense.project_id)
        form = forms.ExpenseForm(request.POST, prefix="expense")
        if form.is_valid():
            try:
                timesheets.update_expense(p, expense.pk, **form.cleaned_data)
                messages.success(request, _("Saved."))
                return redirect("projects-expense", expense.pk)
            except ValidationError as exc:
                attach_errors(form, exc)
        return self.get(request, pk, form, status=400)
