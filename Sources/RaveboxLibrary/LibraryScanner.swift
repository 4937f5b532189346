import Foundation
import Logging
import RaveboxCore
import RaveboxMedia
import RaveboxStore

/// Walks the music folders and brings the library up to date: new and changed files are probed with
/// libavformat (tags, duration) and stored; files that vanished are marked unavailable, never deleted.
/// Incremental by path + size + modification time, so a rescan of an unchanged folder reads no audio.
///
/// It also stores the playlists of each root: every folder holding songs (directly or below) is a playlist of
/// them, and every `.m3u`/`.m3u8` file is one. While it runs, it saves a ``ScanProgress`` to the store at
/// most every ``progressInterval`` seconds, and once at the end, for the admin page.
///
/// ```swift
/// let scanner = LibraryScanner(store: store, logger: logger)
/// let summary = try scanner.scan(roots: LibraryScanner.roots(libraries: config.libraries, usbRoot: config.usbRoot))
/// print(summary.added, summary.failures)
/// ```
///
/// Threading: `scan` blocks for as long as the scan takes (file I/O, a few ms per new file); run it on a
/// background thread, one scan at a time per store.
public struct LibraryScanner: Sendable {
    /// What one scan did.
    public struct Summary: Sendable, Equatable, Codable {
        /// Audio files found (by extension), readable or not.
        public var audioFiles = 0
        /// Songs new to the library, and known songs read again because their size or time changed.
        public var added = 0
        public var updated = 0
        /// Songs not read again (same size and time); includes the `restored` ones.
        public var unchanged = 0
        /// Of the unchanged songs, those that were unavailable and are back (a USB stick returned).
        public var restored = 0
        /// Songs whose file vanished (or became unreadable) and that are now unavailable.
        public var unavailable = 0
        /// Files that looked like audio (or were playlists) but could not be read, with the reason.
        public var failures: [String: String] = [:]
        /// Playlists stored for the scanned roots (folders and M3U files).
        public var playlists = 0
        /// Entries of those playlists that name no song of the library.
        public var missingPlaylistEntries = 0
        /// Roots that do not exist (their songs were made unavailable); the caller says so in its log.
        public var missingRoots: [String] = []
    }

    let store: Store
    let logger: Logger
    /// Shortest time between two progress saves, seconds.
    let progressInterval: Double

    public init(store: Store, logger: Logger, progressInterval: Double = 0.5) {
        self.store = store
        self.logger = logger
        self.progressInterval = progressInterval
    }

    /// The folders to scan: `libraries`, then every folder directly in `usbRoot` (one per mounted USB stick;
    /// hidden ones left out), in name order. Paths are made absolute, without `.`/`..`, each listed once.
    public static func roots(libraries: [String], usbRoot: String?) -> [String] {
        var roots = libraries.map(absolute)
        if let usbRoot {
            let base = absolute(usbRoot)
            let names = (try? FileManager.default.contentsOfDirectory(atPath: base)) ?? []
            for name in names.sorted() where !name.hasPrefix(".") {
                let path = base == "/" ? "/" + name : base + "/" + name
                if isDirectory(path) { roots.append(path) }
            }
        }
        var seen = Set<String>()
        return roots.filter { seen.insert($0).inserted }
    }

    /// Scans every root. A root that does not exist is listed in ``Summary/missingRoots`` and its songs and
    /// playlists become unavailable (they return, without being read again, when it does).
    public func scan(roots: [String]) throws(StoreError) -> Summary {
        var seen = Set<String>()
        let roots = roots.map(Self.absolute).filter { seen.insert($0).inserted }
        // Walk everything first, so the progress knows the total from the start.
        let contents = roots.map { root in Self.isDirectory(root) ? Self.walk(root) : nil }
        var progress = ScanProgress()
        progress.state = .scanning
        progress.filesTotal = contents.reduce(0) { $0 + ($1?.audio.count ?? 0) }
        progress.startedAt = Date().timeIntervalSince1970
        try store.setScanProgress(progress)
        var reporter = ProgressReporter(store: store, interval: progressInterval, progress: progress)

        var summary = Summary()
        do {
            for (root, content) in zip(roots, contents) {
                if let content {
                    try scan(root: root, content: content, into: &summary, reporter: &reporter)
                } else {
                    summary.missingRoots.append(root)
                    let gone = try markGone(root: root)
                    summary.unavailable += gone
                    reporter.progress.unavailable += gone
                }
            }
        } catch {
            // The admin page must not show a scan running forever.
            try? reporter.finish()
            throw error
        }
        try reporter.finish()
        return summary
    }

    // MARK: - One root

    /// A root's files as the walk found them, sorted by path.
    struct Contents {
        var audio: [String] = []
        var playlists: [String] = []
    }

    private func scan(
        root: String, content: Contents, into summary: inout Summary, reporter: inout ProgressReporter
    ) throws(StoreError) {
        logger.debug("scanning \(root): \(content.audio.count) audio files, \(content.playlists.count) playlists")
        let known = try store.knownFiles(under: root)
        var batch: [ScannedFile] = []
        var restored: [Int64] = []
        var broken: [Int64] = []
        /// Songs of the library under this root with their track numbers, for the folder playlists.
        var songs: [(path: String, track: Int?)] = []
        var seen = Set<String>()
        for path in content.audio {
            summary.audioFiles += 1
            seen.insert(path)
            reporter.fileStarted(folder: Self.parent(of: path))
            defer { reporter.fileDone() }
            guard let (size, mtime) = Self.sizeAndTime(path) else {
                record(
                    failure: "cannot read the file: \(String(cString: strerror(errno)))", path: path, &summary,
                    &reporter)
                if let old = known[path], old.available { broken.append(old.id) }
                continue
            }
            if let old = known[path], old.size == size, old.mtime == mtime {
                summary.unchanged += 1
                reporter.progress.unchanged += 1
                if !old.available {
                    restored.append(old.id)
                    summary.restored += 1
                }
                songs.append((path, old.track))
                continue
            }
            do {
                let info = try TrackProbe.probe(path: path)
                batch.append(
                    ScannedFile(
                        path: path, size: size, mtime: mtime, title: info.title, artist: info.artist ?? "",
                        album: info.album ?? "", duration: info.duration ?? 0, track: info.track, year: info.year,
                        genre: info.genre))
                songs.append((path, info.track))
                if known[path] == nil {
                    summary.added += 1
                    reporter.progress.added += 1
                } else {
                    summary.updated += 1
                    reporter.progress.updated += 1
                }
            } catch {
                record(failure: Self.reason(error), path: path, &summary, &reporter)
                if let old = known[path], old.available { broken.append(old.id) }
            }
            if batch.count >= 100 {
                try store.upsert(batch)
                batch.removeAll(keepingCapacity: true)
            }
        }
        try store.upsert(batch)
        try store.setAvailable(true, songIDs: restored)
        let gone = known.filter { !seen.contains($0.key) && $0.value.available }.map(\.value.id) + broken
        try store.setAvailable(false, songIDs: gone)
        summary.unavailable += gone.count
        reporter.progress.unavailable += gone.count

        var playlists = Self.folderPlaylists(root: root, songs: songs)
        for path in content.playlists {
            do {
                let data = try Data(contentsOf: URL(fileURLWithPath: path))
                // M3U8 is UTF-8; a plain .m3u written on Windows is often Latin-1.
                let text = String(data: data, encoding: .utf8) ?? String(data: data, encoding: .isoLatin1) ?? ""
                let name = (path as NSString).lastPathComponent
                playlists.append(
                    ScannedPlaylist(
                        source: path, name: (name as NSString).deletingPathExtension, kind: .m3u,
                        paths: M3UPlaylist.parse(text, relativeTo: Self.parent(of: path))))
            } catch {
                record(
                    failure: "cannot read the playlist: \(error.localizedDescription)", path: path, &summary, &reporter)
            }
        }
        let stored = try store.replacePlaylists(under: root, with: playlists)
        summary.playlists += stored.playlists
        summary.missingPlaylistEntries += stored.missingEntries
    }

    /// A root that is gone: its available songs and its playlists become unavailable. Returns how many songs.
    private func markGone(root: String) throws(StoreError) -> Int {
        let gone = try store.knownFiles(under: root).values.filter(\.available).map(\.id)
        try store.setAvailable(false, songIDs: gone)
        try store.replacePlaylists(under: root, with: [])
        return gone.count
    }

    private func record(
        failure reason: String, path: String, _ summary: inout Summary, _ reporter: inout ProgressReporter
    ) {
        summary.failures[path] = reason
        reporter.progress.recordFailure(ScanFailure(path: path, reason: reason))
    }

    // MARK: - Playlists

    /// One playlist per folder holding songs, directly or below: the root's playlist has every song. Songs are
    /// grouped by folder (a folder's own songs first, then each subfolder's, in name order) and within a
    /// folder ordered by track number, untagged ones after the tagged, then by file name.
    static func folderPlaylists(root: String, songs: [(path: String, track: Int?)]) -> [ScannedPlaylist] {
        let ordered = songs.sorted { a, b in
            let folderA = parent(of: a.path).split(separator: "/")
            let folderB = parent(of: b.path).split(separator: "/")
            if folderA != folderB { return folderA.lexicographicallyPrecedes(folderB) }
            let trackA = a.track ?? .max
            let trackB = b.track ?? .max
            if trackA != trackB { return trackA < trackB }
            return a.path < b.path
        }
        var byFolder: [String: [String]] = [:]
        var folders: [String] = []
        for song in ordered {
            var folder = parent(of: song.path)
            while true {
                if byFolder[folder] == nil { folders.append(folder) }
                byFolder[folder, default: []].append(song.path)
                if folder == root || folder == "/" { break }
                folder = parent(of: folder)
            }
        }
        return folders.sorted().map { folder in
            ScannedPlaylist(
                source: folder, name: (folder as NSString).lastPathComponent, kind: .folder,
                paths: byFolder[folder] ?? [])
        }
    }

    // MARK: - Files

    /// Audio and playlist files under `root`, sorted, skipping hidden files and folders.
    static func walk(_ root: String) -> Contents {
        var contents = Contents()
        guard
            let enumerator = FileManager.default.enumerator(
                at: URL(fileURLWithPath: root), includingPropertiesForKeys: [.isRegularFileKey],
                options: [.skipsHiddenFiles])
        else { return contents }
        for case let url as URL in enumerator {
            let name = url.lastPathComponent
            let isAudio = AudioFileTypes.isAudio(fileName: name)
            guard isAudio || M3UPlaylist.isPlaylist(fileName: name),
                (try? url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true
            else { continue }
            let path = absolute(url.path)
            if isAudio {
                contents.audio.append(path)
            } else {
                contents.playlists.append(path)
            }
        }
        contents.audio.sort()
        contents.playlists.sort()
        return contents
    }

    /// Paths are compared as text everywhere (store, playlists), so they are made absolute and normalised once.
    static func absolute(_ path: String) -> String {
        M3UPlaylist.normalized(path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path)
    }

    static func parent(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    static func isDirectory(_ path: String) -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && isDirectory.boolValue
    }

    /// Size in bytes and modification time (seconds since 1970, with nanoseconds), or nil (`errno` says why).
    static func sizeAndTime(_ path: String) -> (Int64, Double)? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return (Int64(info.st_size), Double(info.st_mtim.tv_sec) + Double(info.st_mtim.tv_nsec) / 1e9)
    }

    /// Why a file was skipped, for the admin: "not an audio file: Invalid data found when processing input".
    static func reason(_ error: DecodeError) -> String {
        switch error {
        case .fileNotFound(_, let detail): "cannot read the file: \(detail)"
        case .notAudio(_, let detail): "not an audio file: \(detail)"
        case .unsupportedCodec(_, let codec): "unsupported audio codec: \(codec)"
        case .corrupt(_, let detail): "corrupt data: \(detail)"
        case .decoderFailure(_, let detail): "cannot be decoded: \(detail)"
        }
    }
}

/// Saves a scan's progress to the store at most every `interval` seconds.
struct ProgressReporter {
    let store: Store
    let interval: Double
    var progress: ScanProgress
    private var lastSave: Double

    init(store: Store, interval: Double, progress: ScanProgress) {
        self.store = store
        self.interval = interval
        self.progress = progress
        lastSave = Self.now()
    }

    mutating func fileStarted(folder: String) {
        progress.currentFolder = folder
    }

    /// Counts a file as done and saves when the last save is `interval` old. A failed save is not worth
    /// stopping the scan for: the next one (or the final one, whose failure is thrown) catches up.
    mutating func fileDone() {
        progress.filesDone += 1
        if Self.now() - lastSave >= interval {
            try? save()
        }
    }

    /// Saves the final state: idle, with the time it finished.
    mutating func finish() throws(StoreError) {
        progress.state = .idle
        progress.currentFolder = ""
        progress.finishedAt = Date().timeIntervalSince1970
        try save()
    }

    mutating func save() throws(StoreError) {
        lastSave = Self.now()
        try store.setScanProgress(progress)
    }

    private static func now() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }
}
