// Small progressive enhancements; everything works without JavaScript except live updates.
document.addEventListener("DOMContentLoaded", function () {
  document.body.addEventListener("htmx:configRequest", function (evt) {
    var token = document.querySelector("meta[name=csrf-token]");
    if (token) { evt.detail.headers["X-CSRFToken"] = token.content; }
  });
  document.querySelectorAll("[data-confirm]").forEach(function (el) {
    el.addEventListener("submit", function (e) { if (!confirm(el.dataset.confirm)) { e.preventDefault(); } });
  });
  document.querySelectorAll("select[data-autosubmit]").forEach(function (el) {
    el.addEventListener("change", function () { el.form.submit(); });
  });
});
