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
  // (accent-insensitive), arrows / Enter / Escape, ARIA combobox. A picker with data-picker-url holds only
  // a first page of options: what is typed is searched by the server (JSON {"results": [{value, text}]},
  // tenant-scoped and permission-checked), so every row can be found. data-picker-depends names a field
  // of the same row sent along (a lot's product); data-picker-create lets a new value be typed (a new
  // lot number on a text input).
  function fold(text) {
    return (text || "").normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/[đĐ]/g, "d").toLowerCase();
  }

  function enhancePickers(root) {
    if (typeof TomSelect === "undefined") { return; }
    var vi = lang() === "vi";
    root.querySelectorAll("select[data-picker], input[data-picker-url]").forEach(function (el) {
      if (el.tomselect) { return; }
      var url = el.dataset.pickerUrl, isInput = el.tagName === "INPUT";
      var options = {
        allowEmptyOption: true,
        maxOptions: 300,
        create: el.hasAttribute("data-picker-create"),
        createOnBlur: el.hasAttribute("data-picker-create"),
        selectOnTab: true,
        // filter at each key (Tom Select waits 300 ms by default): Enter right after typing picks the first
        // match, never the option that was active before
        refreshThrottle: 0,
        dropdownParent: "body",
        render: {
          no_results: function () { return '<div class="no-results">' + (vi ? "Không tìm thấy" : "Nothing found") + "</div>"; },
          option_create: function (data, escape) {
            return '<div class="create">' + (vi ? "Dùng " : "Use ") + "<strong>" + escape(data.input) + "</strong></div>";
          }
        }
      };
      if (isInput) { options.maxItems = 1; options.persist = false; }
      if (url) {
        var cache = {};
        options.valueField = "value";
        options.labelField = "text";
        options.searchField = ["text"];
        options.preload = "focus";
        options.shouldLoad = function () { return true; };
        // what the server answered is already matched (accents and word order included): keep it all
        options.score = function (query) {
          var words = fold(query).split(/\s+/).filter(Boolean);
          return function (item) {
            var text = fold(item.text);
            return words.every(function (w) { return text.indexOf(w) >= 0; }) ? 1 : (item.$fromServer === query ? 1 : 0);
          };
        };
        options.load = function (query, callback) {
          var params = new URLSearchParams({ q: query });
          var depends = el.dataset.pickerDepends;
          if (depends) {
            var row = el.closest("tr") || el.form;
            var other = row && row.querySelector("[name='" + depends + "'], [name$='-" + depends + "']");
            if (other && other.value) { params.set(depends, other.value); }
          }
          var key = params.toString();
          var done = function (results) {
            results.forEach(function (item) { item.$fromServer = query; });
            callback(results);
          };
          if (cache[key]) { done(cache[key]); return; }
          fetch(url + "?" + key, { headers: { "Accept": "application/json" }, credentials: "same-origin" })
            .then(function (r) { return r.ok ? r.json() : { results: [] }; })
            .then(function (data) { cache[key] = data.results || []; done(cache[key]); })
            .catch(function () { callback(); });
        };
      }
      var ts = new TomSelect(el, options);
      if (url && el.dataset.pickerDepends) {
        // the row's product changed: the lots offered must be searched again
        var row = el.closest("tr") || el.form;
        var other = row && row.querySelector("[name='" + el.dataset.pickerDepends + "'], [name$='-" + el.dataset.pickerDepends + "']");
        if (other) { other.addEventListener("change", function () { ts.clearOptions(); cache = {}; ts.loadedSearches = {}; }); }
      }
    });
  }

  function parseQuantity(text) {
    var t = (text || "").replace(/\s/g, "");
    if (lang() === "vi") { t = t.replace(/\./g, "").replace(",", "."); } else { t = t.replace(/,/g, ""); }
    return t === "" ? NaN : Number(t);
  }

  // Wherever stock leaves a location (issue, adjustment, transfer and put-away lines): what is on hand
  // for the chosen product in the chosen warehouse (and location), and a warning as soon as the quantity
  // typed is more (before the form is sent; the server still refuses). The form says where its fields are:
  // data-stock-warehouse (the warehouse field's name), data-stock-quantity / data-stock-location (the
  // line fields' names), data-stock-outgoing="negative" when only a negative quantity leaves (adjustments).
  function stockHints(form) {
    var url = form.dataset.stockUrl, timers = new WeakMap();
    var whName = form.dataset.stockWarehouse || "warehouse";
    var qtyName = form.dataset.stockQuantity || "quantity";
    var locName = form.dataset.stockLocation || "location";
    var negativeOnly = form.dataset.stockOutgoing === "negative";
    function field(row, name) { return row.querySelector("[name='" + name + "'], [name$='-" + name + "']"); }
    function rows() {
      var lines = form.querySelectorAll("tr.line-row");
      return lines.length ? Array.prototype.slice.call(lines) : [form];
    }
    function rowOf(el) { return (el.closest && el.closest("tr.line-row")) || (form.querySelector("tr.line-row") ? null : form); }
    function update(row) {
      var product = field(row, "product");
      var qty = field(row, qtyName);
      var warehouse = form.querySelector("[name='" + whName + "']");
      if (!product || !qty) { return; }
      var hint = row.querySelector(".nova-stock-hint");
      if (!hint) {
        hint = document.createElement("div");
        hint.className = "nova-stock-hint text-secondary";
        hint.setAttribute("aria-live", "polite");
        qty.parentNode.appendChild(hint);
      }
      if (!product.value || !warehouse || !warehouse.value) { hint.textContent = ""; qty.classList.remove("is-invalid"); return; }
      var loc = field(row, locName), unit = row === form ? null : field(row, "unit");
      var typed = parseQuantity(qty.value), leaving = qty.value;
      if (negativeOnly) { leaving = !isNaN(typed) && typed < 0 ? String(-typed) : ""; typed = leaving === "" ? NaN : -typed; }
      var params = new URLSearchParams({ product: product.value, warehouse: warehouse.value,
        location: loc ? loc.value : "", unit: unit ? unit.value : "", quantity: negativeOnly ? leaving.replace(".", lang() === "vi" ? "," : ".") : leaving });
      fetch(url + "?" + params.toString(), { headers: { "Accept": "application/json" }, credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (data) {
          if (!data) { hint.textContent = ""; return; }
          var over = data.over || (!isNaN(typed) && typed > Number(data.on_hand));
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
      if (e.target.name === whName) { rows().forEach(update); return; }
      var row = rowOf(e.target);
      if (row) { update(row); }
    });
    form.addEventListener("input", function (e) {
      var row = rowOf(e.target);
      var name = e.target.name || "";
      if (row && (name === qtyName || name.slice(-qtyName.length - 1) === "-" + qtyName)) { later(row); }
    });
    rows().forEach(update);
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
