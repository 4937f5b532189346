import Foundation
import RaveboxIntake
import RaveboxTestSupport
import Testing

/// The bound on online requests: places, the queue, the estimates, and that every way a request ends, a yt-dlp
/// that hangs and is killed included, gives its place back.
@Suite struct OnlineRequestLimiterTests {
    /// Waits until `limiter` has `running` and `waiting` requests.
    private func settles(_ limiter: OnlineRequestLimiter, running: Int, waiting: Int) async -> Bool {
        await eventually(within: 5) { limiter.usage == (running, waiting) }
    }

    @Test func aGuestHasOneRequestInFlightAndIsToldWhenItShouldBeDone() async throws {
        let limiter = OnlineRequestLimiter(limits: .init(running: 2, typicalRequest: .seconds(20)))
        let first = try await limiter.admit(guest: "ann")
        do {
            _ = try await limiter.admit(guest: "ann")
            Issue.record("a second request of the same guest was admitted")
        } catch let busy as OnlineRequestLimiter.Busy {
            // The estimate is what is left of the running request: 20 s less the moment it has run.
            #expect((19...20).contains(busy.retryAfter), "\(busy)")
            #expect(busy.reason == "The box is busy fetching songs: try again in \(busy.retryAfter) s.")
        }
        let other = try await limiter.admit(guest: "bob")
        #expect(limiter.usage == (2, 0))
        first.release()
        first.release()
        #expect(limiter.usage == (1, 0), "releasing twice frees one place")
        try await limiter.admit(guest: "ann").release()
        other.release()
        #expect(limiter.usage == (0, 0))
    }

    @Test func theQueueHoldsAtMostItsLimitServesInOrderAndAFullQueueIsBusy() async throws {
        let limiter = OnlineRequestLimiter(limits: .init(running: 1, waiting: 2, typicalRequest: .seconds(30)))
        let running = try await limiter.admit(guest: "ann")
        let bob = Task { try await limiter.admit(guest: "bob") }
        #expect(await settles(limiter, running: 1, waiting: 1))
        let cid = Task { try await limiter.admit(guest: "cid") }
        #expect(await settles(limiter, running: 1, waiting: 2))
        do {
            _ = try await limiter.admit(guest: "dan")
            Issue.record("a request beyond the queue was admitted")
        } catch let busy as OnlineRequestLimiter.Busy {
            // Room in the queue comes when the running request ends: in about 30 s.
            #expect((29...30).contains(busy.retryAfter), "\(busy)")
        }
        do {
            _ = try await limiter.admit(guest: "cid")
            Issue.record("a waiting guest's second request was admitted")
        } catch let busy as OnlineRequestLimiter.Busy {
            // Cid waits behind Bob: the running request's 30 s, Bob's 30 s, then Cid's own.
            #expect((89...90).contains(busy.retryAfter), "\(busy)")
        }
        #expect(limiter.usage == (1, 2))
        // First come, first served: Bob runs when Ann is done, while Cid still waits.
        running.release()
        let second = try await bob.value
        #expect(limiter.usage == (1, 1))
        second.release()
        try await cid.value.release()
        #expect(limiter.usage == (0, 0))
    }

    @Test func aWaitingRequestLeavesTheQueueWhenItsTaskIsCancelled() async throws {
        let limiter = OnlineRequestLimiter(limits: .init(running: 1, waiting: 1))
        let running = try await limiter.admit(guest: "ann")
        let waiter = Task { try await limiter.admit(guest: "bob") }
        #expect(await settles(limiter, running: 1, waiting: 1))
        waiter.cancel()
        await #expect(throws: CancellationError.self) { try await waiter.value }
        #expect(limiter.usage == (1, 0))
        running.release()
        #expect(limiter.usage == (0, 0))
    }

    @Test func aRequestWaitingLongerThanLongestWaitIsBusy() async throws {
        let limiter = OnlineRequestLimiter(limits: .init(running: 1, waiting: 1, longestWait: .milliseconds(200)))
        let running = try await limiter.admit(guest: "ann")
        let start = ContinuousClock.now
        await #expect(throws: OnlineRequestLimiter.Busy.self) { try await limiter.admit(guest: "bob") }
        #expect(start.duration(to: .now) < .seconds(2))
        #expect(limiter.usage == (1, 0))
        running.release()
    }

    /// The web's pattern (a place, released when the request is done) around the real provider and a yt-dlp that
    /// hangs: it is killed at its timeout, with the `sleep` it started, and only then is the place free again.
    @Test func aHungYtDlpIsKilledAtItsTimeoutAndItsPlaceIsFreed() async throws {
        let fake = try FakeYTDLP(lookup: "sleep 30 &\necho $! >> \"$0.sleepers\"\nwait")
        defer { fake.folder.remove() }
        let limiter = OnlineRequestLimiter(limits: .init(running: 1, waiting: 1))
        let provider = fake.provider(timeout: .milliseconds(500))
        let request: @Sendable (String) async -> Result<OnlineTrack, SourceError> = { guest in
            do {
                let slot = try await limiter.admit(guest: guest)
                defer { slot.release() }
                return .success(try await provider.search("anything"))
            } catch {
                return .failure(error as? SourceError ?? .failed(.youtube, detail: "\(error)"))
            }
        }
        async let first = request("ann")
        #expect(await settles(limiter, running: 1, waiting: 0))
        async let second = request("bob")
        for outcome in await [first, second] {
            guard case .failure(.timedOut(.youtube, _)) = outcome else {
                Issue.record("expected a timeout, got \(outcome)")
                continue
            }
        }
        #expect(fake.calls.count == 2, "the waiting request ran after the first was killed")
        let sleepers = try String(contentsOfFile: fake.path + ".sleepers", encoding: .utf8)
            .split(whereSeparator: \.isNewline).compactMap { Int32($0) }
        #expect(sleepers.count == 2)
        #expect(await eventually(within: 2) { !sleepers.contains(where: ProcessTable.isAlive) })
        #expect(limiter.usage == (0, 0))
    }
}
