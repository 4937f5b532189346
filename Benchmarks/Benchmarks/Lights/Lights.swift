import Benchmark
import RaveboxDSP
import RaveboxLights

// The realtime paths of the lights, one benchmark iteration = one unit of realtime work:
//
// - "Analysis-hop": `AudioAnalyzer.push` of exactly one hop (512 stereo frames at 48 kHz, window 2048,
//   64 bands), so every iteration runs one FFT, the bands, gain, onset and (every 8th hop) tempo.
// - "LED-frame-N-WS2812" / "LED-frame-N-APA102": `LightRenderer.render` of the `rave` program into a preallocated
//   frame of N LEDs (gamma 2.2, brightness 0.8), then the SPI encoding into a preallocated byte buffer.
//
// Both run on realtime threads and must not allocate; `mallocCountTotal` has an absolute tolerance of 0, so
// `swift package benchmark thresholds check` (against Thresholds/) and `baseline check` fail on a single
// allocation. Times get a relative tolerance; see docs/performance.md for the figures.
//
// No CPU-time metric: package-benchmark reads it from /proc (10 ms ticks, useless for a 5 µs hop), and reading
// the operating-system statistics allocates inside the measured window (16–18 mallocs per sample), which would
// hide the zero this suite is about. Wall-clock time of this single-threaded work is its CPU time; the CPU cost in
// real time is bench/analysis-vs-cava.sh's job.
//
// Names have no spaces: package-benchmark 1.38.1 writes Thresholds/ files with spaces turned into `_` but looks
// them up with the spaces, so a name with a space never finds its static thresholds.

/// Frames per second of the audio.
let sampleRate = 48_000
/// Light frames per second the LED inputs advance by (a typical LED frame rate).
let lightFrameRate = 60.0

let benchmarks: @Sendable () -> Void = {
    // No allocation at all, at any percentile: a regression of one malloc fails the check.
    let noAllocations = BenchmarkThresholds(absolute: BenchmarkThresholds.Absolute.strict)
    // Time may move by 25 % at the median and 50 % at p90 before a check fails; this 2-core machine is noisy, a
    // real regression (a second FFT, an allocation, a lock) is larger than that.
    let timeTolerance = BenchmarkThresholds(relative: [.p50: 25, .p90: 50])
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .mallocCountTotal],
        timeUnits: .nanoseconds,
        warmupIterations: 100,
        maxDuration: .seconds(2),
        maxIterations: 100_000,
        thresholds: [.wallClock: timeTolerance, .mallocCountTotal: noAllocations]
    )

    // 8 s of music, looped: 750 hops of 512 frames, on the beat grid, so the loop is seamless.
    let music = MusicLikeSignal.stereo(seconds: 8, sampleRate: sampleRate)
    let hop = 512

    Benchmark("Analysis-hop") { benchmark, state in
        for _ in benchmark.scaledIterations {
            blackHole(state.pushNextHop())
        }
    } setup: {
        try AnalysisState(music: music, hop: hop)
    }

    // Band snapshots as the light thread sees them: the analyzer's output every 1/60 s of the same music.
    let snapshots = try! BandSnapshots(music: music, frameRate: lightFrameRate)
    for ledCount in [300, 1000] {
        Benchmark("LED-frame-\(ledCount)-WS2812") { benchmark, state in
            for _ in benchmark.scaledIterations {
                blackHole(state.renderWS2812())
            }
        } setup: {
            LEDFrameState(ledCount: ledCount, colorOrder: .grb, snapshots: snapshots)
        }
        Benchmark("LED-frame-\(ledCount)-APA102") { benchmark, state in
            for _ in benchmark.scaledIterations {
                blackHole(state.renderAPA102())
            }
        } setup: {
            // APA102 strips take blue, green, red; the cost is the same for every order.
            LEDFrameState(ledCount: ledCount, colorOrder: .bgr, snapshots: snapshots)
        }
    }

    engineBenchmarks(music: music, noAllocations: noAllocations)
}

/// The analyzer in a steady state (gain set, onset and tempo histories full) and the looped music it eats.
final class AnalysisState {
    let analyzer: AudioAnalyzer
    private let pcm: UnsafeMutableBufferPointer<Int16>
    private let hopSamples: Int
    private var offset = 0

    init(music: [Int16], hop: Int) throws {
        var configuration = AnalyzerConfiguration()
        configuration.sampleRate = Double(sampleRate)
        configuration.windowSize = 2048
        configuration.hop = hop
        configuration.bandCount = 64
        analyzer = try AudioAnalyzer(configuration: configuration)
        pcm = .allocate(capacity: music.count)
        _ = pcm.initialize(from: music)
        hopSamples = 2 * hop
        precondition(music.count % hopSamples == 0, "the music must hold whole hops")
        // Run the analyzer through the whole loop once, so the histories are full before anything is measured.
        for _ in 0..<(music.count / hopSamples) { pushNextHop() }
    }

    deinit { pcm.deallocate() }

    /// Pushes the next hop of the loop; returns the number of analyses (always 1).
    @discardableResult
    func pushNextHop() -> Int {
        let hops = analyzer.push(UnsafeBufferPointer(rebasing: pcm[offset..<offset + hopSamples]), channels: 2)
        offset += hopSamples
        if offset == pcm.count { offset = 0 }
        return hops
    }
}

/// The analyzer's 64 bands, beat and silence flags sampled every light frame over the music loop.
struct BandSnapshots: Sendable {
    let bandCount = 64
    let count: Int
    let bands: [Float]
    let beats: [Bool]
    let beatStrengths: [Float]

    init(music: [Int16], frameRate: Double) throws {
        let state = try AnalysisState(music: music, hop: 512)
        let framesPerSnapshot = Double(sampleRate) / frameRate
        let totalFrames = music.count / 2
        count = Int(Double(totalFrames) / framesPerSnapshot)
        var bands = [Float]()
        var beats = [Bool]()
        var strengths = [Float]()
        var pushed = 0
        var chunk = [Int16]()
        for snapshot in 0..<count {
            let end = Int((Double(snapshot + 1) * framesPerSnapshot).rounded())
            chunk.removeAll(keepingCapacity: true)
            chunk.append(contentsOf: music[(2 * pushed)..<(2 * end)])
            var beat = false
            var strength: Float = 0
            // Push hop by hop to OR the beats together, as the engine does between two light frames.
            var start = 0
            while start < chunk.count {
                let stop = min(chunk.count, start + 1024)
                chunk.withUnsafeBufferPointer { all in
                    _ = state.analyzer.push(UnsafeBufferPointer(rebasing: all[start..<stop]), channels: 2)
                }
                if state.analyzer.beat {
                    beat = true
                    strength = max(strength, state.analyzer.beatStrength)
                }
                start = stop
            }
            pushed = end
            bands.append(contentsOf: state.analyzer.bands)
            beats.append(beat)
            strengths.append(strength)
        }
        self.bands = bands
        self.beats = beats
        beatStrengths = strengths
    }
}

/// One LED output's renderer, input, frame and wire buffers, all allocated up front like the light thread's.
final class LEDFrameState {
    private var renderer: LightRenderer
    private var input: LightInput
    private let frame: UnsafeMutableBufferPointer<LEDColor>
    private let ws2812: UnsafeMutableBufferPointer<UInt8>
    private let apa102: UnsafeMutableBufferPointer<UInt8>
    private let snapshots: BandSnapshots
    private var index = 0

    init(ledCount: Int, colorOrder: ColorOrder, snapshots: BandSnapshots) {
        renderer = LightRenderer(
            settings: LightSettings(program: .rave, brightness: 0.8, gamma: 2.2, colorOrder: colorOrder))
        input = LightInput(bandCount: snapshots.bandCount)
        frame = .allocate(capacity: ledCount)
        frame.initialize(repeating: .black)
        ws2812 = .allocate(capacity: WS2812SPIEncoding.byteCount(ledCount: ledCount, clock: .mhz3_2))
        ws2812.initialize(repeating: 0)
        apa102 = .allocate(capacity: APA102Encoding.byteCount(ledCount: ledCount, chip: .apa102))
        apa102.initialize(repeating: 0)
        self.snapshots = snapshots
    }

    deinit {
        frame.deallocate()
        ws2812.deallocate()
        apa102.deallocate()
    }

    /// The next light frame of the loop into the input, in place.
    private func advance() {
        let bandCount = snapshots.bandCount
        snapshots.bands.withUnsafeBufferPointer { all in
            input.setBands(UnsafeBufferPointer(rebasing: all[(index * bandCount)..<((index + 1) * bandCount)]))
        }
        input.beat = snapshots.beats[index]
        input.beatStrength = snapshots.beatStrengths[index]
        input.time += 1 / lightFrameRate
        index += 1
        if index == snapshots.count { index = 0 }
    }

    /// Renders one frame and encodes it for a WS2812 strip on SPI at 3.2 MHz; returns the bytes written.
    func renderWS2812() -> Int {
        advance()
        renderer.render(input, into: frame)
        return WS2812SPIEncoding.encode(UnsafeBufferPointer(frame), clock: .mhz3_2, into: ws2812)
    }

    /// Renders one frame and encodes it for an APA102 strip; returns the bytes written.
    func renderAPA102() -> Int {
        advance()
        renderer.render(input, into: frame)
        return APA102Encoding.encode(UnsafeBufferPointer(frame), chip: .apa102, into: apa102)
    }
}
