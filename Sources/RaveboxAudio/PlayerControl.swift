import RaveboxMedia

/// The player's state machine: which song is current, the command for the decoder thread, pending events.
///
/// Lives in `PlayerShared.control` (a `Mutex`), shared by the API methods and the decoder thread; the output thread never
/// touches it (it reports through `PlayerShared`'s atomics, which `sync(with:)` turns into events here).
struct PlayerControl {
    /// The song the player is playing or loading.
    struct Song {
        var token: Int64
        var generation: Int
        /// This song instance's number (see `PlayerShared`).
        var serial: Int
        var path: String
        /// Where in the song playback started (seconds).
        var startOffset: Double
        /// Seconds; set once the decoder opened the file.
        var duration: Double?
        var startedReported = false
    }

    /// Work for the decoder thread. Only the latest command matters: a newer one replaces an unread older one.
    enum Command {
        case play(path: String, from: Double, token: Int64, generation: Int)
        case stop(generation: Int)

        var generation: Int {
            switch self {
            case .play(_, _, _, let generation), .stop(let generation): generation
            }
        }
    }

    /// Events kept for `nextEvent()` at most; beyond that the oldest are dropped (nobody is polling).
    static let maxEvents = 1024

    var format: AudioFormat
    var device: String
    var running = false
    var shutDown = false
    var current: Song?
    /// The song to go on with gaplessly when the current one's file ends (`Player.playNext`).
    var next: (path: String, token: Int64, gain: Float)?
    /// The song the decoder already chained on; it becomes `current` when the current one is heard to end.
    var following: Song?
    /// The generation whose decoder reached the end with nothing to follow: too late for `playNext`.
    var chainClosed = 0
    private var lastSerial = 0
    var paused = false
    var command: Command?
    private var events: [PlayerEvent] = []
    private var eventsHead = 0

    init(format: AudioFormat, device: String) {
        self.format = format
        self.device = device
    }

    mutating func emit(_ event: PlayerEvent) {
        if events.count - eventsHead >= Self.maxEvents { eventsHead += 1 }
        events.append(event)
    }

    mutating func popEvent() -> PlayerEvent? {
        guard eventsHead < events.count else { return nil }
        let event = events[eventsHead]
        eventsHead += 1
        if eventsHead == events.count {
            events.removeAll(keepingCapacity: true)
            eventsHead = 0
        }
        return event
    }

    /// A new song serial (see `PlayerShared`).
    mutating func nextSerial() -> Int {
        lastSerial += 1
        return lastSerial
    }

    /// Starts a new generation (see `PlayerShared`) and returns its number.
    mutating func nextGeneration(_ shared: PlayerShared) -> Int {
        let generation = shared.generation.load(ordering: .relaxed) + 1
        shared.generation.store(generation, ordering: .releasing)
        return generation
    }

    /// Ends the current song with `event` (`.stopped`/`.failed`), asks the threads to go idle, and returns whether
    /// there was a song.
    @discardableResult
    mutating func endCurrent(_ shared: PlayerShared, with event: (Int64) -> PlayerEvent) -> Bool {
        next = nil
        following = nil
        guard let song = current else { return false }
        emit(event(song.token))
        current = nil
        paused = false
        shared.paused.store(false, ordering: .releasing)
        command = .stop(generation: nextGeneration(shared))
        return true
    }

    /// Turns the output thread's progress (first frame heard, last frame played) into events: for a
    /// gapless chain, `.finished` of one song and `.started` of the next come together.
    mutating func sync(with shared: PlayerShared) {
        // `finished` first: the output stores a chained song's start before the previous song's end, so
        // whoever sees the end also sees the start, and both events come in one go.
        let finished = shared.finishedSerial.load(ordering: .acquiring)
        let started = shared.startedSerial.load(ordering: .acquiring)
        while var song = current {
            if !song.startedReported && (started >= song.serial || finished >= song.serial) {
                song.startedReported = true
                emit(.started(song.token))
                current = song
            }
            guard finished >= song.serial else { return }
            emit(.finished(song.token))
            current = following
            following = nil
            if current == nil {
                paused = false
                shared.paused.store(false, ordering: .releasing)
            }
        }
    }
}
