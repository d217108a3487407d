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

  // Searchable pickers (Tom Select over the server-rendered <select data-picker>): type to search
  // (accent-insensitive), arrows / Enter / Escape, ARIA combobox. The options stay the server's.
  function enhancePickers(root) {
    if (typeof TomSelect === "undefined") { return; }
    var vi = lang() === "vi";
    root.querySelectorAll("select[data-picker]").forEach(function (el) {
      if (el.tomselect) { return; }
      new TomSelect(el, {
        allowEmptyOption: true,
        maxOptions: 300,
        create: false,
        selectOnTab: true,
        dropdownParent: "body",
        render: {
          no_results: function () { return '<div class="no-results">' + (vi ? "Không tìm thấy" : "Nothing found") + "</div>"; }
        }
      });
    });
  }

  function parseQuantity(text) {
    var t = (text || "").replace(/\s/g, "");
    if (lang() === "vi") { t = t.replace(/\./g, "").replace(",", "."); } else { t = t.replace(/,/g, ""); }
    return t === "" ? NaN : Number(t);
  }

  // Issue lines: what is on hand for the chosen product and warehouse, and a warning as soon as the
  // quantity typed is more (before the form is sent; the server still refuses an over-issue).
  function stockHints(form) {
    var url = form.dataset.stockUrl, timers = new WeakMap();
    function update(row) {
      var product = row.querySelector("select[name$='-product']");
      var qty = row.querySelector("input[name$='-quantity']");
      var warehouse = form.querySelector("select[name=warehouse]");
      if (!product || !qty) { return; }
      var hint = row.querySelector(".nova-stock-hint");
      if (!hint) {
        hint = document.createElement("div");
        hint.className = "nova-stock-hint text-secondary";
        hint.setAttribute("aria-live", "polite");
        qty.parentNode.appendChild(hint);
      }
      if (!product.value || !warehouse || !warehouse.value) { hint.textContent = ""; qty.classList.remove("is-invalid"); return; }
      var loc = row.querySelector("select[name$='-location']"), unit = row.querySelector("select[name$='-unit']");
      var params = new URLSearchParams({ product: product.value, warehouse: warehouse.value,
        location: loc ? loc.value : "", unit: unit ? unit.value : "", quantity: qty.value });
      fetch(url + "?" + params.toString(), { headers: { "Accept": "application/json" }, credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (data) {
          if (!data) { hint.textContent = ""; return; }
          var over = data.over || (!isNaN(parseQuantity(qty.value)) && parseQuantity(qty.value) > Number(data.on_hand));
          hint.textContent = over && data.warning ? data.warning : data.text;
          hint.classList.toggle("text-danger", !!over);
          hint.classList.toggle("text-secondary", !over);
          hint.setAttribute("role", over ? "alert" : "status");
          qty.classList.toggle("is-invalid", !!over);
        });
    }
    function later(row) {
      clearTimeout(timers.get(row));
      timers.set(row, setTimeout(function () { update(row); }, 250));
    }
    form.addEventListener("change", function (e) {
      if (e.target.name === "warehouse") { form.querySelectorAll("tr.line-row").forEach(update); return; }
      var row = e.target.closest && e.target.closest("tr.line-row");
      if (row) { update(row); }
    });
    form.addEventListener("input", function (e) {
      var row = e.target.closest && e.target.closest("tr.line-row");
      if (row && /-quantity$/.test(e.target.name || "")) { later(row); }
    });
    form.querySelectorAll("tr.line-row").forEach(update);
  }

  function enhance(root) {
    wrapTables(root);
    enhanceDates(root);
    enhancePickers(root);
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
    document.querySelectorAll("form[data-stock-url]").forEach(stockHints);
  });
})();
