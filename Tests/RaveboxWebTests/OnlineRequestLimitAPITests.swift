import Foundation
import Hummingbird
import HummingbirdTesting
import RaveboxIntake
import RaveboxTestSupport
import Testing

@testable import RaveboxWeb

/// `POST /api/queue/online` under load: at most `running` yt-dlp processes at once, one request in flight per
/// guest, a bounded queue, 429 with `Retry-After` beyond it, and every place given back however yt-dlp ends.
@Suite struct OnlineRequestLimitAPITests {
    /// A fake `yt-dlp` on the configured path, as the other online tests use: each run logs "start" and "end"
    /// with its pid to `<script>.log`, and holds until `<script>.go` exists (10 s at most); with `<script>.fail`
    /// it then fails as YouTube's "Video unavailable" does. A lookup answers with the search words as the video
    /// id, so every query is a song of its own.
    struct FakeYTDLP {
        let folder: TemporaryFolder
        let path: String

        init() throws {
            folder = try TemporaryFolder("limited-yt-dlp")
            let audio = folder.file("fixture.wav")
            try WAVFile.bytes(WAVFile.sine(frequency: 440, seconds: 0.3)).write(to: URL(fileURLWithPath: audio))
            path = folder.file("yt-dlp")
            try """
            #!/bin/sh
            out=""; prev=""; lookup=no; target=""
            for arg in "$@"; do
              if [ "$prev" = "-o" ]; then out="$arg"; fi
              if [ "$arg" = "--dump-json" ]; then lookup=yes; fi
              prev="$arg"; target="$arg"
            done
            echo "start $$" >> "$0.log"
            n=0
            while [ ! -e "$0.go" ] && [ $n -lt 500 ]; do sleep 0.02; n=$((n+1)); done
            if [ -e "$0.fail" ]; then
              echo "end $$" >> "$0.log"; echo "ERROR: [youtube] $target: Video unavailable" >&2; exit 1
            fi
            if [ $lookup = yes ]; then
              id=$(printf '%s' "$target" | sed 's/^ytsearch1://')
              echo "{\\"id\\": \\"$id\\", \\"title\\": \\"Song $id\\", \\"uploader\\": \\"Band\\", \\"duration\\": 0.3}"
            else
              cp '\(audio)' "$(printf '%s' "$out" | sed 's/%(ext)s/wav/')"
            fi
            echo "end $$" >> "$0.log"
            """.write(toFile: path, atomically: true, encoding: .utf8)
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path)
        }

        /// Lets every run (and every later one) go on.
        func go() { _ = FileManager.default.createFile(atPath: path + ".go", contents: nil) }
        /// Makes every run fail.
        func fail() { _ = FileManager.default.createFile(atPath: path + ".fail", contents: nil) }

        private var log: [Substring] {
            ((try? String(contentsOfFile: path + ".log", encoding: .utf8)) ?? "").split(separator: "\n")
        }
        /// yt-dlp runs started so far.
        var started: Int { log.filter { $0.hasPrefix("start") }.count }
        /// The most runs that were under way at one time.
        var mostAtOnce: Int {
            var now = 0
            var most = 0
            for line in log {
                now += line.hasPrefix("start") ? 1 : -1
                most = max(most, now)
            }
            return most
        }
    }

    private func box(_ fake: FakeYTDLP, running: Int, waiting: Int) async throws -> WebTestBox {
        let box = try WebTestBox(
            withMusicFolders: true, ytDLP: fake.path, onlineLimits: .init(running: running, waiting: waiting))
        try await box.set(["youtubeEnabled": .bool(true), "connectivityHost": .string("localhost")])
        return box
    }

    private func request(
        _ words: String, as guest: Guest, _ client: some TestClientProtocol
    ) async throws -> Guest.Reply {
        try await guest.call(client, .post, "/api/queue/online", "{\"query\": \"\(words)\"}")
    }

    /// A 429 that says when to come back, in its sentence and its `Retry-After` alike, within `range` seconds.
    private func expectBusy(_ reply: Guest.Reply, within range: ClosedRange<Int>) {
        #expect(reply.status == .tooManyRequests, "\(reply.text)")
        let seconds = reply.headers[.retryAfter].flatMap { Int($0) }
        #expect(seconds.map(range.contains) == true, "Retry-After: \(String(describing: seconds))")
        #expect(reply.error == "The box is busy fetching songs: try again in \(seconds ?? -1) s.")
    }

    @Test func threeGuestsAtOnceStartAtMostTwoYtDlpsAndTheThirdWaitsItsTurn() async throws {
        let fake = try FakeYTDLP()
        defer { fake.folder.remove() }
        let box = try await box(fake, running: 2, waiting: 6)
        let limiter = try #require(box.web.sources?.online)
        try await Application(router: box.web.router()).test(.router) { client in
            let replies = try await withThrowingTaskGroup(of: Guest.Reply.self) { group in
                for words in ["first", "second", "third"] {
                    group.addTask { try await request(words, as: Guest(), client) }
                }
                #expect(await eventually(within: 5) { fake.started == 2 && limiter.usage == (2, 1) })
                try await Task.sleep(for: .milliseconds(300))
                #expect(fake.started == 2, "the third request must wait for a place")
                fake.go()
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(replies.map(\.status) == [.created, .created, .created], "\(replies.map(\.text))")
            #expect(try await box.store.queue().count == 3)
        }
        #expect(fake.started == 6, "a lookup and a download per request")
        #expect(fake.mostAtOnce == 2)
        #expect(limiter.usage == (0, 0))
    }

    @Test func aGuestsSecondRequestWhileTheFirstRunsIs429WithRetryAfter() async throws {
        let fake = try FakeYTDLP()
        defer { fake.folder.remove() }
        let box = try await box(fake, running: 2, waiting: 6)
        try await Application(router: box.web.router()).test(.router) { client in
            let guest = Guest()
            // A guest the box knows (one with its session cookie): a brand-new phone's two first requests
            // are two sessions, but on a box they are one device, which the limit counts.
            #expect(try await guest.call(client, .post, "/api/session/logout").status == .ok)
            async let first = request("first", as: guest, client)
            #expect(await eventually(within: 5) { fake.started == 1 })
            // The default estimate of a request is 20 s, less the moment this one has run.
            expectBusy(try await request("second", as: guest, client), within: 19...20)
            #expect(fake.started == 1, "the refused request started no yt-dlp")
            fake.go()
            #expect(try await first.status == .created)
            #expect(try await request("second", as: guest, client).status == .created)
        }
    }

    @Test func beyondTheWaitingQueueTheBoxIsBusy() async throws {
        let fake = try FakeYTDLP()
        defer { fake.folder.remove() }
        let box = try await box(fake, running: 1, waiting: 1)
        let limiter = try #require(box.web.sources?.online)
        try await Application(router: box.web.router()).test(.router) { client in
            async let running = request("first", as: Guest(), client)
            #expect(await eventually(within: 5) { limiter.usage == (1, 0) })
            async let waiting = request("second", as: Guest(), client)
            #expect(await eventually(within: 5) { limiter.usage == (1, 1) })
            // Room in the queue comes when the running request ends.
            expectBusy(try await request("third", as: Guest(), client), within: 19...20)
            #expect(fake.started == 1)
            fake.go()
            #expect(try await running.status == .created)
            #expect(try await waiting.status == .created)
        }
        #expect(fake.mostAtOnce == 1)
        #expect(limiter.usage == (0, 0))
    }

    @Test func aFailingYtDlpGivesItsPlaceBack() async throws {
        let fake = try FakeYTDLP()
        defer { fake.folder.remove() }
        fake.fail()
        fake.go()
        let box = try await box(fake, running: 1, waiting: 0)
        let limiter = try #require(box.web.sources?.online)
        try await Application(router: box.web.router()).test(.router) { client in
            let guest = Guest()
            for words in ["zzz-one", "zzz-two", "zzz-three"] {
                let reply = try await request(words, as: guest, client)
                #expect(reply.status == .badRequest, "\(reply.text)")
                #expect(reply.error == "No song on the box matches your request.")
            }
        }
        #expect(fake.started == 3)
        #expect(limiter.usage == (0, 0))
    }
}
