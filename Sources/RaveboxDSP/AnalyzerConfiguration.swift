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
