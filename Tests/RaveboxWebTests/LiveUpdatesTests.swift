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

@Suite struct LiveUpdatesTests {
    @Test func websocketSendsTheStateThenEveryChange() async throws {
        let box = try WebTestBox()
        box.web.live.start()
        let app = box.web.application(host: "127.0.0.1", port: 0)
        let received = Mutex<[PartyState]>([])
        try await app.test(.live) { client in
            let port = try #require(client.port)
            try await WebSocketClient.connect(url: "ws://127.0.0.1:\(port)/api/live", logger: Logger(label: "ws")) {
                inbound, outbound, _ in
                var iterator = inbound.messages(maxSize: 1 << 20).makeAsyncIterator()
                // First message: the state as it is.
                if case .text(let json) = try await iterator.next() {
                    received.withLock { $0.append(try! JSONDecoder().decode(PartyState.self, from: Data(json.utf8))) }
                }
                // A guest elsewhere requests a song: the store commits, the change counter is bumped.
                _ = try box.store.enqueue(songID: box.songIDs[0], requestedBy: nil)
                box.segment.bump(.queue)
                if case .text(let json) = try await iterator.next() {
                    received.withLock { $0.append(try! JSONDecoder().decode(PartyState.self, from: Data(json.utf8))) }
                }
                try await outbound.close(.normalClosure, reason: nil)
            }
        }
        let states = received.withLock { $0 }
        #expect(states.count == 2)
        #expect(states.first?.queue.isEmpty == true)
        #expect(states.last?.queue.map(\.songID) == [box.songIDs[0]])
    }

    @Test func engineTelemetryChangeIsPushedWithoutAStoreChange() async throws {
        let box = try WebTestBox()
        box.web.live.start()
        let stream = box.web.live.subscribe()
        var iterator = stream.makeAsyncIterator()
        let first = try #require(await iterator.next())
        #expect(first.contains("\"volume\":1"))
        // The engine comes online with another volume: the fingerprint moves, a new state is pushed.
        box.segment.beat(.engine, pid: 1)
        var telemetry = Telemetry()
        telemetry.volume = 0.5
        box.segment.telemetry.publish(telemetry)
        let second = try #require(await iterator.next())
        let state = try JSONDecoder().decode(PartyState.self, from: Data(second.utf8))
        #expect(state.volume == 0.5)
        #expect(state.engineOnline)
    }
}
