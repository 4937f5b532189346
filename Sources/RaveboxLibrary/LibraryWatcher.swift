import Atomics
import Foundation
import Logging
import RaveboxStore

/// Keeps the library in step with its folders while the engine runs: scans every music folder at start,
/// then every ``interval`` seconds looks at which folders exist, including one per USB stick mounted in
/// `usbRoot` (`/media/ravebox/<stick>` on the box). A stick (or folder) that appears is scanned, so its songs
/// can be found within seconds; one that disappears has its songs marked unavailable (not deleted: they come
/// back with the stick, without being read again).
///
/// A folder counts as new when its identity (device and inode) changes too, so a stick mounted on a mount
/// point that stayed behind is noticed.
///
/// ```swift
/// let watcher = LibraryWatcher(
///     libraries: ["/media/music"], usbRoot: "/media/ravebox", scanner: scanner, logger: logger,
///     onChange: { segment.bump(.library) })
/// watcher.start()
/// ```
///
/// Threading: all scanning happens on the watcher's own thread ("library-watch"), one scan at a time.
public final class LibraryWatcher: Sendable {
    /// Seconds between two looks at the folders.
    public let interval: Double
    let libraries: [String]
    let usbRoot: String?
    let scanner: LibraryScanner
    let logger: Logger
    /// Called after every scan (the library may have changed), on the watcher's thread.
    let onChange: @Sendable () -> Void
    private let stopping = ManagedAtomic(false)
    private let finished = ManagedAtomic(false)

    public init(
        libraries: [String], usbRoot: String?, scanner: LibraryScanner, logger: Logger, interval: Double = 3,
        onChange: @escaping @Sendable () -> Void
    ) {
        self.libraries = libraries
        self.usbRoot = usbRoot
        self.scanner = scanner
        self.logger = logger
        self.interval = interval
        self.onChange = onChange
    }

    /// Starts the watcher's thread: a full scan, then a look every ``interval`` seconds until ``stop()``.
    public func start() {
        let thread = Thread { [self] in
            run()
            finished.store(true, ordering: .releasing)
        }
        thread.name = "library-watch"
        thread.qualityOfService = .background
        thread.start()
    }

    /// Asks the thread to end; it does after the scan it may be running.
    public func stop() {
        stopping.store(true, ordering: .releasing)
    }

    /// Waits until the thread ended (after ``stop()``), at most `seconds`; whether it did.
    @discardableResult
    public func join(timeout seconds: Double = 30) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while !finished.load(ordering: .acquiring) {
            if Date() >= deadline { return false }
            Thread.sleep(forTimeInterval: 0.01)
        }
        return true
    }

    /// Device and inode of a folder: a different stick on the same mount point has a different one.
    struct Identity: Equatable {
        var device: UInt64
        var inode: UInt64
    }

    private func run() {
        var present = identities(of: currentRoots())
        // Sticks that were in the library when the box stopped but are not plugged in now go unavailable.
        let roots = currentRoots() + formerSticks(present: present)
        let summary = scan(roots)
        for root in summary?.missingRoots ?? [] {
            logger.warning("\(kind(of: root)) \(root) not found: its songs are unavailable until it returns")
        }
        while sleepUntilNextLook() {
            let roots = currentRoots()
            let now = identities(of: roots)
            let appeared = roots.filter { now[$0] != nil && now[$0] != present[$0] }
            let vanished = present.keys.filter { now[$0] == nil }.sorted()
            for root in vanished {
                logger.notice("\(kind(of: root)) \(root) removed: its songs are unavailable until it returns")
            }
            for root in appeared {
                logger.notice("\(kind(of: root)) \(root) appeared: scanning it")
            }
            present = now
            if !appeared.isEmpty || !vanished.isEmpty {
                scan(vanished + appeared)
            }
        }
    }

    /// Scans `roots` and logs what changed; nil when the scan failed (logged too).
    @discardableResult
    private func scan(_ roots: [String]) -> LibraryScanner.Summary? {
        guard !roots.isEmpty else { return nil }
        do {
            let summary = try scanner.scan(roots: roots)
            onChange()
            let counts =
                "\(summary.audioFiles) audio files, \(summary.added) new, \(summary.updated) changed, "
                + "\(summary.restored) back, \(summary.unavailable) gone, \(summary.failures.count) unreadable, "
                + "\(summary.playlists) playlists"
            logger.info("library scanned: \(counts)")
            for (path, reason) in summary.failures.sorted(by: { $0.key < $1.key }).prefix(20) {
                logger.warning("cannot read \(path): \(reason)")
            }
            return summary
        } catch {
            logger.error("library scan failed: \(error)")
            return nil
        }
    }

    /// Sleeps one interval in short steps; false when asked to stop.
    private func sleepUntilNextLook() -> Bool {
        let deadline = Date().addingTimeInterval(interval)
        while Date() < deadline {
            if stopping.load(ordering: .acquiring) { return false }
            Thread.sleep(forTimeInterval: min(0.1, interval))
        }
        return !stopping.load(ordering: .acquiring)
    }

    private func currentRoots() -> [String] {
        LibraryScanner.roots(libraries: libraries, usbRoot: usbRoot)
    }

    /// The existing folders among `roots`, with their identity.
    private func identities(of roots: [String]) -> [String: Identity] {
        var result: [String: Identity] = [:]
        for root in roots {
            var info = stat()
            if stat(root, &info) == 0, info.st_mode & S_IFMT == S_IFDIR {
                result[root] = Identity(device: UInt64(info.st_dev), inode: UInt64(info.st_ino))
            }
        }
        return result
    }

    /// Folders directly in `usbRoot` that hold known songs but are not there now.
    private func formerSticks(present: [String: Identity]) -> [String] {
        guard let usbRoot else { return [] }
        let base = LibraryScanner.absolute(usbRoot)
        let prefix = base.hasSuffix("/") ? base : base + "/"
        guard let known = try? scanner.store.knownFiles(under: base) else { return [] }
        var sticks = Set<String>()
        for (path, file) in known where file.available && path.hasPrefix(prefix) {
            let rest = path.dropFirst(prefix.count)
            guard let slash = rest.firstIndex(of: "/") else { continue }
            let stick = prefix + rest[..<slash]
            if present[stick] == nil { sticks.insert(stick) }
        }
        return sticks.sorted()
    }

    private func kind(of root: String) -> String {
        guard let usbRoot else { return "music folder" }
        return LibraryScanner.parent(of: root) == LibraryScanner.absolute(usbRoot) ? "USB stick" : "music folder"
    }
}
