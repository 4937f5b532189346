import Atomics

/// A lock-free single-producer/single-consumer ring of `Int16` samples, preallocated at creation.
///
/// The decoder thread writes, the ALSA output thread reads; neither ever blocks, allocates or takes a lock.
/// Both indices count samples since creation and only grow (an `Int` of samples outlasts the universe at
/// 48 kHz), so "full" and "empty" need no extra flag; the storage position is `index & mask`.
///
/// Memory ordering: the producer fills storage, then publishes with a *releasing* store of `writeIndex`; the
/// consumer *acquires* `writeIndex` before reading storage, so it sees the samples. Symmetrically the consumer
/// releases `readIndex` after copying out and the producer acquires it before overwriting that space.
///
/// ```swift
/// let ring = PCMRing(minimumCapacity: 48_000 * 2)      // ≥ 1 s of stereo
/// // decoder thread:
/// let written = ring.write(UnsafeBufferPointer(rebasing: chunk[..<n]))
/// // output thread:
/// let read = ring.read(into: period)
/// ```
///
/// Callers that need whole frames keep their counts multiples of the channel count (see `writableCount`).
public final class PCMRing: @unchecked Sendable {
    // @unchecked Sendable: `storage` is shared by exactly two threads with the SPSC protocol above. The producer
    // only touches the slots in [writeIndex, readIndex + capacity), the consumer only [readIndex, writeIndex);
    // the acquire/release pairs on the two atomics order those accesses. Calling a producer method from two
    // threads at once (or a consumer method from two) breaks this and is a programming error.

    /// Samples the ring holds when full (a power of two).
    public let capacity: Int
    private let mask: Int
    private let storage: UnsafeMutablePointer<Int16>
    /// Samples ever written. Stored only by the producer.
    private let writeIndex = ManagedAtomic<Int>(0)
    /// Samples ever read or discarded. Stored only by the consumer.
    private let readIndex = ManagedAtomic<Int>(0)

    /// Creates a ring holding at least `minimumCapacity` samples (rounded up to a power of two), zero-filled.
    public init(minimumCapacity: Int) {
        precondition(minimumCapacity > 0, "PCMRing needs room for at least one sample")
        var size = 1
        while size < minimumCapacity { size <<= 1 }
        capacity = size
        mask = size - 1
        storage = .allocate(capacity: size)
        storage.initialize(repeating: 0, count: size)
    }

    deinit {
        storage.deallocate()
    }

    // MARK: Producer side (one thread)

    /// Samples written since the ring was made (never wraps in practice: 2^63 samples). Producer only.
    public var writePosition: Int { writeIndex.load(ordering: .relaxed) }

    /// Samples that can be written now without overwriting unread ones. Producer only.
    public var writableCount: Int {
        capacity - (writeIndex.load(ordering: .relaxed) - readIndex.load(ordering: .acquiring))
    }

    /// Copies as many of `samples` as fit and returns how many were written. Producer only; never blocks.
    @discardableResult
    public func write(_ samples: UnsafeBufferPointer<Int16>) -> Int {
        guard let source = samples.baseAddress else { return 0 }
        let write = writeIndex.load(ordering: .relaxed)
        let free = capacity - (write - readIndex.load(ordering: .acquiring))
        let count = min(free, samples.count)
        guard count > 0 else { return 0 }
        let start = write & mask
        let first = min(count, capacity - start)
        (storage + start).update(from: source, count: first)
        if count > first {
            storage.update(from: source + first, count: count - first)
        }
        writeIndex.store(write + count, ordering: .releasing)
        return count
    }

    // MARK: Consumer side (one thread)

    /// Samples read (or discarded) since the ring was made; comparable with ``writePosition``. Consumer only.
    public var readPosition: Int { readIndex.load(ordering: .relaxed) }

    /// Samples waiting to be read. Consumer only.
    public var readableCount: Int {
        writeIndex.load(ordering: .acquiring) - readIndex.load(ordering: .relaxed)
    }

    /// Copies up to `destination.count` samples out, oldest first, and returns how many. Consumer only;
    /// never blocks or allocates.
    @discardableResult
    public func read(into destination: UnsafeMutableBufferPointer<Int16>) -> Int {
        guard let target = destination.baseAddress else { return 0 }
        let read = readIndex.load(ordering: .relaxed)
        let available = writeIndex.load(ordering: .acquiring) - read
        let count = min(available, destination.count)
        guard count > 0 else { return 0 }
        let start = read & mask
        let first = min(count, capacity - start)
        target.update(from: storage + start, count: first)
        if count > first {
            (target + first).update(from: storage, count: count - first)
        }
        readIndex.store(read + count, ordering: .releasing)
        return count
    }

    /// Drops the oldest `samples` samples (at most what is readable). Consumer only.
    public func discard(samples: Int) {
        let read = readIndex.load(ordering: .relaxed)
        let available = writeIndex.load(ordering: .acquiring) - read
        readIndex.store(read + min(max(0, samples), available), ordering: .releasing)
    }

    /// Drops every sample written so far and returns how many were dropped. Consumer only.
    ///
    /// Used when a song is skipped: the producer must have stopped writing the old song's samples first
    /// (the player's generation handshake guarantees it), or some of them would survive.
    @discardableResult
    public func discardAll() -> Int {
        let read = readIndex.load(ordering: .relaxed)
        let write = writeIndex.load(ordering: .acquiring)
        readIndex.store(write, ordering: .releasing)
        return write - read
    }
}
