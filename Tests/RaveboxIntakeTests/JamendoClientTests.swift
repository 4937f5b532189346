import Foundation
import RaveboxIntake
import RaveboxMedia
import RaveboxTestSupport
import Testing

/// A Jamendo API on loopback serving recorded-shape answers, and a cache to download into.
private struct FakeJamendo {
    let server: CannedHTTPServer
    let folder: TemporaryFolder
    let cache: DownloadCache

    init(tracks: CannedHTTPServer.Response? = nil, audio: CannedHTTPServer.Response? = nil) throws {
        server = try CannedHTTPServer(routes: [:])
        folder = try TemporaryFolder("jamendo")
        cache = try DownloadCache(folder: folder.url, sizeLimit: nil)
        server.setRoute("/v3.0/tracks/", tracks ?? .json(FakeJamendo.answer([FakeJamendo.result()])))
        server.setRoute("/audio/1234.mp3", audio ?? .bytes(SourcesFixtures.wav()))
    }

    var audioURL: String { "http://127.0.0.1:\(server.port)/audio/1234.mp3" }

    static func result(
        id: String = "1234", duration: Int = 183, allowed: Bool = true, audio: String? = nil
    ) -> String {
        """
        {"id": "\(id)", "name": "Sunny Day", "duration": \(duration), "artist_id": "7", "artist_name": "Lofi Crew", \
        "album_name": "Beach", "album_id": "99", "license_ccurl": "http://creativecommons.org/licenses/by/3.0/", \
        "position": 1, "releasedate": "2020-01-01", "audio": "\(audio ?? "AUDIO")", \
        "audiodownload": "", "audiodownload_allowed": \(allowed), "shareurl": "https://www.jamendo.com/track/\(id)", \
        "shorturl": "https://jamen.do/t/\(id)", "image": ""}
        """
    }

    static func answer(
        _ results: [String], code: Int = 0, status: String = "success", message: String = ""
    )
        -> String
    {
        """
        {"headers": {"status": "\(status)", "code": \(code), "error_message": "\(message)", "warnings": "", \
        "results_count": \(results.count)}, "results": [\(results.joined(separator: ","))]}
        """
    }

    func client(maxMB: Double = 0) -> JamendoClient {
        JamendoClient(
            cache: cache,
            configuration: .init(
                clientID: "test-client", baseURL: URL(string: "http://127.0.0.1:\(server.port)/v3.0/")!,
                maxDownloadSize: .init(megabytes: maxMB), requestTimeout: .seconds(5),
                downloadTimeout: .seconds(5)),
            prober: FFmpegTrackProbe())
    }

    /// Serves `result` with this server's audio URL filled in.
    func serve(_ results: [String]) {
        server.setRoute(
            "/v3.0/tracks/",
            .json(FakeJamendo.answer(results.map { $0.replacingOccurrences(of: "AUDIO", with: audioURL) })))
    }

    func stop() {
        server.stop()
        folder.remove()
    }
}

@Suite struct JamendoClientTests {
    @Test func searchReadsTheFirstDownloadableResult() async throws {
        let jamendo = try FakeJamendo()
        defer { jamendo.stop() }
        jamendo.serve([FakeJamendo.result(id: "1", allowed: false), FakeJamendo.result()])
        let track = try await jamendo.client().search("lofi beach")
        #expect(track.platform == .jamendo)
        #expect(track.id == "1234")
        #expect(track.title == "Sunny Day")
        #expect(track.artist == "Lofi Crew")
        #expect(track.duration == 183)
        #expect(track.url == "https://www.jamendo.com/track/1234")
        #expect(track.audioURL == jamendo.audioURL)
        #expect(track.estimatedSize == Int64(183 * 12_000))
        let request = try #require(jamendo.server.requests.first)
        #expect(request.hasPrefix("/v3.0/tracks/?"))
        #expect(request.contains("client_id=test-client"))
        #expect(request.contains("format=json"))
        #expect(request.contains("search=lofi%20beach"))
        #expect(request.contains("limit=10"))
    }

    @Test func trackByLinkAsksForTheFirstNumericPathSegment() async throws {
        let jamendo = try FakeJamendo()
        defer { jamendo.stop() }
        jamendo.serve([FakeJamendo.result()])
        let track = try await jamendo.client().track(url: "https://www.jamendo.com/track/1234/sunny-day")
        #expect(track.id == "1234")
        #expect(jamendo.server.requests.first?.contains("id=1234") == true)
        #expect(JamendoClient.trackID(in: "https://www.youtube.com/watch?v=1234") == nil)
    }

    @Test func unknownIDIsNotFound() async throws {
        let jamendo = try FakeJamendo()
        defer { jamendo.stop() }
        jamendo.serve([])
        do {
            _ = try await jamendo.client().track(id: "999")
            Issue.record("expected .notFound")
        } catch {
            #expect(error == .notFound(.jamendo, query: "id 999 not found"))
            #expect(error.reason == "No song found on Jamendo.")
        }
    }

    @Test(arguments: [
        CannedHTTPServer.Response.json(#"{"error": "unauthorized"}"#, status: 401),
        CannedHTTPServer.Response.json(FakeJamendo.answer([], code: 5, status: "failed", message: "Invalid client id")),
    ])
    func refusedClientIDIsReported(answer: CannedHTTPServer.Response) async throws {
        let jamendo = try FakeJamendo(tracks: answer)
        defer { jamendo.stop() }
        do {
            _ = try await jamendo.client().search("anything")
            Issue.record("expected .badCredentials")
        } catch {
            guard case .badCredentials(.jamendo, _) = error else {
                Issue.record("expected .badCredentials, got \(error)")
                return
            }
            #expect(error.reason == "The box's Jamendo access is not accepted; ask the host to check it.")
        }
    }

    @Test func songThatMayNotBeDownloadedIsRefused() async throws {
        let jamendo = try FakeJamendo()
        defer { jamendo.stop() }
        jamendo.serve([FakeJamendo.result(allowed: false)])
        do {
            _ = try await jamendo.client().track(id: "1234")
            Issue.record("expected .downloadNotAllowed")
        } catch {
            #expect(error == .downloadNotAllowed(.jamendo, id: "1234"))
            #expect(error.reason == "Jamendo does not allow this song to be streamed.")
        }
        await #expect(throws: SourceError.downloadNotAllowed(.jamendo, id: "1234")) {
            _ = try await jamendo.client().search("sunny")
        }
    }

    @Test func garbageAnswerIsUnreadable() async throws {
        let jamendo = try FakeJamendo(tracks: .json("<html>maintenance</html>"))
        defer { jamendo.stop() }
        do {
            _ = try await jamendo.client().search("anything")
            Issue.record("expected an error")
        } catch {
            #expect(error.reason == "Jamendo sent an answer the box does not understand.")
        }
    }

    @Test func downloadStreamsTheAudioIntoTheCache() async throws {
        let jamendo = try FakeJamendo()
        defer { jamendo.stop() }
        jamendo.serve([FakeJamendo.result()])
        let client = jamendo.client(maxMB: 10)
        let track = try await client.track(id: "1234")
        let file = try await client.download(track)
        #expect(file.lastPathComponent == "jamendo-1234.mp3")
        #expect(try Data(contentsOf: file) == SourcesFixtures.wav())
        #expect(SourcesFixtures.entries(jamendo.cache.folder) == ["jamendo-1234.mp3"])
        // Cached: no second audio request.
        #expect(try await client.download(track) == file)
        #expect(jamendo.server.requests.filter { $0.hasPrefix("/audio/") }.count == 1)
    }

    @Test func songEstimatedOverTheLimitIsRefusedBeforeDownloading() async throws {
        let jamendo = try FakeJamendo()
        defer { jamendo.stop() }
        jamendo.serve([FakeJamendo.result(duration: 600)])
        let client = jamendo.client(maxMB: 1)
        let track = try await client.track(id: "1234")
        do {
            _ = try await client.download(track)
            Issue.record("expected .tooLarge")
        } catch {
            #expect(error == .tooLarge(size: 600 * 12_000, limit: 1_048_576))
            #expect(error.reason == "This song is larger than the box accepts (1 MB).")
        }
        #expect(jamendo.server.requests.filter { $0.hasPrefix("/audio/") }.isEmpty)
    }

    @Test func audioLargerThanTheLimitIsStoppedAndRemoved() async throws {
        let jamendo = try FakeJamendo(audio: .bytes(Data(count: 3 * 1_048_576)))
        defer { jamendo.stop() }
        jamendo.serve([FakeJamendo.result(duration: 10)])
        let client = jamendo.client(maxMB: 1)
        let track = try await client.track(id: "1234")
        await #expect(throws: SourceError.tooLarge(size: 3 * 1_048_576, limit: 1_048_576)) {
            _ = try await client.download(track)
        }
        #expect(SourcesFixtures.entries(jamendo.cache.folder).isEmpty)
    }

    @Test func audioThatIsNotMusicIsRefusedAndRemoved() async throws {
        let jamendo = try FakeJamendo(audio: .bytes(Data("<html>teapot</html>".utf8), contentType: "text/html"))
        defer { jamendo.stop() }
        jamendo.serve([FakeJamendo.result()])
        let client = jamendo.client()
        let track = try await client.track(id: "1234")
        do {
            _ = try await client.download(track)
            Issue.record("expected .notAudio")
        } catch {
            guard case .notAudio(.jamendo, _) = error else {
                Issue.record("expected .notAudio, got \(error)")
                return
            }
        }
        #expect(SourcesFixtures.entries(jamendo.cache.folder).isEmpty)
    }

    @Test func missingAudioIsAFailure() async throws {
        let jamendo = try FakeJamendo(audio: .json("{}", status: 404))
        defer { jamendo.stop() }
        jamendo.serve([FakeJamendo.result()])
        let client = jamendo.client()
        let track = try await client.track(id: "1234")
        do {
            _ = try await client.download(track)
            Issue.record("expected .failed")
        } catch {
            #expect(error.reason == "Jamendo could not provide this song.")
            #expect(error.details.contains("404"))
        }
        #expect(SourcesFixtures.entries(jamendo.cache.folder).isEmpty)
    }

    @Test func missingClientIDMakesJamendoUnavailable() async throws {
        let folder = try TemporaryFolder("jamendo")
        defer { folder.remove() }
        let client = JamendoClient(
            cache: try DownloadCache(folder: folder.url, sizeLimit: nil), configuration: .init(clientID: " "),
            prober: FFmpegTrackProbe())
        #expect(client.availability != .available)
        await #expect(throws: SourceError.self) { _ = try await client.find("anything") }
    }
}
