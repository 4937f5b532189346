import Foundation
import RaveboxDSP

/// Turns our analyzer's output (log-spaced bands, level, beat) into WLED audio sync frames.
///
/// **Channels.** WLED has 16 GEQ channels with fixed frequency ranges (``channelFrequencies``). At `init` the mapper
/// works out, for each channel, which of our bands overlap it and by how much, measured in octaves
/// (log₂ of the overlapping frequency ratio), because our bands are log-spaced and hearing is too. Per frame a channel
/// is the **overlap-weighted average** of those bands, times 255. An average rather than the maximum keeps a channel
/// that spans many of our bands (4.5–7.1 kHz, 7.1–9.3 kHz) as calm as the spectrum it covers, and lets a narrow channel
/// inside one wide band of ours simply follow that band. A channel that no band overlaps (our range starts above
/// 43 Hz, say) takes the band whose centre is nearest in octaves. Our bands above 9.3 kHz feed no channel, as in WLED.
///
/// **Volume.** `volume` (`sampleRaw`) is our level × 255; `smoothedVolume` (`sampleSmth`) follows it with
/// an exponential moving average, `smoothed += smoothing × (volume − smoothed)` per frame, like WLED's own `sampleAgc`
/// filter (which moves 1/12 of the way per update).
///
/// **Peak.** `isPeak` is the beat flag. The analyzer reports a beat on one hop only, so call ``frame(from:)`` once per
/// analyzer hop, or pass `beat: true` to ``frame(level:bands:beat:)`` if a beat happened since the last frame.
///
/// **Major peak.** `majorPeak` is the geometric centre of our loudest band, clamped to WLED's 1...11025 Hz;
/// `magnitude` is that band's value × ``magnitudeFullScale``. In silence (all bands 0) they are 1 Hz and 0, as WLED
/// reports them.
///
/// `frame` neither allocates nor locks: everything it needs is computed in `init`.
///
/// ```swift
/// var mapper = AudioSyncMapper(bandFrequencies: analyzer.bandFrequencies)
/// let sync = try WLEDAudioSync()
/// // On the analysis thread, after each hop:
/// try sync.send(mapper.frame(from: analyzer))
/// ```
public struct AudioSyncMapper: Sendable {
    /// FFT bin numbers of WLED's channel edges: channel `i` spans bins `channelEdgeBins[i]...channelEdgeBins[i + 1]`
    /// of a 512-point FFT at 22050 Hz.
    ///
    /// From the `fftCalc[...] = fftAddAvg(from, to)` table (without band-pass filter) in `FFTcode()` of wled/WLED's
    /// audioreactive usermod (`usermods/audioreactive/audio_reactive.h` in 0.15, `audio_reactive.cpp` since 16),
    /// whose comments give the same ranges in Hz: 43–86, 86–129, 129–216, ..., 4479–7106, 7106–9259.
    static let channelEdgeBins = [1, 2, 3, 5, 7, 10, 13, 19, 26, 33, 44, 56, 70, 86, 104, 165, 215]
    /// Width of one FFT bin in WLED: 22050 Hz sample rate / 512 samples.
    static let wledBinWidth = 22_050.0 / 512.0

    /// Frequency range (Hz) of each of WLED's 16 GEQ channels, lowest first: 43–86 Hz, 86–129 Hz, ..., 7106–9259 Hz.
    public static let channelFrequencies: [Range<Double>] = (0..<AudioSyncFrame.channelCount).map {
        Double(channelEdgeBins[$0]) * wledBinWidth..<Double(channelEdgeBins[$0 + 1]) * wledBinWidth
    }

    /// The band ranges this mapper was made for (the analyzer's `bandFrequencies`).
    public let bandFrequencies: [Range<Double>]
    /// `magnitude` of a frame whose loudest band is at 1.
    ///
    /// WLED's own `FFT_Magnitude` goes up to about 4096 and effects scale it down before use: Freqmap by 4, Waterfall
    /// by 8, Freqpixels and Rocktaves by 16 (Rocktaves lights between 48 and 144 after that). 2048 puts a full band
    /// at 128 for the ÷16 effects and at 256 for Waterfall.
    public let magnitudeFullScale: Float
    /// Fraction of the way `smoothedVolume` moves towards `volume` per frame, 0...1.
    public let smoothing: Float

    /// Source bands of channel `c` are `sourceBands[sourceStart[c]..<sourceStart[c + 1]]`, with the weights at the
    /// same indices (summing to 1 per channel).
    private let sourceBands: [Int]
    private let sourceWeights: [Float]
    private let sourceStart: [Int]
    /// Geometric centre of each band (Hz), clamped to 1...11025.
    private let bandCentres: [Float]
    private var smoothedVolume: Float = 0

    /// Precomputes which of our bands feed each WLED channel.
    ///
    /// - Parameters:
    ///   - bandFrequencies: Our bands' ranges in Hz, lowest first (``AudioAnalyzer/bandFrequencies``); not empty.
    ///   - magnitudeFullScale: `magnitude` when the loudest band is at 1.
    ///   - smoothing: Per-frame smoothing of `smoothedVolume`, 0...1 (1 = no smoothing). The default, 0.1, gives a
    ///     time constant of about 100 ms at the analyzer's 93 hops per second.
    public init(bandFrequencies: [Range<Double>], magnitudeFullScale: Float = 2048, smoothing: Float = 0.1) {
        precondition(!bandFrequencies.isEmpty, "AudioSyncMapper needs at least one band")
        self.bandFrequencies = bandFrequencies
        self.magnitudeFullScale = magnitudeFullScale
        self.smoothing = max(0, min(1, smoothing))
        let centres = bandFrequencies.map { (max($0.lowerBound, 1) * max($0.upperBound, 1)).squareRoot() }
        bandCentres = centres.map { Float(min(max($0, 1), 11_025)) }

        var bands: [Int] = []
        var weights: [Float] = []
        var starts = [0]
        for channel in Self.channelFrequencies {
            var overlaps: [(band: Int, octaves: Double)] = []
            for (index, band) in bandFrequencies.enumerated() {
                let low = max(channel.lowerBound, band.lowerBound, 1)
                let high = min(channel.upperBound, band.upperBound)
                if high > low { overlaps.append((index, log2(high / low))) }
            }
            if overlaps.isEmpty {
                let centre = log2((channel.lowerBound * channel.upperBound).squareRoot())
                let nearest = centres.indices.min { abs(log2(centres[$0]) - centre) < abs(log2(centres[$1]) - centre) }!
                overlaps = [(nearest, 1)]
            }
            let total = overlaps.reduce(0) { $0 + $1.octaves }
            for overlap in overlaps {
                bands.append(overlap.band)
                weights.append(Float(overlap.octaves / total))
            }
            starts.append(bands.count)
        }
        sourceBands = bands
        sourceWeights = weights
        sourceStart = starts
    }

    /// Our bands that feed WLED channel `channel` (0...15) and their weights, which sum to 1 (for tests and the
    /// lights page).
    public func sources(ofChannel channel: Int) -> [(band: Int, weight: Float)] {
        (sourceStart[channel]..<sourceStart[channel + 1]).map { (sourceBands[$0], sourceWeights[$0]) }
    }

    /// The frame for the analyzer's latest hop: its level, bands and beat.
    ///
    /// Called on the analysis thread once per hop; does not allocate.
    public mutating func frame(from analyzer: AudioAnalyzer) -> AudioSyncFrame {
        frame(level: analyzer.level, bands: analyzer.bands, beat: analyzer.beat)
    }

    /// A frame from a level (0...1), band values (0...1, one per band of ``bandFrequencies``) and a beat flag.
    ///
    /// Updates the smoothed volume, so call it once per frame sent. Does not allocate. Missing bands count as 0.
    public mutating func frame(level: Float, bands: [Float], beat: Bool) -> AudioSyncFrame {
        var frame = AudioSyncFrame()
        let volume = Self.clamp(level) * 255
        smoothedVolume += smoothing * (volume - smoothedVolume)
        frame.volume = volume
        frame.smoothedVolume = smoothedVolume
        frame.isPeak = beat

        bands.withUnsafeBufferPointer { values in
            for channel in 0..<AudioSyncFrame.channelCount {
                var sum: Float = 0
                for source in sourceStart[channel]..<sourceStart[channel + 1] {
                    let band = sourceBands[source]
                    if band < values.count { sum += sourceWeights[source] * Self.clamp(values[band]) }
                }
                frame[channel: channel] = UInt8((sum * 255).rounded())
            }
            var loudest = 0
            var loudestValue: Float = 0
            for index in 0..<min(values.count, bandCentres.count) where values[index] > loudestValue {
                loudest = index
                loudestValue = values[index]
            }
            if loudestValue > 0 {
                frame.majorPeak = bandCentres[loudest]
                frame.magnitude = Self.clamp(loudestValue) * magnitudeFullScale
            }
        }
        return frame
    }

    /// `value` limited to 0...1, with NaN as 0.
    private static func clamp(_ value: Float) -> Float {
        value > 0 ? min(value, 1) : 0
    }
}
