import Foundation
import Logging
import RaveboxCore
import RaveboxStore
import RaveboxTestSupport
import Testing

@testable import RaveboxLibrary

/// The library scan on real files (made by ffmpeg) into a real store.
@Suite(
    .enabled(if: TestLibrary.ffmpegInstalled, "needs /usr/bin/ffmpeg to write the test songs"),
    .enabled(if: TestLibrary.sqliteInstalled, "needs /usr/bin/sqlite3 to read the rows back")
)
struct LibraryScannerTests {
    /// The mixed library most tests start from: tagged files in four formats, unicode tags, untagged files,
    /// same titles by different artists, nested folders, a broken file, a hidden folder and an M3U8 playlist.
    static func makeLibrary(_ library: TestLibrary) throws {
        try library.song(
            "music/Café del Mar/a-track.ogg",
            tags: [
                "title": "夜に駆ける", "artist": "YOASOBI", "album": "Café del Mar", "track": "1/9",
                "date": "2019-12-15", "genre": "J-Pop",
            ])
        try library.song(
            "music/Café del Mar/b-track.flac",
            tags: [
                "title": "Été 🌞", "artist": "Zoë", "album": "Café del Mar", "track": "2/9", "date": "1999",
                "genre": "Chill",
            ])
        try library.song(
            "music/Café del Mar/c-untracked.m4a",
            tags: ["title": "Bonus 🎉", "artist": "Zoë", "album": "Café del Mar", "date": "2001", "genre": "Chill"])
        try library.song(
            "music/Same/one.mp3", tags: ["title": "Song", "artist": "Artist A", "album": "Same", "track": "2"])
        try library.song(
            "music/Same/two.mp3", tags: ["title": "Song", "artist": "Artist B", "album": "Same", "track": "1"])
        try library.song("music/Untagged/Daft Punk - One More Time.mp3")
        try library.song("music/Untagged/plain name.mp3")
        try library.song(
            "music/Untagged/Deep/Nested/deep.flac",
            tags: ["title": "Deep", "artist": "Nest", "album": "Ñoño", "track": "5"])
        try library.file("music/Untagged/broken.mp3", Data(String(repeating: "not music at all\n", count: 40).utf8))
        try library.file("music/notes.txt", Data("liner notes".utf8))
        try library.song("music/.hidden/secret.mp3", tags: ["title": "Hidden"])
        let absolute = library.path("music/Untagged/plain name.mp3")
        let playlist =
            "\u{FEFF}#EXTM3U\r\n#EXTINF:1,Artist B - Song\r\n../Same/two.mp3\r\n# comment\r\n"
            + "../Café del Mar/a-track.ogg\r\n\(absolute)\r\nhttp://radio.example/stream.mp3\r\nmissing.mp3\r\n"
            + "../Untagged/broken.mp3\r\n"
        try library.file("music/Lists/party.m3u8", Data(playlist.utf8))
    }

    /// (path, title, artist, album, track, year, genre) of the mixed library, all available.
    static let expectedRows: Set<String> = [
        "music/Café del Mar/a-track.ogg | 夜に駆ける | YOASOBI | Café del Mar | 1 | 2019 | J-Pop | available 1",
        "music/Café del Mar/b-track.flac | Été 🌞 | Zoë | Café del Mar | 2 | 1999 | Chill | available 1",
        "music/Café del Mar/c-untracked.m4a | Bonus 🎉 | Zoë | Café del Mar | - | 2001 | Chill | available 1",
        "music/Same/one.mp3 | Song | Artist A | Same | 2 | - | - | available 1",
        "music/Same/two.mp3 | Song | Artist B | Same | 1 | - | - | available 1",
        "music/Untagged/Daft Punk - One More Time.mp3 | One More Time | Daft Punk |  | - | - | - | available 1",
        "music/Untagged/plain name.mp3 | plain name |  |  | - | - | - | available 1",
        "music/Untagged/Deep/Nested/deep.flac | Deep | Nest | Ñoño | 5 | - | - | available 1",
    ]

    static func rowTexts(_ library: TestLibrary) throws -> Set<String> {
        Set(
            try library.rows().map { row in
                var relative = row
                relative.path = library.relative(row.path)
                return relative.description
            })
    }

    @Test func mixedLibraryScansToExactlyTheExpectedSongsFailuresAndPlaylists() async throws {
        let library = try TestLibrary("scan-mixed")
        try Self.makeLibrary(library)
        let summary = try library.scan(["music"])

        #expect(try Self.rowTexts(library) == Self.expectedRows)
        #expect(summary.audioFiles == 9)
        #expect(summary.added == 8 && summary.updated == 0 && summary.unchanged == 0 && summary.unavailable == 0)
        #expect(Array(summary.failures.keys) == [library.path("music/Untagged/broken.mp3")])
        let reason = try #require(summary.failures.values.first)
        #expect(reason.hasPrefix("not an audio file: "), "\(reason)")

        let playlists = try await library.playlists()
        let everything = [
            "music/Café del Mar/a-track.ogg", "music/Café del Mar/b-track.flac", "music/Café del Mar/c-untracked.m4a",
            "music/Same/two.mp3", "music/Same/one.mp3", "music/Untagged/Daft Punk - One More Time.mp3",
            "music/Untagged/plain name.mp3", "music/Untagged/Deep/Nested/deep.flac",
        ]
        #expect(playlists["music"]?.paths == everything)
        #expect(playlists["music"]?.kind == "folder")
        #expect(playlists["Café del Mar"]?.paths == Array(everything[0..<3]))
        #expect(playlists["Same"]?.paths == ["music/Same/two.mp3", "music/Same/one.mp3"])
        #expect(playlists["Untagged"]?.paths == Array(everything[5..<8]))
        #expect(playlists["Deep"]?.paths == ["music/Untagged/Deep/Nested/deep.flac"])
        #expect(playlists["Nested"]?.paths == ["music/Untagged/Deep/Nested/deep.flac"])
        #expect(playlists["party"]?.kind == "m3u")
        #expect(
            playlists["party"]?.paths == [
                "music/Same/two.mp3", "music/Café del Mar/a-track.ogg", "music/Untagged/plain name.mp3",
            ])
        #expect(Set(playlists.keys) == ["music", "Café del Mar", "Same", "Untagged", "Deep", "Nested", "party"])
        #expect(summary.playlists == 7)
        #expect(summary.missingPlaylistEntries == 2, "missing.mp3 and the broken file")

        let progress = try await library.store.scanProgress()
        #expect(progress.state == .idle)
        #expect(progress.filesDone == 9 && progress.filesTotal == 9)
        #expect(progress.added == 8 && progress.failureCount == 1)
        #expect(progress.failures == [ScanFailure(path: library.path("music/Untagged/broken.mp3"), reason: reason)])
    }

    @Test func rescanAfterEditsUpdatesOnlyWhatChanged() async throws {
        let library = try TestLibrary("scan-rescan")
        try Self.makeLibrary(library)
        _ = try library.scan(["music"])
        let before = Dictionary(uniqueKeysWithValues: try library.rows().map { ($0.path, $0) })

        // Re-tagged (new size and time), added, deleted.
        let retagged = try library.song(
            "music/Café del Mar/b-track.flac",
            tags: ["title": "Été (remix)", "artist": "Zoë", "album": "Café del Mar", "track": "3", "date": "2024"])
        try FileManager.default.setAttributes(
            [.modificationDate: Date().addingTimeInterval(60)], ofItemAtPath: retagged)
        let added = try library.song("music/Same/three.ogg", tags: ["title": "Three", "artist": "C", "track": "3"])
        try FileManager.default.removeItem(atPath: library.path("music/Same/one.mp3"))

        let summary = try library.scan(["music"])
        #expect(summary.added == 1)
        #expect(summary.updated == 1)
        #expect(summary.unchanged == 6)
        #expect(summary.restored == 0)
        #expect(summary.unavailable == 1)

        let after = Dictionary(uniqueKeysWithValues: try library.rows().map { ($0.path, $0) })
        #expect(after[retagged]?.title == "Été (remix)" && after[retagged]?.track == 3 && after[retagged]?.year == 2024)
        #expect(after[retagged]?.genre == nil)
        #expect(after[retagged]?.id == before[retagged]?.id)
        #expect(after[added]?.title == "Three" && after[added]?.available == 1)
        #expect(after[library.path("music/Same/one.mp3")]?.available == 0, "deleted files are kept, unavailable")
        for (path, row) in before where path != retagged {
            #expect(after[path]?.id == row.id)
        }
        // The folder playlist follows: the new track 3 after track 1, the deleted song gone.
        #expect(try await library.playlists()["Same"]?.paths == ["music/Same/two.mp3", "music/Same/three.ogg"])
        #expect(
            try await library.playlists()["Café del Mar"]?.paths == [
                "music/Café del Mar/a-track.ogg", "music/Café del Mar/b-track.flac",
                "music/Café del Mar/c-untracked.m4a",
            ])

        let unchanged = try library.scan(["music"])
        #expect(
            unchanged.added == 0 && unchanged.updated == 0 && unchanged.unchanged == 8 && unchanged.unavailable == 0)
    }

    @Test func removedFolderMakesItsSongsUnavailableAndTheyReturnWithIt() async throws {
        let library = try TestLibrary("scan-remove")
        try Self.makeLibrary(library)
        _ = try library.scan(["music"])
        let before = try library.rows()
        #expect(try await library.store.songCount() == 8)

        try FileManager.default.moveItem(atPath: library.path("music"), toPath: library.path("away"))
        let gone = try library.scan(["music"])
        #expect(gone.unavailable == 8)
        #expect(gone.missingRoots == [library.path("music")])
        let goneProgress = try await library.store.scanProgress()
        #expect(goneProgress.unavailable == 8 && goneProgress.filesTotal == 0 && goneProgress.state == .idle)
        #expect(try await library.store.songCount() == 0)
        #expect(try library.rows().allSatisfy { $0.available == 0 })
        #expect(try await library.playlists().isEmpty)
        #expect(try await library.store.searchSongs("Song", limit: 10).isEmpty)

        try FileManager.default.moveItem(atPath: library.path("away"), toPath: library.path("music"))
        let back = try library.scan(["music"])
        #expect(back.added == 0 && back.updated == 0)
        #expect(back.unchanged == 8 && back.restored == 8)
        let after = try library.rows()
        #expect(after.map(\.id) == before.map(\.id))
        #expect(after.allSatisfy { $0.available == 1 })
        #expect(try await library.store.songCount() == 8)
        #expect(try await library.playlists()["party"]?.paths.count == 3)
    }

    @Test func progressReachesTheTotalAndListsTheFailingFile() async throws {
        let library = try TestLibrary("scan-progress")
        let source = try library.song("template.mp3", tags: ["title": "Copy", "artist": "Many"])
        for index in 0..<50 {
            try FileManager.default.createDirectory(
                atPath: library.path("many/folder \(index / 10)"), withIntermediateDirectories: true)
            try FileManager.default.copyItem(
                atPath: source, toPath: library.path("many/folder \(index / 10)/copy \(index).mp3"))
        }
        try library.file("many/folder 2/zz-broken.flac", Data(repeating: 0x42, count: 5000))

        let summary = try library.scan(["many"])
        #expect(summary.added == 50)
        let progress = try await library.store.scanProgress()
        #expect(progress.filesTotal == 51)
        #expect(progress.filesDone == progress.filesTotal)
        #expect(progress.state == .idle)
        let started = try #require(progress.startedAt)
        let finished = try #require(progress.finishedAt)
        #expect(finished >= started && abs(finished - Date().timeIntervalSince1970) < 60)
        #expect(progress.added == 50 && progress.unchanged == 0)
        #expect(progress.failureCount == 1)
        #expect(progress.failures.map(\.path) == [library.path("many/folder 2/zz-broken.flac")])
        #expect(progress.failures.first?.reason.isEmpty == false)
    }

    @Test func progressIsVisibleWhileTheScanRuns() async throws {
        let library = try TestLibrary("scan-live")
        let source = try library.song("template.mp3", tags: ["title": "Copy"])
        for index in 0..<50 {
            try FileManager.default.createDirectory(
                atPath: library.path("many/f\(index / 25)"), withIntermediateDirectories: true)
            try FileManager.default.copyItem(atPath: source, toPath: library.path("many/f\(index / 25)/\(index).mp3"))
        }
        let store = library.store
        let root = library.path("many")
        // Saving after every file makes the intermediate states observable from another thread.
        let scan = Task.detached {
            try LibraryScanner(store: store, logger: Logger(label: "test.scan"), progressInterval: 0).scan(roots: [root]
            )
        }
        var seen: [ScanProgress] = []
        let deadline = Date().addingTimeInterval(60)
        while seen.last?.finishedAt == nil || seen.last?.state != .idle, Date() < deadline {
            seen.append(try await store.scanProgress())
            try await Task.sleep(for: .milliseconds(1))
        }
        _ = try await scan.value
        let running = seen.filter { $0.state == .scanning }
        #expect(!running.isEmpty)
        #expect(running.allSatisfy { $0.filesTotal == 50 && $0.finishedAt == nil && $0.startedAt != nil })
        #expect(running.map(\.filesDone) == running.map(\.filesDone).sorted())
        #expect(running.contains { $0.filesDone > 0 && $0.filesDone < 50 && $0.currentFolder.hasPrefix(root + "/f") })
        #expect(seen.last?.filesDone == 50)
    }

    @Test func latin1PlaylistFindsItsSongs() async throws {
        let library = try TestLibrary("scan-latin1")
        try library.song("music/Café.mp3", tags: ["title": "Café"])
        // "Café.mp3" in ISO 8859-1, as old Windows players wrote .m3u files.
        try library.file("music/old.m3u", Data([0x43, 0x61, 0x66, 0xE9, 0x2E, 0x6D, 0x70, 0x33, 0x0D, 0x0A]))
        let summary = try library.scan(["music"])
        #expect(summary.missingPlaylistEntries == 0)
        #expect(try await library.playlists()["old"]?.paths == ["music/Café.mp3"])
    }

    @Test func progressIsSavedAtMostOncePerInterval() async throws {
        let library = try TestLibrary("scan-throttle")
        var start = ScanProgress()
        start.state = .scanning
        start.filesTotal = 10
        var slow = ProgressReporter(store: library.store, interval: 3600, progress: start)
        for _ in 0..<10 { slow.fileDone() }
        #expect(try await library.store.scanProgress().filesDone == 0, "nothing saved within the interval")
        try slow.finish()
        let finished = try await library.store.scanProgress()
        #expect(finished.filesDone == 10 && finished.state == .idle && finished.finishedAt != nil)

        var eager = ProgressReporter(store: library.store, interval: 0, progress: start)
        eager.fileStarted(folder: "/music/a")
        eager.fileDone()
        #expect(try await library.store.scanProgress().filesDone == 1)
        #expect(try await library.store.scanProgress().currentFolder == "/music/a")
    }

    @Test func rootsIncludeEveryFolderInTheUSBRoot() throws {
        let library = try TestLibrary("scan-roots")
        for name in ["STICK B", "STICK A", ".Trash"] {
            try FileManager.default.createDirectory(
                atPath: library.path("usb/\(name)"), withIntermediateDirectories: true)
        }
        try library.file("usb/not-a-folder.mp3", Data())
        let roots = LibraryScanner.roots(
            libraries: [library.path("music/"), library.path("music/../music")], usbRoot: library.path("usb"))
        #expect(roots == [library.path("music"), library.path("usb/STICK A"), library.path("usb/STICK B")])
        #expect(LibraryScanner.roots(libraries: [], usbRoot: library.path("nothing-here")).isEmpty)
    }
}
