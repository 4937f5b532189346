import Foundation
import RaveboxIntake
import RaveboxMedia
import RaveboxTestSupport
import Testing

/// A fake `yt-dlp`: a shell script that answers `--dump-json` with `lookup` and otherwise runs `download` with
/// `$out` set to the `-o` path (`%(ext)s` replaced by "wav"). Every invocation's arguments are appended, one
/// line per argument and a "--end--" line per call, to `<script>.calls`.
struct FakeYTDLP {
    let folder: TemporaryFolder
    let path: String
    let cache: DownloadCache

    static let recordedJSON = """
        {"id": "dQw4w9WgXcQ", "title": "Never Gonna Give You Up", "uploader": "Rick Astley", \
        "channel": "Rick Astley", "duration": 213, "webpage_url": "https://www.youtube.com/watch?v=dQw4w9WgXcQ", \
        "filesize_approx": 3456789, "ext": "m4a", "extractor": "youtube"}
        """

    init(lookup: String = "echo '\(FakeYTDLP.recordedJSON)'", download: String? = nil) throws {
        folder = try TemporaryFolder("yt-dlp")
        let audio = folder.file("fixture.wav")
        try SourcesFixtures.wav().write(to: URL(fileURLWithPath: audio))
        path = try SourcesFixtures.script(
            folder.file("yt-dlp"),
            """
            mode=download; out=""; prev=""
            for arg in "$@"; do
              printf '%s\\n' "$arg" >> "$0.calls"
              if [ "$prev" = "-o" ]; then out="$arg"; fi
              if [ "$arg" = "--dump-json" ]; then mode=lookup; fi
              prev="$arg"
            done
            echo "--end--" >> "$0.calls"
            if [ "$mode" = lookup ]; then
            \(lookup)
            else
              out=$(printf '%s' "$out" | sed 's/%(ext)s/wav/')
            \(download ?? "cp '\(audio)' \"$out\"")
            fi
            """)
        cache = try DownloadCache(folder: folder.url.appendingPathComponent("cache"), sizeLimit: nil)
    }

    func provider(maxMB: Double = 0, timeout: Duration = .seconds(10)) -> YouTubeProvider {
        YouTubeProvider(
            cache: cache,
            configuration: .init(
                executable: path, maxDownloadSize: .init(megabytes: maxMB), lookupTimeout: timeout,
                downloadTimeout: timeout, gracePeriod: .milliseconds(300)),
            prober: FFmpegTrackProbe())
    }

    /// The argument vectors of every call so far.
    var calls: [[String]] {
        let text = (try? String(contentsOfFile: path + ".calls", encoding: .utf8)) ?? ""
        return text.components(separatedBy: "--end--\n").filter { !$0.isEmpty }.map {
            $0.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init)
        }
    }
}

@Suite struct YouTubeProviderTests {
    @Test func searchReturnsTheFirstResultFromYtDlpJSON() async throws {
        let fake = try FakeYTDLP()
        defer { fake.folder.remove() }
        let track = try await fake.provider().search("rick astley never gonna")
        #expect(
            track
                == OnlineTrack(
                    platform: .youtube, id: "dQw4w9WgXcQ", title: "Never Gonna Give You Up", artist: "Rick Astley",
                    duration: 213, url: "https://www.youtube.com/watch?v=dQw4w9WgXcQ", estimatedSize: 3_456_789))
        let call = try #require(fake.calls.first)
        #expect(call.contains("--dump-json"))
        #expect(call.contains("--no-playlist"))
        #expect(Array(call.suffix(2)) == ["--", "ytsearch1:rick astley never gonna"])
    }

    @Test(arguments: [
        "https://music.youtube.com/watch?v=dQw4w9WgXcQ&feature=share",
        "https://www.youtube.com/watch?v=dQw4w9WgXcQ&list=PL123",
        "https://youtu.be/dQw4w9WgXcQ?si=abc",
        "https://m.youtube.com/shorts/dQw4w9WgXcQ",
    ])
    func youTubeLinksAreNormalisedToTheWwwWatchPage(link: String) async throws {
        let fake = try FakeYTDLP()
        defer { fake.folder.remove() }
        let track = try await fake.provider().track(url: link)
        #expect(track.id == "dQw4w9WgXcQ")
        #expect(fake.calls.first?.last == "https://www.youtube.com/watch?v=dQw4w9WgXcQ")
    }

    @Test func linkWithoutVideoIsNotFound() async throws {
        let fake = try FakeYTDLP()
        defer { fake.folder.remove() }
        await #expect(throws: SourceError.notFound(.youtube, query: "https://www.youtube.com/feed/trending")) {
            _ = try await fake.provider().track(url: "https://www.youtube.com/feed/trending")
        }
        #expect(fake.calls.isEmpty)
    }

    @Test func downloadWritesAProbedFileIntoTheCacheOnce() async throws {
        let fake = try FakeYTDLP()
        defer { fake.folder.remove() }
        let provider = fake.provider(maxMB: 20)
        let track = try await provider.search("rick")
        let file = try await provider.download(track)
        #expect(file.lastPathComponent == "dQw4w9WgXcQ.wav")
        #expect(file.deletingLastPathComponent().path == fake.cache.folder.path)
        #expect(FileManager.default.fileExists(atPath: file.path))
        let download = try #require(fake.calls.last)
        #expect(download.contains("bestaudio[ext=m4a]/bestaudio"))
        #expect(download.contains("--no-progress"))
        #expect(download.contains(fake.cache.folder.appendingPathComponent("dQw4w9WgXcQ.%(ext)s").path))
        #expect(download.contains(String(20 * 1_048_576)))
        // A second download is served from the cache without running yt-dlp.
        #expect(try await provider.download(track) == file)
        #expect(fake.calls.count == 2)
    }

    @Test(arguments: [
        ("ERROR: [youtube] dQw4w9WgXcQ: Video unavailable. This video is private", "No song found on YouTube."),
        (
            "ERROR: [youtube] dQw4w9WgXcQ: Sign in to confirm you’re not a bot",
            "YouTube is refusing the box's requests right now; try again later."
        ),
        (
            "ERROR: Unable to download webpage: <urlopen error [Errno -3] Temporary failure in name resolution>",
            "The box could not reach YouTube."
        ),
        ("ERROR: something new broke", "YouTube could not provide this song."),
    ])
    func failingYtDlpGivesAClearError(message: String, sentence: String) async throws {
        let fake = try FakeYTDLP(lookup: "echo 'WARNING: noise' >&2; echo '\(message)' >&2; exit 1")
        defer { fake.folder.remove() }
        do {
            _ = try await fake.provider().search("anything")
            Issue.record("expected an error")
        } catch {
            #expect(error.reason == sentence)
            #expect(error.details.contains(message))
        }
    }

    @Test func hangingYtDlpIsStoppedWithinTimeoutPlusGrace() async throws {
        let fake = try FakeYTDLP(lookup: "sleep 30")
        defer { fake.folder.remove() }
        let start = ContinuousClock.now
        do {
            _ = try await fake.provider(timeout: .milliseconds(500)).search("anything")
            Issue.record("expected a timeout")
        } catch {
            guard case .timedOut(.youtube, _) = error else {
                Issue.record("expected .timedOut, got \(error)")
                return
            }
            #expect(error.reason == "YouTube took too long to answer; try again.")
        }
        #expect(start.duration(to: .now) < .milliseconds(500 + 300 + 1000))
    }

    @Test(arguments: ["this is not json", #"{"title": "no id"}"#])
    func garbageOutputIsAnUnreadableAnswer(output: String) async throws {
        let fake = try FakeYTDLP(lookup: "echo '\(output)'")
        defer { fake.folder.remove() }
        do {
            _ = try await fake.provider().search("anything")
            Issue.record("expected an error")
        } catch {
            guard case .unreadableAnswer(.youtube, _) = error else {
                Issue.record("expected .unreadableAnswer, got \(error)")
                return
            }
            #expect(error.reason == "YouTube sent an answer the box does not understand.")
        }
    }

    @Test func emptyOutputMeansNothingFound() async throws {
        let fake = try FakeYTDLP(lookup: "true")
        defer { fake.folder.remove() }
        await #expect(throws: SourceError.notFound(.youtube, query: "zzzz")) {
            _ = try await fake.provider().search("zzzz")
        }
    }

    @Test func oversizeSongIsRefusedBeforeDownloading() async throws {
        let fake = try FakeYTDLP()
        defer { fake.folder.remove() }
        let provider = fake.provider(maxMB: 2)
        let track = try await provider.search("rick")
        do {
            _ = try await provider.download(track)
            Issue.record("expected .tooLarge")
        } catch {
            #expect(error == .tooLarge(size: 3_456_789, limit: 2 * 1_048_576))
            #expect(error.reason == "This song is larger than the box accepts (2 MB).")
        }
        #expect(fake.calls.count == 1)
        #expect(SourcesFixtures.entries(fake.cache.folder).isEmpty)
    }

    @Test func downloadThatIsNotAudioIsRefusedAndRemoved() async throws {
        let fake = try FakeYTDLP(download: "echo '<html>not audio</html>' > \"$out\"")
        defer { fake.folder.remove() }
        let provider = fake.provider()
        let track = try await provider.search("rick")
        do {
            _ = try await provider.download(track)
            Issue.record("expected .notAudio")
        } catch {
            guard case .notAudio(.youtube, _) = error else {
                Issue.record("expected .notAudio, got \(error)")
                return
            }
            #expect(error.reason == "What YouTube sent is not music the box can play.")
        }
        #expect(SourcesFixtures.entries(fake.cache.folder).isEmpty)
    }

    @Test func downloadLargerThanTheLimitAfterAllIsRemoved() async throws {
        // yt-dlp did not know the size (no filesize in the JSON) and the file turns out too big.
        let fake = try FakeYTDLP(download: "head -c 2000000 /dev/zero > \"$out\"")
        defer { fake.folder.remove() }
        let provider = fake.provider(maxMB: 1)
        var track = try await provider.search("rick")
        track.estimatedSize = nil
        await #expect(throws: SourceError.tooLarge(size: 2_000_000, limit: 1_048_576)) {
            _ = try await provider.download(track)
        }
        #expect(SourcesFixtures.entries(fake.cache.folder).isEmpty)
    }

    @Test func missingYtDlpMakesYouTubeUnavailable() async throws {
        let cacheFolder = try TemporaryFolder("yt-cache")
        defer { cacheFolder.remove() }
        let provider = YouTubeProvider(
            cache: try DownloadCache(folder: cacheFolder.url, sizeLimit: nil),
            configuration: .init(executable: "ravebox-no-yt-dlp"), prober: FFmpegTrackProbe())
        guard case .unavailable(let why) = provider.availability else {
            Issue.record("expected unavailable")
            return
        }
        #expect(why.contains("ravebox-no-yt-dlp is not installed"))
        do {
            _ = try await provider.find("anything")
            Issue.record("expected an error")
        } catch {
            #expect(error.reason == "YouTube is not available on this box.")
        }
    }
}

@Suite struct YouTubeDownloadFailureTests {
    @Test func failedDownloadLeavesNoPartialFile() async throws {
        let fake = try FakeYTDLP(
            download: "echo partial > \"$out.part\"; echo 'ERROR: [youtube] x: HTTP Error 403: Forbidden' >&2; exit 1")
        defer { fake.folder.remove() }
        let provider = fake.provider()
        let track = try await provider.search("rick")
        do {
            _ = try await provider.download(track)
            Issue.record("expected an error")
        } catch {
            guard case .refused(.youtube, _) = error else {
                Issue.record("expected .refused, got \(error)")
                return
            }
        }
        #expect(SourcesFixtures.entries(fake.cache.folder).isEmpty)
    }

    @Test func downloadStoppedByTheTimeoutLeavesNoPartialFile() async throws {
        let fake = try FakeYTDLP(download: "echo partial > \"$out.part\"; sleep 30")
        defer { fake.folder.remove() }
        let provider = fake.provider(timeout: .milliseconds(500))
        let track = try await provider.search("rick")
        let start = ContinuousClock.now
        await #expect(throws: SourceError.self) { _ = try await provider.download(track) }
        #expect(start.duration(to: .now) < .seconds(2))
        #expect(SourcesFixtures.entries(fake.cache.folder).isEmpty)
    }
}
