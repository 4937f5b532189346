import RaveboxStatusLight
import Testing

/// Milliseconds as the nanoseconds the patterns count in.
private func ms(_ value: Double) -> UInt64 { UInt64(value * 1_000_000) }

@Suite struct StatusLEDPatternTests {
    /// The LED's state every millisecond over `milliseconds`.
    func samples(_ pattern: StatusLEDPattern, milliseconds: Int = 4000) -> [Bool] {
        (0..<milliseconds).map { pattern.isOn(at: ms(Double($0))) }
    }

    /// How many times the LED lights up in `milliseconds`.
    func flashes(_ pattern: StatusLEDPattern, milliseconds: Int) -> Int {
        let states = samples(pattern, milliseconds: milliseconds)
        return zip([false] + states, states).filter { !$0 && $1 }.count
    }

    @Test func readyIsSteadyOn() {
        #expect(samples(.ready).allSatisfy { $0 })
        #expect(StatusLEDPattern.ready.nextChange(after: ms(123)) == nil)
    }

    @Test func bootingBlinksFourTimesASecond() {
        #expect(flashes(.booting, milliseconds: 1000) == 4)
        #expect(StatusLEDPattern.booting.isOn(at: ms(124.9)))
        #expect(!StatusLEDPattern.booting.isOn(at: ms(125)))
    }

    @Test func hotspotIsOnWithAShortWinkEveryTwoSeconds() {
        let states = samples(.hotspot, milliseconds: 2000)
        #expect(states.filter { !$0 }.count == 200)
        #expect(flashes(.hotspot, milliseconds: 4000) == 2)
    }

    @Test func errorFlashesThreeTimesThenPauses() {
        #expect(StatusLEDPattern.error.period == ms(2000))
        #expect(flashes(.error, milliseconds: 2000) == 3)
        #expect(!StatusLEDPattern.error.isOn(at: ms(1999)))
    }

    @Test func patternsCanBeToldApart() {
        let all = StatusLEDPattern.allCases.map { samples($0) }
        #expect(Set(all).count == StatusLEDPattern.allCases.count)
    }

    @Test(arguments: [StatusLEDPattern.booting, .hotspot, .error])
    func nextChangeIsWhenTheLEDFlips(pattern: StatusLEDPattern) throws {
        var time: UInt64 = ms(3)
        for _ in 0..<20 {
            let next = try #require(pattern.nextChange(after: time))
            #expect(next > time)
            #expect(pattern.isOn(at: next) != pattern.isOn(at: time))
            #expect(pattern.isOn(at: next - 1) == pattern.isOn(at: time))
            time = next
        }
    }
}
