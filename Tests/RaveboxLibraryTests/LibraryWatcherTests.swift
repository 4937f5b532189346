import Atomics
import Foundation
import Logging
import RaveboxStore
import RaveboxTestSupport
import Testing

@testable import RaveboxLibrary

/// USB sticks as folders in a temporary `usb_root`: the watcher notices them (at a 1 s interval instead of the
/// box's 3 s, to keep the suite short).
@Suite(
    .enabled(if: TestLibrary.ffmpegInstalled, "needs /usr/bin/ffmpeg to write the test songs"),
    .enabled(if: TestLibrary.sqliteInstalled, "needs /usr/bin/sqlite3 to read the rows back")
)
struct LibraryWatcherTests {
    /// A stick's worth of songs in `staging/<name>`, to be moved into the USB root in one step (as a mount
    /// makes them appear).
    static func makeStick(_ library: TestLibrary, name: String) throws -> String {
        try library.song("staging/\(name)/Album/01.mp3", tags: ["title": "Stick One", "artist": "USB", "track": "1"])
        try library.song("staging/\(name)/Album/02.flac", tags: ["title": "Stick Two", "artist": "USB", "track": "2"])
        try library.song("staging/\(name)/loose.ogg", tags: ["title": "Loose", "artist": "USB"])
        return library.path("staging/\(name)")
    }

    @Test func stickAppearsWithinSecondsAndGoesUnavailableWhenRemoved() async throws {
        let library = try TestLibrary("watch-usb")
        let usb = library.path("usb")
        try FileManager.default.createDirectory(atPath: usb, withIntermediateDirectories: true)
        try library.song("music/home.mp3", tags: ["title": "Home", "artist": "Box"])
        let staged = try Self.makeStick(library, name: "PARTY STICK")
        let changes = ManagedAtomic(0)
        let watcher = LibraryWatcher(
            libraries: [library.path("music")], usbRoot: usb,
            scanner: LibraryScanner(store: library.store, logger: Logger(label: "test.watch")),
            logger: Logger(label: "test.watch"), interval: 1,
            onChange: { changes.wrappingIncrement(ordering: .relaxed) })
        watcher.start()
        defer {
            watcher.stop()
            watcher.join()
        }
        // The start scan finds the configured folder, and bumps the counter once it is over (its songs are
        // committed a moment before).
        #expect(await eventually(within: 10) { try await library.store.songCount() == 1 })
        #expect(await eventually(within: 2) { changes.load(ordering: .relaxed) >= 1 })
        let afterStart = changes.load(ordering: .relaxed)

        try FileManager.default.moveItem(atPath: staged, toPath: "\(usb)/PARTY STICK")
        #expect(await eventually(within: 8) { try await library.store.songCount() == 4 })
        #expect(
            await eventually(within: 2) { changes.load(ordering: .relaxed) > afterStart },
            "the library change counter is bumped")
        #expect(try await library.store.searchSongs("Stick", limit: 10).count == 2)
        #expect(
            try await library.playlists()["Album"]?.paths == [
                "usb/PARTY STICK/Album/01.mp3", "usb/PARTY STICK/Album/02.flac",
            ])
        let ids = try library.rows().filter { $0.path.hasPrefix(usb) }.map(\.id)
        #expect(ids.count == 3)

        let afterPlug = changes.load(ordering: .relaxed)
        try FileManager.default.moveItem(atPath: "\(usb)/PARTY STICK", toPath: staged)
        #expect(await eventually(within: 8) { try await library.store.songCount() == 1 })
        // The playlists and the progress are saved after the songs: wait for the end of the scan.
        #expect(await eventually(within: 2) { changes.load(ordering: .relaxed) > afterPlug })
        #expect(try library.rows().filter { $0.path.hasPrefix(usb) }.allSatisfy { $0.available == 0 })
        #expect(try await library.playlists()["Album"] == nil)

        // Plugged in again: the same songs come back, not read again.
        let afterUnplug = changes.load(ordering: .relaxed)
        try FileManager.default.moveItem(atPath: staged, toPath: "\(usb)/PARTY STICK")
        #expect(await eventually(within: 8) { try await library.store.songCount() == 4 })
        #expect(await eventually(within: 2) { changes.load(ordering: .relaxed) > afterUnplug })
        #expect(try library.rows().filter { $0.path.hasPrefix(usb) }.map(\.id) == ids)
        let progress = try await library.store.scanProgress()
        #expect(progress.unchanged == 3 && progress.added == 0 && progress.updated == 0)
    }

    @Test func stickRemovedWhileTheBoxWasOffIsUnavailableAfterStart() async throws {
        let library = try TestLibrary("watch-former")
        let usb = library.path("usb")
        let staged = try Self.makeStick(library, name: "OLD")
        try FileManager.default.createDirectory(atPath: usb, withIntermediateDirectories: true)
        try FileManager.default.moveItem(atPath: staged, toPath: "\(usb)/OLD")
        _ = try LibraryScanner(store: library.store, logger: Logger(label: "test.watch"))
            .scan(roots: LibraryScanner.roots(libraries: [], usbRoot: usb))
        #expect(try await library.store.songCount() == 3)
        try FileManager.default.moveItem(atPath: "\(usb)/OLD", toPath: staged)

        let watcher = LibraryWatcher(
            libraries: [], usbRoot: usb,
            scanner: LibraryScanner(store: library.store, logger: Logger(label: "test.watch")),
            logger: Logger(label: "test.watch"), onChange: {})
        watcher.start()
        defer {
            watcher.stop()
            watcher.join()
        }
        #expect(await eventually(within: 5) { try await library.store.songCount() == 0 })
        #expect(try library.rows().count == 3, "kept, unavailable")
    }

    @Test func boxLooksEveryThreeSeconds() throws {
        let library = try TestLibrary("watch-interval")
        let watcher = LibraryWatcher(
            libraries: [], usbRoot: nil, scanner: LibraryScanner(store: library.store, logger: Logger(label: "test")),
            logger: Logger(label: "test"), onChange: {})
        #expect(watcher.interval == 3)
    }

    @Test func stopEndsTheThreadPromptly() throws {
        let library = try TestLibrary("watch-stop")
        let watcher = LibraryWatcher(
            libraries: [library.path("none")], usbRoot: nil,
            scanner: LibraryScanner(store: library.store, logger: Logger(label: "test.watch")),
            logger: Logger(label: "test.watch"), onChange: {})
        watcher.start()
        Thread.sleep(forTimeInterval: 0.2)
        let start = Date()
        watcher.stop()
        #expect(watcher.join(timeout: 2))
        #expect(Date().timeIntervalSince(start) < 1)
    }
}
