import Foundation
import Logging
import RaveboxCore
import Synchronization

/// Fans the party state out to every open `/api/live` WebSocket whenever it changes.
///
/// A watcher thread sleeps on the shared segment's change doorbell (a futex: no polling), compares
/// the ``PartyStateReader/fingerprint()`` and, when it moved, reads the state once and sends every
/// subscriber only what changed.
///
/// Messages are JSON: first `{"seq": 7, "state": {...}}` (the whole state, as `GET /api/state`), then
/// `{"seq": 8, "changes": {"queue": [...]}}` with just the top-level fields whose value changed (`null`
/// for one that went away). A client that sees `seq` skip a number (it fell more than
/// ``bufferedMessages`` behind) reloads the state.
public final class LiveUpdates: Sendable {
    /// Messages kept for a slow subscriber before the oldest are dropped.
    public static let bufferedMessages = 64

    private let reader: PartyStateReader
    private let logger: Logger
    /// The subscribers and the last state sent to them, under one lock so that a new subscriber's first
    /// message and the watcher's next push can never duplicate or skip a state.
    private struct Fanout {
        var subscribers: [UUID: AsyncStream<String>.Continuation] = [:]
        /// The last state sent, whole, and its fields one by one (for computing changes).
        var latest: String?
        var fields: [String: Data] = [:]
        var sequence = 0
    }

    private let fanout = Mutex(Fanout())
    private let running = Mutex<Bool>(false)

    public init(reader: PartyStateReader, logger: Logger) {
        self.reader = reader
        self.logger = logger
    }

    /// The state as JSON, read now.
    public func currentJSON() throws -> String {
        let data = try JSONEncoder.party.encode(reader.read())
        return String(decoding: data, as: UTF8.self)
    }

    /// A stream of messages: the whole state first, then the changes after each commit.
    public func subscribe() -> AsyncStream<String> {
        let id = UUID()
        let (stream, continuation) = AsyncStream<String>.makeStream(
            bufferingPolicy: .bufferingOldest(Self.bufferedMessages))
        continuation.onTermination = { [weak self] _ in
            _ = self?.fanout.withLock { $0.subscribers.removeValue(forKey: id) }
        }
        fanout.withLock { fanout in
            fanout.subscribers[id] = continuation
            if fanout.latest == nil, let json = try? currentJSON() {
                fanout.latest = json
                fanout.fields = Self.fields(of: json)
            }
            if let latest = fanout.latest { continuation.yield("{\"seq\":\(fanout.sequence),\"state\":\(latest)}") }
        }
        return stream
    }

    /// Each top-level field of a state document, serialised with sorted keys so equal values are equal bytes.
    static func fields(of json: String) -> [String: Data] {
        guard let object = try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any] else {
            return [:]
        }
        var result: [String: Data] = [:]
        for (key, value) in object {
            result[key] = try? JSONSerialization.data(
                withJSONObject: value, options: [.sortedKeys, .fragmentsAllowed, .withoutEscapingSlashes])
        }
        return result
    }

    /// `{"seq":N,"changes":{...}}` for the fields that differ between two states; `nil` when none do.
    static func changes(from old: [String: Data], to new: [String: Data], sequence: Int) -> String? {
        var parts: [String] = []
        for key in Set(old.keys).union(new.keys).sorted() where old[key] != new[key] {
            let value = new[key].map { String(decoding: $0, as: UTF8.self) } ?? "null"
            parts.append("\"\(key)\":\(value)")
        }
        guard !parts.isEmpty else { return nil }
        return "{\"seq\":\(sequence),\"changes\":{\(parts.joined(separator: ","))}}"
    }

    /// Number of open subscriptions.
    public var subscriberCount: Int { fanout.withLock { $0.subscribers.count } }

    /// Starts the watcher thread; it runs until ``stop()``.
    public func start() {
        let alreadyRunning = running.withLock { value in
            defer { value = true }
            return value
        }
        guard !alreadyRunning else { return }
        let thread = Thread { [self] in watch() }
        thread.name = "live-updates"
        thread.start()
    }

    public func stop() {
        running.withLock { $0 = false }
        fanout.withLock { fanout in
            for continuation in fanout.subscribers.values { continuation.finish() }
            fanout.subscribers.removeAll()
        }
    }

    private func watch() {
        var lastFingerprint: [UInt64] = []
        while running.withLock({ $0 }) {
            let token = reader.segment.changeToken()
            let fingerprint = reader.fingerprint()
            if fingerprint != lastFingerprint {
                lastFingerprint = fingerprint
                publish()
            }
            // Wake on any change; the timeout only lets the engine's online/offline flip be noticed.
            _ = reader.segment.waitForChange(after: token, timeout: .seconds(1))
        }
    }

    private func publish() {
        let json: String
        do {
            json = try currentJSON()
        } catch {
            logger.error("cannot read the party state", metadata: ["error": "\(error)"])
            return
        }
        fanout.withLock { fanout in
            guard fanout.latest != json else { return }
            let fields = Self.fields(of: json)
            let message = Self.changes(from: fanout.fields, to: fields, sequence: fanout.sequence + 1)
            fanout.latest = json
            fanout.fields = fields
            guard let message else { return }
            fanout.sequence += 1
            for continuation in fanout.subscribers.values { continuation.yield(message) }
        }
    }
}

extension JSONEncoder {
    /// The encoder for state documents: stable key order, so equal states are equal strings.
    static var party: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return encoder
    }
}
