import Foundation

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
    public internal(set) var bands: [Float]
    /// Overall loudness in 0...1: RMS level through the same kind of automatic gain and smoothing as the bands.
    public internal(set) var level: Float = 0
    /// True once the RMS level has stayed below ``AnalyzerConfiguration/silenceThreshold`` for longer than
    /// ``AnalyzerConfiguration/silenceHoldTime``; bands and level then fall to 0, no beats, no tempo.
    public internal(set) var isSilent = false
    /// True on the hop where an onset (beat) was detected, false on all others.
    ///
    /// The beat belongs to the end of that hop; the onset itself happened shortly before. A sound right at the end
    /// of a hop barely shows through the Hann window's tapered edge and is found one hop later, so the report
    /// lags the onset by up to a hop plus about 2 ms: with clicks at 48 kHz, 1.4...12.5 ms at hop 512 and
    /// 0.8...6.8 ms at hop 256 (measured over every position of the click within a hop). Slower attacks lag more
    /// (a 60 Hz kick over noise: up to 18 ms at hop 512).
    public internal(set) var beat = false
    /// Strength of the current hop's beat in 0...1 (1 = as strong as the strongest flux of the last
    /// ``AnalyzerConfiguration/onsetHistoryTime``); 0 when ``beat`` is false.
    public internal(set) var beatStrength: Float = 0
    /// Number of beats detected since `init`: one more on every hop where ``beat`` is true.
    ///
    /// A caller that pushes several hops at once sees only the last hop's ``beat``; comparing this count with the
    /// one before the push tells it how many beats it would otherwise have missed.
    public internal(set) var beatCount = 0
    /// ``beatStrength`` of the most recent beat, kept until the next one (0 before the first).
    public internal(set) var lastBeatStrength: Float = 0
    /// Tempo estimate in BPM within ``AnalyzerConfiguration/tempoRange``; nil until confident, during silence, and
    /// after about two seconds without a confident estimate.
    public internal(set) var tempo: Double?
    /// Normalised autocorrelation (0...1) of the latest tempo estimate: how periodic the flux is.
    public internal(set) var tempoConfidence: Float = 0
    /// Number of analyses run since `init`.
    public internal(set) var hopsProcessed = 0
    /// Onset flux of the latest hop (for tests and tuning).
    private(set) var flux: Float = 0

    let spectrum: Spectrum
    let windowSize: Int
    let hop: Int
    let bandCount: Int
    /// First FFT bin and one past the last FFT bin of each band.
    let bandBinStart: [Int]
    let bandBinEnd: [Int]
    /// Scales a squared FFT magnitude so that a full-scale sine reads about 0 dB.
    let powerScale: Float
    /// Number of low and mid bands that feed the flux (the first ones).
    let onsetBandCount: Int

    let riseCoefficient: Float
    let fallCoefficient: Float
    let attackCoefficient: Float
    let releaseCoefficient: Float
    let dynamicRange: Float
    let gainFloor: Float
    let silenceThreshold: Float
    let silenceHoldHops: Int
    let onsetSensitivity: Float
    let onsetRatio: Float
    let onsetMinimumFlux: Float
    let refractoryHops: Int

    /// Mono samples, each written twice (at `i` and `i + windowSize`) so the latest window is always contiguous.
    let samples: UnsafeMutableBufferPointer<Float>
    var writeIndex = 0
    var framesInHop = 0
    /// Sum of squared Int16 samples (all channels) of the current hop, and their count.
    var hopSquares = 0
    var hopSampleCount = 0

    /// Per band: the gain-normalised value of this hop and of the previous one, before smoothing.
    let targets: UnsafeMutableBufferPointer<Float>
    let previousTargets: UnsafeMutableBufferPointer<Float>
    let bandLevels: UnsafeMutableBufferPointer<Float>
    /// Automatic gain references (dB) of the bands and of the level.
    var bandReference: Float
    var levelReference: Float
    var gainIsSet = false
    var quietHops = 0
    var hopsSinceBeat = Int.max / 2

    /// Ring of the last `onsetHistoryTime` of flux values.
    let onsetHistory: UnsafeMutableBufferPointer<Float>
    let onsetScratch: UnsafeMutableBufferPointer<Float>
    var onsetHistoryIndex = 0
    var onsetHistoryCount = 0

    /// Ring of the last `tempoHistoryTime` of flux values, a linear copy of it, and autocorrelation by lag.
    let tempoHistory: UnsafeMutableBufferPointer<Float>
    let tempoScratch: UnsafeMutableBufferPointer<Float>
    let autocorrelation: UnsafeMutableBufferPointer<Float>
    /// Preference for each lag (log-Gaussian around 120 BPM).
    let tempoWeights: [Float]
    let minimumLag: Int
    let maximumLag: Int
    let hopsPerMinute: Double
    var tempoHistoryIndex = 0
    var tempoHistoryCount = 0
    let tempoMinimumHistory: Int
    var tempoMisses = 0
    var tempoCandidate: Double?
    let tempoMaximumMisses: Int

    /// Hops between two tempo estimates.
    static let tempoInterval = 8

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
