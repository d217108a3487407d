// Kanban of the sales pipeline: drag a card onto another column to move the opportunity to that stage.
// The card's own form (stage select + Move button) does the same without a mouse. CSP-safe: no inline JS.
(function () {
  "use strict";
  var dragged = null;
  function csrf(card) {
    var input = card.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }
  document.querySelectorAll(".sales-card").forEach(function (card) {
    card.addEventListener("dragstart", function (e) {
      dragged = card;
      e.dataTransfer.effectAllowed = "move";
    });
  });
  document.querySelectorAll(".sales-column").forEach(function (column) {
    column.addEventListener("dragover", function (e) {
      if (dragged) { e.preventDefault(); }
    });
    column.addEventListener("drop", function (e) {
      e.preventDefault();
      if (!dragged) { return; }
      var card = dragged;
      dragged = null;
      var body = new URLSearchParams({ stage: column.dataset.stage });
      fetch(card.dataset.move, {
        method: "POST",
        headers: { "X-CSRFToken": csrf(card), "X-Requested-With": "fetch" },
        body: body,
        credentials: "same-origin"
      }).then(function (r) {
        if (r.ok) { window.location.reload(); } else { r.text().then(function (t) { window.alert(t); }); }
      });
    });
  });
})();
