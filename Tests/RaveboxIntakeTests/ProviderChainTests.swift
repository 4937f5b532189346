import Foundation
import RaveboxCore
import RaveboxIntake
import Testing

/// A provider for chain tests: answers from a table or fails with a fixed error, and records its queries.
private final class StubProvider: OnlineMusicProvider, @unchecked Sendable {
    // @unchecked Sendable: `queries` is only touched under `lock`.
    let platform: MusicPlatform
    private let failure: SourceError?
    private let lock = NSLock()
    private var queries: [String] = []

    init(_ platform: MusicPlatform, failing failure: SourceError? = nil) {
        self.platform = platform
        self.failure = failure
    }

    var asked: [String] {
        lock.lock()
        defer { lock.unlock() }
        return queries
    }

    func find(_ query: String) async throws(SourceError) -> FoundSong {
        lock.withLock { queries.append(query) }
        if let failure { throw failure }
        if platform == .local {
            return .local(Song(id: 1, path: "/music/a.mp3", title: query, artist: "Local", album: "", duration: 60))
        }
        return .online(StubProvider.track(platform, query))
    }

    func download(_ track: OnlineTrack) async throws(SourceError) -> URL {
        URL(fileURLWithPath: "/cache/\(platform.rawValue)-\(track.id)")
    }

    static func track(_ platform: MusicPlatform, _ query: String) -> OnlineTrack {
        OnlineTrack(
            platform: platform, id: "1", title: query, artist: platform.rawValue, duration: 1, url: "u",
            estimatedSize: nil)
    }
}

private let online = Connectivity(host: "localhost")
private let offline = Connectivity(host: "")

@Suite struct ProviderChainTests {
    @Test func firstProviderThatFindsTheSongWins() async throws {
        let youtube = StubProvider(.youtube)
        let jamendo = StubProvider(.jamendo)
        let found = try await ProviderChain(providers: [youtube, jamendo], connectivity: online).request("song")
        #expect(found.song == .online(StubProvider.track(.youtube, "song")))
        #expect(!found.usedFallback)
        #expect(found.message() == "song queued")
        #expect(jamendo.asked.isEmpty)
    }

    @Test func failingProviderFallsBackToTheNextInOrder() async throws {
        let youtube = StubProvider(.youtube, failing: .failed(.youtube, detail: "broken"))
        let jamendo = StubProvider(.jamendo, failing: .notFound(.jamendo, query: "song"))
        let local = StubProvider(.local)
        let found = try await ProviderChain(providers: [youtube, jamendo, local], connectivity: online)
            .request("song")
        #expect(found.platform == .local)
        #expect(found.usedFallback)
        #expect(found.message() == "song queued (used fallback)")
        #expect(youtube.asked == ["song"] && jamendo.asked == ["song"] && local.asked == ["song"])
    }

    @Test func whenAllFailTheGuestGetsTheLastError() async throws {
        let chain = ProviderChain(
            providers: [
                StubProvider(.youtube, failing: .failed(.youtube, detail: "x")),
                StubProvider(.local, failing: .notFound(.local, query: "song")),
            ], connectivity: online)
        do {
            _ = try await chain.request("song")
            Issue.record("expected an error")
        } catch {
            #expect(error == .notFound(.local, query: "song"))
            #expect(error.reason == "No song on the box matches your request.")
        }
    }

    @Test func withoutFallbackTheFirstFailureIsFinal() async throws {
        let jamendo = StubProvider(.jamendo)
        let chain = ProviderChain(
            providers: [StubProvider(.youtube, failing: .refused(.youtube, detail: "429")), jamendo],
            connectivity: online)
        await #expect(throws: SourceError.refused(.youtube, detail: "429")) {
            _ = try await chain.request("song", allowFallback: false)
        }
        #expect(jamendo.asked.isEmpty)
    }

    @Test func noProvidersMeansNoBackend() async throws {
        do {
            _ = try await ProviderChain(providers: [], connectivity: online).request("song")
            Issue.record("expected an error")
        } catch {
            #expect(error.reason == "No backend configured to handle your request.")
        }
    }

    @Test(arguments: [
        ("https://www.jamendo.com/track/1234/x", MusicPlatform.jamendo),
        ("https://music.youtube.com/watch?v=abc", .youtube),
        ("https://youtu.be/abc", .youtube),
        ("local_library/Artist/song.mp3", .local),
    ])
    func linksGoOnlyToTheirPlatform(link: String, platform: MusicPlatform) async throws {
        let providers = [StubProvider(.youtube), StubProvider(.jamendo), StubProvider(.local)]
        let found = try await ProviderChain(providers: providers, connectivity: online).request(link)
        #expect(found.platform == platform)
        for provider in providers { #expect(provider.asked == (provider.platform == platform ? [link] : [])) }
    }

    @Test(arguments: ["https://open.spotify.com/track/xyz", "https://soundcloud.com/a/b", "https://example.com/x.mp3"])
    func linksOfOtherServicesHaveNoBackend(link: String) async throws {
        let youtube = StubProvider(.youtube)
        await #expect(throws: SourceError.noProvider(query: link)) {
            _ = try await ProviderChain(providers: [youtube, StubProvider(.local)], connectivity: online).request(link)
        }
        #expect(youtube.asked.isEmpty)
    }

    @Test func linkOfADisabledPlatformHasNoBackend() async throws {
        await #expect(throws: SourceError.noProvider(query: "https://www.jamendo.com/track/1")) {
            _ = try await ProviderChain(providers: [StubProvider(.youtube)], connectivity: online)
                .request("https://www.jamendo.com/track/1")
        }
    }

    @Test func preferredPlatformIsTriedFirst() async throws {
        let found = try await ProviderChain(
            providers: [StubProvider(.youtube), StubProvider(.jamendo)], connectivity: online
        ).request("song", preferred: .jamendo)
        #expect(found.platform == .jamendo)
        #expect(!found.usedFallback)
    }

    @Test func offlineBoxSkipsOnlineProviders() async throws {
        let youtube = StubProvider(.youtube)
        let found = try await ProviderChain(providers: [youtube, StubProvider(.local)], connectivity: offline)
            .request("song")
        #expect(found.platform == .local)
        #expect(youtube.asked.isEmpty)
    }

    @Test(arguments: [
        ("song", [MusicPlatform.youtube, .jamendo]),
        ("https://www.youtube.com/watch?v=abc", [.youtube, .local]),
        ("song", [.youtube, .local]),
    ])
    func offlineBoxExplainsItself(query: String, platforms: [MusicPlatform]) async throws {
        let providers = platforms.map {
            StubProvider($0, failing: $0 == .local ? .notFound(.local, query: query) : nil)
        }
        do {
            _ = try await ProviderChain(providers: providers, connectivity: offline).request(query)
            Issue.record("expected an error")
        } catch {
            #expect(error.reason == "The box is offline: only the music on the box can be requested.")
        }
        for provider in providers where provider.platform.isOnline { #expect(provider.asked.isEmpty) }
    }

    @Test func downloadGoesToTheTracksPlatform() async throws {
        let chain = ProviderChain(providers: [StubProvider(.youtube), StubProvider(.jamendo)], connectivity: nil)
        #expect(try await chain.download(StubProvider.track(.jamendo, "x")).path == "/cache/jamendo-1")
        await #expect(throws: SourceError.self) {
            _ = try await ProviderChain(providers: [StubProvider(.local)], connectivity: nil)
                .download(StubProvider.track(.jamendo, "x"))
        }
    }

    @Test func localLibraryAnswersThroughItsSearchFunction() async throws {
        let song = Song(id: 7, path: "/music/x.mp3", title: "X", artist: "Y", album: "", duration: 100)
        let library = LocalLibrary { query in query == "x" ? song : nil }
        #expect(try await library.find("x") == .local(song))
        await #expect(throws: SourceError.notFound(.local, query: "nothing")) { _ = try await library.find("nothing") }
    }

    @Test(arguments: [
        ("just words", RequestTarget.search),
        ("https://WWW.YouTube.com/watch?v=a", .url(.youtube)),
        ("http://jamendo.com/track/1", .url(.jamendo)),
        ("local_library/a.mp3", .url(.local)),
        ("https://open.spotify.com/track/1", .otherService),
        ("https://www.youtube.com.evil.example/watch?v=a", .otherService),
    ])
    func requestTextIsClassified(text: String, target: RequestTarget) {
        #expect(RequestTarget(text) == target)
    }
}
