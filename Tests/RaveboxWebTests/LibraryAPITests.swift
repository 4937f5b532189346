import Foundation
import Hummingbird
import HummingbirdTesting
import RaveboxCore
import RaveboxStore
import RaveboxTestSupport
import Testing

@testable import RaveboxWeb

@Suite struct LibraryAPITests {
    private func app(_ box: WebTestBox) -> some ApplicationProtocol { Application(router: box.web.router()) }

    /// Sends `body` as an upload called `name` as `guest`.
    private func upload(
        _ body: Data, name: String, as guest: Guest, _ client: some TestClientProtocol
    ) async throws -> Guest.Reply {
        try await guest.upload(body, name: name, client)
    }

    private static let song = WAVFile.bytes(WAVFile.sine(frequency: 440, seconds: 0.3))

    @Test func aGuestsUploadIsProbedAddedToTheLibraryAndQueuedAsTheirRequest() async throws {
        let box = try WebTestBox(withMusicFolders: true)
        try await box.set(["uploads": .string("everybody"), "uploadsPerGuest": .int(1)])
        try await app(box).test(.router) { client in
            let guest = Guest()
            let reply = try await upload(Self.song, name: "My Song.wav", as: guest, client)
            #expect(reply.status == .created, "\(reply.text)")
            let entry = try #require(try reply.decode(RequestReply.self).entry)
            #expect(entry.title == "My Song")
            #expect(try await box.store.queue().map(\.id) == [entry.id])
            let stored = try box.store.song(id: entry.songID)
            #expect(stored?.path.hasPrefix(box.folder.file("uploads")) == true)

            let second = try await upload(Self.song, name: "again.wav", as: guest, client)
            #expect(second.status == .tooManyRequests)
            #expect(second.error?.contains("as many songs as the box allows (1)") == true)
            let text = try await upload(Data("not music".utf8), name: "fake.mp3", as: Guest(), client)
            #expect(text.status == .unsupportedMediaType)
            #expect(text.error == "That file is not music the box can play.")
            #expect(try await box.store.queue().count == 1)
        }
    }

    @Test func uploadsAreOffByDefaultAndCanBeForModsOnly() async throws {
        let box = try WebTestBox(withMusicFolders: true)
        try await app(box).test(.router) { client in
            let off = try await upload(Self.song, name: "a.wav", as: Guest(), client)
            #expect(off.status == .forbidden && off.error == "Uploads are off at this party.")
            try await box.set(["uploads": .string("mod")])
            let guest = try await upload(Self.song, name: "a.wav", as: Guest(), client)
            #expect(guest.status == .forbidden && guest.error == "Only mods may upload songs here.")
            let mod = try await box.login(.mod, client)
            #expect(try await upload(Self.song, name: "a.wav", as: mod, client).status == .created)
            let library = try await mod.call(client, .get, "/api/library")
            #expect(library.status == .ok)
            #expect(library.text.contains("\"permission\":\"mod\""))
            #expect(library.text.contains("\"allowed\":true"))
        }
    }

    @Test func anOnlineRequestDownloadsWithYtDlpFilesTheSongAndQueuesIt() async throws {
        let tools = try TemporaryFolder("fake-yt-dlp")
        defer { tools.remove() }
        let audio = tools.file("fixture.wav")
        try Self.song.write(to: URL(fileURLWithPath: audio))
        let script = tools.file("yt-dlp")
        let json =
            #"{"id": "dQw4w9WgXcQ", "title": "Never Gonna", "uploader": "Rick", "duration": 0.3, "#
            + #""webpage_url": "https://www.youtube.com/watch?v=dQw4w9WgXcQ", "filesize_approx": 60000}"#
        try """
        #!/bin/sh
        out=""; prev=""; lookup=no
        for arg in "$@"; do
          if [ "$prev" = "-o" ]; then out="$arg"; fi
          if [ "$arg" = "--dump-json" ]; then lookup=yes; fi
          prev="$arg"
        done
        if [ $lookup = yes ]; then echo '\(json)'; exit 0; fi
        cp '\(audio)' "$(printf '%s' "$out" | sed 's/%(ext)s/wav/')"
        """.write(toFile: script, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: script)

        let box = try WebTestBox(withMusicFolders: true, ytDLP: script)
        try await app(box).test(.router) { client in
            let guest = Guest()
            let off = try await guest.call(client, .post, "/api/queue/online", #"{"query": "never gonna"}"#)
            #expect(off.status == .badRequest, "YouTube is off: only the library answers, and it has no match")
            try await box.set(["youtubeEnabled": .bool(true), "connectivityHost": .string("localhost")])
            let reply = try await guest.call(client, .post, "/api/queue/online", #"{"query": "never gonna"}"#)
            #expect(reply.status == .created, "\(reply.text)")
            let result = try reply.decode(RequestReply.self)
            #expect(result.message == "Rick – Never Gonna is in the queue.")
            let entry = try #require(result.entry)
            #expect(entry.title == "Never Gonna" && entry.artist == "Rick")
            let song = try #require(try box.store.song(id: entry.songID))
            #expect(song.path == box.folder.file("cache") + "/dQw4w9WgXcQ.wav")
            #expect(FileManager.default.fileExists(atPath: song.path))
            // The words the guest typed now find the song in the library too.
            #expect(try await box.store.searchSongs("never gonna", limit: 5).map(\.id) == [entry.songID])

            try await box.set(["connectivityHost": .string("")])
            let offline = try await guest.call(client, .post, "/api/queue/online", #"{"query": "something else"}"#)
            #expect(offline.status == .badRequest)
            #expect(offline.error == "The box is offline: only the music on the box can be requested.")
        }
    }

    @Test func modsQueueAPlaylistInOrderUpToMaxPlaylistItems() async throws {
        let box = try WebTestBox(songs: (1...5).map { ("Song \($0)", "Band") })
        let paths = try await box.store.searchSongs("", limit: 10).map(\.path).sorted()
        _ = try box.store.replacePlaylists(
            under: "/music",
            with: [ScannedPlaylist(source: "/music/set.m3u", name: "Set", kind: .m3u, paths: paths.reversed())])
        try await box.set(["maxPlaylistItems": .int(3)])
        try await app(box).test(.router) { client in
            #expect(try await Guest().call(client, .get, "/api/playlists").status == .forbidden)
            let mod = try await box.login(.mod, client)
            let list = try await mod.call(client, .get, "/api/playlists?q=se")
            let playlists = try list.decode([PlaylistSummary].self)
            #expect(playlists.map(\.name) == ["Set"] && playlists[0].songCount == 5)
            let reply = try await mod.call(
                client, .post, "/api/queue/playlist", "{\"playlistId\": \(playlists[0].id)}")
            #expect(reply.status == .created, "\(reply.text)")
            #expect(reply.text.contains("3 songs of Set are in the queue."))
            let queued = try await box.store.queue()
            #expect(queued.map(\.title) == ["Song 5", "Song 4", "Song 3"])
            #expect(queued.allSatisfy { $0.votes == 0 })
            let missing = try await mod.call(client, .post, "/api/queue/playlist", "{\"playlistId\": 999}")
            #expect(missing.status == .notFound)
        }
    }

    @Test func aPlaylistKeepsTheHouseRulesAndItsOrderWithEnqueueFirst() async throws {
        let box = try WebTestBox(songs: (1...5).map { ("Song \($0)", "Band") })
        let paths = try await box.store.searchSongs("", limit: 10).map(\.path).sorted()
        _ = try box.store.replacePlaylists(
            under: "/music", with: [ScannedPlaylist(source: "/music/set.m3u", name: "Set", kind: .m3u, paths: paths)])
        try await box.set(["forbiddenKeywords": .string("2"), "enqueueFirst": .bool(true)])
        let guestsSong = try #require(try await box.store.searchSongs("Song 3", limit: 1).first)
        _ = try box.store.enqueue(songID: guestsSong.id, requestedBy: "guest", voter: "guest")
        try await app(box).test(.router) { client in
            let mod = try await box.login(.mod, client)
            let playlist = try #require(
                try await mod.call(client, .get, "/api/playlists").decode([PlaylistSummary].self).first)
            let body = "{\"playlistId\": \(playlist.id)}"
            let reply = try await mod.call(client, .post, "/api/queue/playlist", body)
            #expect(reply.status == .created, "\(reply.text)")
            #expect(
                reply.text.contains("3 songs of Set are in the queue. 2 were left out: Songs with"), "\(reply.text)")
            // The forbidden song and the one already queued stay out; the rest go first, in the playlist's order.
            #expect(try await box.store.queue().map(\.title) == ["Song 1", "Song 4", "Song 5", "Song 3"])
            let again = try await mod.call(client, .post, "/api/queue/playlist", body)
            #expect(again.status == .conflict)
            #expect(again.error == "\"Song 1\" is already in the queue or playing.")
            #expect(try await box.store.queue().count == 4)
        }
    }

    @Test func theAdminExportsWhatPlayedAsM3U() async throws {
        let box = try WebTestBox()
        let id = box.songIDs[0]
        _ = try box.store.enqueue(songID: id, requestedBy: nil)
        _ = try box.store.startNextSong()
        try await app(box).test(.router) { client in
            #expect(try await Guest().call(client, .get, "/api/playlog.m3u").status == .unauthorized)
            let admin = try await box.login(.admin, client)
            let reply = try await admin.call(client, .get, "/api/playlog.m3u")
            #expect(reply.status == .ok)
            #expect(reply.headers[.contentType] == "audio/x-mpegurl; charset=utf-8")
            #expect(reply.text.hasPrefix("#EXTM3U"))
            #expect(reply.text.contains("/music/0.mp3"))
            #expect(reply.text.contains("Alpha - One"))
            let bad = try await admin.call(client, .get, "/api/playlog.m3u?from=yesterday")
            #expect(bad.status == .badRequest)
        }
    }
}

@Suite struct SettingsLibrarySectionTests {
    @Test func theSettingsPageShowsTheLibraryTheScanAndWhatCouldNotBeRead() async throws {
        let box = try WebTestBox()
        var progress = ScanProgress()
        progress.finishedAt = 1_700_000_000
        progress.added = 3
        progress.recordFailure(ScanFailure(path: "/music/broken.mp3", reason: "not an audio file"))
        try box.store.setScanProgress(progress)
        try await Application(router: box.web.router()).test(.router) { client in
            let admin = try await box.login(.admin, client)
            let page = try await admin.call(client, .get, "/settings")
            #expect(page.status == .ok)
            #expect(page.text.contains("<span id=\"library-songs\">3</span> songs."))
            #expect(page.text.contains("Last scan: 3 added, 0 updated, 0 unchanged, 0 gone, 1 unreadable."))
            #expect(page.text.contains("<li><code>/music/broken.mp3</code>: not an audio file</li>"))
            #expect(!page.text.contains("more.</p>"))
            #expect(page.text.contains("href=\"/api/playlog.m3u\""))
        }
    }
}
