/// The fixed-size binary records that cross the shared-memory segment.
///
/// Every record is a trivial struct (no references, no `String`), so it can be copied byte for byte
/// into and out of mapped memory. Changing a record's layout means bumping `SharedSegment.layoutVersion`.

/// The three processes of the box.
public enum ProcessRole: Int, Sendable, CaseIterable, CustomStringConvertible {
    case supervisor = 0
    case engine = 1
    case web = 2

    public var description: String {
        switch self {
        case .supervisor: "supervisor"
        case .engine: "engine"
        case .web: "web"
        }
    }
}

/// Groups of SQLite tables whose change counter a writer bumps after committing, so the other
/// process re-reads only what changed.
public enum ChangeGroup: Int, Sendable, CaseIterable {
    /// Queue entries and votes.
    case queue = 0
    /// The current song row (song started, finished, failed, position persisted).
    case currentSong = 1
    /// The music library (scans).
    case library = 2
    /// Settings.
    case settings = 3
    /// Play and request logs.
    case logs = 4
}

/// What a command asks the engine to do.
public enum CommandKind: UInt16, Sendable {
    case play = 1
    case pause = 2
    case skip = 3
    /// `value` is the new volume, 0...1.
    case setVolume = 4
    /// `value` is the position in seconds.
    case seek = 5
    /// Nothing for the engine: the command `ravebox ipc-probe` times through a ring of its own. (6 was
    /// "the queue changed", which the engine learns from the queue's change counter.)
    case probe = 6
    /// Sound the alarm (then resume the song where it was), unless the buzzer cooldown is running.
    case alarm = 7
}

/// A playback command, web → engine. 24 bytes.
public struct Command: Sendable, Equatable {
    public var kind: CommandKind
    /// Sequence number chosen by the producer; lets tests check order and loss.
    public var sequence: UInt64
    /// Kind-specific value (volume, seconds).
    public var value: Double

    public init(kind: CommandKind, sequence: UInt64 = 0, value: Double = 0) {
        self.kind = kind
        self.sequence = sequence
        self.value = value
    }
}

/// Playback state published by the engine.
public enum PlaybackState: UInt8, Sendable, Codable {
    case idle = 0
    case playing = 1
    case paused = 2
    /// The alarm sounds; the song (if any) waits at its position.
    case alarm = 3
}

/// The engine's latest state, engine → web, through a seqlock snapshot (latest value wins).
public struct Telemetry: Sendable, Equatable {
    /// Room for the spectrum bands the lights issue fills.
    public static let bandCapacity = 256

    public var state: PlaybackState = .idle
    /// Library song id of the current song, 0 when idle.
    public var songID: Int64 = 0
    /// Seconds since the song started, excluding pauses, as heard (output latency subtracted).
    public var position: Double = 0
    /// Length of the current song in seconds.
    public var duration: Double = 0
    /// Software volume, 0...1.
    public var volume: Double = 1
    /// ALSA xruns recovered since the engine started.
    public var xruns: UInt64 = 0
    /// Periods written as silence because the PCM ring was empty.
    public var underruns: UInt64 = 0
    /// Monotonic nanoseconds at which this snapshot was taken.
    public var updatedNanos: UInt64 = 0
    /// Number of valid entries in `bands`.
    public var bandCount: Int = 0
    /// Spectrum band levels, 0...1; only the first `bandCount` are valid.
    public var bands: [Float] = []
    /// Overall loudness of what is heard, 0...1 (after automatic gain).
    public var level: Float = 0
    /// Beats detected since the engine started; a change means a beat.
    public var beatCount: UInt64 = 0
    /// Strength of the latest beat, 0...1.
    public var beatStrength: Float = 0
    /// Tempo estimate in BPM, 0 while unknown.
    public var tempo: Double = 0
    /// LED frames sent since the engine started (all outputs).
    public var ledFrames: UInt64 = 0
    /// From a sample entering the analysis ring to the LED bytes that show it being written, over the last
    /// seconds: median and 99th percentile in microseconds (0 while no LED output runs). It includes the
    /// deliberate wait until the sample is heard (the device's buffer), so lights match the sound.
    public var ledLatencyP50Micros: UInt64 = 0
    public var ledLatencyP99Micros: UInt64 = 0
    /// Median of (LED bytes written − the sample heard), microseconds; small and positive when lights follow the
    /// sound closely, negative if they ran ahead.
    public var ledLagP50Micros: Int64 = 0
    /// A preview of up to ``previewOutputCapacity`` LED outputs, ``previewLEDCapacity`` LEDs each (outputs with more
    /// LEDs are sampled evenly), as `0x00RRGGBB` in picture order: LED `j` of output `i` is at
    /// `preview[i * previewLEDCapacity + j]`, and its first `previewLengths[i]` are valid (the rest are 0).
    public var previewLengths: [Int] = []
    public var preview: [UInt32] = []

    /// Outputs and LEDs per output the preview holds.
    public static let previewOutputCapacity = 4
    public static let previewLEDCapacity = 64

    public init() {}
}
