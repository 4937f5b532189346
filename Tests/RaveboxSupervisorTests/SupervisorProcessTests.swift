import Foundation
import GRDB
import RaveboxCore
import RaveboxIPC
import RaveboxTestSupport
import Testing

/// Runs the real `ravebox run` and treats it the way the world will: kill -9 its children, then SIGTERM it.
@Suite(.serialized) struct SupervisorProcessTests {
    struct State: Decodable {
        var queue: [QueueEntry]
        var currentSong: CurrentSong?
        var engineOnline: Bool
    }

    /// A running box on a temporary data folder and a free port.
    final class Box {
        let folder: TemporaryFolder
        let process = Process()
        let port: Int
        let base: String
        let log: String

        /// Starts a box; `prepare` gets the data folder first (to seed the database, say); `environment` is added
        /// to the test's own; `arguments` go after the usual ones.
        init(
            prepare: (String) throws -> Void = { _ in }, environment: [String: String] = [:], arguments: [String] = []
        ) throws {
            folder = try TemporaryFolder("supervisor")
            try FileManager.default.createDirectory(atPath: folder.file("data"), withIntermediateDirectories: true)
            try prepare(folder.file("data"))
            let music = folder.file("music")
            try FileManager.default.createDirectory(atPath: music, withIntermediateDirectories: true)
            for index in 1...3 {
                try WAVFile.write(
                    WAVFile.sine(frequency: 220 * Double(index), seconds: 20, channels: 2),
                    to: music + "/track\(index).wav")
            }
            port = try FreePort.find()
            base = "http://127.0.0.1:\(port)"
            log = folder.file("box.log")
            _ = FileManager.default.createFile(atPath: log, contents: nil)
            process.executableURL = URL(fileURLWithPath: try TestBinary.ravebox)
            process.arguments =
                [
                    "run", "--data", folder.file("data"), "--host", "127.0.0.1", "--port", String(port), "--library",
                    music, "--audio-device", "null",
                ] + arguments
            let output = FileHandle(forWritingAtPath: log)
            process.standardOutput = output
            process.standardError = output
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
            try process.run()
        }

        var pid: Int32 { process.processIdentifier }

        func child(_ role: String) -> Int32? { ProcessTable.children(of: pid, withArgument: role).first }

        func state() async throws -> State {
            let reply = try await HTTPClient.get(base + "/api/state")
            return try JSONDecoder().decode(State.self, from: reply.body)
        }

        func segment() throws -> SharedSegment {
            var info = stat()
            stat(folder.file("data"), &info)
            return try SharedSegment.open(name: "/ravebox-\(info.st_dev)-\(info.st_ino)")
        }

        var segmentPath: String {
            var info = stat()
            stat(folder.file("data"), &info)
            return "/dev/shm/ravebox-\(info.st_dev)-\(info.st_ino)"
        }

        var logText: String { (try? String(contentsOfFile: log, encoding: .utf8)) ?? "" }

        /// The three songs' ids, once the library scan found them (empty if it did not within 10 s).
        func songIDs() async -> [Int64] {
            var ids: [Int64] = []
            _ = await eventually(within: 10) {
                let reply = try await HTTPClient.get(base + "/api/search")
                ids = try JSONDecoder().decode([Song.Listing].self, from: reply.body).map(\.id)
                return ids.count == 3
            }
            return ids
        }

        deinit {
            if process.isRunning { kill(pid, SIGKILL) }
            folder.remove()
        }
    }

    @Test func killedChildrenComeBackAndTheQueueSurvivesThenSIGTERMStopsEverything() async throws {
        let box = try Box()
        #expect(
            await HTTPClient.waitUntilUp(box.base + "/api/state", seconds: 30), "box did not come up:\n\(box.logText)")
        // Wait for the library scan, then request all three songs.
        let songIDs = await box.songIDs()
        #expect(songIDs.count == 3, "library not scanned:\n\(box.logText)")
        for id in songIDs {
            #expect(try await HTTPClient.post(box.base + "/api/queue", json: "{\"songId\": \(id)}").status == 201)
        }
        #expect(await eventually(within: 5) { try await box.state().currentSong != nil })
        let before = try await box.state()
        #expect(before.queue.count == 2)

        // kill -9 the engine: a new one is up within 2 s and beating; the queue is intact.
        let segment = try box.segment()
        let engine = try #require(box.child("engine"))
        kill(engine, SIGKILL)
        let killedAt = Date()
        #expect(
            await eventually(within: 2) {
                guard let fresh = box.child("engine"), fresh != engine else { return false }
                return segment.heartbeat(of: .engine).pid == fresh
            }, "engine not back within 2 s:\n\(box.logText)")
        #expect(Date().timeIntervalSince(killedAt) < 2)
        let afterEngine = try await box.state()
        #expect(afterEngine.queue.map(\.id) == before.queue.map(\.id))
        #expect(afterEngine.currentSong?.songID == before.currentSong?.songID)

        // kill -9 the web process: back within 2 s, answering.
        let web = try #require(box.child("web"))
        kill(web, SIGKILL)
        #expect(
            await eventually(within: 2) {
                guard let fresh = box.child("web"), fresh != web else { return false }
                return try await HTTPClient.get(box.base + "/api/state", timeout: 0.5).status == 200
            }, "web not back within 2 s:\n\(box.logText)")
        #expect(try await box.state().queue.map(\.id) == before.queue.map(\.id))

        // SIGTERM: everything stops within 5 s, exit code 0, no segment left behind.
        let children = [box.child("engine"), box.child("web")].compactMap { $0 }
        let stoppedAt = Date()
        kill(box.pid, SIGTERM)
        #expect(await eventually(within: 5) { !box.process.isRunning }, "still running:\n\(box.logText)")
        #expect(Date().timeIntervalSince(stoppedAt) < 5)
        box.process.waitUntilExit()
        #expect(box.process.terminationStatus == 0, "\(box.logText)")
        #expect(children.allSatisfy { !ProcessTable.isAlive($0) })
        #expect(!FileManager.default.fileExists(atPath: box.segmentPath))
    }

    /// kill -9 of the engine in the middle of a song: the new engine resumes it within 1 s of where it was
    /// (the position is saved every second).
    @Test func engineKilledMidSongResumesWithinASecondOfWhereItWas() async throws {
        let box = try Box()
        #expect(
            await HTTPClient.waitUntilUp(box.base + "/api/state", seconds: 30), "box did not come up:\n\(box.logText)")
        let id = try #require(await box.songIDs().first)
        #expect(try await HTTPClient.post(box.base + "/api/queue", json: "{\"songId\": \(id)}").status == 201)
        #expect(await eventually(within: 10) { (try await box.state().currentSong?.position ?? 0) >= 3.3 })
        let engine = try #require(box.child("engine"))
        let before = try #require(try await box.state().currentSong)
        kill(engine, SIGKILL)
        let segment = try box.segment()
        #expect(
            await eventually(within: 3) {
                guard let fresh = box.child("engine"), fresh != engine else { return false }
                return segment.heartbeat(of: .engine).pid == fresh
                    && segment.telemetry.read().state == .playing
            }, "engine not back:\n\(box.logText)")
        let after = try #require(try await box.state().currentSong)
        #expect(after.songID == before.songID)
        #expect(after.playID == before.playID, "the same play goes on, not a new one")
        #expect(
            after.position >= before.position - 1.05 && after.position <= before.position + 1,
            "killed at \(before.position) s, resumed at \(after.position) s")
        kill(box.pid, SIGTERM)
        box.process.waitUntilExit()
    }

    /// FFmpeg's libraries are opened by the process that decodes (Sources/CFFmpeg/loader.c), and no process of the box
    /// takes transparent huge pages (the supervisor turns them off before its children start).
    @Test func onlyThePlayingEngineMapsFFmpegAndNoProcessTakesHugePages() async throws {
        let box = try Box()
        #expect(
            await HTTPClient.waitUntilUp(box.base + "/api/state", seconds: 30), "box did not come up:\n\(box.logText)")
        let id = try #require(await box.songIDs().first)
        #expect(try await HTTPClient.post(box.base + "/api/queue", json: "{\"songId\": \(id)}").status == 201)
        #expect(await eventually(within: 10) { (try await box.state().currentSong?.position ?? 0) > 0.5 })
        let engine = try #require(box.child("engine"))
        let web = try #require(box.child("web"))
        func file(_ pid: Int32, _ name: String) -> String {
            // Read to the end: /proc files report a size of 0.
            let data = FileHandle(forReadingAtPath: "/proc/\(pid)/\(name)")?.readDataToEndOfFile() ?? Data()
            return String(decoding: data, as: UTF8.self)
        }
        #expect(file(engine, "maps").contains("/libavcodec.so"), "the engine decodes with FFmpeg")
        #expect(!file(web, "maps").contains("/libavcodec.so"), "the web process decoded nothing")
        #expect(!file(box.pid, "maps").contains("/libavcodec.so"), "the supervisor decodes nothing")
        for (role, pid) in [("supervisor", box.pid), ("engine", engine), ("web", web)] {
            #expect(file(pid, "status").contains("THP_enabled:\t0"), "\(role): \(file(pid, "status"))")
        }
        kill(box.pid, SIGTERM)
        box.process.waitUntilExit()
    }

    @Test func hungChildWhoseHeartbeatStopsIsKilledAndReplaced() async throws {
        let box = try Box()
        #expect(
            await HTTPClient.waitUntilUp(box.base + "/api/state", seconds: 30), "box did not come up:\n\(box.logText)")
        let segment = try box.segment()
        let web = try #require(box.child("web"))
        // A stopped process is alive but silent: exactly what a deadlock looks like from outside.
        kill(web, SIGSTOP)
        let stoppedAt = Date()
        #expect(
            await eventually(within: 6) {
                guard let fresh = box.child("web"), fresh != web else { return false }
                return segment.heartbeat(of: .web).pid == fresh
            }, "hung web process not replaced:\n\(box.logText)")
        // Not before the 3 s heartbeat timeout.
        #expect(Date().timeIntervalSince(stoppedAt) >= 3)
        #expect(!ProcessTable.isAlive(web))
        #expect(box.logText.contains("web stopped answering"))
        kill(box.pid, SIGTERM)
        box.process.waitUntilExit()
        #expect(box.process.terminationStatus == 0)
    }

    /// The soak's slow disk: the web process's commits hold SQLite's write lock while the card syncs, and the
    /// engine's control loop, which saves the position every second, waits for it (up to the store's busy
    /// timeout) without beating its heartbeat. That is a wait, not a hang: killing the engine for it stopped the
    /// music, and the fresh engine, waiting too, was killed again.
    @Test func engineWaitingForTheDatabaseWriteLockIsNotTakenForHung() async throws {
        let box = try Box(arguments: ["--mode", "box"])
        #expect(await HTTPClient.waitUntilUp(box.base + "/api/state", seconds: 30), "\(box.logText)")
        #expect(
            await eventually(within: 20) { try await box.state().currentSong != nil },
            "nothing plays:\n\(box.logText)")
        let engine = try #require(box.child("engine"))
        // Another connection holds the write lock for 4.5 s, inside the store's 5 s busy timeout.
        var configuration = Configuration()
        configuration.busyMode = .timeout(5)  // the box's own commits hold the lock for moments too
        let database = try DatabaseQueue(
            path: box.folder.file("data") + "/ravebox.sqlite", configuration: configuration)
        try await database.writeWithoutTransaction { db in
            try db.execute(sql: "BEGIN IMMEDIATE")
            Thread.sleep(forTimeInterval: 4.5)
            try db.execute(sql: "COMMIT")
        }
        try database.close()
        try await Task.sleep(for: .seconds(1))
        #expect(box.child("engine") == engine, "the engine was replaced:\n\(box.logText)")
        #expect(!box.logText.contains("engine stopped answering"), "\(box.logText)")
        kill(box.pid, SIGTERM)
        box.process.waitUntilExit()
        #expect(box.process.terminationStatus == 0)
    }

    @Test func invalidConfigurationExitsWithCodeTwoNamingTheKey() throws {
        let folder = try TemporaryFolder("badconfig")
        defer { folder.remove() }
        let result = try ProcessRunner.run(
            try TestBinary.ravebox, ["run", "--data", folder.file("data"), "--port", "eighty"])
        #expect(result.status == 2)
        #expect(result.standardError.contains("port"))
        #expect(result.standardError.contains("1 to 65535"))
        // Nothing started: no data folder was created.
        #expect(!FileManager.default.fileExists(atPath: folder.file("data")))
    }

    @Test func secondBoxOnTheSameDataFolderIsRefused() async throws {
        let box = try Box()
        #expect(await HTTPClient.waitUntilUp(box.base + "/api/state", seconds: 30))
        let second = try ProcessRunner.run(
            try TestBinary.ravebox,
            ["run", "--data", box.folder.file("data"), "--port", String(try FreePort.find()), "--audio-device", "null"])
        #expect(second.status == 3)
        #expect(second.standardError.contains("already running"))
        kill(box.pid, SIGTERM)
        box.process.waitUntilExit()
    }

    @Test func aBoxStartedForTheFirstTimePlaysItsLibraryWithoutBeingAsked() async throws {
        let box = try Box(arguments: ["--mode", "box"])
        #expect(await HTTPClient.waitUntilUp(box.base + "/api/state", seconds: 30), "\(box.logText)")
        #expect(
            await eventually(within: 20) { try await box.state().currentSong != nil },
            "nothing plays:\n\(box.logText)")
        kill(box.pid, SIGTERM)
        box.process.waitUntilExit()
    }

    @Test func systemdHearsReadyWatchdogPingsAFailingChildAndStopping() async throws {
        let socketFolder = try TemporaryFolder("notify")
        defer { socketFolder.remove() }
        let systemd = try UnixDatagramReceiver(path: socketFolder.file("notify"))
        let box = try Box(environment: ["NOTIFY_SOCKET": systemd.path, "WATCHDOG_USEC": "1000000"])
        let ready = systemd.collect(within: 30) { $0.contains { $0.hasPrefix("READY=1") } }
        let beforeReady = try #require(ready, "no READY=1:\n\(box.logText)")
        #expect(beforeReady.first == "STATUS=starting")
        #expect(beforeReady.last == "READY=1\nSTATUS=running")
        #expect(await HTTPClient.waitUntilUp(box.base + "/api/state", seconds: 5), "ready before the web answers")
        // Pings every half watchdog period (0.5 s): at least three in 2 s.
        let pings = systemd.collect(within: 2.5) { $0.filter { $0 == "WATCHDOG=1" }.count >= 3 }
        #expect(pings != nil)

        // A killed engine is "failing" until its successor answers, and READY is not sent again.
        let engine = try #require(box.child("engine"))
        kill(engine, SIGKILL)
        let recovery = systemd.collect(within: 10) { $0.contains("STATUS=running") }
        let statuses = try #require(recovery).filter { $0.hasPrefix("STATUS=") || $0.hasPrefix("READY") }
        #expect(statuses.first == "STATUS=a process keeps failing: see the log")
        #expect(!statuses.contains { $0.hasPrefix("READY") })

        kill(box.pid, SIGTERM)
        #expect(systemd.collect(within: 5) { $0.contains("STOPPING=1") } != nil)
        box.process.waitUntilExit()
        #expect(box.process.terminationStatus == 0)
    }
}

extension Song {
    /// A library search result as `/api/library` returns it.
    struct Listing: Decodable {
        var id: Int64
        var title: String
    }
}
