import Foundation
import Logging
import RaveboxLibrary
import RaveboxStore
import RaveboxTestSupport
import Testing

/// Music folders made on the fly for the scanner tests: short sine files with tags, written by the `ffmpeg`
/// command, and a store in the same temporary folder.
final class TestLibrary {
    let folder: TemporaryFolder
    let store: Store

    init(_ label: String = "library") throws {
        folder = try TemporaryFolder(label)
        store = try Store(path: folder.file("ravebox.sqlite"))
    }

    deinit { folder.remove() }

    /// `relative` inside the temporary folder.
    func path(_ relative: String) -> String { folder.file(relative) }

    static let ffmpegInstalled = FileManager.default.isExecutableFile(atPath: "/usr/bin/ffmpeg")

    /// Writes a 0.3 s sine to `relative` (format from the extension) with these tags (`title`, `artist`,
    /// `album`, `track`, `date`, `genre`, ...); folders are made as needed. Returns the absolute path.
    @discardableResult
    func song(_ relative: String, tags: KeyValuePairs<String, String> = [:], frequency: Int = 440) throws -> String {
        let path = path(relative)
        try FileManager.default.createDirectory(
            atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        var arguments = [
            "-hide_banner", "-nostdin", "-loglevel", "error", "-y", "-f", "lavfi", "-i",
            "sine=f=\(frequency):d=0.3",
        ]
        for (key, value) in tags { arguments += ["-metadata", "\(key)=\(value)"] }
        let made = try ProcessRunner.run("/usr/bin/ffmpeg", arguments + [path])
        try #require(made.status == 0, "ffmpeg \(relative): \(made.standardError)")
        return path
    }

    /// Writes `bytes` to `relative` (folders made as needed). Returns the absolute path.
    @discardableResult
    func file(_ relative: String, _ bytes: Data) throws -> String {
        let path = path(relative)
        try FileManager.default.createDirectory(
            atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try bytes.write(to: URL(fileURLWithPath: path))
        return path
    }

    /// Scans `roots` (relative to the temporary folder) into the store.
    func scan(_ roots: [String], progressInterval: Double = 0.5) throws -> LibraryScanner.Summary {
        try LibraryScanner(store: store, logger: Logger(label: "test.scan"), progressInterval: progressInterval)
            .scan(roots: roots.map(path))
    }

    /// One song row as the store keeps it, read with the `sqlite3` command (a second, independent reader).
    struct Row: Decodable, Hashable, CustomStringConvertible {
        var path: String
        var title: String
        var artist: String
        var album: String
        var track: Int?
        var year: Int?
        var genre: String?
        var available: Int
        var id: Int64

        var description: String {
            "\(path) | \(title) | \(artist) | \(album) | \(track.map(String.init) ?? "-") | "
                + "\(year.map(String.init) ?? "-") | \(genre ?? "-") | available \(available)"
        }
    }

    static let sqliteInstalled = FileManager.default.isExecutableFile(atPath: "/usr/bin/sqlite3")

    /// Every song row, by path.
    func rows() throws -> [Row] {
        let result = try ProcessRunner.run(
            "/usr/bin/sqlite3",
            [
                "-json", "-readonly", folder.file("ravebox.sqlite"),
                "SELECT id, path, title, artist, album, track, year, genre, available FROM song ORDER BY path",
            ])
        try #require(result.status == 0, "sqlite3: \(result.standardError)")
        if result.standardOutput.allSatisfy(\.isWhitespace) { return [] }
        return try JSONDecoder().decode([Row].self, from: Data(result.standardOutput.utf8))
    }

    /// Each playlist with available songs, by name: its kind and its songs' paths (relative to the folder),
    /// in order.
    func playlists() async throws -> [String: (kind: String, paths: [String])] {
        var result: [String: (kind: String, paths: [String])] = [:]
        for playlist in try await store.playlists(matching: "", limit: 1000) {
            let songs = try await store.playlistSongs(id: playlist.id, limit: 1000)
            result[playlist.name] = (playlist.kind.rawValue, songs.map { relative($0.path) })
        }
        return result
    }

    /// `path` without the temporary folder's prefix.
    func relative(_ path: String) -> String {
        let prefix = folder.path + "/"
        return path.hasPrefix(prefix) ? String(path.dropFirst(prefix.count)) : path
    }
}
