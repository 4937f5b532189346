import RaveboxCore

/// The party page: rendered on the server so the first paint already shows the song and the queue on a
/// slow phone, then a small script keeps it live over `/api/live`. Works without JavaScript (the request
/// form posts to `/request`).
enum PartyPage {
    static func render(state: PartyState, library: [Song], privilege: Privilege = .guest) -> String {
        let song = state.currentSong
        let percent = song.map { $0.duration > 0 ? min(100, max(0, $0.position / $0.duration * 100)) : 0 } ?? 0
        let title =
            song.map { displayName(title: $0.title, artist: $0.artist) } ?? "Nothing is playing. Request a song!"
        let current = """
            <p class="title" id="now-title">\(escape(title))</p>
            <div class="bar"><div id="progress" style="width:\(Int(percent))%"></div></div>
            <p class="muted" id="timeline">\(escape(timeline(state)))</p>
            """
        let failure =
            state.lastFailure.map {
                "<p class=\"error\" id=\"failure\">Skipped \(escape($0.title)): \(escape($0.reason))</p>"
            } ?? "<p class=\"error\" id=\"failure\" hidden></p>"
        let queueItems =
            state.queue.isEmpty
            ? "<li class=\"muted\">The queue is empty.</li>"
            : state.queue.map { entry in
                "<li><span>\(escape(displayName(title: entry.title, artist: entry.artist)))</span>"
                    + "<span class=\"muted\">\(TimeFormat.clock(entry.duration))</span></li>"
            }.joined()
        let options = library.map { song in
            "<option value=\"\(song.id)\">\(escape(displayName(title: song.title, artist: song.artist))) "
                + "(\(TimeFormat.clock(song.duration)))</option>"
        }.joined()
        return """
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <meta name="color-scheme" content="light dark">
            <title>Ravebox</title>
            <style>
            body{font:16px/1.4 system-ui,sans-serif;margin:0 auto;max-width:40rem;padding:1rem}
            h1{font-size:1.4rem;margin:.2rem 0 1rem}h2{font-size:1.1rem;margin:1.2rem 0 .4rem}
            .title{font-size:1.2rem;font-weight:600;margin:.2rem 0}.muted{opacity:.65}
            .bar{height:.4rem;background:#8884;border-radius:.2rem;overflow:hidden}
            #progress{height:100%;background:#e0287d}.error{color:#d33}
            ul{list-style:none;padding:0;margin:0}li{display:flex;justify-content:space-between;
            padding:.5rem 0;border-bottom:1px solid #8883}
            form{display:flex;gap:.5rem;flex-wrap:wrap}select{flex:1;min-width:12rem}
            button,select{font:inherit;padding:.5rem;border-radius:.4rem}
            .controls{display:flex;gap:.5rem;margin-top:.6rem}
            </style></head>
            <body>
            <h1>Ravebox</h1>
            \(account(privilege))
            <section aria-label="Now playing">\(current)\(failure)
            <div class="controls"><button data-action="play">Play</button><button data-action="pause">Pause\
            </button><button data-action="skip">Skip</button></div></section>
            <h2>Request a song</h2>
            <form method="post" action="/request" id="request">
            <select name="songId" aria-label="Song">\(options)</select><button type="submit">Request</button>
            </form>
            <p class="muted" id="feedback" role="status"></p>
            <h2>Queue</h2>
            <ul id="queue">\(queueItems)</ul>
            <script>\(script)</script>
            </body></html>
            """
    }

    /// "Log in" for guests; who you are and "Log out" for mods and the admin.
    static func account(_ privilege: Privilege) -> String {
        guard privilege != .guest else { return "<p class=\"muted\"><a href=\"/login\">Log in</a></p>" }
        return """
            <form method="post" action="/logout" class="muted">Logged in as \(privilege.rawValue) \
            <button type="submit">Log out</button></form>
            """
    }

    /// "01:02 / 03:30 · playing", or the playback state alone when nothing plays.
    static func timeline(_ state: PartyState) -> String {
        let status = state.playback.rawValue + (state.engineOnline ? "" : " (player restarting)")
        guard let song = state.currentSong else { return status }
        return "\(TimeFormat.clock(song.position)) / \(TimeFormat.clock(song.duration)) · \(status)"
    }

    static func displayName(title: String, artist: String) -> String {
        artist.isEmpty ? title : "\(artist) – \(title)"
    }

    /// HTML-escapes text for element content and quoted attribute values.
    static func escape(_ text: String) -> String {
        var result = ""
        result.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            case "'": result += "&#39;"
            default: result.append(character)
            }
        }
        return result
    }

    /// Keeps the page live: re-renders on every state from the WebSocket, moves the progress bar
    /// between updates, and sends requests and playback controls through the JSON API.
    static let script = """
        "use strict";
        const $ = (id) => document.getElementById(id);
        const clock = (s) => { if (!(s >= 0)) return "--:--"; s = Math.floor(s);
          const h = Math.floor(s / 3600), m = Math.floor(s % 3600 / 60), x = s % 60;
          const mm = (m < 10 ? "0" : "") + m + ":" + (x < 10 ? "0" : "") + x; return h ? h + ":" + mm : mm; };
        const name = (e) => e.artist ? e.artist + " \\u2013 " + e.title : e.title;
        let state = null, received = 0;
        function render() {
          const s = state.currentSong;
          $("now-title").textContent = s ? name(s) : "Nothing is playing. Request a song!";
          const f = state.lastFailure; $("failure").hidden = !f;
          if (f) $("failure").textContent = "Skipped " + f.title + ": " + f.reason;
          const q = $("queue"); q.replaceChildren();
          if (!state.queue.length) { const li = document.createElement("li"); li.className = "muted";
            li.textContent = "The queue is empty."; q.append(li); }
          for (const e of state.queue) { const li = document.createElement("li");
            const a = document.createElement("span"); a.textContent = name(e);
            const b = document.createElement("span"); b.className = "muted"; b.textContent = clock(e.duration);
            li.append(a, b); q.append(li); }
          tick();
        }
        function tick() {
          if (!state) return; const s = state.currentSong;
          const status = state.playback + (state.engineOnline ? "" : " (player restarting)");
          if (!s) { $("progress").style.width = "0%"; $("timeline").textContent = status; return; }
          const p = Math.min(s.duration, s.position + (state.playback === "playing" ? (Date.now() - received) / 1000 : 0));
          $("timeline").textContent = clock(p) + " / " + clock(s.duration) + " \\u00b7 " + status;
          $("progress").style.width = (s.duration ? p / s.duration * 100 : 0) + "%";
        }
        function connect() {
          const ws = new WebSocket((location.protocol === "https:" ? "wss://" : "ws://") + location.host + "/api/live");
          let seq = -1;
          ws.onmessage = (m) => {
            const msg = JSON.parse(m.data);
            if (msg.state) { state = msg.state; }
            else if (state && msg.seq === seq + 1) {
              for (const [k, v] of Object.entries(msg.changes)) { if (v === null) delete state[k]; else state[k] = v; }
            } else { ws.close(); return; }
            seq = msg.seq; received = Date.now(); render();
          };
          ws.onclose = () => setTimeout(connect, 1000);
        }
        async function send(method, url, body) {
          const r = await fetch(url, { method, headers: { "Content-Type": "application/json" },
            body: JSON.stringify(body || {}) });
          const j = await r.json().catch(() => ({}));
          if (!r.ok) throw new Error(j.error || "That did not work.");
          return j;
        }
        $("request").addEventListener("submit", async (ev) => {
          ev.preventDefault(); const id = Number(new FormData(ev.target).get("songId"));
          try { const r = await send("POST", "/api/queue", { songId: id }); $("feedback").textContent = r.message; }
          catch (err) { $("feedback").textContent = err.message; }
        });
        for (const b of document.querySelectorAll("[data-action]")) b.addEventListener("click", async () => {
          try { await send("POST", "/api/playback/" + b.dataset.action); } catch (err) { $("feedback").textContent = err.message; }
        });
        setInterval(tick, 500); connect();
        """
}
