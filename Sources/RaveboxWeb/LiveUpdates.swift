import Foundation
import Logging
import RaveboxCore
import Synchronization

/// Fans the party state out to every open `/api/live` WebSocket whenever it changes.
///
/// A watcher thread sleeps on the shared segment's change doorbell (a futex: no polling), compares
/// the ``PartyStateReader/fingerprint()`` and, when it moved, reads the state once and hands the JSON to
/// every subscriber. Subscribers that fall behind only ever get the latest state.
public final class LiveUpdates: Sendable {
    private let reader: PartyStateReader
    private let logger: Logger
    /// The subscribers and the last state sent to them, under one lock so that a new subscriber's first
    /// message and the watcher's next push can never duplicate or skip a state.
    private struct Fanout {
        var subscribers: [UUID: AsyncStream<String>.Continuation] = [:]
        var latest: String?
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

    /// A stream of state JSON documents: the current one first, then one per change.
    public func subscribe() -> AsyncStream<String> {
        let id = UUID()
        let (stream, continuation) = AsyncStream<String>.makeStream(bufferingPolicy: .bufferingNewest(1))
        continuation.onTermination = { [weak self] _ in
            _ = self?.fanout.withLock { $0.subscribers.removeValue(forKey: id) }
        }
        fanout.withLock { fanout in
            fanout.subscribers[id] = continuation
            if fanout.latest == nil { fanout.latest = try? currentJSON() }
            if let latest = fanout.latest { continuation.yield(latest) }
        }
        return stream
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
            fanout.latest = json
            for continuation in fanout.subscribers.values { continuation.yield(json) }
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
