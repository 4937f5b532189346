import Foundation
import Testing

@testable import RaveboxIPC

@Suite("EventRing: engine → web")
struct EventRingTests {
    @Test func eventsComeOutInPushOrder() async throws {
        try await withSegment { segment in
            let pushed = [
                EngineEvent(kind: .songStarted, songID: 1),
                EngineEvent(kind: .songFinished, songID: 1),
                EngineEvent(kind: .songFailed, songID: 2, reason: "not an audio file"),
                EngineEvent(kind: .songSkipped, songID: -3, reason: "skipped by the host"),
            ]
            for event in pushed { #expect(segment.events.push(event)) }
            var popped: [EngineEvent] = []
            while let event = segment.events.pop() { popped.append(event) }
            #expect(popped == pushed)
        }
    }

    @Test func eventRingWrapsAroundManyTimes() async throws {
        try await withSegment { segment in
            var next: Int64 = 1
            var expected: Int64 = 1
            for _ in 0..<40 {
                for _ in 0..<250 {
                    #expect(segment.events.push(EngineEvent(kind: .songStarted, songID: next, reason: "song \(next)")))
                    next += 1
                }
                while let event = segment.events.pop() {
                    #expect(event.songID == expected)
                    #expect(event.reason == "song \(expected)")
                    expected += 1
                }
            }
            #expect(expected == 10_001)
        }
    }

    @Test func fullEventRingRefusesNewEventsAndCountsThem() async throws {
        try await withSegment { segment in
            for id in 1...Int64(EventRing.capacity) {
                #expect(segment.events.push(EngineEvent(kind: .songStarted, songID: id)))
            }
            #expect(!segment.events.push(EngineEvent(kind: .songFailed, songID: 999)))
            #expect(!segment.events.push(EngineEvent(kind: .songFailed, songID: 1000)))
            #expect(segment.events.droppedCount == 2)
            for id in 1...Int64(EventRing.capacity) {
                #expect(segment.events.pop()?.songID == id)
            }
            #expect(segment.events.pop() == nil)
        }
    }

    static let truncationCases: [(reason: String, expected: String)] = [
        ("short reason", "short reason"),
        (String(repeating: "a", count: 120), String(repeating: "a", count: 120)),
        (String(repeating: "a", count: 200), String(repeating: "a", count: 120)),
        // 1 + 60 × 2 bytes = 121: the last "é" would be cut in half, so it goes whole.
        ("a" + String(repeating: "é", count: 60), "a" + String(repeating: "é", count: 59)),
        // 2 + 30 × 4 bytes = 122.
        ("ab" + String(repeating: "👍", count: 30), "ab" + String(repeating: "👍", count: 29)),
        // 100 + 25 bytes: the family emoji is one character of 7 scalars; none of it may remain.
        (String(repeating: "x", count: 100) + "👨‍👩‍👧‍👦", String(repeating: "x", count: 100)),
        // "e" + combining acute accent is one character: never keep the "e" without its accent.
        (String(repeating: "x", count: 119) + "e\u{301}", String(repeating: "x", count: 119)),
    ]

    @Test(arguments: truncationCases)
    func reasonIsTruncatedOnACharacterBoundary(_ testCase: (reason: String, expected: String)) async throws {
        try await withSegment { segment in
            #expect(segment.events.push(EngineEvent(kind: .songFailed, songID: 5, reason: testCase.reason)))
            let event = try #require(segment.events.pop())
            #expect(event.reason == testCase.expected)
            #expect(event.reason.utf8.count <= EngineEvent.reasonCapacity)
            #expect(testCase.reason.hasPrefix(event.reason))
        }
    }

    @Test func waitForChangeWakesWhenAnEventIsPushed() async throws {
        try await withSegment { segment in
            let token = segment.changeToken()
            async let next = onThread { segment.waitForChange(after: token, timeout: .seconds(20)) }
            try await Task.sleep(for: .milliseconds(100))
            segment.events.push(EngineEvent(kind: .songStarted, songID: 3))
            let started = SharedSegment.monotonicNanos()
            #expect(await next != token)
            #expect(SharedSegment.monotonicNanos() - started < 10_000_000_000)
        }
    }
}
