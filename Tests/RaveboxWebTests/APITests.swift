import Foundation
import GRDB
import Hummingbird
import HummingbirdTesting
import RaveboxCore
import RaveboxIPC
import Testing

@testable import RaveboxWeb

@Suite struct APITests {
    struct ErrorBody: Decodable { var error: String }

    func app(_ box: WebTestBox) -> some ApplicationProtocol {
        Application(router: box.web.router())
    }

    func decode<T: Decodable>(_ type: T.Type, _ response: TestResponse) throws -> T {
        try JSONDecoder().decode(type, from: Data(buffer: response.body))
    }

    @Test func stateOfAFreshBoxIsIdleWithAnEmptyQueue() async throws {
        let box = try WebTestBox()
        try await app(box).test(.router) { client in
            try await client.execute(uri: "/api/state", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType]?.hasPrefix("application/json") == true)
                let state = try decode(PartyState.self, response)
                #expect(state.playback == .idle)
                #expect(state.queue.isEmpty)
                #expect(state.currentSong == nil)
                #expect(state.engineOnline == false)
            }
        }
    }

    @Test func requestingASongQueuesItAndWakesTheEngine() async throws {
        let box = try WebTestBox()
        let countBefore = box.segment.changeCount(.queue)
        try await app(box).test(.router) { client in
            try await client.execute(
                uri: "/api/queue", method: .post, body: ByteBuffer(string: "{\"songId\": \(box.songIDs[1])}")
            ) { response in
                #expect(response.status == .created)
                let entry = try decode(QueueEntry.self, response)
                #expect(entry.songID == box.songIDs[1])
                #expect(entry.title == "Two")
                #expect(entry.position == 1)
            }
            try await client.execute(uri: "/api/state", method: .get) { response in
                let state = try decode(PartyState.self, response)
                #expect(state.queue.map(\.songID) == [box.songIDs[1]])
                #expect(state.queue.first?.artist == "Beta")
                #expect(state.queue.first?.duration == 181)
            }
        }
        #expect(box.segment.changeCount(.queue) > countBefore)
        #expect(box.drainCommands().map(\.kind) == [.queueChanged])
    }

    @Test(arguments: ["{\"songId\": ", "not json", "{\"song\": 1}", "{\"songId\": \"abc\"}", ""])
    func malformedRequestIsABadRequestWithAJSONError(body: String) async throws {
        let box = try WebTestBox()
        try await app(box).test(.router) { client in
            try await client.execute(uri: "/api/queue", method: .post, body: ByteBuffer(string: body)) { response in
                #expect(response.status == .badRequest)
                let error = try decode(ErrorBody.self, response)
                #expect(error.error.contains("songId"))
            }
        }
        #expect(try box.store.queue().isEmpty)
        #expect(box.drainCommands().isEmpty)
    }

    @Test func unknownSongIsNotFoundWithAJSONError() async throws {
        let box = try WebTestBox()
        try await app(box).test(.router) { client in
            try await client.execute(uri: "/api/queue", method: .post, body: ByteBuffer(string: "{\"songId\": 4242}")) {
                response in
                #expect(response.status == .notFound)
                let error = try decode(ErrorBody.self, response).error
                #expect(error == "There is no song 4242 in the library.")
            }
        }
    }

    @Test(arguments: [("play", CommandKind.play), ("pause", .pause), ("skip", .skip)])
    func playbackControlSendsOneCommand(action: String, kind: CommandKind) async throws {
        let box = try WebTestBox()
        try await app(box).test(.router) { client in
            try await client.execute(uri: "/api/playback/\(action)", method: .post) { response in
                #expect(response.status == .accepted)
            }
        }
        #expect(box.drainCommands().map(\.kind) == [kind])
    }

    @Test func volumeIsSentWithItsValueAndOutOfRangeIsRefused() async throws {
        let box = try WebTestBox()
        try await app(box).test(.router) { client in
            try await client.execute(
                uri: "/api/playback/volume", method: .post, body: ByteBuffer(string: "{\"volume\": 0.25}")
            ) { response in
                #expect(response.status == .accepted)
            }
            try await client.execute(
                uri: "/api/playback/volume", method: .post, body: ByteBuffer(string: "{\"volume\": 2}")
            ) { response in
                #expect(response.status == .badRequest)
                let error = try decode(ErrorBody.self, response).error
                #expect(error.contains("between 0 and 1"))
            }
        }
        let commands = box.drainCommands()
        #expect(commands.map(\.kind) == [.setVolume])
        #expect(commands.first?.value == 0.25)
    }

    @Test func unknownPlaybackActionIsNotFound() async throws {
        let box = try WebTestBox()
        try await app(box).test(.router) { client in
            try await client.execute(uri: "/api/playback/explode", method: .post) { response in
                #expect(response.status == .notFound)
                let error = try decode(ErrorBody.self, response).error
                #expect(error.contains("explode"))
            }
        }
        #expect(box.drainCommands().isEmpty)
    }

    @Test func fullCommandRingIsServiceUnavailableNotALostCommand() async throws {
        let box = try WebTestBox()
        while (try? box.segment.commands.push(Command(kind: .play))) != nil {}
        try await app(box).test(.router) { client in
            try await client.execute(uri: "/api/playback/skip", method: .post) { response in
                #expect(response.status == .serviceUnavailable)
                let error = try decode(ErrorBody.self, response).error
                #expect(error.contains("try again"))
            }
        }
    }

    @Test func unknownAddressIsAJSONNotFound() async throws {
        let box = try WebTestBox()
        try await app(box).test(.router) { client in
            try await client.execute(uri: "/nope", method: .get) { response in
                #expect(response.status == .notFound)
                let error = try decode(ErrorBody.self, response).error
                #expect(error == "There is nothing at this address.")
            }
        }
    }

    @Test func librarySearchFiltersByText() async throws {
        let box = try WebTestBox()
        try await app(box).test(.router) { client in
            try await client.execute(uri: "/api/library?q=gam", method: .get) { response in
                #expect(response.status == .ok)
                let songs = try decode([LibraryListing].self, response)
                #expect(songs.map(\.title) == ["Three"])
            }
            try await client.execute(uri: "/api/library", method: .get) { response in
                let songs = try decode([LibraryListing].self, response)
                #expect(songs.count == 3)
            }
        }
    }

    @Test func everyGuestGetsASessionCookieThatIsKept() async throws {
        let box = try WebTestBox()
        try await app(box).test(.router) { client in
            let cookie = try await client.execute(uri: "/api/state", method: .get) { response in
                try #require(response.headers[.setCookie])
            }
            #expect(cookie.hasPrefix("rb_session="))
            #expect(cookie.contains("HttpOnly"))
            let value = String(cookie.dropFirst("rb_session=".count).prefix(36))
            try await client.execute(
                uri: "/api/queue", method: .post, headers: [.cookie: "rb_session=\(value)"],
                body: ByteBuffer(string: "{\"songId\": \(box.songIDs[0])}")
            ) { response in
                #expect(response.status == .created)
                #expect(response.headers[.setCookie] == nil)
            }
        }
        let requester = try await box.store.pool.read { db in
            try String.fetchOne(db, sql: "SELECT requestedBy FROM queue_entry")
        }
        #expect(requester?.count == 36)
    }
}

/// A library search result as the API returns it.
struct LibraryListing: Decodable {
    var id: Int64
    var title: String
    var artist: String
    var duration: Double
}
