// Shared by every page: the JSON API helper, toasts and the theme switch. Plain script, no build step.
"use strict";
var Ravebox = (function () {
  function $(selector, root) { return (root || document).querySelector(selector); }

  var toastTimer = 0;
  // One message at a time, for 3 s; errors stay 5 s.
  function toast(text, kind) {
    var box = $("#toast");
    if (!box) return;
    box.textContent = text;
    box.className = kind === "error" ? "error" : "";
    box.hidden = false;
    clearTimeout(toastTimer);
    toastTimer = setTimeout(function () { box.hidden = true; }, kind === "error" ? 5000 : 3000);
  }

  // Calls the JSON API. Resolves with the parsed body (or null); rejects with an Error whose message is
  // the server's sentence for guests.
  function api(method, path, body) {
    var options = { method: method, headers: { Accept: "application/json" }, credentials: "same-origin" };
    if (body !== undefined) {
      options.headers["Content-Type"] = "application/json";
      options.body = JSON.stringify(body);
    }
    return fetch(path, options).then(function (response) {
      return response.text().then(function (text) {
        var data = null;
        try { data = text ? JSON.parse(text) : null; } catch (e) { data = null; }
        if (!response.ok) {
          var error = new Error((data && data.error) || "Something went wrong (" + response.status + "). Try again.");
          error.status = response.status;
          throw error;
        }
        return data;
      });
    }, function () {
      throw new Error("The box cannot be reached. Check that you are on its Wi-Fi.");
    });
  }

  function setupTheme() {
    var button = $("#theme");
    if (!button) return;
    button.hidden = false;
    button.addEventListener("click", function () {
      var root = document.documentElement;
      var dark = root.dataset.theme ? root.dataset.theme === "dark"
        : window.matchMedia("(prefers-color-scheme: dark)").matches;
      root.dataset.theme = dark ? "light" : "dark";
      try { localStorage.setItem("ravebox-theme", root.dataset.theme); } catch (e) { /* private mode */ }
    });
  }

  setupTheme();
  return { $: $, toast: toast, api: api };
})();
