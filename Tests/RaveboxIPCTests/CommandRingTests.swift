import Foundation
import Testing

@testable import RaveboxIPC

@Suite("CommandRing: web → engine")
struct CommandRingTests {
    @Test func commandsComeOutInPushOrder() async throws {
        try await withSegment { segment in
            let ring = segment.commands
            let pushed = [
                Command(kind: .play, sequence: 1),
                Command(kind: .setVolume, sequence: 2, value: 0.3),
                Command(kind: .seek, sequence: 3, value: 93.5),
                Command(kind: .pause, sequence: 4),
                Command(kind: .probe, sequence: 5),
                Command(kind: .skip, sequence: 6),
            ]
            for command in pushed { try ring.push(command) }
            #expect(ring.count == pushed.count)
            var popped: [Command] = []
            while let command = ring.pop() { popped.append(command) }
            #expect(popped == pushed)
            #expect(ring.isEmpty)
            #expect(ring.pop() == nil)
        }
    }

    @Test func ringWrapsAroundManyTimesKeepingOrder() async throws {
        try await withSegment { segment in
            let ring = segment.commands
            var next: UInt64 = 1
            var expected: UInt64 = 1
            // 1000 is not a divisor of 1024, so batches start at every kind of slot offset.
            for _ in 0..<60 {
                for _ in 0..<1000 {
                    try ring.push(Command(kind: .seek, sequence: next, value: Double(next)))
                    next += 1
                }
                while let command = ring.pop() {
                    #expect(command.sequence == expected)
                    #expect(command.value == Double(expected))
                    expected += 1
                }
            }
            #expect(expected == 60_001)
            #expect(ring.corruptCount == 0)
        }
    }

    @Test func fullRingThrowsAndLosesNothing() async throws {
        try await withSegment { segment in
            let ring = segment.commands
            for sequence in 1...UInt64(CommandRing.capacity) {
                try ring.push(Command(kind: .skip, sequence: sequence))
            }
            let error = #expect(throws: IPCError.self) {
                try ring.push(Command(kind: .skip, sequence: 99_999))
            }
            #expect(error == .ringFull(capacity: CommandRing.capacity))
            #expect(ring.count == CommandRing.capacity)
            for sequence in 1...UInt64(CommandRing.capacity) {
                #expect(ring.pop()?.sequence == sequence)
            }
            #expect(ring.pop() == nil)
            try ring.push(Command(kind: .skip, sequence: 1025))
            #expect(ring.pop()?.sequence == 1025)
        }
    }

    @Test func waitForCommandsReturnsAsSoonAsACommandIsPushed() async throws {
        try await withSegment { segment in
            let started = SharedSegment.monotonicNanos()
            async let woke = onThread { segment.waitForCommands(timeout: .seconds(20)) }
            try await Task.sleep(for: .milliseconds(100))
            try segment.commands.push(Command(kind: .pause))
            #expect(await woke)
            let elapsed = SharedSegment.monotonicNanos() - started
            #expect(elapsed < 10_000_000_000, "woke after \(elapsed) ns: the push did not ring the doorbell")
            #expect(segment.commands.pop()?.kind == .pause)
        }
    }

    @Test func waitForCommandsWakesAcrossMappings() async throws {
        try await withSegment { producerSide in
            let engineSide = try SharedSegment.open(name: producerSide.name)
            let started = SharedSegment.monotonicNanos()
            async let woke = onThread { engineSide.waitForCommands(timeout: .seconds(20)) }
            try await Task.sleep(for: .milliseconds(100))
            try producerSide.commands.push(Command(kind: .play))
            #expect(await woke)
            #expect(SharedSegment.monotonicNanos() - started < 10_000_000_000)
        }
    }

    @Test func waitForCommandsTimesOutOnAnEmptyRing() async throws {
        try await withSegment { segment in
            let started = SharedSegment.monotonicNanos()
            let woke = await onThread { segment.waitForCommands(timeout: .milliseconds(150)) }
            let elapsed = SharedSegment.monotonicNanos() - started
            #expect(!woke)
            #expect(elapsed >= 150_000_000)
            #expect(elapsed < 5_000_000_000)
        }
    }

    @Test func waitForCommandsReturnsAtOnceWhenCommandsAreWaiting() async throws {
        try await withSegment { segment in
            try segment.commands.push(Command(kind: .play))
            let started = SharedSegment.monotonicNanos()
            #expect(segment.waitForCommands(timeout: .seconds(20)))
            #expect(SharedSegment.monotonicNanos() - started < 1_000_000_000)
        }
    }

    @Test func commandRecordsSurviveEveryKind() async throws {
        try await withSegment { segment in
            let kinds: [CommandKind] = [.play, .pause, .skip, .setVolume, .seek, .probe]
            for (index, kind) in kinds.enumerated() {
                let command = Command(kind: kind, sequence: UInt64.max - UInt64(index), value: -Double(index) / 3)
                try segment.commands.push(command)
                #expect(segment.commands.pop() == command)
            }
        }
    }

    @Test func overlappingPushesInOneProcessStopTheProcessInsteadOfCorruptingTheRing() async {
        await #expect(processExitsWith: .failure) {
            let segment = try SharedSegment.create(name: uniqueSegmentName("tripwire"))
            _ = try segment.unlink()
            segment.commandProducer.enter()  // another thread is in the middle of a push...
            try segment.commands.push(Command(kind: .play))  // ...and this one must not go ahead.
        }
    }
}
