import CRaveboxGPIO

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The box's buttons and volume encoder on the GPIO character device, through libgpiod (v1 or v2, see
/// CRaveboxGPIO).
///
/// `init` requests every line of the ``ButtonMapping`` as an input with the internal pull-up and edge events on
/// both edges (timestamped with `CLOCK_MONOTONIC`), with the kernel's debounce where libgpiod v2 offers it; the
/// software ``Debouncer`` runs either way. ``nextAction(timeoutMilliseconds:)`` waits for edges and feeds them, with
/// their kernel timestamps, through a ``ButtonPipeline``. The lines are released in `deinit`.
///
/// ```swift
/// let buttons = try GPIOButtons(mapping: mapping)
/// while running {
///     if let action = try buttons.nextAction(timeoutMilliseconds: 100) { perform(action) }
/// }
/// ```
///
/// A missing chip, a chip without permission, a file that is not a chip and busy lines throw ``GPIOError`` with one
/// sentence naming the path and what to check. One thread at a time.
public final class GPIOButtons: ButtonSource {
    /// The mapping the lines were requested for.
    public let mapping: ButtonMapping
    /// Whether the kernel debounces the lines too (libgpiod v2 with `debounce_ms` > 0).
    public let kernelDebounces: Bool
    private let lines: OpaquePointer
    private var pipeline: ButtonPipeline
    private var pending: [ButtonAction] = []
    private var edges: [rb_gpio_edge]

    /// Requests the mapping's lines on its chip.
    ///
    /// - Parameters:
    ///   - mapping: lines, gestures and bindings; validated first.
    ///   - consumer: the name `gpioinfo` shows for the lines.
    /// - Throws: ``GPIOError``.
    public init(mapping: ButtonMapping, consumer: String = "ravebox") throws(GPIOError) {
        do {
            try mapping.validate()
        } catch {
            throw .invalidMapping(error)
        }
        let offsets = mapping.inputLines.map { CUnsignedInt($0) }
        var failedStep: Int32 = 0
        let debounce = CUnsignedLong(max(0, mapping.debounceMilliseconds)) * 1000
        guard
            let lines = rb_gpio_request_inputs(
                mapping.chip, offsets, offsets.count, consumer, debounce, &failedStep)
        else {
            let code = errno
            if failedStep == Int32(RB_GPIO_FAILED_OPEN) {
                throw .chipUnavailable(path: mapping.chip, errno: code)
            }
            throw .linesUnavailable(path: mapping.chip, lines: mapping.inputLines, errno: code)
        }
        var values = [Int32](repeating: 1, count: offsets.count)
        var initialLevels: [UInt32: Bool] = [:]
        if rb_gpio_get_values(lines, &values) == 0 {
            for (line, value) in zip(mapping.inputLines, values) { initialLevels[line] = value != 0 }
        }
        self.mapping = mapping
        self.lines = lines
        kernelDebounces = rb_gpio_kernel_debounces(lines) != 0
        pipeline = ButtonPipeline(mapping: mapping, initialLevels: initialLevels)
        edges = [rb_gpio_edge](repeating: rb_gpio_edge(), count: 64)
    }

    deinit {
        rb_gpio_release(lines)
    }

    /// Blocks until the next action or until `timeoutMilliseconds` pass (0 = only what is already due);
    /// `nil` on timeout.
    ///
    /// - Throws: ``GPIOError/readFailed(path:errno:)`` when the kernel stops delivering events.
    public func nextAction(timeoutMilliseconds: Int) throws(GPIOError) -> ButtonAction? {
        let end = Self.now() &+ UInt64(max(0, timeoutMilliseconds)) * nanosecondsPerMillisecond
        while true {
            if !pending.isEmpty { return pending.removeFirst() }
            let now = Self.now()
            pending += pipeline.advance(to: now)
            if !pending.isEmpty { continue }
            if now >= end { return nil }
            let wake = min(end, pipeline.nextDeadline ?? end)
            let ready = rb_gpio_wait(lines, Int64(wake > now ? wake - now : 0))
            if ready < 0 {
                if errno == EINTR { continue }
                throw .readFailed(path: mapping.chip, errno: errno)
            }
            if ready > 0 { try readEdges() }
        }
    }

    /// Reads every pending edge into the pipeline.
    private func readEdges() throws(GPIOError) {
        while true {
            let capacity = edges.count
            let count = edges.withUnsafeMutableBufferPointer { rb_gpio_read_edges(lines, $0.baseAddress, capacity) }
            if count < 0 {
                if errno == EINTR || errno == EAGAIN { return }
                throw .readFailed(path: mapping.chip, errno: errno)
            }
            pending += pipeline.handle(
                edges.prefix(Int(count)).map {
                    LineEvent(line: $0.offset, high: $0.rising != 0, nanoseconds: $0.timestamp_ns)
                })
            if count < capacity { return }
        }
    }

    /// Nanoseconds of `CLOCK_MONOTONIC`, the clock the kernel stamps edge events with (since Linux 5.7).
    static func now() -> UInt64 {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec)
    }
}
