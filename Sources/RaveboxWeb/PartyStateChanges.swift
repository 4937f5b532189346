import Foundation
import RaveboxCore

/// The top-level fields of a ``PartyState`` that differ between two states, compared as typed values and
/// encoded only once they are known to have changed.
///
/// ```swift
/// let changes = PartyStateChanges(from: old, to: new)
/// if !changes.isEmpty { send(changes.message(sequence: 8)) }  // {"seq":8,"changes":{"queue":[...]}}
/// ```
///
/// A field that went away (a current song that ended) is sent as `null`. The names are those of the
/// state document (`GET /api/state`), so a client applies a change by replacing that field.
struct PartyStateChanges {
    /// The changed fields by name, each ready to encode.
    private(set) var fields: [String: Field] = [:]

    /// One changed value, encoded as itself (`null` when it is an absent optional).
    struct Field: Encodable {
        let value: any Encodable

        func encode(to encoder: any Encoder) throws {
            var container = encoder.singleValueContainer()
            try container.encode(value)
        }
    }

    /// Every field of the state document, in the order the type declares them. A test holds this list to
    /// ``PartyState``'s stored properties, so a new field cannot be left out of the live updates.
    static let fieldNames = [
        "playback", "volume", "currentSong", "queue", "lastFailure", "engineOnline", "interactivity", "modes",
        "activeGuests", "partyMode", "visitors", "hashtag",
    ]

    init(from old: PartyState, to new: PartyState) {
        compare("playback", old.playback, new.playback)
        compare("volume", old.volume, new.volume)
        compare("currentSong", old.currentSong, new.currentSong)
        compare("queue", old.queue, new.queue)
        compare("lastFailure", old.lastFailure, new.lastFailure)
        compare("engineOnline", old.engineOnline, new.engineOnline)
        compare("interactivity", old.interactivity, new.interactivity)
        compare("modes", old.modes, new.modes)
        compare("activeGuests", old.activeGuests, new.activeGuests)
        compare("partyMode", old.partyMode, new.partyMode)
        compare("visitors", old.visitors, new.visitors)
        compare("hashtag", old.hashtag, new.hashtag)
    }

    var isEmpty: Bool { fields.isEmpty }

    private mutating func compare<Value: Encodable & Equatable>(_ name: String, _ old: Value, _ new: Value) {
        if old != new { fields[name] = Field(value: new) }
    }

    /// `{"seq":N,"changes":{...}}`, the changes with sorted keys.
    func message(sequence: Int) -> String {
        let changes = (try? JSONEncoder.party.encode(fields)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
        return "{\"seq\":\(sequence),\"changes\":\(changes)}"
    }
}
