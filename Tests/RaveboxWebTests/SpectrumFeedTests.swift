import Foundation
import RaveboxIPC
import Testing

@testable import RaveboxWeb

@Suite struct SpectrumFeedTests {
    @Test func bandsFoldToTheLoudestOfEachGroupScaledToBytes() {
        let bands = (0..<64).map { Float($0 % 2 == 0 ? 0.25 : 0.5) }
        let folded = SpectrumFeed.fold(bands, count: 64)
        #expect(folded.count == 32)
        #expect(folded.allSatisfy { $0 == 128 })
        #expect(SpectrumFeed.fold([2, -1, .nan, 1], count: 4) == [255, 0, 0, 255])
        #expect(SpectrumFeed.fold([0.5, 0.5], count: 0).isEmpty)
        #expect(SpectrumFeed.fold([1, 0, 0], count: 3) == [255, 0, 0])
    }

    /// Frames arrive when the engine publishes bands, and only the newest waits for a slow reader.
    @Test func subscribersGetTheEnginesBands() async throws {
        let box = try WebTestBox()
        let feed = SpectrumFeed(segment: box.segment)
        var telemetry = Telemetry()
        telemetry.bandCount = 4
        telemetry.bands = [0, 0.5, 1, 0.25]
        box.segment.telemetry.publish(telemetry)
        var frames = feed.subscribe().makeAsyncIterator()
        let first = await frames.next()
        #expect(first == [0, 128, 255, 64])
        telemetry.bands = [1, 1, 1, 1]
        box.segment.telemetry.publish(telemetry)
        let second = await frames.next()
        #expect(second == [255, 255, 255, 255])
    }
}
