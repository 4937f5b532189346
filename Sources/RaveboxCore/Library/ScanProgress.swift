/// A file the library scan could not read, and why.
public struct ScanFailure: Sendable, Equatable, Codable {
    /// Absolute path of the file.
    public var path: String
    /// Why it was skipped, in words the admin understands ("not an audio file FFmpeg can open").
    public var reason: String

    public init(path: String, reason: String) {
        self.path = path
        self.reason = reason
    }
}

/// How far the library scan is, for the admin page; the store keeps the latest one.
public struct ScanProgress: Sendable, Equatable, Codable {
    /// What the scanner is doing.
    public enum State: String, Sendable, Codable {
        /// Not scanning; the counts describe the last scan.
        case idle
        /// Walking the folders and reading tags.
        case scanning
        /// Measuring the loudness of new and changed songs (EBU R128).
        case measuring
    }

    public var state: State = .idle
    /// Files looked at so far and files found in all (`filesTotal` grows while folders are walked).
    public var filesDone = 0, filesTotal = 0
    /// The folder being read now, or empty.
    public var currentFolder = ""
    /// Songs added, updated (changed size or modification time), unchanged, and marked unavailable.
    public var added = 0, updated = 0, unchanged = 0, unavailable = 0
    /// Every file that failed, including those not kept in `failures`.
    public var failureCount = 0
    /// The first ``failureLimit`` failures; ``failureCount`` counts them all.
    public var failures: [ScanFailure] = []
    /// How many failures a progress keeps, so a folder of broken files cannot grow it without bound.
    public static let failureLimit = 100
    /// When the scan started and finished, unix seconds; `finishedAt` is `nil` while it runs.
    public var startedAt: Double?, finishedAt: Double?

    public init() {}

    /// Counts a failed file, keeping its details while fewer than ``failureLimit`` are kept.
    public mutating func recordFailure(_ failure: ScanFailure) {
        failureCount += 1
        if failures.count < Self.failureLimit { failures.append(failure) }
    }
}
