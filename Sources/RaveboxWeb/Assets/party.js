// The party page, live: search suggestions, requests, votes, controls, queue moves and the spectrum.
// The server rendered a working page; this script keeps it current over the /api/live WebSocket.
"use strict";
(function () {
  var $ = Ravebox.$, api = Ravebox.api, toast = Ravebox.toast;
  var boot = JSON.parse($("#boot").textContent);
  var rank = { guest: 0, mod: 1, admin: 2 };
  var state = null, seq = -1, myVotes = boot.votes || {}, pending = {};

  // ---- What this guest may do at the current interactivity level ----
  function can() {
    var level = state ? state.interactivity : boot.interactivity;
    return {
      voting: level === "upAndDown" || level === "upvotesOnly",
      downvotes: level === "upAndDown",
      controls: rank[boot.privilege] >= 1 || level === "fullControl",
      drag: (rank[boot.privilege] >= 1 || level === "fullControl") && (level === "fullControl" || level === "noControl")
    };
  }

  // Same format as the server's (TimeFormat.clock): "03:07", "1:02:03".
  function clock(seconds) {
    seconds = Math.max(0, Math.floor(seconds || 0));
    var h = Math.floor(seconds / 3600), m = Math.floor(seconds / 60) % 60, s = seconds % 60;
    var mmss = (m < 10 ? "0" : "") + m + ":" + (s < 10 ? "0" : "") + s;
    return h > 0 ? h + ":" + mmss : mmss;
  }

  // ---- Current song and its progress bar ----
  var progress = $("#progress"), timeline = $("#timeline"), tick = 0, shownFailure = null;
  function renderNow() {
    var song = state.currentSong, allowed = can();
    var alarm = state.playback === "alarm";
    document.body.classList.toggle("alarm", alarm);
    $("#now").dataset.entry = song ? song.entryId : "";
    $("#now-title").textContent = alarm ? "ALARM!" : song ? song.title : "Nothing is playing. Request a song!";
    $("#now-artist").textContent = song ? song.artist : "";
    var failure = $("#failure"), failed = state.lastFailure;
    failure.hidden = !failed;
    failure.textContent = failed ? "Couldn't play " + failed.title + ": " + failed.reason : "";
    // A song that fails while this page is open is announced once.
    var failureKey = failed ? failed.songId + "|" + failed.reason + "|" + failed.title : "";
    if (shownFailure !== null && failureKey && failureKey !== shownFailure) toast(failure.textContent, "error");
    shownFailure = failureKey;
    $("#now-vote").hidden = !(song && allowed.voting);
    $("#now-down").hidden = !allowed.downvotes;
    if (song) {
      $("#now-votes").textContent = votesOf(song.entryId, song.votes);
      pressed($("#now-up"), myVotes[song.entryId] === 1);
      pressed($("#now-down"), myVotes[song.entryId] === -1);
    }
    var playing = state.playback === "playing";
    var button = $("#play-pause");
    button.setAttribute("aria-label", playing ? "Pause" : "Play");
    button.querySelector("use").setAttribute("href", playing ? "#i-pause" : "#i-play");
    var volume = $("#volume");
    if (volume && document.activeElement !== volume) volume.value = Math.round(state.volume * 100);
    document.querySelectorAll("[data-mode]").forEach(function (b) { pressed(b, !!state.modes[b.dataset.mode]); });
    $("#controls").hidden = !allowed.controls;
    animateProgress();
  }

  // The bar runs on its own to the song's end (a CSS transition), so nothing has to poll the box.
  function animateProgress() {
    var song = state.currentSong;
    var start = Date.now(), position = song ? song.position : 0, duration = song ? song.duration : 0;
    var playing = state.playback === "playing" && duration > 0;
    progress.style.transition = "none";
    progress.style.width = (duration > 0 ? Math.min(100, position / duration * 100) : 0) + "%";
    if (playing) {
      void progress.offsetWidth; // start the transition from the width just set
      progress.style.transition = "width " + Math.max(0, duration - position) + "s linear";
      progress.style.width = "100%";
    }
    clearInterval(tick);
    var seek = $("#seek");
    seek.max = Math.max(1, Math.floor(duration));
    function text() {
      var now = playing ? Math.min(duration, position + (Date.now() - start) / 1000) : position;
      if (document.activeElement !== seek) seek.value = Math.floor(now);
      timeline.textContent = song ? clock(now) + " / " + clock(duration) + " · " + state.playback : state.playback;
      if (!state.engineOnline) timeline.textContent += " (player restarting)";
    }
    text();
    if (playing) tick = setInterval(text, 1000);
  }

  // ---- Queue: keyed by entry id, moved not rebuilt, so focus and scroll stay where they are ----
  var list = $("#queue"), template = $("#entry-template");
  function votesOf(id, serverVotes) { return pending[id] ? pending[id].votes : serverVotes; }
  function pressed(button, on) { button.setAttribute("aria-pressed", on ? "true" : "false"); }

  function fill(li, entry, allowed) {
    li.dataset.id = entry.id;
    li.querySelector(".t").textContent = entry.title;
    li.querySelector(".a").textContent = entry.artist;
    li.querySelector(".dur").textContent = clock(entry.duration);
    var votes = li.querySelector(".votes");
    votes.textContent = votesOf(entry.id, entry.votes);
    votes.hidden = !allowed.voting;
    li.querySelector(".vote").hidden = !allowed.voting;
    li.querySelector(".ctl").hidden = !allowed.controls;
    li.querySelector(".handle").hidden = !allowed.drag;
    var up = li.querySelector(".up"), down = li.querySelector(".down");
    down.hidden = !allowed.downvotes;
    pressed(up, myVotes[entry.id] === 1);
    pressed(down, myVotes[entry.id] === -1);
    up.setAttribute("aria-label", "Vote up " + entry.title);
    down.setAttribute("aria-label", "Vote down " + entry.title);
    li.querySelector(".prio").setAttribute("aria-label", "Play " + entry.title + " next");
    li.querySelector(".rm").setAttribute("aria-label", "Remove " + entry.title);
    li.querySelector("form").action = "/queue/" + entry.id + "/vote";
  }

  function renderQueue() {
    if (dragging) return; // applied when the finger lifts
    var allowed = can(), existing = {}, before = {};
    Array.prototype.forEach.call(list.children, function (li) {
      existing[li.dataset.id] = li;
      before[li.dataset.id] = li.getBoundingClientRect().top;
    });
    var focused = document.activeElement;
    var wanted = state.queue.map(function (entry) {
      var li = existing[entry.id];
      if (!li) {
        li = template.content.firstElementChild.cloneNode(true);
        li.classList.add("new");
      }
      delete existing[entry.id];
      fill(li, entry, allowed);
      return li;
    });
    Object.keys(existing).forEach(function (id) { existing[id].remove(); });
    wanted.forEach(function (li, index) {
      if (list.children[index] !== li) list.insertBefore(li, list.children[index] || null);
    });
    if (focused && list.contains(focused) && document.activeElement !== focused) focused.focus({ preventScroll: true });
    // Slide moved rows from where they were (0.4 s).
    wanted.forEach(function (li) {
      var old = before[li.dataset.id];
      if (old === undefined) return;
      var delta = old - li.getBoundingClientRect().top;
      if (!delta) return;
      li.style.transition = "none";
      li.style.transform = "translateY(" + delta + "px)";
      requestAnimationFrame(function () {
        li.style.transition = "transform .4s ease";
        li.style.transform = "";
      });
    });
    $("#queue-empty").hidden = state.queue.length > 0;
    var total = state.queue.reduce(function (sum, entry) { return sum + entry.duration; }, 0);
    $("#queue-time").textContent = state.queue.length ? "(" + state.queue.length + " · " + clock(total) + ")" : "";
    if (boot.colors) loadColors();
  }

  // ---- Party details ----
  function renderParty() {
    $("#guests").textContent = state.activeGuests + " active";
    $("#party-mode").hidden = !state.partyMode;
    document.body.classList.toggle("party", state.partyMode);
    $("#visitors").textContent = state.visitors;
    $("#hashtag").textContent = state.hashtag || "";
  }

  function render() {
    renderNow();
    renderQueue();
    renderParty();
  }

  // ---- Votes: shown at once, rolled back with the reason if the box refuses ----
  function vote(id, value) {
    id = String(id);
    if (pending[id]) return;
    var entry = findEntry(id);
    if (!entry) return;
    var previous = myVotes[id] || 0, next = previous === value ? 0 : value;
    pending[id] = { votes: entry.votes - previous + next };
    setVote(id, next);
    render();
    api("PUT", "/api/queue/" + id + "/vote", { vote: next }).then(function (answer) {
      delete pending[id];
      entry = findEntry(id);
      if (entry) entry.votes = answer.votes;
      if (answer.kicked) toast("Voted out.");
      render();
    }, function (error) {
      delete pending[id];
      setVote(id, previous);
      render();
      toast(error.message, "error");
    });
  }

  function setVote(id, value) {
    if (value) myVotes[id] = value; else delete myVotes[id];
  }

  function findEntry(id) {
    if (state.currentSong && String(state.currentSong.entryId) === id) return state.currentSong;
    for (var i = 0; i < state.queue.length; i++) if (String(state.queue[i].id) === id) return state.queue[i];
    return null;
  }

  list.addEventListener("click", function (event) {
    var button = event.target.closest("button");
    if (!button) return;
    var id = button.closest("li").dataset.id;
    if (button.classList.contains("up") || button.classList.contains("down")) {
      event.preventDefault();
      vote(id, button.classList.contains("up") ? 1 : -1);
    } else if (button.classList.contains("prio")) {
      api("POST", "/api/queue/" + id + "/prioritize").catch(function (e) { toast(e.message, "error"); });
    } else if (button.classList.contains("rm")) {
      api("DELETE", "/api/queue/" + id).catch(function (e) { toast(e.message, "error"); });
    }
  });
  $("#now-up").addEventListener("click", function () { vote($("#now").dataset.entry, 1); });
  $("#now-down").addEventListener("click", function () { vote($("#now").dataset.entry, -1); });

  // ---- Drag to reorder (mouse and touch, through pointer events) ----
  var dragging = null;
  list.addEventListener("pointerdown", function (event) {
    var handle = event.target.closest(".handle");
    if (!handle || handle.hidden) return;
    event.preventDefault();
    var li = handle.closest("li");
    dragging = { li: li, startY: event.clientY, pointer: event.pointerId };
    handle.setPointerCapture(event.pointerId);
    li.classList.add("drag");
  });
  list.addEventListener("pointermove", function (event) {
    if (!dragging || event.pointerId !== dragging.pointer) return;
    var li = dragging.li;
    var siblings = Array.prototype.filter.call(list.children, function (other) { return other !== li; });
    var target = null;
    for (var i = 0; i < siblings.length; i++) {
      var box = siblings[i].getBoundingClientRect();
      if (event.clientY < box.top + box.height / 2) { target = siblings[i]; break; }
    }
    if (li.nextElementSibling !== target) list.insertBefore(li, target);
  });
  function endDrag(event) {
    if (!dragging || event.pointerId !== dragging.pointer) return;
    var li = dragging.li;
    dragging = null;
    li.classList.remove("drag");
    var previous = li.previousElementSibling, next = li.nextElementSibling;
    api("POST", "/api/queue/reorder", {
      id: Number(li.dataset.id),
      after: previous ? Number(previous.dataset.id) : null,
      before: next ? Number(next.dataset.id) : null
    }).catch(function (e) { toast(e.message, "error"); }).then(function () { if (state) renderQueue(); });
  }
  list.addEventListener("pointerup", endDrag);
  list.addEventListener("pointercancel", endDrag);

  // ---- Voter colours (when the settings show them to this guest) ----
  var colorTimer = 0;
  function loadColors() {
    clearTimeout(colorTimer);
    colorTimer = setTimeout(function () {
      api("GET", "/api/colors").then(function (colors) {
        Array.prototype.forEach.call(list.children, function (li) {
          var dots = li.querySelector(".dots"), entry = colors[li.dataset.id];
          dots.textContent = "";
          if (!entry) return;
          entry.upvotes.concat(entry.downvotes).forEach(function (color, index) {
            var dot = document.createElement("i");
            dot.style.background = color;
            dot.title = index < entry.upvotes.length ? "upvote" : "downvote";
            dots.appendChild(dot);
          });
        });
      }, function () { boot.colors = false; });
    }, 300);
  }

  // ---- Search with live suggestions, and requests ----
  var input = $("#q"), box = $("#suggestions"), form = $("#search-form");
  var searchTimer = 0, searchAbort = null, active = -1, shown = [];
  $("#dice").hidden = false;
  $("#search-button").hidden = true; // suggestions come as you type; Enter still searches

  function closeSuggestions() {
    box.hidden = true;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
    active = -1;
  }

  // Suggestions: library songs, then (mods) playlists, then "look online" when the box has online sources.
  // Each shown item is {kind: "song"|"playlist"|"online", ...}.
  function showSuggestions(songs, playlists, query) {
    shown = songs.map(function (song) { return { kind: "song", song: song }; })
      .concat((playlists || []).map(function (playlist) { return { kind: "playlist", playlist: playlist }; }));
    if (boot.online && query) shown.push({ kind: "online", query: query });
    box.textContent = "";
    if (!shown.length) {
      var none = document.createElement("li");
      none.className = "muted";
      none.textContent = "No songs match.";
      box.appendChild(none);
    }
    shown.forEach(function (choice, index) {
      var item = document.createElement("li");
      item.id = "s-" + index;
      item.setAttribute("role", "option");
      item.setAttribute("aria-selected", "false");
      item.dataset.index = index;
      if (choice.kind === "song") {
        var song = choice.song;
        item.textContent = song.title + " — " + song.artist + " · " + clock(song.duration) +
          (song.timesRequested ? " · requested " + song.timesRequested + "×" : "");
      } else if (choice.kind === "playlist") {
        item.textContent = "Playlist: " + choice.playlist.name + " · " + choice.playlist.songCount + " songs";
      } else {
        item.textContent = "Look online for “" + choice.query + "”";
        item.className = "online";
      }
      box.appendChild(item);
    });
    box.hidden = false;
    input.setAttribute("aria-expanded", "true");
    active = -1;
  }

  function highlight(index) {
    var items = box.querySelectorAll("[role=option]");
    if (!items.length) return;
    active = (index + items.length) % items.length;
    items.forEach(function (item, i) { item.setAttribute("aria-selected", i === active ? "true" : "false"); });
    input.setAttribute("aria-activedescendant", items[active].id);
    items[active].scrollIntoView({ block: "nearest" });
  }

  input.addEventListener("input", function () {
    clearTimeout(searchTimer);
    var query = input.value.trim();
    if (!query) { closeSuggestions(); return; }
    searchTimer = setTimeout(function () {
      if (searchAbort) searchAbort.abort();
      searchAbort = window.AbortController ? new AbortController() : null;
      var options = { signal: searchAbort ? searchAbort.signal : undefined, credentials: "same-origin" };
      function get(url) { return fetch(url, options).then(function (r) { return r.ok ? r.json() : []; }); }
      var songs = get("/api/search?q=" + encodeURIComponent(query) + "&limit=" + boot.suggestions);
      var lists = can().controls ? get("/api/playlists?q=" + encodeURIComponent(query)) : Promise.resolve([]);
      Promise.all([songs, lists]).then(function (found) {
        if (input.value.trim() === query) showSuggestions(found[0], found[1].slice(0, 3), query);
      }, function () {});
    }, 150);
  });

  input.addEventListener("keydown", function (event) {
    if (box.hidden) return;
    if (event.key === "ArrowDown") { event.preventDefault(); highlight(active + 1); }
    else if (event.key === "ArrowUp") { event.preventDefault(); highlight(active - 1); }
    else if (event.key === "Escape") { closeSuggestions(); }
  });

  box.addEventListener("click", function (event) {
    var item = event.target.closest("[role=option]");
    if (item) choose(shown[Number(item.dataset.index)]);
  });

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    if (active >= 0 && shown[active]) { choose(shown[active]); return; }
    if (shown.length && !box.hidden) { choose(shown[0]); return; }
    input.dispatchEvent(new Event("input"));
  });

  function choose(choice) {
    if (!choice) return;
    if (choice.kind === "song") { request(choice.song, input.value.trim()); return; }
    closeSuggestions();
    input.value = "";
    var answer;
    if (choice.kind === "playlist") {
      toast("Queueing " + choice.playlist.name + "…");
      answer = api("POST", "/api/queue/playlist", { playlistId: choice.playlist.id });
    } else {
      toast("Looking for “" + choice.query + "” online…");
      answer = api("POST", "/api/queue/online", { query: choice.query });
    }
    answer.then(function (result) {
      if (result.entry) { setVote(String(result.entry.id), 1); if (state) render(); }
      toast(result.message);
    }, function (error) { toast(error.message, "error"); });
  }

  document.addEventListener("click", function (event) {
    if (!form.contains(event.target)) closeSuggestions();
  });

  function request(song, query) {
    if (!song) return;
    closeSuggestions();
    input.value = "";
    toast("Requesting " + song.title + "…");
    var body = { songId: song.id };
    if (query) body.query = query;
    api("POST", "/api/queue", body).then(function (result) {
      if (result.entry) { setVote(String(result.entry.id), 1); if (state) render(); }
      toast(result.message);
    }, function (error) { toast(error.message, "error"); });
  }

  $("#dice").addEventListener("click", function () {
    api("GET", "/api/search/random").then(function (song) { request(song); },
      function (error) { toast(error.message, "error"); });
  });

  // ---- Upload a song from the phone (when the uploads setting allows this guest) ----
  var uploadRow = $("#upload-row");
  if (uploadRow && boot.uploads) {
    uploadRow.hidden = false;
    var file = $("#upload-file"), progress = $("#upload-progress");
    file.addEventListener("change", function () {
      var chosen = file.files[0];
      file.value = "";
      if (!chosen) return;
      if (chosen.size > boot.uploadMaxBytes) {
        toast(chosen.name + " is larger than the box accepts (" + Math.round(boot.uploadMaxBytes / 1048576) +
          " MB).", "error");
        return;
      }
      var xhr = new XMLHttpRequest();
      xhr.open("POST", "/api/uploads?name=" + encodeURIComponent(chosen.name));
      xhr.setRequestHeader("Content-Type", "application/octet-stream");
      progress.hidden = false;
      progress.value = 0;
      xhr.upload.onprogress = function (event) {
        if (event.lengthComputable) progress.value = event.loaded / event.total;
      };
      xhr.onloadend = function () {
        progress.hidden = true;
        var answer = {};
        try { answer = JSON.parse(xhr.responseText); } catch (e) { answer = {}; }
        if (xhr.status >= 200 && xhr.status < 300) {
          if (answer.entry) { setVote(String(answer.entry.id), 1); if (state) render(); }
          toast(answer.message || "Uploaded.");
        } else {
          toast(answer.error || "The upload did not arrive; please try again.", "error");
        }
      };
      toast("Uploading " + chosen.name + "…");
      xhr.send(chosen);
    });
  }

  // ---- Hashtag ----
  var hashtagButton = $("#hashtag-add"), hashtagForm = $("#hashtag-form");
  hashtagButton.hidden = false;
  hashtagButton.addEventListener("click", function () {
    hashtagForm.hidden = !hashtagForm.hidden;
    hashtagButton.setAttribute("aria-expanded", String(!hashtagForm.hidden));
    if (!hashtagForm.hidden) $("#hashtag-input").focus();
  });
  hashtagForm.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = $("#hashtag-input").value.trim();
    if (!text) return;
    api("POST", "/api/hashtags", { text: text }).then(function () {
      $("#hashtag-input").value = "";
      hashtagForm.hidden = true;
      hashtagButton.setAttribute("aria-expanded", "false");
      toast("Hashtag added.");
    }, function (error) { toast(error.message, "error"); });
  });

  // ---- Controls (mods and admins, or everybody at full control) ----
  function control(path, body, method) {
    api(method || "POST", path, body).catch(function (error) { toast(error.message, "error"); });
  }
  $("#controls").addEventListener("click", function (event) {
    var button = event.target.closest("button");
    if (!button || !state) return;
    var song = state.currentSong;
    var now = song ? song.position : 0;
    switch (button.dataset.action) {
      case "toggle": control("/api/playback/" + (state.playback === "playing" ? "pause" : "play")); break;
      case "skip": control("/api/playback/skip"); break;
      case "restart": control("/api/playback/restart"); break;
      case "back": control("/api/playback/seek", { seconds: Math.max(0, now - 10) }); break;
      case "forward": if (song) control("/api/playback/seek", { seconds: Math.min(song.duration, now + 10) }); break;
    }
    if (button.dataset.mode) {
      var body = {};
      body[button.dataset.mode] = button.getAttribute("aria-pressed") !== "true";
      control("/api/playback/modes", body, "PUT");
    }
    if (button.id === "alarm") control("/api/playback/alarm");
    if (button.id === "shuffle-all") control("/api/queue/shuffle");
    if (button.id === "remove-all" && window.confirm("Remove every song from the queue?")) control("/api/queue", undefined, "DELETE");
  });
  $("#seek").addEventListener("change", function (event) {
    control("/api/playback/seek", { seconds: Number(event.target.value) });
  });
  var volume = $("#volume");
  if (volume) volume.addEventListener("change", function () {
    control("/api/playback/volume", { volume: volume.value / 100 }, "PUT");
  });

  // ---- Live updates: reconnect with back-off, resynchronise from the full state ----
  var banner = $("#banner"), delay = 500, bannerTimer = 0, connectedOnce = false;
  function connect() {
    var socket = new WebSocket((location.protocol === "https:" ? "wss://" : "ws://") + location.host + "/api/live");
    socket.onopen = function () {
      delay = 500;
      clearTimeout(bannerTimer);
      banner.hidden = true;
    };
    socket.onmessage = function (event) {
      var message = JSON.parse(event.data);
      if (message.state) {
        state = message.state;
        seq = message.seq;
        if (connectedOnce) refreshVotes();
        connectedOnce = true;
        render();
        return;
      }
      if (message.seq !== seq + 1) { socket.close(); return; } // missed some: start over from the full state
      seq = message.seq;
      Object.keys(message.changes).forEach(function (key) { state[key] = message.changes[key]; });
      render();
    };
    socket.onclose = function () {
      // A short blip is not worth a banner; a longer one is.
      clearTimeout(bannerTimer);
      bannerTimer = setTimeout(function () { banner.hidden = false; }, 1000);
      setTimeout(connect, delay);
      delay = Math.min(delay * 2, 10000);
    };
  }

  function refreshVotes() {
    api("GET", "/api/session").then(function (session) {
      myVotes = session.votes || {};
      if (state) render();
    }, function () {});
  }

  // ---- Spectrum strip, from the engine's telemetry (shown once frames arrive) ----
  var canvas = $("#spectrum");
  function spectrum() {
    if (!window.WebSocket || !canvas.getContext) return;
    var socket = new WebSocket((location.protocol === "https:" ? "wss://" : "ws://") + location.host + "/api/live/spectrum");
    socket.binaryType = "arraybuffer";
    var context = canvas.getContext("2d");
    socket.onmessage = function (event) {
      var bands = new Uint8Array(event.data);
      if (canvas.hidden) {
        canvas.hidden = false;
        canvas.width = canvas.clientWidth * (window.devicePixelRatio || 1);
        canvas.height = canvas.clientHeight * (window.devicePixelRatio || 1);
      }
      var width = canvas.width / bands.length, height = canvas.height;
      context.clearRect(0, 0, canvas.width, height);
      context.fillStyle = getComputedStyle(document.documentElement).getPropertyValue("--accent");
      for (var i = 0; i < bands.length; i++) {
        var h = bands[i] / 255 * height;
        context.fillRect(i * width + 1, height - h, Math.max(1, width - 2), h);
      }
    };
    socket.onclose = function () { setTimeout(spectrum, 5000); };
  }

  connect();
  spectrum();
})();
