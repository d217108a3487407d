from django.urls import path

from novasaas.projects import report_views as r
from novasaas.projects import timesheet_views as t
from novasaas.projects import views as v

urlpatterns = [
    path("", v.ProjectListView.as_view(), name="projects-list"),
    path("new/", v.ProjectFormView.as_view(), name="projects-new"),
    path("<int:pk>/", v.ProjectDetailView.as_view(), name="projects-project"),
    path("<int:pk>/edit/", v.ProjectFormView.as_view(), name="projects-edit"),
    path("<int:pk>/board/", v.BoardView.as_view(), name="projects-board"),
    path("tasks/", v.TaskListView.as_view(), name="projects-tasks"),
    path("tasks/<int:pk>/", v.TaskDetailView.as_view(), name="projects-task"),
    path("tasks/<int:pk>/move/", v.TaskMoveView.as_view(), name="projects-task-move"),
    path("expenses/<int:pk>/", v.ExpenseView.as_view(), name="projects-expense"),
    path("my-tasks/", v.MyTasksView.as_view(), name="projects-my-tasks"),
    path("timesheets/", t.TimesheetView.as_view(), name="projects-timesheets"),
    path("<int:pk>/gantt/", r.GanttView.as_view(), name="projects-gantt"),
    path("<int:pk>/burndown/", r.BurndownView.as_view(), name="projects-burndown"),
    path("reports/", r.ReportView.as_view(), name="projects-reports"),
    path("reports/<str:name>/", r.ReportView.as_view(), name="projects-report"),
    path("approvals/", t.ApprovalsView.as_view(), name="projects-approvals"),
]
