import Testing

@testable import RaveboxEngine

@Suite struct WatchdogTests {
    @Test func movingThreadsAreFineAndAStuckOneIsNamedAfterTheLimit() {
        var watchdog = Watchdog(limit: 5)
        var time = 0.0
        for pass in 0..<100 {
            #expect(watchdog.observe(decoder: pass, output: pass * 40, now: time) == nil)
            time += 0.2
        }
        // The output thread stops: named once 5 s have passed without a pass, not before.
        #expect(watchdog.observe(decoder: 100, output: 4_000, now: time) == nil)
        #expect(watchdog.observe(decoder: 101, output: 4_000, now: time + 4.9) == nil)
        #expect(watchdog.observe(decoder: 102, output: 4_000, now: time + 5) == "output")
    }

    @Test func aStuckDecoderIsNamedToo() {
        var watchdog = Watchdog(limit: 2)
        #expect(watchdog.observe(decoder: 7, output: 1, now: 10) == nil)
        #expect(watchdog.observe(decoder: 7, output: 2, now: 11) == nil)
        #expect(watchdog.observe(decoder: 7, output: 3, now: 12) == "decoder")
    }

    /// A real engine's threads keep passing while idle, playing and paused: no false alarm.
    @Test func aHealthyPlayerNeverTripsIt() async throws {
        let harness = try EngineHarness()
        harness.start()
        var watchdog = Watchdog(limit: 1)
        var tripped: String?
        for _ in 0..<30 {
            let progress = harness.engine.player.progress
            tripped =
                tripped ?? watchdog.observe(decoder: progress.decoder, output: progress.output, now: Engine.seconds())
            try await Task.sleep(for: .milliseconds(50))
        }
        await harness.stopAndWait()
        #expect(tripped == nil)
    }
}
