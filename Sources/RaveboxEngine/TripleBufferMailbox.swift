import Atomics

/// Hands the newest value from one writer thread to one reader thread without locks or allocation: a triple
/// buffer. The writer fills its back buffer and swaps it into the middle; the reader swaps the middle out when
/// it is fresh. Each side only ever touches its own buffer, so neither waits for the other, and the reader
/// always gets the newest complete value (older ones are dropped, never queued).
///
/// ```swift
/// let mailbox = TripleBufferMailbox { SpectrumFrame(bandCount: 64) }
/// mailbox.write { $0.level = 0.5 }          // light thread
/// mailbox.read { frame in use(frame.level) }  // screen thread
/// ```
final class TripleBufferMailbox<Value>: @unchecked Sendable {
    // @unchecked: buffer `i` is touched only by the side whose index currently names it; ownership moves
    // through the atomic `middle` exchange (acquire/release), so no buffer is ever shared. One writer and one
    // reader: `back` belongs to the writer, `front` to the reader.
    private let buffers: UnsafeMutablePointer<Value>
    /// Index of the middle buffer, plus `fresh` when the writer put a value there the reader has not taken.
    private let middle = ManagedAtomic<Int>(1)
    private var back = 0
    private var front = 2
    private static var fresh: Int { 4 }

    /// - Parameter make: makes one buffer; called three times, and each must own its storage (arrays made
    ///   fresh, not shared) so that no in-place write copies later.
    init(making make: () -> Value) {
        buffers = .allocate(capacity: 3)
        for index in 0..<3 { (buffers + index).initialize(to: make()) }
    }

    deinit {
        buffers.deinitialize(count: 3)
        buffers.deallocate()
    }

    /// Writer: fill the value in place, then it becomes the newest.
    func write(_ fill: (inout Value) -> Void) {
        fill(&buffers[back])
        let previous = middle.exchange(back | Self.fresh, ordering: .acquiringAndReleasing)
        back = previous & 3
    }

    /// Reader: the newest value if one arrived since the last call; `use` is not called otherwise.
    func read(_ use: (Value) -> Void) {
        guard middle.load(ordering: .relaxed) & Self.fresh != 0 else { return }
        let previous = middle.exchange(front, ordering: .acquiringAndReleasing)
        front = previous & 3
        use(buffers[front])
    }
}
