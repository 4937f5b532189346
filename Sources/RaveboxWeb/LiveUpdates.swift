import Foundation
import Logging
import RaveboxCore
import Synchronization

/// Fans the party state out to every open `/api/live` WebSocket whenever it changes.
///
/// A watcher thread sleeps on the shared segment's change doorbell (a futex: no polling) and compares
/// the ``PartyStateReader/fingerprint()``; when it moved, a task reads the state once (through the store's
/// `async` surface, so the thread never waits for SQLite) and sends every subscriber only the fields that
/// changed, compared as typed values (``PartyStateChanges``).
///
/// Messages are JSON: first `{"seq": 7, "state": {...}}` (the whole state, as `GET /api/state`), then
/// `{"seq": 8, "changes": {"queue": [...]}}` with just the top-level fields whose value changed (`null`
/// for one that went away). A client that sees `seq` skip a number (it fell more than
/// ``bufferedMessages`` behind) reloads the state.
public final class LiveUpdates: Sendable {
    /// Messages kept for a slow subscriber before the oldest are dropped.
    public static let bufferedMessages = 64
    /// The least time between two messages to the subscribers: about one frame of a phone's screen, so no
    /// change waits long enough to be seen late, and a burst of votes costs each phone one message per frame.
    public static let minimumInterval = Duration.milliseconds(15)

    private let reader: PartyStateReader
    private let logger: Logger
    /// The subscribers and the last state sent to them, under one lock so that a new subscriber's first
    /// message and the watcher's next push can never duplicate or skip a state.
    private struct Fanout {
        var subscribers: [UUID: AsyncStream<String>.Continuation] = [:]
        /// The last state sent (changes are computed against it) and its JSON, made when a new subscriber first
        /// needs it (its first message), not at every change.
        var latest: (state: PartyState, json: String?)?
        var sequence = 0
    }

    private let fanout = Mutex(Fanout())
    private let running = Mutex<Bool>(false)
    /// Asks the publishing task for one more publish (set by ``start()``).
    private let publishAgain = Mutex<AsyncStream<Void>.Continuation?>(nil)

    public init(reader: PartyStateReader, logger: Logger) {
        self.reader = reader
        self.logger = logger
    }

    /// The state as JSON, read now.
    public func currentJSON() async throws -> String {
        Self.json(try await reader.read())
    }

    static func json(_ state: PartyState) -> String {
        String(decoding: (try? JSONEncoder.party.encode(state)) ?? Data("{}".utf8), as: UTF8.self)
    }

    /// A stream of messages: the whole state first, then the changes after each commit.
    public func subscribe() async -> AsyncStream<String> {
        let id = UUID()
        let (stream, continuation) = AsyncStream<String>.makeStream(
            bufferingPolicy: .bufferingOldest(Self.bufferedMessages))
        continuation.onTermination = { [weak self] _ in
            _ = self?.fanout.withLock { $0.subscribers.removeValue(forKey: id) }
        }
        // Before the watcher's first state, read one here (outside the lock: the read suspends).
        let first = fanout.withLock { $0.latest == nil } ? try? await reader.read() : nil
        let startedFromOwnRead = fanout.withLock { fanout in
            fanout.subscribers[id] = continuation
            var ownRead = false
            if fanout.latest == nil, let first {
                fanout.latest = (first, nil)
                ownRead = true
            }
            if let state = fanout.latest?.state {
                let json = fanout.latest?.json ?? Self.json(state)
                fanout.latest?.json = json
                continuation.yield("{\"seq\":\(fanout.sequence),\"state\":\(json)}")
            }
            return ownRead
        }
        // While nobody listened, changes were not read: one committed after this subscriber's own read would
        // reach it only with the next change. One more publish compares the state now with the one it got.
        if startedFromOwnRead { _ = publishAgain.withLock { $0?.yield() } }
        return stream
    }

    /// Number of open subscriptions.
    public var subscriberCount: Int { fanout.withLock { $0.subscribers.count } }

    /// Starts the watcher thread and the task that publishes what it notices; they run until ``stop()``.
    public func start() {
        let alreadyRunning = running.withLock { value in
            defer { value = true }
            return value
        }
        guard !alreadyRunning else { return }
        // One pending change is enough: the publish after it reads the newest state.
        let (changes, changed) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
        publishAgain.withLock { $0 = changed }
        let thread = Thread { [self] in watch(changed) }
        thread.name = "live-updates"
        thread.start()
        Task { [self] in
            for await _ in changes {
                await publish()
                // Changes that arrive meanwhile wait (one pending publish covers them all): at a party voting
                // thousands of times a second every phone gets at most one message per interval, not one per vote.
                try? await Task.sleep(for: Self.minimumInterval)
            }
        }
    }

    public func stop() {
        running.withLock { $0 = false }
        fanout.withLock { fanout in
            for continuation in fanout.subscribers.values { continuation.finish() }
            fanout.subscribers.removeAll()
        }
    }

    /// The watcher thread: waits on the doorbell (a blocking futex wait, hence a thread of its own) and tells
    /// the publishing task whenever the fingerprint moved.
    private func watch(_ changed: AsyncStream<Void>.Continuation) {
        var lastFingerprint: [UInt64] = []
        while running.withLock({ $0 }) {
            let token = reader.segment.changeToken()
            let fingerprint = reader.fingerprint()
            if fingerprint != lastFingerprint {
                lastFingerprint = fingerprint
                changed.yield()
            }
            // Wake on any change; the timeout only lets the engine's online/offline flip be noticed.
            _ = reader.segment.waitForChange(after: token, timeout: .seconds(1))
        }
        changed.finish()
    }

    private func publish() async {
        // Nobody listens: read nothing, and let the next subscriber read the state it starts from.
        let listened = fanout.withLock { fanout in
            if fanout.subscribers.isEmpty { fanout.latest = nil }
            return !fanout.subscribers.isEmpty
        }
        guard listened else { return }
        let state: PartyState
        do {
            state = try await reader.read()
        } catch {
            logger.error("cannot read the party state", metadata: ["error": "\(error)"])
            return
        }
        fanout.withLock { fanout in
            guard let previous = fanout.latest?.state else {
                fanout.latest = (state, nil)
                return
            }
            let changes = PartyStateChanges(from: previous, to: state)
            guard !changes.isEmpty else { return }
            fanout.latest = (state, nil)
            fanout.sequence += 1
            let message = changes.message(sequence: fanout.sequence)
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
