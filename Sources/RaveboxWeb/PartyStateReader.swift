import RaveboxCore
import RaveboxIPC
import RaveboxStore

/// Builds the ``PartyState`` guests see from the store (queue, current song) and the engine's telemetry
/// (live position, playing or paused, volume).
public struct PartyStateReader: Sendable {
    /// An engine whose heartbeat is older than this is shown as offline.
    public static let engineTimeoutNanos: UInt64 = 3_000_000_000

    let store: Store
    let segment: SharedSegment

    public init(store: Store, segment: SharedSegment) {
        self.store = store
        self.segment = segment
    }

    /// Whether the engine process beat its heart recently.
    public func engineOnline() -> Bool {
        let beat = segment.heartbeat(of: .engine)
        guard beat.counter > 0 else { return false }
        let now = SharedSegment.monotonicNanos()
        return now < beat.monotonicNanos || now - beat.monotonicNanos < Self.engineTimeoutNanos
    }

    /// The party state as of one commit (one read transaction), with the engine's live position, playback
    /// state and volume from its telemetry.
    public func read() async throws(StoreError) -> PartyState {
        let snapshot = try await store.partySnapshot(now: PartySettings.now())
        var current = snapshot.currentSong
        let settings = snapshot.player
        let online = engineOnline()
        let telemetry = segment.telemetry.read()

        var playback: PartyState.Playback
        var volume = settings.volume
        if online {
            volume = telemetry.volume
            switch telemetry.state {
            case .idle: playback = current == nil ? .idle : (settings.paused ? .paused : .playing)
            case .playing: playback = .playing
            case .paused: playback = .paused
            case .alarm: playback = .alarm
            }
            if let song = current, telemetry.songID == song.songID, telemetry.state != .idle {
                current?.position = telemetry.position
            }
        } else {
            playback = current == nil ? .idle : (settings.paused ? .paused : .playing)
        }
        if current == nil && playback != .alarm { playback = .idle }
        // The newest hashtag: a state document must not change between two reads of the same data.
        let hashtag = snapshot.settings.hashtagsActive ? snapshot.hashtags.last : nil
        return PartyState(
            playback: playback, volume: volume, currentSong: current, queue: snapshot.queue,
            lastFailure: snapshot.lastFailure, engineOnline: online, interactivity: snapshot.settings.interactivity,
            modes: snapshot.modes, activeGuests: snapshot.activeGuests,
            partyMode: ActiveGuests.isPartyMode(
                activeGuests: snapshot.activeGuests, peopleToParty: snapshot.settings.peopleToParty),
            visitors: snapshot.visitors, hashtag: hashtag)
    }

    /// A cheap fingerprint of everything that changes the state except the ticking position: the change
    /// counters of the queue and current song, and the engine's state, song and volume. When it is
    /// unchanged, there is nothing new to push.
    public func fingerprint() -> [UInt64] {
        let telemetry = segment.telemetry.read()
        return [
            segment.changeCount(.queue), segment.changeCount(.currentSong), segment.changeCount(.logs),
            segment.changeCount(.settings),
            UInt64(telemetry.state.rawValue), UInt64(bitPattern: telemetry.songID),
            UInt64((telemetry.volume * 1000).rounded()), engineOnline() ? 1 : 0,
        ]
    }
}
