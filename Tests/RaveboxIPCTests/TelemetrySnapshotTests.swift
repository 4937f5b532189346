import Foundation
import Testing

@testable import RaveboxIPC

@Suite("TelemetrySnapshot: seqlock engine → web")
struct TelemetrySnapshotTests {
    @Test func readReturnsWhatWasPublished() async throws {
        try await withSegment { segment in
            #expect(segment.telemetry.publishCount == 0)
            var telemetry = Telemetry()
            telemetry.state = .paused
            telemetry.songID = 77
            telemetry.position = 61.5
            telemetry.duration = 240.25
            telemetry.volume = 0.7
            telemetry.xruns = 3
            telemetry.underruns = 4
            telemetry.updatedNanos = 123_456_789
            telemetry.bands = (0..<32).map { Float($0) / 32 }
            telemetry.bandCount = 32
            telemetry.level = 0.75
            telemetry.beatCount = 42
            telemetry.beatStrength = 0.5
            telemetry.tempo = 127.5
            telemetry.ledFrames = 9_000
            telemetry.ledLatencyP50Micros = 12_345
            telemetry.ledLatencyP99Micros = 23_456
            telemetry.ledLagP50Micros = -1_500
            telemetry.previewLengths = [3, 0, 64]
            telemetry.preview = (0..<(3 * Telemetry.previewLEDCapacity)).map { UInt32($0) * 0x010203 }
            segment.telemetry.publish(telemetry)
            // Only each output's valid LEDs come back; the rest of its slots read 0.
            for index in 3..<(2 * Telemetry.previewLEDCapacity) { telemetry.preview[index] = 0 }
            #expect(segment.telemetry.read() == telemetry)
            #expect(segment.telemetry.publishCount == 1)
        }
    }

    @Test func positionAndSpectrumRingOnlyTheTelemetryBellAndStateChangesRingBoth() async throws {
        try await withSegment { segment in
            var telemetry = Telemetry()
            telemetry.state = .playing
            telemetry.songID = 5
            segment.telemetry.publish(telemetry)  // the first publish is news to the state watcher
            var changes = segment.changeToken()
            var publishes = segment.telemetry.publishToken()
            // The song plays on: position and bands move, nothing the party state shows does.
            for step in 1...5 {
                telemetry.position = Double(step) / 10
                telemetry.bands = [Float(step) / 10]
                telemetry.bandCount = 1
                segment.telemetry.publish(telemetry)
            }
            #expect(segment.waitForChange(after: changes, timeout: .zero) == changes)
            let afterPublishes = segment.telemetry.waitForPublish(after: publishes, timeout: .zero)
            #expect(afterPublishes != publishes)
            publishes = afterPublishes
            // Volume, playback state and song each wake the state watcher.
            telemetry.volume = 0.5
            segment.telemetry.publish(telemetry)
            var next = segment.waitForChange(after: changes, timeout: .zero)
            #expect(next != changes)
            changes = next
            telemetry.state = .paused
            segment.telemetry.publish(telemetry)
            next = segment.waitForChange(after: changes, timeout: .zero)
            #expect(next != changes)
            changes = next
            telemetry.songID = 6
            segment.telemetry.publish(telemetry)
            #expect(segment.waitForChange(after: changes, timeout: .zero) != changes)
            #expect(segment.telemetry.waitForPublish(after: publishes, timeout: .zero) != publishes)
        }
    }

    @Test func aWaiterOnTheTelemetryBellWakesOnThePublish() async throws {
        try await withSegment { segment in
            let token = segment.telemetry.publishToken()
            // A timed-out wait returns the same token; only the publish moves it.
            async let woke: Bool = onThread {
                segment.telemetry.waitForPublish(after: token, timeout: .seconds(30)) != token
            }
            sleep(milliseconds: 50)
            segment.telemetry.publish(Telemetry())
            #expect(await woke)
        }
    }

    @Test func readBeforeTheFirstPublishGivesTheDefaults() async throws {
        try await withSegment { segment in
            #expect(segment.telemetry.read() == Telemetry())
            #expect(segment.telemetry.read(giveUpAfter: .milliseconds(10)) == Telemetry())
        }
    }

    @Test func bandsAreClampedToCapacityAndToTheArray() async throws {
        try await withSegment { segment in
            var telemetry = Telemetry()
            telemetry.bands = [Float](repeating: 0.5, count: Telemetry.bandCapacity + 44)
            telemetry.bandCount = telemetry.bands.count
            segment.telemetry.publish(telemetry)
            #expect(segment.telemetry.read().bandCount == Telemetry.bandCapacity)
            #expect(segment.telemetry.read().bands.count == Telemetry.bandCapacity)

            telemetry.bands = [0.1, 0.2]
            telemetry.bandCount = 10
            segment.telemetry.publish(telemetry)
            #expect(segment.telemetry.read().bands == [0.1, 0.2])
            #expect(segment.telemetry.read().bandCount == 2)
        }
    }

    /// Every field of snapshot `k` is derived from `k`, so a copy mixing two publishes is detectable.
    static func snapshot(_ k: UInt64, into telemetry: inout Telemetry) {
        telemetry.state = PlaybackState(rawValue: UInt8(k % 3))!
        telemetry.songID = Int64(k)
        telemetry.position = Double(k)
        telemetry.duration = Double(k) * 2
        telemetry.volume = Double(k) / 4
        telemetry.xruns = k
        telemetry.underruns = k &* 3
        telemetry.updatedNanos = ~k
        telemetry.bandCount = Int(k % UInt64(Telemetry.bandCapacity)) + 1
        let level = Float(k % 1_000_000)
        for index in 0..<telemetry.bandCount { telemetry.bands[index] = level + Float(index) }
    }

    static func isConsistent(_ telemetry: Telemetry) -> Bool {
        let k = UInt64(bitPattern: telemetry.songID)
        var expected = Telemetry()
        expected.bands = [Float](repeating: 0, count: Telemetry.bandCapacity)
        snapshot(k, into: &expected)
        expected.bands = Array(expected.bands.prefix(expected.bandCount))
        return telemetry == expected
    }

    @Test func readerNeverSeesATornSnapshotWhileTheWriterPublishes() async throws {
        try await withSegment { segment in
            var first = Telemetry()
            first.bands = [Float](repeating: 0, count: Telemetry.bandCapacity)
            Self.snapshot(1, into: &first)
            segment.telemetry.publish(first)

            let stop = Flag()
            async let published: UInt64 = onThread {
                var telemetry = Telemetry()
                telemetry.bands = [Float](repeating: 0, count: Telemetry.bandCapacity)
                var k: UInt64 = 1
                while !stop.isSet {
                    k += 1
                    Self.snapshot(k, into: &telemetry)
                    segment.telemetry.publish(telemetry)
                    // ~200 000 publishes per second (the engine does ~100): overlaps stay frequent while the
                    // reader still gets windows to finish in.
                    let next = SharedSegment.monotonicNanos() + 5_000
                    while SharedSegment.monotonicNanos() < next {}
                }
                return k
            }
            // At least 200 000 reads, and on until the reader has seen 2 000 different snapshots, within 120 s: on
            // a loaded machine the two threads seldom run at once (a new snapshot every ~50 ms at a load of 14),
            // and a sanitizer makes every read ~100 times slower. Idle, both run at once and the reads suffice.
            let (reads, torn, gaveUp, changes, wentBack) = await onThread { () -> (Int, Int, Int, Int, Int) in
                var reads = 0
                var torn = 0
                var gaveUp = 0
                var changes = 0
                var wentBack = 0
                var previous: Int64 = 0
                let deadline = SharedSegment.monotonicNanos() + 120_000_000_000
                while reads < 200_000 || (changes < 2_000 && SharedSegment.monotonicNanos() < deadline) {
                    reads += 1
                    guard let telemetry = segment.telemetry.read(giveUpAfter: .seconds(5)) else {
                        gaveUp += 1
                        continue
                    }
                    if !Self.isConsistent(telemetry) { torn += 1 }
                    if telemetry.songID != previous { changes += 1 }
                    if telemetry.songID < previous { wentBack += 1 }
                    previous = telemetry.songID
                }
                stop.set()
                return (reads, torn, gaveUp, changes, wentBack)
            }
            let publishes = await published
            #expect(torn == 0, "\(torn) torn snapshots out of \(reads) reads")
            #expect(gaveUp == 0, "the reader gave up \(gaveUp) times although the writer kept publishing")
            #expect(wentBack == 0, "the snapshot went back in time \(wentBack) times")
            // The test proves nothing unless reads really overlapped publishes.
            #expect(changes >= 2_000, "reader saw only \(changes) distinct snapshots in \(publishes) publishes")
        }
    }

    @Test func readerGivesUpWhenThePublisherDiedMidPublish() async throws {
        try await withSegment { segment in
            var telemetry = Telemetry()
            telemetry.songID = 5
            segment.telemetry.publish(telemetry)
            _ = segment.telemetry.seqlock.beginWrite()  // and never ends: the engine crashed here.
            let started = SharedSegment.monotonicNanos()
            #expect(segment.telemetry.read(giveUpAfter: .milliseconds(30)) == nil)
            #expect(segment.telemetry.read().songID == 0)
            #expect(SharedSegment.monotonicNanos() - started < 5_000_000_000)

            // The restarted engine's first publish makes the snapshot readable again.
            telemetry.songID = 6
            segment.telemetry.publish(telemetry)
            #expect(segment.telemetry.read(giveUpAfter: .milliseconds(30))?.songID == 6)
        }
    }

    @Test func waitForChangeWakesWhenTelemetryIsPublished() async throws {
        try await withSegment { segment in
            let token = segment.changeToken()
            async let next = onThread { segment.waitForChange(after: token, timeout: .seconds(20)) }
            try await Task.sleep(for: .milliseconds(100))
            segment.telemetry.publish(Telemetry())
            let started = SharedSegment.monotonicNanos()
            #expect(await next != token)
            #expect(SharedSegment.monotonicNanos() - started < 10_000_000_000)
        }
    }

    @Test func waitForChangeWakesWhenACounterIsBumped() async throws {
        try await withSegment { segment in
            let token = segment.changeToken()
            async let next = onThread { segment.waitForChange(after: token, timeout: .seconds(20)) }
            try await Task.sleep(for: .milliseconds(100))
            segment.bump(.queue)
            let started = SharedSegment.monotonicNanos()
            #expect(await next != token)
            #expect(SharedSegment.monotonicNanos() - started < 10_000_000_000)
        }
    }

    @Test func waitForChangeTimesOutWithTheSameToken() async throws {
        try await withSegment { segment in
            let token = segment.changeToken()
            let started = SharedSegment.monotonicNanos()
            let next = await onThread { segment.waitForChange(after: token, timeout: .milliseconds(120)) }
            #expect(next == token)
            #expect(SharedSegment.monotonicNanos() - started >= 120_000_000)
        }
    }

    @Test func waitForChangeReturnsAtOnceForAChangeMadeBeforeTheWait() async throws {
        try await withSegment { segment in
            let token = segment.changeToken()
            segment.bump(.settings)
            let started = SharedSegment.monotonicNanos()
            #expect(segment.waitForChange(after: token, timeout: .seconds(20)) != token)
            #expect(SharedSegment.monotonicNanos() - started < 1_000_000_000)
        }
    }
}
