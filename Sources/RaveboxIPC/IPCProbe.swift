import Glibc

/// Measures the command ring between two processes: what `ravebox ipc-probe` runs, what the two-process
/// test and the benchmark use.
///
/// ```
/// ravebox ipc-probe create  --segment /ravebox-probe
/// ravebox ipc-probe consume --segment /ravebox-probe --count 100000 &
/// ravebox ipc-probe produce --segment /ravebox-probe --count 100000 --rate 20000
/// ravebox ipc-probe unlink  --segment /ravebox-probe
/// ```
///
/// The producer pushes `probe` commands with `sequence` 1...count and `value` = the monotonic time of
/// the push in nanoseconds (exact in a Double for the first 104 days of uptime, then to a few nanoseconds);
/// the consumer checks that every sequence arrives exactly once and in order and measures the latency from
/// push to pop. Use a segment of its own, never the box's live one.
public enum IPCProbe {
    /// How long the producer waits before retrying a push refused by a full ring.
    public static let fullRingRetryDelay: Duration = .microseconds(20)

    /// Creates (or recreates) the segment `name`.
    public static func create(segmentName name: String) throws(IPCError) -> SegmentSummary {
        let segment = try SharedSegment.create(name: name)
        return SegmentSummary(
            action: "create", segment: segment.name, layoutVersion: SharedSegment.layoutVersion,
            sizeBytes: SharedSegment.size)
    }

    /// Removes the segment `name`; `removed` is false when it did not exist.
    public static func unlink(segmentName name: String) throws(IPCError) -> SegmentSummary {
        let normalized = try SharedSegment.normalized(name)
        let removed = try SharedSegment.unlink(name: normalized)
        return SegmentSummary(
            action: "unlink", segment: normalized, layoutVersion: SharedSegment.layoutVersion,
            sizeBytes: SharedSegment.size, removed: removed)
    }

    /// Opens the segment `name` and runs `produce(segment:count:rate:stallTimeout:)`.
    public static func produce(
        segmentName name: String, count: Int, rate: Double = 0, stallTimeout: Duration = .seconds(10)
    ) throws(IPCError) -> ProduceSummary {
        produce(segment: try SharedSegment.open(name: name), count: count, rate: rate, stallTimeout: stallTimeout)
    }

    /// Opens the segment `name` and runs `consume(segment:count:timeout:)`.
    public static func consume(
        segmentName name: String, count: Int, timeout: Duration = .seconds(10)
    ) throws(IPCError) -> ConsumeSummary {
        consume(segment: try SharedSegment.open(name: name), count: count, timeout: timeout)
    }

    /// Pushes `count` commands with sequences 1...count.
    ///
    /// - Parameters:
    ///   - rate: commands per second, paced against the monotonic clock from the first push; 0 or less means
    ///     as fast as possible.
    ///   - stallTimeout: when the ring stays full this long (no consumer), stop and report `gaveUp`.
    public static func produce(
        segment: SharedSegment, count: Int, rate: Double = 0, stallTimeout: Duration = .seconds(10)
    ) -> ProduceSummary {
        let ring = segment.commands
        let intervalNanos = rate > 0 ? 1e9 / rate : 0
        let stallNanos = Doorbell.nanoseconds(stallTimeout)
        let start = SharedSegment.monotonicNanos()
        var sent = 0
        var retries: UInt64 = 0
        var gaveUp = false
        pushing: for sequence in 1..<UInt64(max(count, 0)) + 1 {
            if intervalNanos > 0 {
                sleep(untilNanos: start &+ UInt64(Double(sequence - 1) * intervalNanos))
            }
            var fullSince: UInt64 = 0
            while true {
                let sentAt = SharedSegment.monotonicNanos()
                do {
                    try ring.push(Command(kind: .probe, sequence: sequence, value: Double(sentAt)))
                    break
                } catch {
                    retries += 1
                    if fullSince == 0 {
                        fullSince = sentAt
                    } else if sentAt &- fullSince > stallNanos {
                        gaveUp = true
                        break pushing
                    }
                    sleep(untilNanos: SharedSegment.monotonicNanos() &+ Doorbell.nanoseconds(fullRingRetryDelay))
                }
            }
            sent += 1
        }
        let elapsed = seconds(SharedSegment.monotonicNanos() &- start)
        return ProduceSummary(
            segment: segment.name, requested: count, sent: sent, ringFullRetries: retries, rate: max(rate, 0),
            elapsedSeconds: elapsed, commandsPerSecond: elapsed > 0 ? Double(sent) / elapsed : 0, gaveUp: gaveUp)
    }

    /// Pops commands until every sequence in 1...count arrived, or nothing arrived for `timeout`.
    ///
    /// Sleeps in `waitForCommands` when the ring is empty, like the engine. Start it before or after the
    /// producer: the idle timeout runs from the start and from each arrival.
    public static func consume(segment: SharedSegment, count: Int, timeout: Duration = .seconds(10)) -> ConsumeSummary {
        let ring = segment.commands
        let count = max(count, 0)
        let idleNanos = Doorbell.nanoseconds(timeout)
        var latencies = [UInt64]()
        latencies.reserveCapacity(count)
        var seen = [Bool](repeating: false, count: count + 1)
        var received = 0
        var distinct = 0
        var duplicates = 0
        var reordered = 0
        var unexpected = 0
        var highest: UInt64 = 0
        var firstArrival: UInt64 = 0
        var lastArrival: UInt64 = 0
        var timedOut = false
        let start = SharedSegment.monotonicNanos()
        var lastProgress = start
        while distinct < count {
            guard let command = ring.pop() else {
                let idle = SharedSegment.monotonicNanos() &- lastProgress
                if idle >= idleNanos {
                    timedOut = true
                    break
                }
                segment.waitForCommands(timeout: .nanoseconds(Int64(clamping: idleNanos - idle)))
                continue
            }
            let arrived = SharedSegment.monotonicNanos()
            received += 1
            if firstArrival == 0 { firstArrival = arrived }
            lastArrival = arrived
            lastProgress = arrived
            let sentAt = command.value.isFinite && command.value > 0 ? UInt64(command.value) : arrived
            latencies.append(arrived > sentAt ? arrived - sentAt : 0)
            let sequence = command.sequence
            guard sequence >= 1, sequence <= UInt64(count) else {
                unexpected += 1
                continue
            }
            if seen[Int(sequence)] {
                duplicates += 1
                continue
            }
            seen[Int(sequence)] = true
            distinct += 1
            if sequence < highest {
                reordered += 1
            } else {
                highest = sequence
            }
        }
        let end = timedOut ? SharedSegment.monotonicNanos() : (lastArrival == 0 ? start : lastArrival)
        let span = seconds(lastArrival &- firstArrival)
        latencies.sort()
        return ConsumeSummary(
            segment: segment.name, expected: count, received: received, lost: count - distinct,
            reordered: reordered, duplicates: duplicates, unexpected: unexpected,
            latencyP50Micros: micros(percentile(0.50, of: latencies)),
            latencyP99Micros: micros(percentile(0.99, of: latencies)),
            latencyMaxMicros: micros(latencies.last ?? 0),
            commandsPerSecond: received > 1 && span > 0 ? Double(received - 1) / span : 0,
            elapsedSeconds: seconds(end &- start), timedOut: timedOut)
    }

    /// Nearest-rank percentile of sorted values; 0 for none.
    static func percentile(_ fraction: Double, of sorted: [UInt64]) -> UInt64 {
        guard !sorted.isEmpty else { return 0 }
        let rank = Int((fraction * Double(sorted.count)).rounded(.up))
        return sorted[min(max(rank, 1), sorted.count) - 1]
    }

    private static func seconds(_ nanos: UInt64) -> Double { Double(nanos) / 1e9 }

    private static func micros(_ nanos: UInt64) -> Double { (Double(nanos) / 1e3 * 1000).rounded() / 1000 }

    private static func sleep(untilNanos deadline: UInt64) {
        var target = timespec(
            tv_sec: Int(deadline / 1_000_000_000), tv_nsec: Int(deadline % 1_000_000_000))
        while clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &target, nil) == EINTR {}
    }
}
