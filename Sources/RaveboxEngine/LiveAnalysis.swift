import RaveboxAudio
import RaveboxDSP

/// Feeds the analysis with what people hear, when they hear it: each pass of the engine loop takes the
/// frames from the tap whose play time has come (frames still in the device buffer wait for the next
/// pass), drops what is more than a window behind (never a backlog), and runs the analyzer. While
/// nothing plays, the analyzer is fed silence for the time that passed, so the bands fall to 0.
final class LiveAnalysis {
    let analyzer: AudioAnalyzer
    private let buffer: UnsafeMutableBufferPointer<Int16>
    private let capacityFrames: Int
    private var lastPass: UInt64 = 0
    /// When the newest frame analysed is heard, and when it entered the tap (monotonic nanoseconds); 0 while
    /// silence is fed because nothing plays.
    private(set) var newestHeardNanos: UInt64 = 0
    private(set) var newestEnteredNanos: UInt64 = 0

    init(analyzer: AudioAnalyzer, channels: Int = 2) {
        self.analyzer = analyzer
        capacityFrames = analyzer.configuration.windowSize * 2
        buffer = .allocate(capacity: capacityFrames * max(1, channels))
        buffer.initialize(repeating: 0)
    }

    deinit {
        buffer.deallocate()
    }

    /// One pass at monotonic time `now`; returns whether the bands changed.
    @discardableResult
    func pass(tap: AnalysisTap?, now: UInt64) -> Bool {
        defer { lastPass = now }
        guard let tap, tap.format.channels * capacityFrames <= buffer.count else { return false }
        let rate = tap.format.sampleRate
        let available = tap.availableFrames
        var heard = available
        if available > 0, let newest = tap.heardNanos(ofFrame: tap.framesRead + available - 1), newest > now {
            heard = max(0, available - Int((newest - now) * UInt64(rate) / 1_000_000_000))
        }
        if heard == 0 {
            // Nothing heard since the last pass: silence, for as long as it lasted (at most a window).
            guard lastPass > 0, available == 0 else { return false }
            newestHeardNanos = 0
            newestEnteredNanos = 0
            let frames = min(capacityFrames, Int((now - lastPass) * UInt64(rate) / 1_000_000_000))
            guard frames > 0 else { return false }
            let silence = UnsafeMutableBufferPointer(rebasing: buffer[0..<(frames * tap.format.channels)])
            silence.update(repeating: 0)
            return analyzer.push(UnsafeBufferPointer(silence), channels: tap.format.channels) > 0
        }
        // More than a window behind: skip to the newest window of what has been heard.
        if heard > capacityFrames {
            tap.skip(keepingFrames: available - heard + capacityFrames)
            heard = capacityFrames
        }
        let slice = UnsafeMutableBufferPointer(rebasing: buffer[0..<(heard * tap.format.channels)])
        let frames = tap.read(into: slice)
        if frames > 0, let heardAt = tap.heardNanos(ofFrame: tap.framesRead - 1) {
            newestHeardNanos = heardAt
            newestEnteredNanos = UInt64(max(0, Int64(bitPattern: heardAt) - max(0, tap.delayNanos)))
        }
        return analyzer.push(
            UnsafeBufferPointer(rebasing: slice[0..<(frames * tap.format.channels)]), channels: tap.format.channels) > 0
    }
}
