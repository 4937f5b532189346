import Atomics
import RaveboxIPC

/// What the light thread tells the control loop after each pass: the analysis and how the LEDs are doing.
/// Fixed-size arrays, filled in place.
struct LightReport {
    var bands: [Float]
    var level: Float = 0
    var beatCount: UInt64 = 0
    var beatStrength: Float = 0
    var tempo: Double = 0
    var ledFrames: UInt64 = 0
    var latencyP50Micros: UInt64 = 0
    var latencyP99Micros: UInt64 = 0
    var lagP50Micros: Int64 = 0
    var previewLengths: [Int]
    var preview: [UInt32]

    init(bandCount: Int) {
        bands = [Float](repeating: 0, count: bandCount)
        previewLengths = [Int](repeating: 0, count: Telemetry.previewOutputCapacity)
        preview = [UInt32](repeating: 0, count: Telemetry.previewOutputCapacity * Telemetry.previewLEDCapacity)
    }

    /// Copies everything into `telemetry`'s arrays in place (they keep their storage once sized).
    func copy(into telemetry: inout Telemetry, outputs: Int) {
        if telemetry.bands.count != bands.count { telemetry.bands = [Float](repeating: 0, count: bands.count) }
        for index in bands.indices { telemetry.bands[index] = bands[index] }
        telemetry.bandCount = bands.count
        telemetry.level = level
        telemetry.beatCount = beatCount
        telemetry.beatStrength = beatStrength
        telemetry.tempo = tempo
        telemetry.ledFrames = ledFrames
        telemetry.ledLatencyP50Micros = latencyP50Micros
        telemetry.ledLatencyP99Micros = latencyP99Micros
        telemetry.ledLagP50Micros = lagP50Micros
        let count = min(outputs, previewLengths.count)
        if telemetry.previewLengths.count != count { telemetry.previewLengths = [Int](repeating: 0, count: count) }
        for index in 0..<count { telemetry.previewLengths[index] = previewLengths[index] }
        if telemetry.preview.count != preview.count { telemetry.preview = [UInt32](repeating: 0, count: preview.count) }
        for index in preview.indices { telemetry.preview[index] = preview[index] }
    }
}

/// Hands the newest ``LightReport`` from the light thread to the control loop without locks or allocation:
/// a triple buffer. The writer fills its back buffer and swaps it into the middle; the reader swaps the middle
/// out when it is fresh. Each side only ever touches its own buffer, so neither waits for the other, and the
/// reader always gets the newest complete report (older ones are dropped, never queued).
final class LightReportMailbox: @unchecked Sendable {
    // @unchecked: buffer `i` is touched only by the side whose index currently names it; ownership moves
    // through the atomic `middle` exchange (acquire/release), so no buffer is ever shared.
    private let buffers: UnsafeMutablePointer<LightReport>
    /// Index of the middle buffer, plus `fresh` when the writer put a report there the reader has not taken.
    private let middle = ManagedAtomic<Int>(1)
    private var back = 0
    private var front = 2
    private static let fresh = 4

    init(bandCount: Int) {
        buffers = .allocate(capacity: 3)
        buffers.initialize(repeating: LightReport(bandCount: bandCount), count: 3)
        // Three independent copies: make each array unique now so no in-place write copies later.
        for index in 0..<3 {
            buffers[index].bands = [Float](repeating: 0, count: bandCount)
            buffers[index].previewLengths = [Int](repeating: 0, count: Telemetry.previewOutputCapacity)
            buffers[index].preview = [UInt32](
                repeating: 0, count: Telemetry.previewOutputCapacity * Telemetry.previewLEDCapacity)
        }
    }

    deinit {
        buffers.deinitialize(count: 3)
        buffers.deallocate()
    }

    /// Writer (light thread): fill the report in place, then it becomes the newest.
    func write(_ fill: (inout LightReport) -> Void) {
        fill(&buffers[back])
        let previous = middle.exchange(back | Self.fresh, ordering: .acquiringAndReleasing)
        back = previous & 3
    }

    /// Reader (control loop): the newest report if one arrived since the last call.
    func read(_ use: (LightReport) -> Void) {
        guard middle.load(ordering: .relaxed) & Self.fresh != 0 else { return }
        let previous = middle.exchange(front, ordering: .acquiringAndReleasing)
        front = previous & 3
        use(buffers[front])
    }
}
