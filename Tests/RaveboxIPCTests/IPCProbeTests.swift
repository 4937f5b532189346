import Foundation
import Testing

@testable import RaveboxIPC

@Suite("IPCProbe: commands across processes")
struct IPCProbeTests {
    @Test func hundredThousandCommandsCrossProcessesWithoutLossOrReordering() async throws {
        try await withSegment { segment in
            let count = 100_000
            let producer = try Child(["ipc-probe", "produce", "--segment", segment.name, "--count", "\(count)"])
            let received = await onThread { IPCProbe.consume(segment: segment, count: count, timeout: .seconds(30)) }
            let child = await producer.waitForExit()
            #expect(child.status == 0, "producer failed: \(child.standardError)")
            let sent = try JSONDecoder().decode(ProduceSummary.self, from: Data(child.standardOutput.utf8))
            #expect(sent.sent == count)
            #expect(!sent.gaveUp)
            #expect(received.received == count)
            #expect(received.lost == 0)
            #expect(received.reordered == 0)
            #expect(received.duplicates == 0)
            #expect(received.unexpected == 0)
            #expect(received.isPerfect)
            #expect(received.latencyP50Micros > 0)
            #expect(received.latencyP50Micros <= received.latencyP99Micros)
            #expect(received.latencyP99Micros <= received.latencyMaxMicros)
            #expect(segment.commands.corruptCount == 0)
        }
    }

    @Test func processOfAnotherBuildRefusesTheSegmentNamingBothVersions() async throws {
        let name = uniqueSegmentName()
        let other = SharedSegment.layoutVersion + 1
        let segment = try SharedSegment.create(name: name, stampingLayoutVersion: other)
        defer { _ = try? segment.unlink() }
        let child = await (try Child(["ipc-probe", "produce", "--segment", name, "--count", "1"])).waitForExit()
        #expect(child.status != 0)
        #expect(child.standardError.contains("layout version \(other)"))
        #expect(child.standardError.contains("layout version \(SharedSegment.layoutVersion)"))
        #expect(segment.commands.count == 0)
    }

    @Test func probeCommandLineCreatesAndUnlinksSegments() async throws {
        let name = uniqueSegmentName()
        let created = await (try Child(["ipc-probe", "create", "--segment", name])).waitForExit()
        #expect(created.status == 0, "\(created.standardError)")
        let summary = try JSONDecoder().decode(SegmentSummary.self, from: Data(created.standardOutput.utf8))
        #expect(summary.segment == name)
        #expect(summary.layoutVersion == SharedSegment.layoutVersion)
        let opened = try SharedSegment.open(name: name)
        #expect(opened.creatorPID != getpid())
        let unlinked = await (try Child(["ipc-probe", "unlink", "--segment", name])).waitForExit()
        #expect(unlinked.status == 0)
        #expect(unlinked.standardOutput.contains("\"removed\":true"))
        #expect(!SharedSegment.exists(name: name))
    }

    @Test func rateLimitedProducerPacesItsCommands() async throws {
        try await withSegment { segment in
            async let received = onThread { IPCProbe.consume(segment: segment, count: 200, timeout: .seconds(20)) }
            let sent = await onThread { IPCProbe.produce(segment: segment, count: 200, rate: 1_000) }
            let summary = await received
            #expect(summary.isPerfect)
            // 200 commands at 1000/s: the last one leaves ~199 ms after the first.
            #expect(sent.elapsedSeconds >= 0.19)
            #expect(sent.elapsedSeconds < 10)
        }
    }

    @Test func producerRetriesOnAFullRingUntilTheConsumerCatchesUp() async throws {
        try await withSegment { segment in
            let count = CommandRing.capacity * 3
            async let sent = onThread { IPCProbe.produce(segment: segment, count: count) }
            try await Task.sleep(for: .milliseconds(200))
            let received = await onThread { IPCProbe.consume(segment: segment, count: count, timeout: .seconds(20)) }
            let produced = await sent
            #expect(produced.sent == count)
            #expect(produced.ringFullRetries > 0)
            #expect(received.isPerfect)
        }
    }

    @Test func consumerReportsLossReorderingDuplicatesAndStrangers() async throws {
        try await withSegment { segment in
            for sequence: UInt64 in [1, 3, 2, 2, 99] {
                try segment.commands.push(Command(kind: .probe, sequence: sequence, value: 1))
            }
            let summary = IPCProbe.consume(segment: segment, count: 4, timeout: .milliseconds(100))
            #expect(summary.received == 5)
            #expect(summary.lost == 1)
            #expect(summary.reordered == 1)
            #expect(summary.duplicates == 1)
            #expect(summary.unexpected == 1)
            #expect(summary.timedOut)
            #expect(!summary.isPerfect)
        }
    }

    @Test func zeroCommandsIsAnEmptyRunNotACrash() async throws {
        try await withSegment { segment in
            #expect(IPCProbe.produce(segment: segment, count: 0).sent == 0)
            #expect(IPCProbe.consume(segment: segment, count: 0, timeout: .milliseconds(10)).isPerfect)
        }
    }

    @Test func summariesPrintAsOneJSONLine() throws {
        let summary = ProduceSummary(
            segment: "/ravebox-x", requested: 3, sent: 3, ringFullRetries: 0, rate: 0, elapsedSeconds: 0.5,
            commandsPerSecond: 6, gaveUp: false)
        let line = summary.description
        #expect(!line.contains("\n"))
        #expect(line.contains("\"segment\":\"/ravebox-x\""))
        #expect(try JSONDecoder().decode(ProduceSummary.self, from: Data(line.utf8)) == summary)
    }

    @Test(arguments: [(0.5, 50 as UInt64), (0.99, 99), (1.0, 100), (0.001, 1)])
    func percentileUsesNearestRank(_ fraction: Double, _ expected: UInt64) {
        let values = Array(UInt64(1)...100)
        #expect(IPCProbe.percentile(fraction, of: values) == expected)
        #expect(IPCProbe.percentile(fraction, of: []) == 0)
    }
}
