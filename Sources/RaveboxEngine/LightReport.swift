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

/// What the light thread hands the screen after each pass: the spectrum and the level. Fixed size, filled in
/// place.
struct SpectrumFrame {
    var bands: [Float]
    var level: Float = 0

    init(bandCount: Int) {
        bands = [Float](repeating: 0, count: bandCount)
    }
}

/// The light thread's report to the control loop.
typealias LightReportMailbox = TripleBufferMailbox<LightReport>
/// The light thread's spectrum for the screen.
typealias SpectrumMailbox = TripleBufferMailbox<SpectrumFrame>
