import Foundation
import HummingbirdTesting
import Logging
import RaveboxCore
import RaveboxIPC
import RaveboxIntake
import RaveboxMedia
import RaveboxStore
import RaveboxTestSupport
import Testing

@testable import RaveboxWeb

/// A web app on a real store (SQLite in a temporary folder) and a real shared segment, with songs.
final class WebTestBox: Sendable {
    let folder: TemporaryFolder
    let store: Store
    let segment: SharedSegment
    let web: WebApp
    let songIDs: [Int64]
    /// The code that claims the box while it has no admin password (the supervisor makes it at start).
    let setupCode: SetupCode

    init(
        songs: [(title: String, artist: String)] = [("One", "Alpha"), ("Two", "Beta"), ("Three", "Gamma")],
        site: SiteInfo = SiteInfo(), withMusicFolders: Bool = false, ytDLP: String = "yt-dlp",
        onlineLimits: OnlineRequestLimiter.Limits = .init()
    ) throws {
        folder = try TemporaryFolder("web")
        store = try Store(path: folder.file("ravebox.sqlite"))
        segment = try SharedSegment.create(name: "/ravebox-webtest-\(UUID().uuidString.prefix(12))")
        try store.upsert(
            songs.enumerated().map { index, song in
                ScannedFile(
                    path: "/music/\(index).mp3", size: 1, mtime: 1, title: song.title, artist: song.artist,
                    album: "", duration: 180 + Double(index))
            })
        songIDs = try store.knownFiles(under: "/music").sorted { $0.key < $1.key }.map(\.value.id)
        let folders =
            withMusicFolders
            ? MusicFolders(
                uploads: folder.file("uploads"), cache: folder.file("cache"), prober: FFmpegTrackProbe(), ytDLP: ytDLP,
                onlineLimits: onlineLimits)
            : nil
        web = WebApp(store: store, segment: segment, logger: Logger(label: "test.web"), site: site, folders: folders)
        setupCode = try #require(try AdminCredentials.prepareSetupCode(preferred: nil, in: store))
    }

    /// Changes a setting as the admin would, and tells the web process.
    func setInteractivity(_ level: Interactivity) async throws {
        try await set(["interactivity": .string(level.rawValue)])
    }

    func set(_ patch: [String: SettingValue]) async throws {
        _ = try await store.updateSettings(patch)
        segment.bump(.settings)
    }

    /// Requests a song as `guest` and returns the queue entry id.
    func request(_ songID: Int64, as guest: Guest, _ client: some TestClientProtocol) async throws -> Int64 {
        let reply = try await guest.call(client, .post, "/api/queue", "{\"songId\": \(songID)}")
        guard let entry = try reply.decode(RequestReply.self).entry else {
            throw TestSupportError(
                "request of \(songID) was not queued: \(String(decoding: reply.body, as: UTF8.self))")
        }
        return entry.id
    }

    /// A session logged in with `role`, whose password is set here.
    func login(_ role: Privilege, _ client: some TestClientProtocol) async throws -> Guest {
        let password = "\(role.rawValue)-secret-password"
        try AdminCredentials.install(password: password, role: role, in: store)
        let guest = Guest()
        let reply = try await guest.call(
            client, .post, "/api/session/login", "{\"role\": \"\(role.rawValue)\", \"password\": \"\(password)\"}")
        guard reply.status == .ok else { throw TestSupportError("login as \(role) failed: \(reply.status)") }
        return guest
    }

    /// Commands the engine would receive, in order.
    func drainCommands() -> [Command] {
        var commands: [Command] = []
        while let command = segment.commands.pop() { commands.append(command) }
        return commands
    }

    deinit {
        web.live.stop()
        _ = try? segment.unlink()
        folder.remove()
    }
}
