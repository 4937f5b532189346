import Foundation
import Logging
import RaveboxAudio
import RaveboxCore
import RaveboxStore

/// Walks the music folders and brings the library up to date: new and changed files are probed with
/// libavformat (tags, duration) and stored; files that vanished are marked unavailable, never deleted.
/// Incremental by path + size + modification time, so a rescan of an unchanged folder reads no audio.
public struct LibraryScanner: Sendable {
    /// What one scan did.
    public struct Summary: Sendable, Equatable, Codable {
        public var audioFiles = 0
        public var added = 0
        public var updated = 0
        public var unchanged = 0
        public var unavailable = 0
        /// Files that looked like audio but could not be read, with the reason.
        public var failures: [String: String] = [:]
    }

    let store: Store
    let logger: Logger

    public init(store: Store, logger: Logger) {
        self.store = store
        self.logger = logger
    }

    /// Scans every root. A root that does not exist is logged once and its songs become unavailable.
    public func scan(roots: [String]) throws(StoreError) -> Summary {
        var summary = Summary()
        for root in roots {
            let absolute = URL(fileURLWithPath: root).standardizedFileURL.path
            try scan(root: absolute, into: &summary)
        }
        return summary
    }

    private func scan(root: String, into summary: inout Summary) throws(StoreError) {
        let known = try store.knownFiles(under: root)
        var seen = Set<String>()
        var batch: [ScannedFile] = []
        var isDirectory: ObjCBool = false
        if !FileManager.default.fileExists(atPath: root, isDirectory: &isDirectory) || !isDirectory.boolValue {
            logger.warning("music folder \(root) not found: its songs are unavailable until it returns")
        } else {
            for path in Self.audioFiles(under: root) {
                summary.audioFiles += 1
                seen.insert(path)
                guard let attributes = try? FileManager.default.attributesOfItem(atPath: path) else { continue }
                let size = (attributes[.size] as? NSNumber)?.int64Value ?? 0
                let mtime = (attributes[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0
                if let old = known[path], old.size == size, old.mtime == mtime, old.available {
                    summary.unchanged += 1
                    continue
                }
                do {
                    let info = try TrackProbe.probe(path: path)
                    batch.append(
                        ScannedFile(
                            path: path, size: size, mtime: mtime, title: info.title, artist: info.artist ?? "",
                            album: info.album ?? "", duration: info.duration ?? 0))
                    if known[path] == nil { summary.added += 1 } else { summary.updated += 1 }
                } catch {
                    summary.failures[path] = "\(error)"
                }
                if batch.count >= 100 {
                    try store.upsert(batch)
                    batch.removeAll(keepingCapacity: true)
                }
            }
        }
        try store.upsert(batch)
        let gone = known.filter { !seen.contains($0.key) && $0.value.available }.map(\.value.id)
        try store.setAvailable(false, songIDs: gone)
        summary.unavailable += gone.count
    }

    /// Paths of audio files under `root`, sorted, following no hidden folders.
    static func audioFiles(under root: String) -> [String] {
        guard
            let enumerator = FileManager.default.enumerator(
                at: URL(fileURLWithPath: root), includingPropertiesForKeys: [.isRegularFileKey],
                options: [.skipsHiddenFiles])
        else { return [] }
        var paths: [String] = []
        for case let url as URL in enumerator where AudioFileTypes.isAudio(fileName: url.lastPathComponent) {
            if (try? url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true {
                paths.append(url.standardizedFileURL.path)
            }
        }
        return paths.sorted()
    }
}
