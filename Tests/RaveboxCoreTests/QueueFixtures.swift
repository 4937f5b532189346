@testable import RaveboxCore

/// SplitMix64: a tiny seeded generator so tests that shuffle or draw are repeatable.
struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// A queue item with the fields a test cares about; song id = entry id + 100.
func queued(
    _ id: Int64, position: Int? = nil, votes: Int = 0, requester: String? = nil, manual: Bool = false
) -> QueueItem {
    QueueItem(
        id: id, songID: id + 100, position: position ?? Int(id), votes: votes, requester: requester,
        manuallyRequested: manual, requestedAt: 1_000)
}

/// A queue of entries `ids` in that order (positions 1...n).
func queue(_ ids: [Int64]) -> SongQueue {
    SongQueue(ids.enumerated().map { queued($0.element, position: $0.offset + 1) })
}

func song(_ id: Int64, title: String = "Song", artist: String = "Artist") -> Song {
    Song(id: id, path: "/music/\(id).mp3", title: title, artist: artist, album: "", duration: 180)
}

extension SongQueue {
    var ids: [Int64] { items.map(\.id) }
    var positions: [Int] { items.map(\.position) }
}
