import Foundation
import Testing

@testable import RaveboxIPC

@Suite("SharedSegment: creating, opening, validating")
struct SharedSegmentTests {
    @Test func openedSegmentMatchesTheCreatedOne() async throws {
        try await withSegment { created in
            let opened = try SharedSegment.open(name: created.name)
            #expect(opened.name == created.name)
            #expect(opened.creatorPID == getpid())
            #expect(SharedSegment.exists(name: created.name))
        }
    }

    @Test func nameWithoutLeadingSlashGetsOne() async throws {
        let bare = String(uniqueSegmentName().dropFirst())
        let segment = try SharedSegment.create(name: bare)
        defer { _ = try? segment.unlink() }
        #expect(segment.name == "/" + bare)
        #expect(SharedSegment.exists(name: "/" + bare))
    }

    @Test(arguments: ["", "/", "/ravebox/main", String(repeating: "x", count: 300)])
    func invalidNamesAreRefused(_ name: String) {
        let error = #expect(throws: IPCError.self) { _ = try SharedSegment.create(name: name) }
        guard case .invalidName = error else {
            Issue.record("expected invalidName, got \(String(describing: error))")
            return
        }
    }

    @Test func openingAMissingSegmentSaysWhoCreatesIt() {
        let name = uniqueSegmentName()
        do {
            _ = try SharedSegment.open(name: name)
            Issue.record("opening \(name) should fail")
        } catch {
            #expect(error == .notFound(name: name))
            #expect(error.description.contains("ravebox run"))
        }
    }

    @Test func segmentFromAnotherLayoutVersionIsRefusedNamingBothVersions() throws {
        let name = uniqueSegmentName()
        let other = SharedSegment.layoutVersion + 98
        let foreign = try SharedSegment.create(name: name, stampingLayoutVersion: other)
        defer { _ = try? foreign.unlink() }
        do {
            _ = try SharedSegment.open(name: name)
            Issue.record("a segment of layout version \(other) must be refused")
        } catch {
            #expect(error == .layoutVersionMismatch(name: name, found: other, expected: SharedSegment.layoutVersion))
            #expect(error.description.contains("layout version \(other)"))
            #expect(error.description.contains("layout version \(SharedSegment.layoutVersion)"))
        }
    }

    @Test func segmentOfAnotherProgramIsRefused() throws {
        let name = uniqueSegmentName()
        let descriptor = shm_open(name, O_CREAT | O_EXCL | O_RDWR, 0o600)
        try #require(descriptor >= 0)
        defer { shm_unlink(name) }
        let garbage = [UInt8](repeating: 0xAB, count: 4096)
        #expect(garbage.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) } == 4096)
        close(descriptor)
        let error = #expect(throws: IPCError.self) { _ = try SharedSegment.open(name: name) }
        #expect(error == .notRaveboxSegment(name: name, foundMagic: 0xABAB_ABAB_ABAB_ABAB))
    }

    @Test func emptySegmentIsReportedAsNotInitialised() throws {
        let name = uniqueSegmentName()
        let descriptor = shm_open(name, O_CREAT | O_EXCL | O_RDWR, 0o600)
        try #require(descriptor >= 0)
        close(descriptor)
        defer { shm_unlink(name) }
        do {
            _ = try SharedSegment.open(name: name)
            Issue.record("an empty segment must be refused")
        } catch {
            #expect(error == .notRaveboxSegment(name: name, foundMagic: 0))
            #expect(error.description.contains("not initialised"))
        }
    }

    @Test func unlinkRemovesTheNameOnceAndMappingsStayUsable() throws {
        let segment = try SharedSegment.create(name: uniqueSegmentName())
        #expect(try segment.unlink())
        #expect(!SharedSegment.exists(name: segment.name))
        #expect(try !segment.unlink())
        try segment.commands.push(Command(kind: .play, sequence: 7))
        #expect(segment.commands.pop()?.sequence == 7)
    }

    @Test func creatingAgainReplacesAStaleSegment() async throws {
        try await withSegment { stale in
            try stale.commands.push(Command(kind: .skip))
            stale.bump(.queue)
            let fresh = try SharedSegment.create(name: stale.name)
            #expect(fresh.commands.count == 0)
            #expect(fresh.changeCount(.queue) == 0)
            #expect(try SharedSegment.open(name: stale.name).commands.count == 0)
            // A process still holding the old mapping keeps its own (orphaned) copy.
            #expect(stale.commands.count == 1)
        }
    }

    @Test func twoMappingsOfOneSegmentSeeEachOthersWrites() async throws {
        try await withSegment { first in
            let second = try SharedSegment.open(name: first.name)
            #expect(first.base != second.base)

            try first.commands.push(Command(kind: .seek, sequence: 1, value: 42.5))
            #expect(second.commands.pop() == Command(kind: .seek, sequence: 1, value: 42.5))
            #expect(first.commands.count == 0)

            var telemetry = Telemetry()
            telemetry.state = .playing
            telemetry.position = 12.25
            telemetry.bands = [0.5, 0.25]
            telemetry.bandCount = 2
            second.telemetry.publish(telemetry)
            #expect(first.telemetry.read() == telemetry)

            first.bump(.settings)
            #expect(second.changeCount(.settings) == 1)

            second.beat(.web, pid: 1234)
            #expect(first.heartbeat(of: .web).pid == 1234)
            #expect(first.heartbeat(of: .web).counter == 1)
        }
    }

    @Test func headerRecordsCreatorAndLayoutSize() async throws {
        try await withSegment { segment in
            #expect(segment.creatorPID == getpid())
            #expect(SharedSegment.size % 65536 == 0)
            #expect(SegmentLayout.end <= SharedSegment.size)
            #expect(SegmentLayout.commandRing.headOffset / 64 != SegmentLayout.commandRing.tailOffset / 64)
            #expect(ProcessRole.allCases.count <= SegmentLayout.heartbeatSlots)
            #expect(ChangeGroup.allCases.count <= SegmentLayout.changeGroupSlots)
            #expect(TelemetrySnapshot.Field.allCases.count == SegmentLayout.telemetryFieldCount)
        }
    }
}

@Suite("Heartbeats and change counters")
struct HeartbeatAndChangeCounterTests {
    @Test func beatIncrementsCounterAndRecordsTimeAndPid() async throws {
        try await withSegment { segment in
            #expect(segment.heartbeat(of: .engine) == Heartbeat(counter: 0, monotonicNanos: 0, pid: 0))
            let before = SharedSegment.monotonicNanos()
            segment.beat(.engine, pid: 4242)
            segment.beat(.engine, pid: 4242)
            let after = SharedSegment.monotonicNanos()
            let beat = segment.heartbeat(of: .engine)
            #expect(beat.counter == 2)
            #expect(beat.pid == 4242)
            #expect(beat.monotonicNanos >= before && beat.monotonicNanos <= after)
            #expect(beat.age(atMonotonicNanos: after + 1_000) >= 1_000)
            #expect(segment.heartbeat(of: .web).counter == 0)
            #expect(segment.heartbeat(of: .supervisor).counter == 0)
        }
    }

    @Test func monotonicClockNeverGoesBack() {
        var previous = SharedSegment.monotonicNanos()
        for _ in 0..<10_000 {
            let now = SharedSegment.monotonicNanos()
            #expect(now >= previous)
            previous = now
        }
    }

    @Test func bumpCountsPerGroup() async throws {
        try await withSegment { segment in
            segment.bump(.queue)
            segment.bump(.queue)
            segment.bump(.library)
            #expect(segment.changeCount(.queue) == 2)
            #expect(segment.changeCount(.library) == 1)
            #expect(segment.changeCount(.settings) == 0)
            #expect(segment.changeCount(.currentSong) == 0)
            #expect(segment.changeCount(.logs) == 0)
        }
    }
}
