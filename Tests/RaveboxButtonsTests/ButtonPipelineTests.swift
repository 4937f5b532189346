import Foundation
import RaveboxButtons
import Testing

@Suite struct ButtonPipelineTests {
    @Test func bouncingPressOfPlayPauseIsOnePlayPause() {
        var pipeline = ButtonPipeline(mapping: .default)
        let events = bouncing(17, to: 0, at: ms(10)) + bouncing(17, to: 1, at: ms(180))
        #expect(actions(&pipeline, events, until: ms(3000)) == [.playPause])
    }

    @Test func everyDefaultButtonDoesItsAction() {
        var pipeline = ButtonPipeline(mapping: .default)
        let lines: [(UInt32, ButtonAction)] = [(17, .playPause), (27, .skip), (22, .voteUp), (16, .alarm)]
        var events: [LineEvent] = []
        for (index, (line, _)) in lines.enumerated() {
            let start = ms(1000 * Double(index))
            events += bouncing(line, to: 0, at: start) + bouncing(line, to: 1, at: start + ms(150))
        }
        #expect(actions(&pipeline, events, until: ms(9000)) == lines.map(\.1))
    }

    @Test func shortPressOfPowerDoesNothing() {
        var pipeline = ButtonPipeline(mapping: .default)
        let events = bouncing(26, to: 0, at: 0) + bouncing(26, to: 1, at: ms(300))
        #expect(actions(&pipeline, events, until: ms(5000)).isEmpty)
    }

    @Test func holdingPowerShutsDownWhileStillHeld() throws {
        let events = bouncing(26, to: 0, at: ms(100)) + bouncing(26, to: 1, at: ms(4000))
        let buttons = RecordedButtons(mapping: .default, events: events)
        #expect(buttons.nextAction(timeoutMilliseconds: 10_000) == .shutdown)
        // 1.5 s after the press settled (101.8 ms), plus the debounce window the decoder runs behind.
        #expect(buttons.now == ms(101.8) + ms(1500) + ms(20))
        #expect(buttons.nextAction(timeoutMilliseconds: 10_000) == nil)
    }

    @Test func holdingPlayAndSkipShowsTheJoinCodeForThirtySeconds() {
        var pipeline = ButtonPipeline(mapping: .default)
        let events =
            bouncing(17, to: 0, at: 0) + bouncing(27, to: 0, at: ms(250)) + bouncing(17, to: 1, at: ms(2500))
            + bouncing(27, to: 1, at: ms(2600))
        #expect(actions(&pipeline, events, until: ms(6000)) == [.showJoinQR(seconds: 30)])
    }

    @Test func boundDoublePressReplacesTwoPresses() {
        var mapping = ButtonMapping.default
        mapping.bindings[.doublePress(.voteUp)] = .alarm
        var pipeline = ButtonPipeline(mapping: mapping)
        let double =
            bouncing(22, to: 0, at: 0) + bouncing(22, to: 1, at: ms(100)) + bouncing(22, to: 0, at: ms(250))
            + bouncing(22, to: 1, at: ms(350))
        #expect(actions(&pipeline, double, until: ms(2000)) == [.alarm])
        let single = bouncing(22, to: 0, at: ms(3000)) + bouncing(22, to: 1, at: ms(3100))
        #expect(actions(&pipeline, single, until: ms(6000)) == [.voteUp])
    }

    @Test func fastEncoderSpinsAreMergedVolumeSteps() {
        var pipeline = ButtonPipeline(mapping: .default)
        var result: [ButtonAction] = []
        for event in spin(detents: 10, clockwise: true, resolution: .full, bounce: true) {
            result += pipeline.handle(event)
        }
        #expect(result.map { if case .volume(let steps) = $0 { steps } else { 0 } }.reduce(0, +) == 10)
        result = []
        for event in spin(detents: 6, clockwise: false, resolution: .full, bounce: true, start: ms(200)) {
            result += pipeline.handle(event)
        }
        #expect(result.map { if case .volume(let steps) = $0 { steps } else { 0 } }.reduce(0, +) == -6)
    }

    @Test func reversedEncoderCountsTheOtherWay() {
        var mapping = ButtonMapping.default
        mapping.encoder?.reversed = true
        var pipeline = ButtonPipeline(mapping: mapping)
        let result = actions(
            &pipeline, spin(detents: 3, clockwise: true, resolution: .full, bounce: false), until: ms(100))
        #expect(result == [.volume(steps: -1), .volume(steps: -1), .volume(steps: -1)])
    }

    @Test func spinReadInOneBatchIsOneVolumeChange() {
        var pipeline = ButtonPipeline(mapping: .default)
        let events = spin(detents: 5, clockwise: false, resolution: .full, bounce: true)
        #expect(pipeline.handle(events) == [.volume(steps: -5)])
    }
}

@Suite struct ButtonMappingTests {
    @Test func defaultMappingIsTheIssues() throws {
        let mapping = ButtonMapping.default
        try mapping.validate()
        #expect(mapping.chip == "/dev/gpiochip0")
        #expect(mapping.lines[.alarm] == 16)  // Raveberry's buzzer pin
        #expect(mapping.action(for: .press(.playPause)) == .playPause)
        #expect(mapping.action(for: .press(.skip)) == .skip)
        #expect(mapping.action(for: .press(.voteUp)) == .voteUp)
        #expect(mapping.action(for: .press(.alarm)) == .alarm)
        #expect(mapping.action(for: .longPress(.power)) == .shutdown)
        #expect(mapping.action(for: .chord([.playPause, .skip])) == .showJoinQR(seconds: 30))
        #expect(mapping.action(for: .press(.power)) == nil)
        #expect(mapping.inputLines == [16, 17, 22, 26, 27, 5, 6])
    }

    @Test func lineGivenTwiceIsRejected() {
        var mapping = ButtonMapping.default
        mapping.encoder = ButtonMapping.RotaryEncoder(a: 17, b: 6)
        #expect(throws: ButtonMappingError.lineUsedTwice(line: 17, first: "play_pause", second: "encoder a")) {
            try mapping.validate()
        }
    }

    @Test func bindingOfAnUnfittedButtonIsRejected() {
        var mapping = ButtonMapping.default
        mapping.lines[.power] = nil
        #expect(throws: ButtonMappingError.unfittedButton(gesture: "long power", button: "power")) {
            try mapping.validate()
        }
    }

    @Test func decodesFromConfigKeepingDefaultsForMissingKeys() throws {
        let json = """
            {"chip": "/dev/gpiochip4", "lines": {"play_pause": 23, "power": 3},
             "encoder": {"a": 12, "b": 13, "steps": "half"}, "long_press_ms": 2000,
             "bindings": {"press play_pause": "play_pause", "double play_pause": "skip", "long power": "shutdown",
                          "chord play_pause+power": "show_join_qr 45"},
             "status_led": {"gpio": 24}}
            """
        let mapping = try JSONDecoder().decode(ButtonMapping.self, from: Data(json.utf8))
        try mapping.validate()
        #expect(mapping.chip == "/dev/gpiochip4")
        #expect(mapping.lines == [.playPause: 23, .power: 3])
        #expect(mapping.encoder == ButtonMapping.RotaryEncoder(a: 12, b: 13, steps: .half))
        #expect(mapping.longPressMilliseconds == 2000)
        #expect(mapping.debounceMilliseconds == 20)
        #expect(mapping.doublePressButtons == [.playPause])
        #expect(mapping.action(for: .chord([.power, .playPause])) == .showJoinQR(seconds: 45))
        #expect(mapping.statusLED == .gpio(line: 24))
        let again = try JSONDecoder().decode(ButtonMapping.self, from: JSONEncoder().encode(mapping))
        #expect(again == mapping)
    }

    @Test func unknownButtonOrActionNamesTheProblem() {
        for json in [#"{"lines": {"play": 17}}"#, #"{"bindings": {"press skip": "dance"}}"#] {
            #expect(throws: DecodingError.self) {
                try JSONDecoder().decode(ButtonMapping.self, from: Data(json.utf8))
            }
        }
    }

    @Test(arguments: [
        ("play_pause", ButtonAction.playPause), ("show_join_qr", .showJoinQR(seconds: 30)),
        ("show_join_qr 10", .showJoinQR(seconds: 10)), ("volume -2", .volume(steps: -2)), ("shutdown", .shutdown),
    ])
    func actionsReadTheirConfigText(text: String, action: ButtonAction) {
        #expect(ButtonAction(configText: text) == action)
        #expect(ButtonAction(configText: action.description) == action)
    }
}
