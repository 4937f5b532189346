/// Notices an audio thread that stopped moving: the player's decoder and output threads each pass their
/// loop at least 5 times a second while healthy, whatever they do (their waits are bounded). A counter that
/// has not moved for `limit` seconds means the thread is stuck in a call that never returns (a device that
/// never takes frames, a read that hangs). The engine then exits so the supervisor starts a fresh one,
/// which resumes the song where it was: a stuck thread cannot be joined or restarted in place.
struct Watchdog {
    /// Seconds without progress that count as stuck.
    let limit: Double
    private var decoder: (count: Int, since: Double)?
    private var output: (count: Int, since: Double)?

    init(limit: Double = 5) {
        self.limit = limit
    }

    /// Records the threads' pass counters at `now` (monotonic seconds) and names the thread that is stuck,
    /// if one is.
    mutating func observe(decoder decoderCount: Int, output outputCount: Int, now: Double) -> String? {
        if decoder?.count != decoderCount { decoder = (decoderCount, now) }
        if output?.count != outputCount { output = (outputCount, now) }
        if let output, now - output.since >= limit { return "output" }
        if let decoder, now - decoder.since >= limit { return "decoder" }
        return nil
    }
}
