/* The report form (web/edit.html): inline checks while typing, in Vietnamese; the server checks again on save. */
(function () {
  var messages = {
    percent: function (v) { var n = Number(v.replace(",", ".")); if (isNaN(n)) return "Phải là một số phần trăm từ 0 đến 100.";
      if (n < 0 || n > 100) return "Tỷ lệ phải từ 0 đến 100."; if (!/^\d+([.,]\d{1,2})?$/.test(v)) return "Tỷ lệ chỉ được có tối đa 2 chữ số thập phân."; return ""; },
    count: function (v) { return /^\d+$/.test(v) ? "" : "Phải là một số nguyên không âm."; }
  };
  var file = document.getElementById("evidence_file");
  if (file) file.addEventListener("change", function () {
    document.getElementById("evidence_file-name").textContent = file.files.length ? file.files[0].name : "Chưa chọn tệp";
  });
  document.querySelectorAll("#report-form input[data-kind]").forEach(function (input) {
    var check = messages[input.dataset.kind]; if (!check) return;
    input.addEventListener("blur", function () {
      var v = input.value.trim(), msg = v ? check(v) : "", box = document.getElementById(input.id + "-error");
      if (!box) return; box.textContent = msg; box.hidden = !msg;
      input.classList.toggle("web-invalid", !!msg); if (msg) input.setAttribute("aria-invalid", "true"); else input.removeAttribute("aria-invalid");
    });
  });
  // Turbo runs this after it has shown the page: say when the checks are listening.
  var form = document.getElementById("report-form"); if (form) form.dataset.checks = "on";
})();
