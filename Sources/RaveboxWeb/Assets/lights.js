// The lights page's live preview: one dot per analysis band, coloured like the Rave program
// (low bands red, high bands blue, brightness by energy).
"use strict";
(function () {
  var preview = Ravebox.$("#preview");
  function connect() {
    var socket = new WebSocket((location.protocol === "https:" ? "wss://" : "ws://") + location.host + "/api/live/spectrum");
    socket.binaryType = "arraybuffer";
    socket.onmessage = function (event) {
      var bands = new Uint8Array(event.data);
      while (preview.children.length < bands.length) preview.appendChild(document.createElement("i"));
      for (var i = 0; i < bands.length; i++) {
        var hue = Math.round(i / Math.max(1, bands.length - 1) * 240);
        preview.children[i].style.background = "hsl(" + hue + ",100%," + Math.round(bands[i] / 255 * 50) + "%)";
      }
    };
    socket.onclose = function () { setTimeout(connect, 5000); };
  }
  connect();
})();
