import Foundation
import GRDB
import RaveboxCore
import RaveboxIPC
import RaveboxStore
import RaveboxTestSupport
import Testing

/// An acknowledged vote survives the web process being killed at any moment.
@Suite(.serialized) struct VoteDurabilityTests {
    @Test func everyAcknowledgedVoteSurvivesKill9OfTheWebProcess() async throws {
        // One vote per session (not per device: every test client shares 127.0.0.1), set before the start.
        let box = try SupervisorProcessTests.Box(prepare: { data in
            let store = try Store(path: data + "/ravebox.sqlite")
            try store.setSetting("oneVotePerDevice", to: SettingValue.bool(false).storedString)
        })
        #expect(await HTTPClient.waitUntilUp(box.base + "/api/state", seconds: 30), "\(box.logText)")
        var songID: Int64?
        _ = await eventually(within: 10) {
            let reply = try await HTTPClient.get(box.base + "/api/search")
            songID = try JSONDecoder().decode([Song.Listing].self, from: reply.body).first?.id
            return songID != nil
        }
        let request = try await HTTPClient.post(box.base + "/api/queue", json: "{\"songId\": \(try #require(songID))}")
        #expect(request.status == 201)
        struct Queued: Decodable { var entry: QueueEntry }
        let entryID = try JSONDecoder().decode(Queued.self, from: request.body).entry.id

        // The killer: five kill -9s of whichever web process is running, at random moments.
        let supervisor = box.pid
        let killer = Task {
            for _ in 0..<5 {
                try? await Task.sleep(for: .milliseconds(Int.random(in: 200...600)))
                if let web = ProcessTable.children(of: supervisor, withArgument: "web").first { kill(web, SIGKILL) }
            }
        }
        var acknowledged: [String] = []
        var attempts = 0
        let deadline = Date().addingTimeInterval(8)
        while Date() < deadline, attempts < 2000 {
            attempts += 1
            // A new guest each time: no cookie, so the box begins a session and sends its token.
            let reply = RawHTTP.request(
                "PUT", port: box.port, path: "/api/queue/\(entryID)/vote", body: "{\"vote\": 1}")
            if let reply, (200..<300).contains(reply.status) {
                let token = reply.headers["set-cookie"]?.split(separator: ";").first?.split(separator: "=").last
                if let token { acknowledged.append(String(token)) }
            }
            if reply == nil { try? await Task.sleep(for: .milliseconds(10)) }
        }
        await killer.value
        kill(box.pid, SIGTERM)
        box.process.waitUntilExit()

        let store = try Store(path: box.folder.file("data") + "/ravebox.sqlite")
        let (stored, voters) = try await store.pool.read { db in
            (
                try Set(String.fetchAll(db, sql: "SELECT voter FROM vote WHERE entryId = ?", arguments: [entryID])),
                try Dictionary(
                    uniqueKeysWithValues: Row.fetchAll(db, sql: "SELECT token, id FROM guest_session").map {
                        (row: Row) -> (String, String) in (row["token"], row["id"])
                    })
            )
        }
        // Each acknowledged vote: its guest's session and the vote under that guest's id are both stored.
        let lost = acknowledged.filter { token in voters[token].map { !stored.contains("session:\($0)") } ?? true }
        #expect(acknowledged.count > 50, "too few votes got through to mean anything: \(acknowledged.count)")
        #expect(lost.isEmpty, "\(lost.count) acknowledged votes were lost")
        let kills = box.logText.components(separatedBy: "web killed by signal 9").count - 1
        #expect(kills >= 3, "the web process was not killed often enough: \(kills)")
        let integrity = try await store.pool.read { db in try String.fetchOne(db, sql: "PRAGMA integrity_check") }
        #expect(integrity == "ok")
    }
}
