// Journal entry form: debit and credit totals and their difference, updated while typing.
// Amounts are read as the page's language writes them (vi: 1.500.000,5 — en: 1,500,000.5).
(function () {
  "use strict";
  var vi = (document.documentElement.lang || "vi").slice(0, 2) === "vi";
  var fmt = new Intl.NumberFormat(vi ? "vi-VN" : "en-US", { maximumFractionDigits: 2 });

  function parse(text) {
    var s = String(text || "").replace(/[\s\u00a0₫]/g, "");
    if (!s) { return 0; }
    var thousands = vi ? "." : ",", decimal = vi ? "," : ".";
    if (vi && s.indexOf(",") < 0 && /^\d+\.\d{1,2}$/.test(s)) { decimal = "."; thousands = ","; }
    s = s.split(thousands).join("").replace(decimal, ".");
    var n = Number(s);
    return isFinite(n) ? n : 0;
  }

  function update(form) {
    var debit = 0, credit = 0;
    form.querySelectorAll("input[name$='-debit']").forEach(function (el) { debit += parse(el.value); });
    form.querySelectorAll("input[name$='-credit']").forEach(function (el) { credit += parse(el.value); });
    debit = Math.round(debit * 100) / 100; credit = Math.round(credit * 100) / 100;
    var diff = Math.round((debit - credit) * 100) / 100;
    form.querySelector("[data-total=debit]").textContent = fmt.format(debit);
    form.querySelector("[data-total=credit]").textContent = fmt.format(credit);
    var out = form.querySelector("[data-total=difference]");
    out.textContent = diff === 0 ? "" : out.dataset.label + ": " + fmt.format(Math.abs(diff));
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form[data-entry-totals]").forEach(function (form) {
      form.addEventListener("input", function () { update(form); });
      update(form);
    });
  });
})();
