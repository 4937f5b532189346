import Foundation

/// Settings of an ``AudioAnalyzer``. Times are in seconds, frequencies in Hz, levels in dB.
///
/// The defaults suit 48 kHz music driving LEDs and the screen: 2048-sample windows every 512 samples
/// (one analysis every 10.7 ms), 32 log-spaced bands from 40 Hz to 16 kHz. Change what you need and let
/// ``AudioAnalyzer/init(configuration:)`` check the result:
///
/// ```swift
/// var configuration = AnalyzerConfiguration()
/// configuration.bandCount = 64
/// let analyzer = try AudioAnalyzer(configuration: configuration)
/// ```
public struct AnalyzerConfiguration: Sendable, Equatable {
    /// Frames per second of the pushed audio.
    public var sampleRate: Double = 48_000
    /// Samples per FFT window (a power of two is fastest).
    public var windowSize = 2048
    /// Frames between two analyses; `1...windowSize`.
    public var hop = 512
    /// Number of output bands; `16...256`.
    public var bandCount = 32
    /// Lower edge of the lowest band.
    public var minimumFrequency: Double = 40
    /// Upper edge of the highest band; at most half the sample rate.
    public var maximumFrequency: Double = 16_000
    /// Narrowest band allowed, so low bands are never empty; `nil` means 1.5 FFT bins (35 Hz at 48 kHz / 2048).
    /// At least one FFT bin wide.
    public var minimumBandWidthHz: Double?
    /// Time constant with which a band rises towards a louder value (smoothing for the eye).
    public var riseTime: Double = 0.02
    /// Time constant with which a band falls towards a quieter value.
    public var fallTime: Double = 0.25
    /// dB below the automatic gain's reference that map to 0; the reference maps to 1.
    public var dynamicRange: Double = 40
    /// Largest boost of the automatic gain: signals quieter than `-maximumGain` dBFS are not raised further,
    /// so hiss between songs does not light everything up.
    public var maximumGain: Double = 50
    /// Time constant with which the gain reference follows a louder signal (fast, so loud songs never clip).
    public var gainAttackTime: Double = 0.05
    /// Time constant with which the gain reference follows a quieter signal (slow, so quiet passages stay quiet).
    public var gainReleaseTime: Double = 5
    /// RMS level (dBFS, over all channels) below which a hop counts as quiet.
    public var silenceThreshold: Double = -60
    /// ``AudioAnalyzer/isSilent`` becomes true once the signal has stayed quiet for longer than this.
    public var silenceHoldTime: Double = 0.5
    /// Bands whose lower edge is below this frequency feed the onset detector (kick, bass, snare, voice).
    public var onsetMaximumFrequency: Double = 4_000
    /// Length of the flux history whose mean and deviation set the onset threshold.
    public var onsetHistoryTime: Double = 1
    /// An onset needs a flux above `onsetRatio × median + onsetSensitivity × deviation` of the recent history
    /// (deviation: median absolute deviation × 1.4826, which equals the standard deviation for Gaussian noise).
    public var onsetSensitivity: Double = 3
    /// See ``onsetSensitivity``; at least 1.
    public var onsetRatio: Double = 1.5
    /// Smallest flux (mean rise of the 0...1 onset bands within one hop) that can count as an onset.
    public var onsetMinimumFlux: Double = 0.02
    /// Shortest time between two beats; at least 0.1 s (a beat every 100 ms is already 600 BPM).
    public var beatRefractoryTime: Double = 0.1
    /// Tempos that ``AudioAnalyzer/tempo`` may report, in BPM; faster or slower music reports a multiple.
    public var tempoRange: ClosedRange<Double> = 60...180
    /// Length of the flux history whose autocorrelation gives the tempo.
    public var tempoHistoryTime: Double = 6
    /// Normalised autocorrelation (0...1) the tempo peak needs before ``AudioAnalyzer/tempo`` reports it.
    public var tempoConfidenceThreshold: Double = 0.25

    public init() {}

    /// Width of one FFT bin.
    public var binWidth: Double { sampleRate / Double(windowSize) }

    /// Seconds between two analyses.
    public var hopDuration: Double { Double(hop) / sampleRate }

    /// The minimum band width actually used: ``minimumBandWidthHz`` or 1.5 bins.
    public var effectiveMinimumBandWidth: Double { minimumBandWidthHz ?? 1.5 * binWidth }

    /// Throws the first setting that is out of range, with what it must be.
    public func validate() throws(AnalyzerConfigurationError) {
        typealias Failure = AnalyzerConfigurationError
        func require(_ condition: Bool, _ name: String, _ value: Any, _ requirement: String) throws(Failure) {
            if !condition { throw .invalidSetting(name: name, value: "\(value)", requirement: requirement) }
        }
        try require(sampleRate.isFinite && sampleRate >= 8_000, "sampleRate", sampleRate, "at least 8000 Hz")
        try require(windowSize >= 64 && windowSize <= 1 << 16, "windowSize", windowSize, "in 64...65536")
        try require(hop >= 1 && hop <= windowSize, "hop", hop, "in 1...windowSize (\(windowSize))")
        try require((16...256).contains(bandCount), "bandCount", bandCount, "in 16...256")
        try require(minimumFrequency > 0, "minimumFrequency", minimumFrequency, "above 0 Hz")
        try require(
            maximumFrequency > minimumFrequency && maximumFrequency <= sampleRate / 2, "maximumFrequency",
            maximumFrequency, "above minimumFrequency (\(minimumFrequency)) and at most sampleRate / 2")
        try require(
            effectiveMinimumBandWidth >= binWidth, "minimumBandWidthHz", effectiveMinimumBandWidth,
            "at least one FFT bin (sampleRate / windowSize = \(binWidth) Hz)")
        try require(
            Double(bandCount) * effectiveMinimumBandWidth <= maximumFrequency - minimumFrequency, "bandCount",
            bandCount,
            "small enough that bandCount × minimumBandWidthHz (\(effectiveMinimumBandWidth) Hz) fits between "
                + "minimumFrequency and maximumFrequency")
        for (name, value) in [
            ("riseTime", riseTime), ("fallTime", fallTime), ("gainAttackTime", gainAttackTime),
            ("gainReleaseTime", gainReleaseTime), ("silenceHoldTime", silenceHoldTime),
        ] {
            try require(value.isFinite && value >= 0, name, value, "a finite number of seconds >= 0")
        }
        try require(dynamicRange >= 6 && dynamicRange <= 120, "dynamicRange", dynamicRange, "in 6...120 dB")
        try require(maximumGain >= 0 && maximumGain <= 120, "maximumGain", maximumGain, "in 0...120 dB")
        try require(silenceThreshold < 0, "silenceThreshold", silenceThreshold, "below 0 dBFS")
        try require(
            onsetMaximumFrequency > minimumFrequency, "onsetMaximumFrequency", onsetMaximumFrequency,
            "above minimumFrequency (\(minimumFrequency))")
        try require(
            onsetHistoryTime >= 2 * hopDuration && onsetHistoryTime <= 10, "onsetHistoryTime", onsetHistoryTime,
            "at least two hops and at most 10 s")
        try require(onsetSensitivity >= 0, "onsetSensitivity", onsetSensitivity, ">= 0")
        try require(onsetRatio >= 1, "onsetRatio", onsetRatio, ">= 1")
        try require(onsetMinimumFlux >= 0, "onsetMinimumFlux", onsetMinimumFlux, ">= 0")
        try require(
            beatRefractoryTime >= 0.1 && beatRefractoryTime <= 2, "beatRefractoryTime", beatRefractoryTime,
            "in 0.1...2 s")
        try require(
            tempoRange.lowerBound >= 20 && tempoRange.upperBound <= 400
                && tempoRange.upperBound >= 1.5 * tempoRange.lowerBound, "tempoRange", tempoRange,
            "within 20...400 BPM and spanning at least a factor 1.5")
        try require(
            tempoHistoryTime >= 3 * 60 / tempoRange.lowerBound && tempoHistoryTime <= 30, "tempoHistoryTime",
            tempoHistoryTime, "long enough for three beats at the slowest tempo and at most 30 s")
        try require(
            (0...1).contains(tempoConfidenceThreshold), "tempoConfidenceThreshold", tempoConfidenceThreshold,
            "in 0...1")
    }
}

/// A setting of ``AnalyzerConfiguration`` that the analyzer cannot work with.
public enum AnalyzerConfigurationError: Error, Equatable, CustomStringConvertible {
    case invalidSetting(name: String, value: String, requirement: String)

    public var description: String {
        switch self {
        case .invalidSetting(let name, let value, let requirement):
            "analyzer setting \(name) = \(value) is invalid: it must be \(requirement)"
        }
    }
}

/// Turns a stream of PCM frames into what the lights and the screen show: bands, level, silence, beats, tempo.
///
/// Pure signal code (no I/O, no threads, no logging). Everything is allocated in `init`; ``push(_:channels:)``
/// then neither allocates nor locks, so it can run on the realtime analysis thread. One instance is used by
/// one thread at a time.
///
/// Each hop (``AnalyzerConfiguration/hop`` new frames) runs one analysis of the last
/// ``AnalyzerConfiguration/windowSize`` frames:
///
/// - **Bands**: the Hann-windowed magnitude spectrum (``Spectrum``) is summed into log-spaced bands (low bands
///   widened to at least ``AnalyzerConfiguration/effectiveMinimumBandWidth`` so none is empty). Band energy in
///   dB goes through one automatic gain shared by all bands, so the spectral shape survives: its reference follows
///   the loudest band with a fast attack and a slow release, the reference maps to 1 and
///   ``AnalyzerConfiguration/dynamicRange`` dB below it to 0. Each band is then smoothed with separate rise and
///   fall time constants.
/// - **Beats**: spectral flux, the mean positive rise of the (unsmoothed, gain-normalised) low and mid bands from
///   one hop to the next. A hop is a beat when its flux exceeds `ratio × median + k × deviation` (robust
///   statistics: median absolute deviation) of the last ``AnalyzerConfiguration/onsetHistoryTime`` of flux, and
///   ``AnalyzerConfiguration/onsetMinimumFlux``, at least ``AnalyzerConfiguration/beatRefractoryTime`` after the
///   previous beat. ``beatCount`` counts them, so none is lost when one push runs several hops.
/// - **Tempo**: every 8 hops, the autocorrelation of the last ``AnalyzerConfiguration/tempoHistoryTime`` of flux
///   over the lags of ``AnalyzerConfiguration/tempoRange``, weighted by a log-Gaussian preference for 120 BPM
///   (one octave wide) against octave errors; the best lag, refined by parabolic interpolation, is the tempo when
///   its normalised autocorrelation reaches ``AnalyzerConfiguration/tempoConfidenceThreshold`` and two estimates
///   in a row agree within 4 %. After that, estimates within 4 % are followed smoothly.
///
/// ```swift
/// let analyzer = try AudioAnalyzer(configuration: AnalyzerConfiguration())
/// var beatsShown = 0
/// period.withUnsafeBufferPointer { frames in
///     guard analyzer.push(frames, channels: 2) > 0 else { return }
///     // A period may hold several hops, and `beat` tells only of the last one: count instead.
///     let newBeat = analyzer.beatCount != beatsShown
///     beatsShown = analyzer.beatCount
///     lights.show(analyzer.bands, beat: newBeat, strength: analyzer.lastBeatStrength)
/// }
/// ```
public final class AudioAnalyzer {
    /// The settings this analyzer was made with.
    public let configuration: AnalyzerConfiguration
    /// Frequency range of each band (lower..<upper, Hz), lowest first.
    public let bandFrequencies: [Range<Double>]

    /// ``AnalyzerConfiguration/bandCount`` values in 0...1, lowest band first, after the latest hop.
    ///
    /// Updated in place, so reading it does not allocate. Keeping a copy of the array across hops makes the next
    /// hop copy it (one allocation); copy the values out instead where that matters.
    public private(set) var bands: [Float]
    /// Overall loudness in 0...1: RMS level through the same kind of automatic gain and smoothing as the bands.
    public private(set) var level: Float = 0
    /// True once the RMS level has stayed below ``AnalyzerConfiguration/silenceThreshold`` for longer than
    /// ``AnalyzerConfiguration/silenceHoldTime``; bands and level then fall to 0, no beats, no tempo.
    public private(set) var isSilent = false
    /// True on the hop where an onset (beat) was detected, false on all others.
    ///
    /// The beat belongs to the end of that hop; the onset itself happened shortly before. A sound right at the end
    /// of a hop barely shows through the Hann window's tapered edge and is found one hop later, so the report
    /// lags the onset by up to a hop plus about 2 ms: with clicks at 48 kHz, 1.4...12.5 ms at hop 512 and
    /// 0.8...6.8 ms at hop 256 (measured over every position of the click within a hop). Slower attacks lag more
    /// (a 60 Hz kick over noise: up to 18 ms at hop 512).
    public private(set) var beat = false
    /// Strength of the current hop's beat in 0...1 (1 = as strong as the strongest flux of the last
    /// ``AnalyzerConfiguration/onsetHistoryTime``); 0 when ``beat`` is false.
    public private(set) var beatStrength: Float = 0
    /// Number of beats detected since `init`: one more on every hop where ``beat`` is true.
    ///
    /// A caller that pushes several hops at once sees only the last hop's ``beat``; comparing this count with the
    /// one before the push tells it how many beats it would otherwise have missed.
    public private(set) var beatCount = 0
    /// ``beatStrength`` of the most recent beat, kept until the next one (0 before the first).
    public private(set) var lastBeatStrength: Float = 0
    /// Tempo estimate in BPM within ``AnalyzerConfiguration/tempoRange``; nil until confident, during silence, and
    /// after about two seconds without a confident estimate.
    public private(set) var tempo: Double?
    /// Normalised autocorrelation (0...1) of the latest tempo estimate: how periodic the flux is.
    public private(set) var tempoConfidence: Float = 0
    /// Number of analyses run since `init`.
    public private(set) var hopsProcessed = 0
    /// Onset flux of the latest hop (for tests and tuning).
    private(set) var flux: Float = 0

    private let spectrum: Spectrum
    private let windowSize: Int
    private let hop: Int
    private let bandCount: Int
    /// First FFT bin and one past the last FFT bin of each band.
    private let bandBinStart: [Int]
    private let bandBinEnd: [Int]
    /// Scales a squared FFT magnitude so that a full-scale sine reads about 0 dB.
    private let powerScale: Float
    /// Number of low and mid bands that feed the flux (the first ones).
    private let onsetBandCount: Int

    private let riseCoefficient: Float
    private let fallCoefficient: Float
    private let attackCoefficient: Float
    private let releaseCoefficient: Float
    private let dynamicRange: Float
    private let gainFloor: Float
    private let silenceThreshold: Float
    private let silenceHoldHops: Int
    private let onsetSensitivity: Float
    private let onsetRatio: Float
    private let onsetMinimumFlux: Float
    private let refractoryHops: Int

    /// Mono samples, each written twice (at `i` and `i + windowSize`) so the latest window is always contiguous.
    private let samples: UnsafeMutableBufferPointer<Float>
    private var writeIndex = 0
    private var framesInHop = 0
    /// Sum of squared Int16 samples (all channels) of the current hop, and their count.
    private var hopSquares = 0
    private var hopSampleCount = 0

    /// Per band: the gain-normalised value of this hop and of the previous one, before smoothing.
    private let targets: UnsafeMutableBufferPointer<Float>
    private let previousTargets: UnsafeMutableBufferPointer<Float>
    private let bandLevels: UnsafeMutableBufferPointer<Float>
    /// Automatic gain references (dB) of the bands and of the level.
    private var bandReference: Float
    private var levelReference: Float
    private var gainIsSet = false
    private var quietHops = 0
    private var hopsSinceBeat = Int.max / 2

    /// Ring of the last `onsetHistoryTime` of flux values.
    private let onsetHistory: UnsafeMutableBufferPointer<Float>
    private let onsetScratch: UnsafeMutableBufferPointer<Float>
    private var onsetHistoryIndex = 0
    private var onsetHistoryCount = 0

    /// Ring of the last `tempoHistoryTime` of flux values, a linear copy of it, and autocorrelation by lag.
    private let tempoHistory: UnsafeMutableBufferPointer<Float>
    private let tempoScratch: UnsafeMutableBufferPointer<Float>
    private let autocorrelation: UnsafeMutableBufferPointer<Float>
    /// Preference for each lag (log-Gaussian around 120 BPM).
    private let tempoWeights: [Float]
    private let minimumLag: Int
    private let maximumLag: Int
    private let hopsPerMinute: Double
    private var tempoHistoryIndex = 0
    private var tempoHistoryCount = 0
    private let tempoMinimumHistory: Int
    private var tempoMisses = 0
    private var tempoCandidate: Double?
    private let tempoMaximumMisses: Int

    /// Hops between two tempo estimates.
    private static let tempoInterval = 8

    /// Allocates every buffer the analysis needs. Throws when a setting is out of range.
    public init(configuration: AnalyzerConfiguration) throws(AnalyzerConfigurationError) {
        try configuration.validate()
        self.configuration = configuration
        windowSize = configuration.windowSize
        hop = configuration.hop
        bandCount = configuration.bandCount
        spectrum = Spectrum(size: windowSize)

        let edges = Self.bandEdges(configuration)
        bandFrequencies = (0..<bandCount).map { edges[$0]..<edges[$0 + 1] }
        let binWidth = configuration.binWidth
        let lastBin = windowSize / 2
        var starts = [Int]()
        var ends = [Int]()
        for band in 0..<bandCount {
            // Bin k (centre k × binWidth) belongs to the band whose range holds its centre.
            let start = min(Int((edges[band] / binWidth).rounded(.up)), lastBin)
            var end = min(Int((edges[band + 1] / binWidth).rounded(.up)), lastBin + 1)
            if band == bandCount - 1, edges[band + 1] / binWidth == (edges[band + 1] / binWidth).rounded() {
                end = min(end + 1, lastBin + 1)  // include a bin sitting exactly on the top edge
            }
            starts.append(start)
            ends.append(max(end, start + 1))
        }
        bandBinStart = starts
        bandBinEnd = ends

        var windowSum = 0.0
        for index in 0..<windowSize {
            windowSum += 0.5 - 0.5 * cos(2 * Double.pi * Double(index) / Double(windowSize - 1))
        }
        // A sine of amplitude A peaks at A × windowSum / 2 in its bin.
        powerScale = Float(4 / (windowSum * windowSum))
        onsetBandCount = max(1, edges.dropLast().filter { $0 < configuration.onsetMaximumFrequency }.count)

        let hopDuration = configuration.hopDuration
        func coefficient(_ time: Double) -> Float { time <= 0 ? 1 : Float(1 - exp(-hopDuration / time)) }
        riseCoefficient = coefficient(configuration.riseTime)
        fallCoefficient = coefficient(configuration.fallTime)
        attackCoefficient = coefficient(configuration.gainAttackTime)
        releaseCoefficient = coefficient(configuration.gainReleaseTime)
        dynamicRange = Float(configuration.dynamicRange)
        gainFloor = Float(-configuration.maximumGain)
        bandReference = gainFloor
        levelReference = gainFloor
        silenceThreshold = Float(configuration.silenceThreshold)
        silenceHoldHops = Int(configuration.silenceHoldTime / hopDuration)
        onsetSensitivity = Float(configuration.onsetSensitivity)
        onsetRatio = Float(configuration.onsetRatio)
        onsetMinimumFlux = Float(configuration.onsetMinimumFlux)
        refractoryHops = Int((configuration.beatRefractoryTime / hopDuration).rounded(.up))

        samples = .allocate(capacity: 2 * windowSize)
        samples.initialize(repeating: 0)
        bands = [Float](repeating: 0, count: bandCount)
        targets = .allocate(capacity: bandCount)
        targets.initialize(repeating: 0)
        previousTargets = .allocate(capacity: bandCount)
        previousTargets.initialize(repeating: 0)
        bandLevels = .allocate(capacity: bandCount)
        bandLevels.initialize(repeating: 0)
        onsetHistory = .allocate(capacity: max(2, Int((configuration.onsetHistoryTime / hopDuration).rounded())))
        onsetHistory.initialize(repeating: 0)
        onsetScratch = .allocate(capacity: onsetHistory.count)
        onsetScratch.initialize(repeating: 0)

        hopsPerMinute = 60 / hopDuration
        minimumLag = max(1, Int((hopsPerMinute / configuration.tempoRange.upperBound).rounded(.down)))
        maximumLag = Int((hopsPerMinute / configuration.tempoRange.lowerBound).rounded(.up))
        let historyLength = max(
            maximumLag + 2, Int((configuration.tempoHistoryTime / hopDuration).rounded()))
        tempoHistory = .allocate(capacity: historyLength)
        tempoHistory.initialize(repeating: 0)
        tempoScratch = .allocate(capacity: historyLength)
        tempoScratch.initialize(repeating: 0)
        autocorrelation = .allocate(capacity: maximumLag + 2)
        autocorrelation.initialize(repeating: 0)
        tempoWeights = (0...maximumLag + 1).map { lag in
            guard lag > 0 else { return 0 }
            let octaves = log2(60 / hopDuration / Double(lag) / 120)
            return Float(exp(-0.5 * octaves * octaves))
        }
        // Three beats at the slowest tempo, and at least 3 s.
        tempoMinimumHistory = min(historyLength, max(3 * maximumLag, Int(3 / hopDuration)))
        tempoMaximumMisses = Int(2 / (hopDuration * Double(Self.tempoInterval)))
    }

    deinit {
        samples.deallocate()
        targets.deallocate()
        previousTargets.deallocate()
        bandLevels.deallocate()
        onsetHistory.deallocate()
        onsetScratch.deallocate()
        tempoHistory.deallocate()
        tempoScratch.deallocate()
        autocorrelation.deallocate()
    }

    /// Feeds interleaved 16-bit frames (`samples.count` must be a multiple of `channels`), mixed to mono, and runs
    /// one analysis each time ``AnalyzerConfiguration/hop`` frames have arrived since the previous one.
    ///
    /// The window starts out as silence, so pushing `n` frames in total, in any chunking, has run exactly
    /// `n / hop` (rounded down) analyses; the first ones see a window that is partly the initial silence.
    /// Outputs describe the latest analysis. Called on the analysis thread; does not allocate or lock.
    ///
    /// - Returns: The number of analyses this call ran (0 when fewer than a hop's frames completed).
    @discardableResult
    public func push(_ samples: UnsafeBufferPointer<Int16>, channels: Int) -> Int {
        precondition(channels >= 1, "channels must be at least 1, not \(channels)")
        precondition(
            samples.count % channels == 0,
            "\(samples.count) samples are not whole frames of \(channels) channels")
        let frames = samples.count / channels
        let scale = 1 / (32_768 * Float(channels))
        var index = 0
        var hops = 0
        for _ in 0..<frames {
            var sum = 0
            var squares = 0
            for _ in 0..<channels {
                let sample = Int(samples[index])
                sum += sample
                squares += sample * sample
                index += 1
            }
            let mono = Float(sum) * scale
            self.samples[writeIndex] = mono
            self.samples[writeIndex + windowSize] = mono
            writeIndex += 1
            if writeIndex == windowSize { writeIndex = 0 }
            hopSquares += squares
            hopSampleCount += channels
            framesInHop += 1
            if framesInHop == hop {
                analyze()
                hops += 1
                framesInHop = 0
                hopSquares = 0
                hopSampleCount = 0
            }
        }
        return hops
    }

    /// Convenience for tests and tools: pushes an array of interleaved frames.
    @discardableResult
    public func push(_ samples: [Int16], channels: Int) -> Int {
        samples.withUnsafeBufferPointer { push($0, channels: channels) }
    }

    // MARK: - One hop

    private func analyze() {
        spectrum.analyze(UnsafeBufferPointer(rebasing: samples[writeIndex..<writeIndex + windowSize]))

        // RMS over all channels of this hop's frames, in dBFS.
        let meanSquare = Double(hopSquares) / (Double(max(1, hopSampleCount)) * 32_768 * 32_768)
        let rms = Float(10 * log10(max(meanSquare, 1e-12)))
        let isQuiet = rms < silenceThreshold
        quietHops = isQuiet ? quietHops + 1 : 0
        isSilent = quietHops > silenceHoldHops

        // Band energies in dB.
        var loudestBand = -Float.infinity
        spectrum.magnitudes.withUnsafeBufferPointer { magnitudes in
            for band in 0..<bandCount {
                var energy: Float = 0
                for bin in bandBinStart[band]..<bandBinEnd[band] { energy += magnitudes[bin] * magnitudes[bin] }
                let decibels = 10 * log10(max(energy * powerScale, 1e-12))
                bandLevels[band] = decibels
                loudestBand = max(loudestBand, decibels)
            }
        }

        // Automatic gain: frozen while quiet, so a pause between songs keeps the gain of the last song.
        if !isQuiet && !gainIsSet {
            // The first sound jumps the gain to its level instead of flashing everything at full brightness.
            bandReference = max(loudestBand, gainFloor)
            levelReference = max(rms, gainFloor)
            gainIsSet = true
        } else if !isQuiet {
            bandReference = follow(bandReference, towards: max(loudestBand, gainFloor))
            levelReference = follow(levelReference, towards: max(rms, gainFloor))
        }

        // Gain-normalised targets and the flux of the low and mid bands.
        var flux: Float = 0
        let bottom = bandReference - dynamicRange
        for band in 0..<bandCount {
            let target = isSilent ? 0 : min(1, max(0, (bandLevels[band] - bottom) / dynamicRange))
            if band < onsetBandCount { flux += max(0, target - previousTargets[band]) }
            previousTargets[band] = target
            targets[band] = target
        }
        flux /= Float(onsetBandCount)
        self.flux = flux

        detectBeat(flux: flux)
        trackTempo(flux: flux)

        // Smoothing for the eye.
        bands.withUnsafeMutableBufferPointer { bands in
            for band in 0..<bandCount { bands[band] = smooth(bands[band], towards: targets[band]) }
        }
        let levelTarget =
            isSilent ? 0 : min(1, max(0, (rms - (levelReference - dynamicRange)) / dynamicRange))
        level = smooth(level, towards: levelTarget)
        hopsProcessed += 1
    }

    private func follow(_ reference: Float, towards value: Float) -> Float {
        reference + (value - reference) * (value > reference ? attackCoefficient : releaseCoefficient)
    }

    private func smooth(_ value: Float, towards target: Float) -> Float {
        value + (target - value) * (target > value ? riseCoefficient : fallCoefficient)
    }

    // MARK: - Onsets

    private func detectBeat(flux: Float) {
        // Threshold from the history before this hop, with robust statistics so one huge onset (or the start of
        // a song) does not deafen the detector for a second: ratio × median + k × deviation, where the deviation
        // is the median absolute deviation scaled to a Gaussian standard deviation.
        var strongest = flux
        for index in 0..<onsetHistoryCount {
            onsetScratch[index] = onsetHistory[index]
            strongest = max(strongest, onsetHistory[index])
        }
        let median = Self.median(UnsafeMutableBufferPointer(rebasing: onsetScratch[0..<onsetHistoryCount]))
        for index in 0..<onsetHistoryCount { onsetScratch[index] = abs(onsetScratch[index] - median) }
        let deviation =
            1.4826 * Self.median(UnsafeMutableBufferPointer(rebasing: onsetScratch[0..<onsetHistoryCount]))
        let threshold = max(onsetRatio * median + onsetSensitivity * deviation, onsetMinimumFlux)

        hopsSinceBeat += 1
        beat = !isSilent && flux > threshold && hopsSinceBeat >= refractoryHops
        if beat {
            hopsSinceBeat = 0
            beatStrength = strongest > median ? min(1, max(0, (flux - median) / (strongest - median))) : 1
            beatCount += 1
            lastBeatStrength = beatStrength
        } else {
            beatStrength = 0
        }

        onsetHistory[onsetHistoryIndex] = flux
        onsetHistoryIndex = (onsetHistoryIndex + 1) % onsetHistory.count
        onsetHistoryCount = min(onsetHistoryCount + 1, onsetHistory.count)
    }

    /// Median of `values` (0 when empty), found in place by quickselect; reorders `values`.
    static func median(_ values: UnsafeMutableBufferPointer<Float>) -> Float {
        guard !values.isEmpty else { return 0 }
        let middle = values.count / 2
        var low = 0
        var high = values.count - 1
        while low < high {
            let pivot = values[(low + high) / 2]
            var left = low
            var right = high
            while left <= right {
                while values[left] < pivot { left += 1 }
                while values[right] > pivot { right -= 1 }
                if left <= right {
                    values.swapAt(left, right)
                    left += 1
                    right -= 1
                }
            }
            if middle <= right {
                high = right
            } else if middle >= left {
                low = left
            } else {
                break
            }
        }
        return values[middle]
    }

    // MARK: - Tempo

    private func trackTempo(flux: Float) {
        if isSilent {
            tempoHistoryCount = 0
            tempoHistoryIndex = 0
            tempo = nil
            tempoCandidate = nil
            tempoConfidence = 0
            return
        }
        tempoHistory[tempoHistoryIndex] = flux
        tempoHistoryIndex = (tempoHistoryIndex + 1) % tempoHistory.count
        tempoHistoryCount = min(tempoHistoryCount + 1, tempoHistory.count)
        guard hopsProcessed % Self.tempoInterval == 0, tempoHistoryCount >= tempoMinimumHistory else { return }

        // Oldest first, mean removed.
        let count = tempoHistoryCount
        var start = tempoHistoryIndex - count
        if start < 0 { start += tempoHistory.count }
        var mean: Float = 0
        for index in 0..<count {
            var source = start + index
            if source >= tempoHistory.count { source -= tempoHistory.count }
            tempoScratch[index] = tempoHistory[source]
            mean += tempoHistory[source]
        }
        mean /= Float(count)
        var energy: Float = 0
        for index in 0..<count {
            tempoScratch[index] -= mean
            energy += tempoScratch[index] * tempoScratch[index]
        }
        guard energy > 1e-12 else { return noConfidentTempo() }

        let lastLag = min(maximumLag + 1, count - 1)
        for lag in (minimumLag - 1)...lastLag where lag >= 1 {
            var sum: Float = 0
            for index in lag..<count { sum += tempoScratch[index] * tempoScratch[index - lag] }
            autocorrelation[lag] = sum / energy
        }
        var best = -1
        var bestScore: Float = 0
        for lag in minimumLag...min(maximumLag, lastLag) {
            // Only local maxima: a slope towards a neighbouring peak is not a period.
            let value = autocorrelation[lag]
            guard lag - 1 >= 1, lag + 1 <= lastLag,
                value >= autocorrelation[lag - 1], value >= autocorrelation[lag + 1]
            else { continue }
            let score = value * tempoWeights[lag]
            if score > bestScore {
                bestScore = score
                best = lag
            }
        }
        guard best > 0 else { return noConfidentTempo() }
        tempoConfidence = min(1, max(0, autocorrelation[best]))
        guard Double(tempoConfidence) >= configuration.tempoConfidenceThreshold else { return noConfidentTempo() }

        // Parabolic interpolation between the neighbouring lags.
        let before = autocorrelation[best - 1]
        let peak = autocorrelation[best]
        let after = autocorrelation[best + 1]
        let curvature = before - 2 * peak + after
        let offset = curvature < 0 ? min(0.5, max(-0.5, 0.5 * (before - after) / curvature)) : 0
        let estimate = min(
            configuration.tempoRange.upperBound,
            max(configuration.tempoRange.lowerBound, hopsPerMinute / (Double(best) + Double(offset))))
        tempoMisses = 0
        // Follow small drifts smoothly; take a new tempo only when two estimates in a row agree on it.
        if let current = tempo, abs(estimate - current) < 0.04 * current {
            tempo = current + 0.3 * (estimate - current)
        } else if let candidate = tempoCandidate, abs(estimate - candidate) < 0.04 * candidate {
            tempo = estimate
        }
        tempoCandidate = estimate
    }

    private func noConfidentTempo() {
        tempoCandidate = nil
        tempoMisses += 1
        if tempoMisses > tempoMaximumMisses { tempo = nil }
    }

    // MARK: - Bands

    /// `bandCount + 1` edges, log-spaced from the minimum to the maximum frequency, each band at least the
    /// minimum width: going up, every band takes the log-spaced share of what is left, or the minimum width if
    /// that share is narrower.
    static func bandEdges(_ configuration: AnalyzerConfiguration) -> [Double] {
        let top = configuration.maximumFrequency
        let width = configuration.effectiveMinimumBandWidth
        var edges = [configuration.minimumFrequency]
        for band in 0..<configuration.bandCount {
            let lower = edges[band]
            let remaining = Double(configuration.bandCount - band)
            let logSpaced = lower * pow(top / lower, 1 / remaining)
            edges.append(min(top, max(logSpaced, lower + width)))
        }
        return edges
    }
}
