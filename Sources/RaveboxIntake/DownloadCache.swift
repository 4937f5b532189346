import Foundation
import Logging

/// The folder where downloaded songs are kept, with a size limit.
///
/// ```swift
/// let cache = try DownloadCache(folder: URL(fileURLWithPath: "/data/cache"), sizeLimit: 2 << 30)
/// let evicted = await cache.admit(downloadedFile)   // makes room, never evicting `downloadedFile`
/// await cache.markPlayed(downloadedFile)            // the engine calls this when the song starts
/// ```
///
/// A file's last use is its modification time: downloading sets it and `markPlayed` touches it. Keeping it on
/// the file system (not in an index) means the web process (downloads) and the engine (plays) share it without
/// coordination and it survives restarts. When the folder is over its limit the least recently used files go
/// first. Files being written (hidden names, `.part`, `.ytdl`, `.temp.` names) are neither counted nor evicted.
public actor DownloadCache {
    /// Size of the cached songs.
    public struct Usage: Sendable, Equatable {
        /// Number of song files.
        public var files: Int
        /// Their total size in bytes.
        public var bytes: Int64
        /// The limit in bytes; nil when unlimited.
        public var limit: Int64?

        /// A usage report.
        public init(files: Int, bytes: Int64, limit: Int64?) {
            self.files = files
            self.bytes = bytes
            self.limit = limit
        }
    }

    /// The cache folder.
    public nonisolated let folder: URL
    /// At most this many bytes of songs are kept; nil keeps everything.
    public private(set) var sizeLimit: Int64?
    private let logger: Logger

    /// Opens (and creates) the cache at `folder`.
    /// - Parameter sizeLimit: bytes; nil or 0 keeps everything.
    public init(folder: URL, sizeLimit: Int64?, logger: Logger = Logger(label: "ravebox.sources.cache")) throws {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        self.folder = folder.standardizedFileURL
        self.sizeLimit = (sizeLimit ?? 0) > 0 ? sizeLimit : nil
        self.logger = logger
    }

    /// Changes the limit (the admin changed the setting) and evicts what no longer fits.
    @discardableResult
    public func setSizeLimit(_ limit: Int64?) -> [URL] {
        sizeLimit = (limit ?? 0) > 0 ? limit : nil
        return evict(keeping: nil)
    }

    /// Where a song file named `name` lives in the cache.
    public nonisolated func file(named name: String) -> URL { folder.appendingPathComponent(name) }

    /// The finished cached file whose name without extension is `stem` ("dQw4w9WgXcQ" for
    /// "dQw4w9WgXcQ.m4a"), if there is one.
    public func cachedFile(stem: String) -> URL? {
        entries().first { $0.url.deletingPathExtension().lastPathComponent == stem }?.url
    }

    /// Removes what a failed or stopped download of `stem` left behind (yt-dlp's `<stem>.m4a.part`,
    /// `<stem>.temp.m4a`, `<stem>.ytdl`). Finished files are kept.
    public func removeLeftovers(stem: String) {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        for name in names where name.hasPrefix(stem + ".") && DownloadCache.isInProgress(name) {
            try? FileManager.default.removeItem(at: folder.appendingPathComponent(name))
        }
    }

    /// Records that `file` was just added (its last use is now) and evicts least recently used files until the
    /// cache fits its limit, never `file` itself. Returns the evicted files.
    @discardableResult
    public func admit(_ file: URL) -> [URL] {
        touch(file, at: Date())
        return evict(keeping: file.standardizedFileURL)
    }

    /// Records that `file` started playing at `date`, so it is evicted last.
    public func markPlayed(_ file: URL, at date: Date = Date()) {
        touch(file, at: date)
    }

    /// How much the cache holds.
    public func usage() -> Usage {
        let all = entries()
        return Usage(files: all.count, bytes: all.reduce(0) { $0 + $1.size }, limit: sizeLimit)
    }

    private func touch(_ file: URL, at date: Date) {
        try? FileManager.default.setAttributes([.modificationDate: date], ofItemAtPath: file.path)
    }

    private func evict(keeping kept: URL?) -> [URL] {
        guard let limit = sizeLimit else { return [] }
        let all = entries().sorted { $0.lastUse < $1.lastUse }
        var total = all.reduce(0) { $0 + $1.size }
        var evicted: [URL] = []
        for entry in all where total > limit && entry.url.path != kept?.path {
            do {
                try FileManager.default.removeItem(at: entry.url)
                total -= entry.size
                evicted.append(entry.url)
            } catch {
                logger.warning(
                    "cannot evict cached song", metadata: ["file": "\(entry.url.path)", "error": "\(error)"])
            }
        }
        if !evicted.isEmpty {
            logger.info(
                "evicted cached songs",
                metadata: ["count": "\(evicted.count)", "bytes": "\(total)", "limit": "\(limit)"])
        }
        return evicted
    }

    private struct Entry {
        var url: URL
        var size: Int64
        var lastUse: Date
    }

    private func entries() -> [Entry] {
        let keys: [URLResourceKey] = [.isRegularFileKey, .fileSizeKey, .contentModificationDateKey]
        let urls =
            (try? FileManager.default.contentsOfDirectory(
                at: folder, includingPropertiesForKeys: keys, options: [.skipsHiddenFiles])) ?? []
        return urls.compactMap { url in
            let name = url.lastPathComponent
            guard !DownloadCache.isInProgress(name),
                let values = try? url.resourceValues(forKeys: Set(keys)), values.isRegularFile == true
            else { return nil }
            return Entry(
                url: url.standardizedFileURL, size: Int64(values.fileSize ?? 0),
                lastUse: values.contentModificationDate ?? .distantPast)
        }
    }

    /// Whether `name` is a file still being written by a download (yt-dlp's or ours).
    static func isInProgress(_ name: String) -> Bool {
        name.hasPrefix(".") || name.hasSuffix(".part") || name.hasSuffix(".ytdl") || name.contains(".temp.")
            || name.hasSuffix(".download")
    }
}
