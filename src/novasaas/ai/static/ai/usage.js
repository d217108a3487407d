// AI usage report: credits per day (data from the page's json_script, no inline script).
(function () {
  "use strict";
  function draw() {
    var canvas = document.getElementById("ai-usage-chart");
    var source = document.getElementById("ai-usage-data");
    if (!canvas || !source || typeof window.Chart === "undefined") { return; }
    var data = JSON.parse(source.textContent);
    new window.Chart(canvas, {
      type: "bar",
      data: {
        labels: data.labels,
        datasets: [{ label: data.credits_label, data: data.credits, backgroundColor: "#0d6efd" }]
      },
      options: { responsive: true, plugins: { legend: { display: false } }, scales: { y: { beginAtZero: true } } }
    });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", draw); } else { draw(); }
})();
