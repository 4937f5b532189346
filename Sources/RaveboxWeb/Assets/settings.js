// The settings page: each field saves itself when it changes; the box's refusal shows under the field.
"use strict";
(function () {
  var $ = Ravebox.$;
  document.querySelectorAll(".setting form").forEach(function (form) {
    var field = form.querySelector("[name=value]"), key = form.dataset.key, type = form.dataset.type;
    var error = $("#error-" + key), saved = field.value;
    function value() {
      if (type === "bool") return field.value === "true";
      if (type === "integer" || type === "number") return field.value === "" ? field.value : Number(field.value);
      return field.value;
    }
    function save(event) {
      if (event) event.preventDefault();
      var patch = {};
      patch[key] = value();
      Ravebox.api("PATCH", "/api/settings", patch).then(function (settings) {
        error.textContent = "";
        field.removeAttribute("aria-invalid");
        saved = field.value = String(settings[key]);
        Ravebox.toast(key + " saved.");
      }, function (failure) {
        error.textContent = failure.message;
        field.setAttribute("aria-invalid", "true");
        field.setAttribute("aria-describedby", "error-" + key);
      });
    }
    form.addEventListener("submit", save);
    field.addEventListener("change", save);
    field.addEventListener("keydown", function (event) {
      if (event.key === "Escape") { field.value = saved; error.textContent = ""; }
    });
  });
})();

// The library section: whether the box is online now (the check may take a moment).
(function () {
  var online = document.getElementById("library-online");
  if (!online) return;
  fetch("/api/library", { credentials: "same-origin" }).then(function (r) { return r.json(); }).then(function (library) {
    online.textContent = library.connectivity;
  }, function () { online.textContent = "unknown"; });
})();
