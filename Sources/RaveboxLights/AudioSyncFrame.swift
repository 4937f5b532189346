/// What one WLED audio sync packet carries, in WLED's own units.
///
/// WLED effects expect volumes and channels scaled to 0...255 (MoonModules' sync documentation: "all sample data is
/// scaled to be in the range of [0...255], to make effects happy"). ``AudioSyncMapper`` fills a frame from our
/// analyzer; ``WLEDAudioSync`` sends it. A frame is a plain value of fixed size: making, changing and sending one does
/// not allocate.
///
/// ```swift
/// var frame = AudioSyncFrame()
/// frame.volume = 180
/// frame[channel: 0] = 255  // sub-bass
/// try sync.send(frame)
/// ```
public struct AudioSyncFrame: Sendable, Equatable {
    /// Number of GEQ channels in a packet (WLED's `NUM_GEQ_CHANNELS`).
    public static let channelCount = 16

    /// Current volume, 0...255 (packet field `sampleRaw`; effects read it as `volumeRaw`).
    public var volume: Float = 0
    /// Smoothed volume, 0...255 (`sampleSmth`; effects read it as `volumeSmth`, and below 1 WLED treats it as
    /// silence).
    public var smoothedVolume: Float = 0
    /// Whether this frame is a beat (`samplePeak`). WLED holds a received peak for at least 50 ms, so set it on one
    /// frame per beat.
    public var isPeak = false
    /// Magnitude of the loudest frequency (`FFT_Magnitude`), in WLED's raw FFT units (up to about 4096; effects
    /// divide it by 4, 8 or 16 before use).
    public var magnitude: Float = 0
    /// Frequency of the loudest part of the spectrum in Hz (`FFT_MajorPeak`); WLED clamps it to 1...11025.
    public var majorPeak: Float = 1

    /// Sixteen bytes stored inline; a tuple of one element type is laid out like a C array.
    private typealias Channels = (
        UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8
    )

    /// The 16 GEQ channels, lowest first, each 0...255 (`fftResult`), kept inline so the frame never allocates.
    private var channels: Channels = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)

    /// A silent frame: volumes and channels 0, no peak, major peak 1 Hz (what WLED itself reports in silence).
    public init() {}

    /// GEQ channel `index` (0...15, lowest frequencies first), 0...255.
    ///
    /// WLED's channel ranges are ``AudioSyncMapper/channelFrequencies``.
    public subscript(channel index: Int) -> UInt8 {
        get {
            precondition((0..<Self.channelCount).contains(index), "GEQ channel \(index) is not 0...15")
            return withUnsafeBytes(of: channels) { $0[index] }
        }
        set {
            precondition((0..<Self.channelCount).contains(index), "GEQ channel \(index) is not 0...15")
            withUnsafeMutableBytes(of: &channels) { $0[index] = newValue }
        }
    }

    /// All 16 channels as an array, lowest first (allocates; for logs and tests).
    public var channelValues: [UInt8] {
        withUnsafeBytes(of: channels) { Array($0) }
    }

    /// Copies the 16 channels to `destination` (at least 16 bytes) without allocating.
    func copyChannels(to destination: UnsafeMutablePointer<UInt8>) {
        withUnsafeBytes(of: channels) { bytes in
            for index in 0..<Self.channelCount { destination[index] = bytes[index] }
        }
    }

    public static func == (lhs: AudioSyncFrame, rhs: AudioSyncFrame) -> Bool {
        lhs.volume == rhs.volume && lhs.smoothedVolume == rhs.smoothedVolume && lhs.isPeak == rhs.isPeak
            && lhs.magnitude == rhs.magnitude && lhs.majorPeak == rhs.majorPeak
            && withUnsafeBytes(of: lhs.channels) { left in
                withUnsafeBytes(of: rhs.channels) { right in left.elementsEqual(right) }
            }
    }
}
