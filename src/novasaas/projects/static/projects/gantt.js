// Gantt chart of a project (frappe-gantt): phases, tasks with finish-to-start arrows, milestones.
// Data comes from the page's JSON script (no inline code); dragging a task bar PATCHes its dates
// through the API with the session's CSRF token when the user may plan tasks (data-can-edit="1").
(function () {
  "use strict";
  function csrf() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }
  function iso(date) {
    var d = new Date(date.getTime() - date.getTimezoneOffset() * 60000);
    return d.toISOString().slice(0, 10);
  }
  function init() {
    var holder = document.getElementById("pm-gantt");
    var source = document.getElementById("gantt-data");
    if (!holder || !source || typeof Gantt === "undefined") return;
    var data = JSON.parse(source.textContent);
    var rows = [];
    data.phases.forEach(function (ph) {
      if (ph.start && ph.end) rows.push({ id: "p" + ph.id, name: ph.name, start: ph.start, end: ph.end, progress: 0, custom_class: "pm-phase" });
    });
    data.tasks.forEach(function (t) {
      rows.push({
        id: "t" + t.id,
        name: t.name,
        start: t.start,
        end: t.end,
        progress: t.progress,
        dependencies: t.dependencies.map(function (d) { return "t" + d; }).join(", "),
        custom_class: t.planned ? "" : "pm-unplanned",
      });
    });
    data.milestones.forEach(function (m) {
      rows.push({ id: "m" + m.id, name: "◆ " + m.name, start: m.date, end: m.date, progress: m.reached ? 100 : 0, custom_class: "pm-milestone" });
    });
    if (!rows.length) return;
    var canEdit = holder.dataset.canEdit === "1";
    var gantt = new Gantt(holder, rows, {
      view_mode: "Week",
      readonly: !canEdit,
      readonly_progress: true,
      language: document.documentElement.lang || "vi",
      on_date_change: function (task, start, end) {
        if (!canEdit || task.id.charAt(0) !== "t") return;
        fetch(holder.dataset.apiBase + task.id.slice(1), {
          method: "PATCH",
          headers: { "Content-Type": "application/json", "X-CSRFToken": csrf() },
          credentials: "same-origin",
          body: JSON.stringify({ start_date: iso(start), due_date: iso(end) }),
        }).then(function (response) {
          if (!response.ok) throw new Error(String(response.status));
        }).catch(function () {
          window.alert(holder.dataset.error);
          window.location.reload();
        });
      },
    });
    holder.dataset.rendered = String(rows.length);
    return gantt;
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
