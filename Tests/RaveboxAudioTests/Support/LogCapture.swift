import Foundation
import Logging

/// Collects log messages so a test can assert what was (and was not) said.
final class LogCapture: @unchecked Sendable {
    // @unchecked Sendable: `entries` is only touched while holding `lock`.
    private let lock = NSLock()
    private var entries: [(Logger.Level, String)] = []

    /// A logger whose messages (all levels) land here.
    var logger: Logger {
        Logger(label: "ravebox.audio.tests.capture") { _ in Handler(capture: self) }
    }

    var messages: [(level: Logger.Level, text: String)] {
        lock.withLock { entries.map { (level: $0.0, text: $0.1) } }
    }

    fileprivate func append(_ level: Logger.Level, _ text: String) {
        lock.withLock { entries.append((level, text)) }
    }

    private struct Handler: LogHandler {
        let capture: LogCapture
        var metadata: Logger.Metadata = [:]
        var metadataProvider: Logger.MetadataProvider?
        var logLevel: Logger.Level = .trace

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            capture.append(event.level, event.message.description)
        }
    }
}
