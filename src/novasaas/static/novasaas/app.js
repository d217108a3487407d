// Small progressive enhancements; everything works without JavaScript except live updates.
(function () {
  "use strict";

  function lang() { return (document.documentElement.lang || "vi").slice(0, 2); }

  function pad(n) { return (n < 10 ? "0" : "") + n; }

  // Dates are dd/mm/yyyy in both languages (platform/dates.py accepts the same and ISO).
  var DATE_FORMAT = {
    toValue: function (text) {
      var m = /^\s*(\d{1,2})[\/.\-](\d{1,2})[\/.\-](\d{4})\s*$/.exec(text || "");
      var iso = /^\s*(\d{4})-(\d{1,2})-(\d{1,2})\s*$/.exec(text || "");
      var y, mo, d;
      if (m) { d = +m[1]; mo = +m[2]; y = +m[3]; } else if (iso) { y = +iso[1]; mo = +iso[2]; d = +iso[3]; } else { return NaN; }
      var day = new Date(y, mo - 1, d);
      return day.getMonth() === mo - 1 && day.getDate() === d ? day.getTime() : NaN;
    },
    toDisplay: function (date) { return pad(date.getDate()) + "/" + pad(date.getMonth() + 1) + "/" + date.getFullYear(); }
  };

  function enhanceDates(root) {
    if (typeof Datepicker === "undefined") { return; }
    root.querySelectorAll("input[data-datepicker]").forEach(function (el) {
      if (el.datepicker) { return; }
      new Datepicker(el, {
        language: lang() === "vi" ? "vi" : "en",
        format: DATE_FORMAT,
        weekStart: 1,
        autohide: true,
        todayButton: true,
        todayButtonMode: 1,
        clearButton: !el.required,
        buttonClass: "btn"
      });
    });
  }

  // Every data table scrolls inside its own box, never the page (phones: 390 px).
  function wrapTables(root) {
    root.querySelectorAll("main table.table").forEach(function (table) {
      if (table.closest(".table-responsive")) { return; }
      var box = document.createElement("div");
      box.className = "table-responsive";
      table.parentNode.insertBefore(box, table);
      box.appendChild(table);
    });
  }

  function enhance(root) {
    wrapTables(root);
    enhanceDates(root);
    if (window.NovaPickers) { window.NovaPickers.enhance(root); }
  }
  window.NovaEnhance = enhance;

  document.addEventListener("DOMContentLoaded", function () {
    document.body.addEventListener("htmx:configRequest", function (evt) {
      var token = document.querySelector("meta[name=csrf-token]");
      if (token) { evt.detail.headers["X-CSRFToken"] = token.content; }
    });
    document.body.addEventListener("htmx:afterSettle", function (evt) { enhance(evt.detail.elt || document); });
    document.querySelectorAll("[data-confirm]").forEach(function (el) {
      el.addEventListener("submit", function (e) { if (!confirm(el.dataset.confirm)) { e.preventDefault(); } });
    });
    document.querySelectorAll("select[data-autosubmit]").forEach(function (el) {
      el.addEventListener("change", function () { el.form.submit(); });
    });
    var toggle = document.getElementById("nova-menu-toggle");
    if (toggle) {
      toggle.addEventListener("click", function () {
        var open = document.body.classList.toggle("nova-menu-open");
        toggle.setAttribute("aria-expanded", open ? "true" : "false");
      });
    }
    enhance(document);
  });
})();
