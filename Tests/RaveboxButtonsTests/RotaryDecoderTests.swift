import RaveboxButtons
import Testing

/// Edges of an encoder on lines 5 (A) and 6 (B) turning `detents` detents from rest (both high), `interval` apart;
/// with `bounce`, every edge chatters (new level, old level, new level 50 µs apart) as worn contacts do.
func spin(
    detents: Int, clockwise: Bool, resolution: RotaryDecoder.Resolution, bounce: Bool, start: UInt64 = 0,
    interval: UInt64 = ms(0.5)
) -> [LineEvent] {
    // One quadrature cycle clockwise from 11: A falls, B falls, A rises, B rises.
    let cycle: [(UInt32, Int)] = clockwise ? [(5, 0), (6, 0), (5, 1), (6, 1)] : [(6, 0), (5, 0), (6, 1), (5, 1)]
    let edgesPerDetent =
        switch resolution {
        case .full: 4
        case .half: 2
        case .quarter: 1
        }
    var events: [LineEvent] = []
    for index in 0..<(detents * edgesPerDetent) {
        let (line, level) = cycle[index % 4]
        let time = start + UInt64(index) * interval
        events.append(LineEvent(line, level, at: time))
        if bounce {
            events.append(LineEvent(line, 1 - level, at: time + ms(0.05)))
            events.append(LineEvent(line, level, at: time + ms(0.1)))
        }
    }
    return events
}

@Suite struct RotaryDecoderTests {
    @Test(arguments: RotaryDecoder.Resolution.allCases, [false, true])
    func fastSpinsBothWaysCountEveryDetent(resolution: RotaryDecoder.Resolution, bounce: Bool) {
        var decoder = RotaryDecoder(lineA: 5, lineB: 6, resolution: resolution)
        let clockwise = spin(detents: 12, clockwise: true, resolution: resolution, bounce: bounce)
        let steps = clockwise.map { decoder.handle($0) }
        #expect(steps.reduce(0, +) == 12)
        // A quarter-step encoder has a detent at every edge: its bounce cancels in the sum but shows as steps.
        let filtersBounce = resolution != .quarter || !bounce
        if filtersBounce {
            #expect(steps.filter { $0 != 0 }.count == 12)
        }
        let back = spin(detents: 7, clockwise: false, resolution: resolution, bounce: bounce, start: ms(100))
        let backSteps = back.map { decoder.handle($0) }
        #expect(backSteps.reduce(0, +) == -7)
        if filtersBounce {
            #expect(backSteps.allSatisfy { $0 <= 0 })
        }
    }

    @Test func fullStepEncoderStepsOnlyWhenItReachesTheDetent() {
        var decoder = RotaryDecoder(lineA: 5, lineB: 6, resolution: .full)
        let steps = spin(detents: 1, clockwise: true, resolution: .full, bounce: false).map { decoder.handle($0) }
        #expect(steps == [0, 0, 0, 1])
    }

    @Test func bounceAtTheDetentIsNotAStep() {
        var decoder = RotaryDecoder(lineA: 5, lineB: 6, resolution: .full)
        let chatter = timeline([(5, 0, 0), (5, 1, 10), (5, 0, 20), (5, 1, 30), (6, 0, 40), (6, 1, 50)])
        #expect(chatter.map { decoder.handle($0) }.allSatisfy { $0 == 0 })
    }

    @Test func turningHalfwayAndBackIsNotAStep() {
        var decoder = RotaryDecoder(lineA: 5, lineB: 6, resolution: .full)
        let events = timeline([(5, 0, 0), (6, 0, 10), (6, 1, 20), (5, 1, 30)])
        #expect(events.map { decoder.handle($0) } == [0, 0, 0, 0])
    }

    @Test func edgeRepeatingTheCurrentLevelChangesNothing() {
        var decoder = RotaryDecoder(lineA: 5, lineB: 6, resolution: .full)
        // A falls twice (the kernel merged a bounce), then the cycle goes on: still exactly one detent.
        let events = timeline([(5, 0, 0), (5, 0, 10), (6, 0, 20), (5, 1, 30), (6, 1, 40)])
        #expect(events.map { decoder.handle($0) } == [0, 0, 0, 0, 1])
    }

    @Test func otherLinesAreIgnored() {
        var decoder = RotaryDecoder(lineA: 5, lineB: 6)
        #expect(decoder.handle(LineEvent(17, 0, at: 0)) == 0)
    }
}
