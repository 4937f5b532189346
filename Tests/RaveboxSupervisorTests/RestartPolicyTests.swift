import Testing

@testable import RaveboxSupervisor

@Suite struct RestartPolicyTests {
    @Test func backOffDoublesFromOneHundredMilliseconds() {
        var policy = RestartPolicy()
        let delays = (0..<4).map { policy.recordCrash(at: Double($0)) }
        #expect(delays == [0.1, 0.2, 0.4, 0.8])
        #expect(!policy.isInCrashLoop(at: 3))
    }

    @Test func fiveCrashesInAMinuteIsACrashLoopRetriedEveryThirtySeconds() {
        var policy = RestartPolicy()
        for second in 0..<4 { _ = policy.recordCrash(at: Double(second)) }
        #expect(policy.recordCrash(at: 4) == 30)
        #expect(policy.isInCrashLoop(at: 4))
        #expect(policy.recordCrash(at: 34) == 30)
        // A quiet minute after the last crash ends the loop.
        #expect(!policy.isInCrashLoop(at: 34 + RestartPolicy.window + 31))
    }

    @Test func crashesOlderThanAMinuteAreForgotten() {
        var policy = RestartPolicy()
        for second in 0..<4 { _ = policy.recordCrash(at: Double(second)) }
        // Long after: back to the first step.
        #expect(policy.recordCrash(at: 200) == 0.1)
        #expect(policy.recentCrashes == [200])
    }

    @Test func delayNeverExceedsFiveSecondsBeforeTheLoop() {
        var policy = RestartPolicy()
        var time = 0.0
        for _ in 0..<4 {
            let delay = policy.recordCrash(at: time)
            #expect(delay <= RestartPolicy.maximumDelay)
            time += 14
        }
    }
}
