import Atomics
import Foundation
import Logging
import RaveboxAudio
import RaveboxCore
import RaveboxDSP
import RaveboxIPC
import RaveboxLights
import Synchronization

/// The engine's analysis and light thread: it analyses what is heard (``LiveAnalysis``) and sends every LED
/// output its frames at the output's own rate, the WLED audio-sync packets and the onboard LEDs' states.
///
/// A frame shows the analysis of the sound heard at that moment (the tap stamps when each sample sounds), and
/// an output that falls behind skips to the present instead of queueing frames. An output whose device is
/// missing or fails gets one log line (with the path and what to check) and is tried again every
/// ``retryInterval`` seconds; the others keep running. Per frame nothing allocates or locks: settings arrive
/// through a version counter and are copied under a lock only when they changed.
@_spi(Benchmark) public final class LightThread: @unchecked Sendable {
    // @unchecked: after `start`, `slots`, `input`, the histograms and the senders belong to the thread alone;
    // the control loop talks to it only through `controls` (locked, rarely), the atomics and the `report` mailbox,
    // the screen only through the `spectrum` mailbox; `outputCount` is immutable.

    /// What the control loop sets: each output's settings, party mode and its program.
    struct Controls {
        var settings: [String: LightSettings] = [:]
        var partyProgram: LightProgram?
        var partyActive = false
    }

    /// Seconds between two attempts to open a failed output.
    static let retryInterval = 5.0
    /// How often the thread wakes at least (the analysis runs on every wake; an output's frame wakes it sooner).
    static let idleTick: UInt64 = 10_000_000

    private struct Slot {
        let configuration: LEDOutputConfiguration
        let layout: StripLayout
        let periodNanos: UInt64
        var output: (any LEDOutput)?
        var renderer = LightRenderer()
        let picture: UnsafeMutableBufferPointer<LEDColor>
        let strip: UnsafeMutableBufferPointer<LEDColor>
        var nextDue: UInt64 = 0
        var lastBeatCount = 0
        var strongestBeat: Float = 0
        var failure: String?
        var retryAt: UInt64 = 0
    }

    /// The analysis and the LEDs' state, for the control loop.
    let report: LightReportMailbox
    /// The spectrum, for the screen thread.
    let spectrum: SpectrumMailbox
    /// Number of LED outputs driven.
    let outputCount: Int
    /// Monotonic nanoseconds when the sounding alarm started, 0 when none.
    let alarmStart = ManagedAtomic<UInt64>(0)
    /// Until when (monotonic nanoseconds) the activity LED is lit for a guest's request.
    let activityUntil = ManagedAtomic<UInt64>(0)

    private let analysis: LiveAnalysis?
    private let tap: @Sendable () -> AnalysisTap?
    private let makeOutput: (LEDOutputConfiguration) throws -> any LEDOutput
    private let onStatus: (String, String) -> Void
    private let logger: Logger
    private var slots: [Slot]
    private var input: LightInput
    private let controls = Mutex(Controls())
    private let controlsVersion = ManagedAtomic<Int>(0)
    private var seenControlsVersion = -1
    private var current = Controls()
    private var latency = LatencyHistogram(bucketMicros: 50, buckets: 4_000, lowestMicros: 0)
    private var lag = LatencyHistogram(bucketMicros: 50, buckets: 4_000, lowestMicros: -100_000)
    private var nextStatistics: UInt64 = 0
    private var ledFrames: UInt64 = 0
    private var audioSync: AudioSyncSender?
    private let onboard: OnboardLEDs?
    private let stopping = ManagedAtomic<Bool>(false)
    private let finished = DispatchSemaphore(value: 0)
    private var started = false

    /// - Parameters:
    ///   - outputs: the LED outputs from the configuration.
    ///   - analysis: the analysis of what is heard; without it programs see silence.
    ///   - tap: where the analysis reads from (the capture input or the player), asked on every pass.
    ///   - makeOutput: opens an output's device or socket (called again after a failure).
    ///   - makeAudioSync: opens the WLED audio sync sender, nil when it is off.
    ///   - onboard: the Pi's onboard LEDs, nil when off or absent.
    ///   - onStatus: told `(output name, "")` when an output works and `(name, reason)` when it fails; called on
    ///     the light thread, only on a change.
    init(
        outputs: [LEDOutputConfiguration], analysis: LiveAnalysis?, tap: @escaping @Sendable () -> AnalysisTap?,
        makeOutput: @escaping (LEDOutputConfiguration) throws -> any LEDOutput,
        makeAudioSync: (() throws -> WLEDAudioSync)?, onboard: OnboardLEDs?,
        onStatus: @escaping (String, String) -> Void, logger: Logger
    ) {
        self.analysis = analysis
        self.tap = tap
        self.makeOutput = makeOutput
        self.onboard = onboard
        self.onStatus = onStatus
        self.logger = logger
        let bandCount = analysis?.analyzer.configuration.bandCount ?? 64
        report = LightReportMailbox { LightReport(bandCount: bandCount) }
        spectrum = SpectrumMailbox { SpectrumFrame(bandCount: bandCount) }
        outputCount = outputs.count
        input = LightInput(bandCount: bandCount)
        slots = outputs.map { configuration in
            let count = configuration.ledCount
            let picture = UnsafeMutableBufferPointer<LEDColor>.allocate(capacity: count)
            picture.initialize(repeating: .black)
            let strip = UnsafeMutableBufferPointer<LEDColor>.allocate(capacity: count)
            strip.initialize(repeating: .black)
            return Slot(
                configuration: configuration,
                layout: StripLayout(ledCount: count, offset: configuration.offset, reverse: configuration.reverse),
                periodNanos: UInt64(1e9 / max(1, configuration.framesPerSecond)), picture: picture, strip: strip)
        }
        if let makeAudioSync, let analysis {
            audioSync = AudioSyncSender(
                open: makeAudioSync, bandFrequencies: analysis.analyzer.bandFrequencies,
                retryNanos: UInt64(Self.retryInterval * 1e9), logger: logger)
        }
    }

    deinit {
        for slot in slots {
            slot.picture.deallocate()
            slot.strip.deallocate()
        }
    }

    /// Hands new settings to the thread; it applies them before its next frame.
    func update(_ newControls: Controls) {
        controls.withLock { $0 = newControls }
        controlsVersion.wrappingIncrement(ordering: .releasing)
    }

    /// Starts the thread.
    func start() {
        guard !started else { return }
        started = true
        let thread = Thread { [self] in
            run()
            finished.signal()
        }
        thread.name = "ravebox-lights"
        thread.start()
    }

    /// Stops the thread, blanks the outputs and gives the onboard LEDs back to the kernel.
    func stop() {
        guard started else { return }
        stopping.store(true, ordering: .releasing)
        finished.wait()
        started = false
    }

    // MARK: - The thread

    private func run() {
        openOutputs(now: Self.now())
        while !stopping.load(ordering: .acquiring) {
            let now = Self.now()
            pass(now: now)
            var wake = now + Self.idleTick
            for slot in slots where slot.output != nil { wake = min(wake, slot.nextDue) }
            Self.sleep(until: wake)
        }
        blank()
        onboard?.restore()
    }

    /// One pass at `now`: analysis, due frames, audio sync, onboard LEDs, report.
    @_spi(Benchmark) public func pass(now: UInt64) {
        applyControlsIfChanged()
        if let analysis {
            analysis.pass(tap: tap(), now: now)
            let analyzer = analysis.analyzer
            analyzer.bands.withUnsafeBufferPointer { input.setBands($0) }
            input.level = analyzer.level
            input.isSilent = analyzer.isSilent
        }
        input.time = Double(now) / 1e9
        let alarm = alarmStart.load(ordering: .relaxed)
        input.alarmFactor = alarm == 0 ? nil : AlarmEnvelope.factor(at: Double(now &- alarm) / 1e9)
        for index in slots.indices where now >= slots[index].nextDue {
            showFrame(index, now: now)
        }
        if let analysis { audioSync?.send(analysis.analyzer, now: now) }
        onboard?.update(
            activity: activityUntil.load(ordering: .relaxed) > now, alarmFactor: input.alarmFactor)
        if now >= nextStatistics {
            nextStatistics = now + 1_000_000_000
            publish()
        } else {
            publishAnalysis()
        }
    }

    private func showFrame(_ index: Int, now: UInt64) {
        // Keep the cadence while on time; a late output skips to the present instead of catching up.
        let period = slots[index].periodNanos
        let next = slots[index].nextDue + period
        slots[index].nextDue = next > now ? next : now + period
        guard let output = slots[index].output else {
            retry(index, now: now)
            return
        }
        let beats = analysis?.analyzer.beatCount ?? 0
        input.beat = beats != slots[index].lastBeatCount
        input.beatStrength = analysis?.analyzer.lastBeatStrength ?? 0
        slots[index].lastBeatCount = beats
        let slot = slots[index]
        slots[index].renderer.renderPicture(input, into: slot.picture)
        if index < Telemetry.previewOutputCapacity { recordPreview(index) }
        slot.renderer.finish(slot.picture)
        let frame: UnsafeMutableBufferPointer<LEDColor>
        if slot.layout.isIdentity {
            frame = slot.picture
        } else {
            slot.layout.place(UnsafeBufferPointer(slot.picture), into: slot.strip)
            frame = slot.strip
        }
        do {
            try output.show(UnsafeBufferPointer(frame))
        } catch {
            fail(index, error: error, now: now)
            return
        }
        ledFrames &+= 1
        let written = Self.now()
        if let analysis, analysis.newestHeardNanos > 0 {
            latency.record(micros: Int64(written) / 1000 - Int64(analysis.newestEnteredNanos) / 1000)
            lag.record(micros: Int64(written) / 1000 - Int64(analysis.newestHeardNanos) / 1000)
        }
    }

    private var previewScratch = [UInt32](repeating: 0, count: Telemetry.previewLEDCapacity)
    private var previewLengths = [Int](repeating: 0, count: Telemetry.previewOutputCapacity)
    private var previewColors = [UInt32](
        repeating: 0, count: Telemetry.previewOutputCapacity * Telemetry.previewLEDCapacity)

    /// Samples the output's picture (at most 64 LEDs, evenly spread) for the lights page, with its brightness.
    private func recordPreview(_ index: Int) {
        let slot = slots[index]
        let count = min(slot.picture.count, Telemetry.previewLEDCapacity)
        let brightness = slot.renderer.settings.brightness
        previewLengths[index] = count
        for position in 0..<count {
            let color = slot.picture[position * slot.picture.count / count].scaled(by: brightness)
            previewColors[index * Telemetry.previewLEDCapacity + position] =
                UInt32(color.red) << 16 | UInt32(color.green) << 8 | UInt32(color.blue)
        }
    }

    // MARK: - Failures

    /// Opens every output (the thread does at start; the benchmarks before their first pass).
    func openOutputs(now: UInt64) {
        for index in slots.indices { retry(index, now: now, force: true) }
    }

    private func retry(_ index: Int, now: UInt64, force: Bool = false) {
        guard force || now >= slots[index].retryAt else { return }
        let configuration = slots[index].configuration
        do {
            slots[index].output = try makeOutput(configuration)
            if slots[index].failure != nil {
                logger.notice("LED output \(configuration.name) (\(configuration.target)) works again")
            }
            slots[index].failure = nil
            onStatus(configuration.name, "")
        } catch {
            fail(index, error: error, now: now)
        }
    }

    private func fail(_ index: Int, error: any Error, now: UInt64) {
        let configuration = slots[index].configuration
        let reason = "\(error)"
        slots[index].output = nil
        slots[index].retryAt = now + UInt64(Self.retryInterval * 1e9)
        guard slots[index].failure != reason else { return }
        slots[index].failure = reason
        logger.error(
            "LED output \(configuration.name) (\(configuration.kind.rawValue)): \(reason); retrying every \(Int(Self.retryInterval)) s"
        )
        onStatus(configuration.name, reason)
    }

    // MARK: - Settings

    private func applyControlsIfChanged() {
        let version = controlsVersion.load(ordering: .acquiring)
        guard version != seenControlsVersion else { return }
        seenControlsVersion = version
        current = controls.withLock { $0 }
        for index in slots.indices {
            var settings = current.settings[slots[index].configuration.name] ?? LightSettings()
            if current.partyActive, let party = current.partyProgram, settings.program != .disabled {
                settings.program = party
            }
            if slots[index].renderer.settings != settings { slots[index].renderer.settings = settings }
        }
    }

    // MARK: - Reporting

    private func publishAnalysis() {
        guard let analysis else { return }
        let analyzer = analysis.analyzer
        publishSpectrum(analyzer)
        let frames = ledFrames
        report.write { report in
            fillAnalysis(&report, analyzer)
            report.ledFrames = frames
        }
    }

    private func publish() {
        let p50 = latency.percentile(0.5)
        let p99 = latency.percentile(0.99)
        let lagP50 = lag.percentile(0.5)
        latency.reset()
        lag.reset()
        let frames = ledFrames
        let analyzer = analysis?.analyzer
        if let analyzer { publishSpectrum(analyzer) }
        report.write { report in
            if let analyzer { fillAnalysis(&report, analyzer) }
            report.ledFrames = frames
            report.latencyP50Micros = UInt64(max(0, p50 ?? 0))
            report.latencyP99Micros = UInt64(max(0, p99 ?? 0))
            report.lagP50Micros = lagP50 ?? 0
        }
    }

    /// The spectrum for the screen, on every pass.
    private func publishSpectrum(_ analyzer: AudioAnalyzer) {
        spectrum.write { frame in
            analyzer.bands.withUnsafeBufferPointer { bands in
                for index in frame.bands.indices { frame.bands[index] = index < bands.count ? bands[index] : 0 }
            }
            frame.level = analyzer.level
        }
    }

    private func fillAnalysis(_ report: inout LightReport, _ analyzer: AudioAnalyzer) {
        analyzer.bands.withUnsafeBufferPointer { bands in
            for index in report.bands.indices { report.bands[index] = index < bands.count ? bands[index] : 0 }
        }
        report.level = analyzer.level
        report.beatCount = UInt64(analyzer.beatCount)
        report.beatStrength = analyzer.lastBeatStrength
        report.tempo = analyzer.tempo ?? 0
        for index in previewLengths.indices { report.previewLengths[index] = previewLengths[index] }
        for index in previewColors.indices { report.preview[index] = previewColors[index] }
    }

    /// Sends black to every working output (the box is stopping).
    private func blank() {
        for slot in slots {
            guard let output = slot.output else { continue }
            slot.strip.update(repeating: .black)
            try? output.show(UnsafeBufferPointer(slot.strip))
        }
    }

    // MARK: - Clock

    @_spi(Benchmark) public static func now() -> UInt64 { SharedSegment.monotonicNanos() }

    private static func sleep(until deadline: UInt64) {
        let now = Self.now()
        guard deadline > now else { return }
        var request = timespec(
            tv_sec: Int((deadline - now) / 1_000_000_000), tv_nsec: Int((deadline - now) % 1_000_000_000))
        var remaining = timespec()
        while nanosleep(&request, &remaining) != 0 && errno == EINTR { request = remaining }
    }
}
