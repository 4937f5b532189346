/// What the light programs see of the music for one frame: the latest analysis plus the clock.
///
/// Plain values, independent of `RaveboxDSP`: the engine copies the analyzer's output in. Make one input with the
/// analyzer's band count and update it in place every frame (``setBands(_:)`` or `bands[i] = ...`); the band
/// array then keeps its storage and a frame allocates nothing. Do not keep copies of the input across frames, or
/// the next in-place update copies the array once.
///
/// ```swift
/// var input = LightInput(bandCount: analyzer.configuration.bandCount)
/// // each frame, on the light thread:
/// analyzer.bands.withUnsafeBufferPointer { input.setBands($0) }
/// input.level = analyzer.level
/// input.time = clock.seconds
/// renderer.render(input, into: frame)
/// ```
public struct LightInput: Sendable {
    /// Band values in 0...1, lowest frequency first. Its count is fixed at `init`.
    public var bands: [Float]
    /// Overall loudness in 0...1.
    public var level: Float = 0
    /// True when a beat was detected since the previous frame. The analyzer reports a beat on one hop only; when
    /// the light frame rate is lower than the hop rate, OR the hops' beats together so none is lost.
    public var beat = false
    /// Strength of that beat in 0...1 (the strongest one since the previous frame).
    public var beatStrength: Float = 0
    /// True while the analyzer reports silence; rave and pulse then fade to black.
    public var isSilent = false
    /// Seconds on a monotonic clock; only differences matter. `Double` so hours of uptime keep sub-millisecond
    /// resolution.
    public var time: Double = 0
    /// Alarm envelope in 0...1 (``AlarmEnvelope/factor(at:)``) while an alarm plays, `nil` otherwise.
    public var alarmFactor: Float?

    /// An input with `bandCount` silent bands at time 0.
    public init(bandCount: Int) {
        bands = Array(repeating: 0, count: max(0, bandCount))
    }

    /// Copies band values in place without allocating; extra source values are ignored, missing ones become 0.
    public mutating func setBands(_ source: UnsafeBufferPointer<Float>) {
        bands.withUnsafeMutableBufferPointer { target in
            for index in target.indices {
                target[index] = index < source.count ? max(0, min(1, source[index])) : 0
            }
        }
    }
}
