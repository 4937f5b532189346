// The lights page: the live analysis (one dot per band, coloured like the Rave program), each output's live
// LED preview, and its settings saved on change (PATCH /api/lights/<name>; refusals show under the form).
"use strict";
(function () {
  var scheme = location.protocol === "https:" ? "wss://" : "ws://";

  function dots(container, count) {
    while (container.children.length < count) container.appendChild(document.createElement("i"));
    while (container.children.length > count) container.removeChild(container.lastChild);
  }

  function live(path, onFrame) {
    var socket = new WebSocket(scheme + location.host + path);
    socket.binaryType = "arraybuffer";
    socket.onmessage = function (event) { onFrame(new Uint8Array(event.data)); };
    socket.onclose = function () { setTimeout(function () { live(path, onFrame); }, 5000); };
  }

  var preview = Ravebox.$("#preview");
  live("/api/live/spectrum", function (bands) {
    dots(preview, bands.length);
    for (var i = 0; i < bands.length; i++) {
      var hue = Math.round(i / Math.max(1, bands.length - 1) * 240);
      preview.children[i].style.background = "hsl(" + hue + ",100%," + Math.round(bands[i] / 255 * 50) + "%)";
    }
  });

  // Frame: output count, then per output its LED count and R, G, B per LED.
  live("/api/live/leds", function (bytes) {
    var offset = 1;
    for (var output = 0; output < bytes[0]; output++) {
      var count = bytes[offset++];
      var strip = document.getElementById("strip-" + output);
      if (strip) {
        dots(strip, count);
        for (var i = 0; i < count; i++) {
          var o = offset + i * 3;
          strip.children[i].style.background = "rgb(" + bytes[o] + "," + bytes[o + 1] + "," + bytes[o + 2] + ")";
        }
      }
      offset += count * 3;
    }
  });

  Array.prototype.forEach.call(document.querySelectorAll("form[data-output]"), function (form) {
    var name = form.getAttribute("data-output");
    var error = document.getElementById("error-" + name);
    form.addEventListener("submit", function (event) { event.preventDefault(); });
    form.addEventListener("change", function (event) {
      var field = event.target, patch = {};
      if (field.name === "monochrome") patch.monochrome = field.checked;
      else if (field.name === "brightness") patch.brightness = Number(field.value) / 100;
      else if (field.name === "speed") patch.speed = Number(field.value);
      else patch[field.name] = field.value;
      fetch("/api/lights/" + encodeURIComponent(name), {
        method: "PATCH", headers: { "Content-Type": "application/json" }, body: JSON.stringify(patch)
      }).then(function (response) {
        if (response.ok) { error.textContent = ""; return; }
        return response.json().then(function (body) { error.textContent = body.error || "Not saved."; });
      }).catch(function () { error.textContent = "Not saved: the box did not answer."; });
    });
  });

  // The screen: its program saves on change; the preview reloads every 2 s while the page is visible.
  var screenForm = Ravebox.$("#screen-form"), screenImage = Ravebox.$("#screen-preview");
  var screenError = Ravebox.$("#error-screen");
  screenForm.addEventListener("submit", function (event) { event.preventDefault(); });
  screenForm.addEventListener("change", function (event) {
    fetch("/api/screen/program", {
      method: "PUT", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ program: event.target.value })
    }).then(function (response) {
      if (response.ok) { screenError.textContent = ""; screenImage.src = "/api/screen.png?" + Date.now(); return; }
      return response.json().then(function (body) { screenError.textContent = body.error || "Not saved."; });
    }).catch(function () { screenError.textContent = "Not saved: the box did not answer."; });
  });
  setInterval(function () {
    if (!document.hidden) screenImage.src = "/api/screen.png?" + Date.now();
  }, 2000);
})();
