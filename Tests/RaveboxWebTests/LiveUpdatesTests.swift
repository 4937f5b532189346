import Foundation
import Hummingbird
import HummingbirdTesting
import HummingbirdWSClient
import Logging
import RaveboxCore
import RaveboxIPC
import Synchronization
import Testing

@testable import RaveboxWeb

/// One `/api/live` message: the whole state, or the changed fields.
struct LiveMessage: Decodable {
    var seq: Int
    var state: PartyState?
    var changes: [String: AnyJSON]?
}

/// Any JSON value, kept only to look at which keys a change carries.
struct AnyJSON: Decodable {
    let isNull: Bool
    init(from decoder: any Decoder) throws { isNull = try decoder.singleValueContainer().decodeNil() }
}

@Suite struct LiveUpdatesTests {
    @Test func websocketSendsTheStateThenOnlyWhatChanged() async throws {
        let box = try WebTestBox()
        box.web.live.start()
        let app = box.web.application(host: "127.0.0.1", port: 0)
        let received = Mutex<[String]>([])
        try await app.test(.live) { client in
            let port = try #require(client.port)
            try await WebSocketClient.connect(url: "ws://127.0.0.1:\(port)/api/live", logger: Logger(label: "ws")) {
                inbound, outbound, _ in
                var iterator = inbound.messages(maxSize: 1 << 20).makeAsyncIterator()
                if case .text(let json) = try await iterator.next() { received.withLock { $0.append(json) } }
                // A guest elsewhere requests a song: the store commits, the change counter is bumped.
                _ = try box.store.enqueue(songID: box.songIDs[0], requestedBy: nil)
                box.segment.bump(.queue)
                if case .text(let json) = try await iterator.next() { received.withLock { $0.append(json) } }
                try await outbound.close(.normalClosure, reason: nil)
            }
        }
        let messages = try received.withLock { $0 }.map {
            try JSONDecoder().decode(LiveMessage.self, from: Data($0.utf8))
        }
        #expect(messages.count == 2)
        #expect(messages.first?.state?.queue.isEmpty == true)
        let change = try #require(messages.last)
        #expect(change.seq == (messages.first?.seq ?? -2) + 1)
        #expect(change.state == nil)
        #expect(change.changes?.keys.contains("queue") == true)
        // Compact: the fields that did not change are not sent again.
        #expect(change.changes?.keys.contains("volume") == false)
        #expect(change.changes?.keys.contains("interactivity") == false)
    }

    /// A plain request to a WebSocket address (a browser's address bar, a fuzzer) gets 426 and a sentence, as the
    /// API document says, instead of an empty 200; a WebSocket client still gets its upgrade (test above).
    @Test(arguments: ["/api/live", "/api/live/spectrum", "/api/live/leds"])
    func plainRequestToAWebSocketAddressIsRefusedWithASentence(path: String) async throws {
        let box = try WebTestBox()
        try await box.web.application(host: "127.0.0.1", port: 0).test(.live) { client in
            let reply = try await Guest().call(client, .get, path)
            #expect(reply.status == .upgradeRequired)
            #expect(reply.headers[.upgrade] == "websocket")
            #expect(reply.headers[.contentType]?.hasPrefix("application/json") == true)
            #expect(reply.error == "This address is for live updates: connect to it as a WebSocket.")
        }
    }

    @Test func engineTelemetryChangeIsPushedWithoutAStoreChange() async throws {
        let box = try WebTestBox()
        box.web.live.start()
        let stream = await box.web.live.subscribe()
        var iterator = stream.makeAsyncIterator()
        let first = try JSONDecoder().decode(LiveMessage.self, from: Data(try #require(await iterator.next()).utf8))
        #expect(first.state?.volume == 1)
        // The engine comes online with another volume: the fingerprint moves, the change is pushed.
        box.segment.beat(.engine, pid: 1)
        var telemetry = Telemetry()
        telemetry.volume = 0.5
        box.segment.telemetry.publish(telemetry)
        let second = try #require(await iterator.next())
        #expect(second.contains("\"volume\":0.5"))
        #expect(second.contains("\"engineOnline\":true"))
    }

    /// A burst of changes reaches a subscriber as at most one message per ``LiveUpdates/minimumInterval``, and the
    /// last message holds the last change.
    @Test func aBurstOfChangesIsSentAsFewMessagesEndingWithTheLastState() async throws {
        let box = try WebTestBox()
        box.web.live.start()
        let stream = await box.web.live.subscribe()
        var iterator = stream.makeAsyncIterator()
        _ = try #require(await iterator.next())
        let started = ContinuousClock.now
        let burst = 60
        for index in 0..<burst {
            _ = try box.store.enqueue(songID: box.songIDs[index % box.songIDs.count], requestedBy: "guest \(index)")
            box.segment.bump(.queue)
        }
        let finalQueue = Set(try await box.store.queue().map(\.id))
        var messages = 0
        var queue: Set<Int64> = []
        while queue != finalQueue {
            let text = try #require(await iterator.next())
            messages += 1
            let message = try #require(JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
            if let entries = (message["changes"] as? [String: Any])?["queue"] as? [[String: Any]] {
                queue = Set(entries.compactMap { ($0["id"] as? NSNumber)?.int64Value })
            }
        }
        let elapsed = ContinuousClock.now - started
        let allowed = Int(elapsed / LiveUpdates.minimumInterval) + 2
        #expect(messages <= allowed, "\(messages) messages in \(elapsed) for \(burst) changes")
        #expect(messages < burst)
    }

    static let playing = PartyState(
        playback: .playing, volume: 1,
        currentSong: CurrentSong(
            playID: 7, entryID: 9, songID: 3, title: "A", artist: "B", duration: 200, position: 12, votes: 1,
            path: "/music/a.mp3"),
        queue: [
            QueueEntry(
                QueueItem(
                    id: 4, songID: 5, position: 1, votes: 2, requester: nil, manuallyRequested: true, requestedAt: 0),
                title: "Next", artist: "C", duration: 180)
        ],
        lastFailure: nil, engineOnline: true, hashtag: "#party")

    @Test func changesCarryOnlyDifferingFieldsAndNullForRemovedOnes() {
        var ended = Self.playing
        ended.currentSong = nil
        ended.playback = .idle
        ended.hashtag = nil
        let changes = PartyStateChanges(from: Self.playing, to: ended)
        #expect(
            changes.message(sequence: 5)
                == "{\"seq\":5,\"changes\":{\"currentSong\":null,\"hashtag\":null,\"playback\":\"idle\"}}")
        var voted = Self.playing
        voted.queue[0].votes = 3
        #expect(
            PartyStateChanges(from: Self.playing, to: voted).message(sequence: 6)
                == "{\"seq\":6,\"changes\":{\"queue\":[{\"artist\":\"C\",\"duration\":180,\"id\":4,"
                + "\"position\":1,\"songId\":5,\"title\":\"Next\",\"votes\":3}]}}")
    }

    @Test func identicalStatesProduceNoChanges() {
        #expect(PartyStateChanges(from: Self.playing, to: Self.playing).isEmpty)
    }

    @Test func everyFieldOfTheStateIsCompared() throws {
        let declared = Mirror(reflecting: Self.playing).children.compactMap(\.label)
        #expect(declared == PartyStateChanges.fieldNames)
        // Each field, changed alone, is reported under the name the state document gives it.
        let document = try #require(
            JSONSerialization.jsonObject(with: JSONEncoder().encode(Self.playing)) as? [String: Any])
        #expect(Set(document.keys).isSubset(of: Set(PartyStateChanges.fieldNames)))
        var other = Self.playing
        other.visitors = 3
        other.modes.shuffle = true
        #expect(Set(PartyStateChanges(from: Self.playing, to: other).fields.keys) == ["visitors", "modes"])
    }
}
