// The document page while its PDF is being made: ask the server every few seconds and show the
// download button (or the reason it failed, with a retry) without reloading the page, so text
// typed in the page's forms is kept. A static file, so a Content-Security-Policy without inline
// scripts allows it.
(function () {
  "use strict";
  var box = document.querySelector("[data-pdf-status]");
  if (!box || !window.fetch) { return; }
  var text = box.querySelector(".web-pdf__text");
  var delay = 2000;

  function show(status, detail) {
    if (status === "ready") {
      text.textContent = detail || "Bản PDF đã sẵn sàng.";
      box.querySelector(".web-pdf__ready").hidden = false;
    } else if (status === "failed") {
      text.textContent = "Chưa tạo được bản PDF. " + (detail || "");
      box.setAttribute("role", "alert");
      box.querySelector(".web-pdf__retry").hidden = false;
    }
  }

  function poll() {
    fetch(box.getAttribute("data-pdf-status"), { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : { status: "pending" }; })
      .then(function (data) {
        if (data.status === "pending" || data.status === "none") {
          delay = Math.min(delay * 1.5, 15000);
          window.setTimeout(poll, delay);
        } else {
          show(data.status, data.detail);
        }
      })
      .catch(function () { window.setTimeout(poll, 10000); });
  }

  window.setTimeout(poll, delay);
})();
