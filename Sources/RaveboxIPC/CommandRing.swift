import Atomics

/// Playback commands from the web process to the engine, in order, never dropped.
///
/// A single-producer/single-consumer ring of `capacity` fixed-size records in the shared segment: the web
/// process is the only producer, the engine the only consumer. Within a process, calls to `push` must not
/// overlap, nor calls to `pop` (route them through one actor or one thread); overlapping calls stop the
/// process with a message saying so.
///
/// ```swift
/// try segment.commands.push(Command(kind: .setVolume, value: 0.8))   // web
///
/// while running {                                                     // engine, command thread
///     segment.waitForCommands(timeout: .milliseconds(100))
///     while let command = segment.commands.pop() { player.handle(command) }
/// }
/// ```
///
/// `push` and `pop` do not allocate, lock or make system calls (except one futex wake when the engine is
/// asleep in `waitForCommands`).
public struct CommandRing: Sendable {
    /// Commands the ring holds before `push` throws `IPCError.ringFull`.
    public static let capacity = 1024

    let segment: SharedSegment

    init(segment: SharedSegment) {
        self.segment = segment
    }

    private var indices: RingIndices { RingIndices(segment: segment, layout: SegmentLayout.commandRing) }

    /// Appends `command` and wakes the engine.
    ///
    /// - Throws: `IPCError.ringFull` when the engine has `capacity` commands it has not read; the command
    ///   was not stored and nothing else was lost.
    public func push(_ command: Command) throws(IPCError) {
        segment.commandProducer.enter()
        defer { segment.commandProducer.leave() }
        let ring = indices
        guard let (position, slot) = ring.reserve() else {
            throw .ringFull(capacity: Self.capacity)
        }
        slot.storeBytes(of: command.kind.rawValue, toByteOffset: 0, as: UInt16.self)
        slot.storeBytes(of: command.sequence, toByteOffset: 8, as: UInt64.self)
        slot.storeBytes(of: command.value.bitPattern, toByteOffset: 16, as: UInt64.self)
        ring.publish(position)
        segment.commandBell.ring()
    }

    /// Removes and returns the oldest command, or nil when there is none. Engine side.
    ///
    /// A record with an unknown kind (impossible between processes of one build) is skipped and counted in
    /// `corruptCount`.
    public func pop() -> Command? {
        segment.commandConsumer.enter()
        defer { segment.commandConsumer.leave() }
        let ring = indices
        while let (position, slot) = ring.peek() {
            let kind = CommandKind(rawValue: slot.load(fromByteOffset: 0, as: UInt16.self))
            let sequence = slot.load(fromByteOffset: 8, as: UInt64.self)
            let value = Double(bitPattern: slot.load(fromByteOffset: 16, as: UInt64.self))
            ring.release(position)
            guard let kind else {
                ring.corrupt.wrappingIncrement(ordering: .relaxed)
                continue
            }
            return Command(kind: kind, sequence: sequence, value: value)
        }
        return nil
    }

    /// Commands pushed and not yet popped.
    public var count: Int { indices.count }

    /// Whether no command is waiting.
    public var isEmpty: Bool { count == 0 }

    /// Records the engine skipped because it could not decode them; anything but 0 is a bug.
    public var corruptCount: UInt64 { indices.corrupt.load(ordering: .relaxed) }
}

extension SharedSegment {
    /// The web → engine command ring.
    public var commands: CommandRing { CommandRing(segment: self) }

    /// Sleeps until a command is waiting or `timeout` passes, without polling (a futex that `push` rings).
    ///
    /// Returns at once if commands are already waiting. Returns whether commands are waiting. Engine side;
    /// blocks the calling thread.
    @discardableResult
    public func waitForCommands(timeout: Duration) -> Bool {
        let ring = RingIndices(segment: self, layout: SegmentLayout.commandRing)
        return commandBell.wait(untilNanos: Doorbell.deadline(after: timeout)) {
            ring.head.load(ordering: .acquiring) != ring.tail.load(ordering: .relaxed)
        }
    }

    var commandBell: Doorbell { Doorbell(segment: self, offset: SegmentLayout.commandBellOffset) }
}
