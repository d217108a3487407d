// The assistant's streamed answer: POST to the answer URL and append the server-sent events as they come.
// A static file (no inline script), so the page keeps its Content-Security-Policy.
(function () {
  "use strict";
  function start(box) {
    var url = box.getAttribute("data-answer-url");
    var out = box.querySelector("[data-answer-text]");
    var status = box.querySelector("[data-answer-status]");
    var token = document.querySelector('meta[name="csrf-token"]').getAttribute("content");
    fetch(url, { method: "POST", headers: { "X-CSRFToken": token }, credentials: "same-origin" })
      .then(function (response) {
        var reader = response.body.getReader();
        var decoder = new TextDecoder();
        var buffer = "";
        function pump() {
          return reader.read().then(function (step) {
            if (step.done) { status.textContent = ""; box.setAttribute("data-answer-done", "1"); return; }
            buffer += decoder.decode(step.value, { stream: true });
            var parts = buffer.split("\n\n");
            buffer = parts.pop();
            parts.forEach(function (part) {
              if (part.indexOf("data: ") !== 0) { return; }
              var event = JSON.parse(part.slice(6));
              if (event.delta) { out.textContent += event.delta; }
              if (event.sources) {
                var list = box.querySelector("[data-answer-sources]");
                event.sources.forEach(function (source) {
                  var item = document.createElement("li");
                  item.value = source.n;
                  item.textContent = source.title;
                  list.appendChild(item);
                });
              }
              if (event.tool) { status.textContent = status.getAttribute("data-tool-label") + " " + event.tool; }
              if (event.error) { out.textContent += event.error; out.classList.add("text-danger"); }
            });
            return pump();
          });
        }
        return pump();
      });
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-answer-url]").forEach(start);
  });
})();
