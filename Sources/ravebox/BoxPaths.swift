import Foundation
import RaveboxCore

/// Where a box keeps its files, derived from the data folder.
struct BoxPaths {
    let data: String

    init(_ config: BoxConfiguration) {
        data = URL(fileURLWithPath: config.dataDirectory).standardizedFileURL.path
    }

    var database: String { data + "/ravebox.sqlite" }
    /// The one folder in `/run/ravebox` the box may write in (`ravebox setup` makes it, mode 0770 root:ravebox):
    /// requests to root, whose units only look whether a file is there and never read it.
    static let requestsFolderName = "requests"
    /// The file whose appearance makes the image's `ravebox-poweroff.path` unit shut the box down, so the
    /// unprivileged box can ask for a clean power-off (the power button).
    static let powerOffRequest = "/run/ravebox/\(requestsFolderName)/power-off"
    /// The first-run setup code `ravebox setup` (root) copied here from the boot partition's
    /// `ravebox-setup-code.txt`, for the box to offer until someone claims it.
    static let setupCodeFile = "/run/ravebox/setup-code"
    var lockFile: String { data + "/ravebox.lock" }
    /// The alarm and buzzer sounds (made on first start; an admin may replace them).
    var sounds: String { data + "/sounds" }

    /// Creates the data folder when missing.
    func createDataFolder() throws {
        try FileManager.default.createDirectory(atPath: data, withIntermediateDirectories: true)
    }

    /// Name of the shared-memory segment of the box using this data folder: derived from the folder's
    /// device and inode, so several boxes (and parallel tests) on one machine never share a segment,
    /// and every process of one box finds the same one without being told.
    func segmentName() throws -> String {
        var info = stat()
        guard stat(data, &info) == 0 else {
            throw BoxFailure("cannot read the data folder \(data): \(String(cString: strerror(errno)))")
        }
        return "/ravebox-\(info.st_dev)-\(info.st_ino)"
    }
}

/// A startup failure reported as one line and a non-zero exit code.
struct BoxFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
