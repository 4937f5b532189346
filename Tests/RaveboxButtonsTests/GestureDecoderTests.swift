import RaveboxButtons
import Testing

@Suite struct GestureDecoderTests {
    let lines: [UInt32: BoxButton] = [17: .playPause, 27: .skip, 22: .voteUp, 26: .power]

    @Test func shortPressIsAPressOnRelease() {
        var decoder = GestureDecoder(buttons: lines)
        #expect(decoder.handle(LineEvent(17, 0, at: ms(0))).isEmpty)
        #expect(decoder.isPressed(.playPause))
        #expect(decoder.handle(LineEvent(17, 1, at: ms(200))) == [.press(.playPause)])
    }

    @Test func pressJustUnderTheLongPressTimeIsStillAPress() {
        var decoder = GestureDecoder(buttons: lines)
        let result = gestures(&decoder, timeline([(26, 0, 0), (26, 1, ms(1499))]), until: ms(5000))
        #expect(result == [.press(.power)])
    }

    @Test func holdingForOneAndAHalfSecondsIsALongPressWhileStillHeld() {
        var decoder = GestureDecoder(buttons: lines)
        #expect(decoder.handle(LineEvent(26, 0, at: ms(0))).isEmpty)
        #expect(decoder.nextDeadline == ms(1500))
        #expect(decoder.advance(to: ms(1499)).isEmpty)
        #expect(decoder.advance(to: ms(1500)) == [.longPress(.power)])
        #expect(decoder.handle(LineEvent(26, 1, at: ms(4000))).isEmpty)
        #expect(decoder.nextDeadline == nil)
    }

    @Test func twoQuickPressesAreADoublePressWhenBound() {
        var decoder = GestureDecoder(buttons: lines, doublePressButtons: [.voteUp])
        let events = timeline([(22, 0, 0), (22, 1, ms(100)), (22, 0, ms(300)), (22, 1, ms(400))])
        #expect(gestures(&decoder, events, until: ms(3000)) == [.doublePress(.voteUp)])
    }

    @Test func secondPressAfterTheGapIsTwoPresses() {
        var decoder = GestureDecoder(buttons: lines, doublePressButtons: [.voteUp])
        var result = decoder.handle(LineEvent(22, 0, at: 0)) + decoder.handle(LineEvent(22, 1, at: ms(100)))
        #expect(result.isEmpty)
        #expect(decoder.nextDeadline == ms(450))
        result += decoder.handle(LineEvent(22, 0, at: ms(500)))
        #expect(result == [.press(.voteUp)])
        result += decoder.handle(LineEvent(22, 1, at: ms(600))) + decoder.advance(to: ms(2000))
        #expect(result == [.press(.voteUp), .press(.voteUp)])
    }

    @Test func buttonWithoutADoublePressAnswersAtRelease() {
        var decoder = GestureDecoder(buttons: lines, doublePressButtons: [.voteUp])
        let events = timeline([(27, 0, 0), (27, 1, ms(100)), (27, 0, ms(200)), (27, 1, ms(300))])
        var result: [Gesture] = []
        for event in events { result += decoder.handle(event) }
        #expect(result == [.press(.skip), .press(.skip)])
    }

    @Test func longSecondPressIsAPressThenALongPress() {
        var decoder = GestureDecoder(buttons: lines, doublePressButtons: [.voteUp])
        let events = timeline([(22, 0, 0), (22, 1, ms(100)), (22, 0, ms(300)), (22, 1, ms(2500))])
        #expect(gestures(&decoder, events, until: ms(3000)) == [.press(.voteUp), .longPress(.voteUp)])
    }

    @Test func holdingTwoButtonsTogetherIsAChordAndNothingElse() {
        var decoder = GestureDecoder(buttons: lines)
        let events = timeline([(17, 0, 0), (27, 0, ms(300)), (17, 1, ms(2500)), (27, 1, ms(2600))])
        var result: [Gesture] = []
        result += decoder.handle(events[0]) + decoder.handle(events[1])
        #expect(decoder.nextDeadline == ms(1800))  // counted from the later press
        result += decoder.advance(to: ms(1799))
        #expect(result.isEmpty)
        result += decoder.advance(to: ms(1800))
        #expect(result == [.chord([.playPause, .skip])])
        result += decoder.handle(events[2]) + decoder.handle(events[3]) + decoder.advance(to: ms(5000))
        #expect(result == [.chord([.playPause, .skip])])
    }

    @Test func abortedChordGivesNoPresses() {
        var decoder = GestureDecoder(buttons: lines)
        let events = timeline([(17, 0, 0), (27, 0, ms(100)), (17, 1, ms(600)), (27, 1, ms(700))])
        #expect(gestures(&decoder, events, until: ms(5000)).isEmpty)
    }

    @Test func activeHighButtonsPressOnRisingEdges() {
        var decoder = GestureDecoder(buttons: lines, activeLow: false)
        let events = timeline([(17, 1, 0), (17, 0, ms(100))])
        #expect(gestures(&decoder, events, until: ms(200)) == [.press(.playPause)])
    }

    @Test func linesThatAreNotButtonsAreIgnored() {
        var decoder = GestureDecoder(buttons: lines)
        #expect(gestures(&decoder, timeline([(5, 0, 0), (5, 1, ms(10))]), until: ms(5000)).isEmpty)
    }

    @Test(arguments: [
        ("press play_pause", Gesture.press(.playPause)), ("long power", .longPress(.power)),
        ("double vote_up", .doublePress(.voteUp)), ("chord skip+play_pause", .chord([.playPause, .skip])),
    ])
    func gesturesReadTheirConfigText(text: String, gesture: Gesture) {
        #expect(Gesture(configText: text) == gesture)
        #expect(Gesture(configText: gesture.description) == gesture)
    }

    @Test(arguments: ["press", "press nope", "chord skip", "chord skip+skip", "tap skip", "long skip extra"])
    func malformedGestureTextIsRejected(text: String) {
        #expect(Gesture(configText: text) == nil)
    }
}
