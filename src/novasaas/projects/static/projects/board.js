// Kanban board: drag a card between columns (SortableJS); the drop POSTs the new status and position
// to the task's move URL with the CSRF token. The status select on each card is the keyboard path.
(function () {
  "use strict";
  function csrf() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }
  function init() {
    var board = document.getElementById("pm-board");
    if (!board || board.dataset.canMove !== "1" || typeof Sortable === "undefined") return;
    board.querySelectorAll(".pm-column").forEach(function (column) {
      Sortable.create(column, {
        group: "pm-board",
        animation: 120,
        forceFallback: true, // mouse and touch events, the same on every browser (and in tests)
        draggable: ".pm-card",
        filter: "select, button, a",
        preventOnFilter: false,
        onEnd: function (evt) {
          var card = evt.item;
          var status = evt.to.dataset.status;
          var body = new URLSearchParams();
          body.set("status", status);
          body.set("position", String(evt.newDraggableIndex));
          fetch(card.dataset.moveUrl, {
            method: "POST",
            headers: { "X-CSRFToken": csrf(), "HX-Request": "true", "Content-Type": "application/x-www-form-urlencoded" },
            body: body.toString(),
            credentials: "same-origin",
          }).then(function (response) {
            if (!response.ok) throw new Error(String(response.status));
            var select = card.querySelector("select[name=status]");
            if (select) select.value = status;
            card.dataset.moved = status;
          }).catch(function () {
            window.alert(board.dataset.error);
            window.location.reload();
          });
        },
      });
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
