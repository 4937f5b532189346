import RaveboxIPC
import Synchronization

/// The web process's one producer on the command ring.
///
/// The ring is single-producer across processes; many request handlers run at once, so they take turns
/// here. The lock is held only for the push itself (tens of nanoseconds) and only in the web process.
public final class CommandSender: Sendable {
    private let segment: SharedSegment
    private let turn = Mutex(())

    public init(segment: SharedSegment) {
        self.segment = segment
    }

    /// Pushes one command; throws `IPCError.ringFull` when the engine is not keeping up (never drops).
    public func send(_ command: Command) throws(IPCError) {
        try turn.withLock { _ throws(IPCError) in try segment.commands.push(command) }
    }
}
