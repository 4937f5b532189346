/// What the player is doing.
public enum PlayerState: String, Sendable, Hashable {
    /// No song: nothing is written to the device.
    case idle
    /// A song is loading or playing.
    case playing
    /// A song is paused: nothing is written to the device until `resume()`.
    case paused
}

/// A snapshot of the player, from `Player.status`.
public struct PlayerStatus: Sendable, Hashable {
    public var state: PlayerState
    /// Token of the current song; nil when idle.
    public var token: Int64?
    /// Seconds into the song as heard: the start offset plus the frames handed to ALSA minus those still in the
    /// device's buffer (`snd_pcm_delay`). 0 when idle.
    public var position: Double
    /// Length of the current song in seconds; nil when idle, still loading, or unknown.
    public var duration: Double?
    /// Target volume, 0...1 (the output ramps to it within ~20 ms).
    public var volume: Double
    /// ALSA under-/overruns recovered since `start()` (the device was starved: scheduling or CPU trouble).
    public var xruns: Int
    /// Periods of silence written because the decoder had not delivered in time, since `start()`.
    public var underruns: Int

    public init(
        state: PlayerState, token: Int64?, position: Double, duration: Double?, volume: Double, xruns: Int,
        underruns: Int
    ) {
        self.state = state
        self.token = token
        self.position = position
        self.duration = duration
        self.volume = volume
        self.xruns = xruns
        self.underruns = underruns
    }
}
