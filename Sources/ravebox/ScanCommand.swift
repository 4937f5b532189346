import ArgumentParser
import Foundation
import Logging
import RaveboxIPC
import RaveboxLibrary
import RaveboxStore

/// `ravebox scan`: bring the library up to date now.
struct ScanCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scan",
        abstract: "Scan the music folders into the library and print what changed (JSON).",
        discussion: """
            Scans every --library folder and every folder in usb_root (one per USB stick), stores songs and \
            playlists (folders, .m3u/.m3u8 files), and saves the progress for the admin page. The engine also \
            scans at start and when a USB stick comes or goes; this is for scripts and for a box that is not running.
            """)

    @OptionGroup var options: BoxOptions

    func run() async throws {
        let config = try options.resolve()
        BoxLogging.bootstrap()
        let logger = Logger(label: "ravebox.scan")
        let paths = BoxPaths(config)
        let summary: LibraryScanner.Summary
        do {
            try paths.createDataFolder()
            let store = try Store(path: paths.database)
            let roots = LibraryScanner.roots(libraries: config.libraries, usbRoot: config.usbRoot)
            summary = try LibraryScanner(store: store, logger: logger).scan(roots: roots)
            for root in summary.missingRoots {
                logger.warning("music folder \(root) not found: its songs are unavailable until it returns")
            }
        } catch {
            FileHandle.standardError.write(Data("ravebox: \(error)\n".utf8))
            throw ExitCode(3)
        }
        // Tell a running box to re-read the library.
        if let name = try? paths.segmentName(), SharedSegment.exists(name: name),
            let segment = try? SharedSegment.open(name: name)
        {
            segment.bump(.library)
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        print(String(decoding: try encoder.encode(summary), as: UTF8.self))
    }
}
