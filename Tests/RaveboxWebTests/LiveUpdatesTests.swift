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

    @Test func engineTelemetryChangeIsPushedWithoutAStoreChange() async throws {
        let box = try WebTestBox()
        box.web.live.start()
        let stream = box.web.live.subscribe()
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

    @Test(arguments: [
        (["a": "1", "b": "2"], ["a": "1", "b": "3"], "{\"seq\":5,\"changes\":{\"b\":3}}"),
        (["a": "1", "b": "2"], ["a": "1"], "{\"seq\":5,\"changes\":{\"b\":null}}"),
        (["a": "1"], ["a": "1", "c": "[1]"], "{\"seq\":5,\"changes\":{\"c\":[1]}}"),
    ])
    func changesCarryOnlyDifferingFieldsAndNullForRemovedOnes(
        old: [String: String], new: [String: String], expected: String
    ) {
        let encode = { (fields: [String: String]) in fields.mapValues { Data($0.utf8) } }
        #expect(LiveUpdates.changes(from: encode(old), to: encode(new), sequence: 5) == expected)
    }

    @Test func identicalStatesProduceNoMessage() {
        #expect(LiveUpdates.changes(from: ["a": Data("1".utf8)], to: ["a": Data("1".utf8)], sequence: 1) == nil)
    }
}
