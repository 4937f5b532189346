import Foundation
import RaveboxCore
import RaveboxDSP
import Testing

@testable import RaveboxLights

/// Renders one frame of `count` LEDs and returns it as an array (tests only; rendering itself does not allocate).
private func render(
    _ renderer: inout LightRenderer, _ input: LightInput, count: Int
) -> [LEDColor] {
    var frame = [LEDColor](repeating: LEDColor(red: 1, green: 2, blue: 3), count: count)
    frame.withUnsafeMutableBufferPointer { renderer.render(input, into: $0) }
    return frame
}

/// Settings without gamma correction, so expected values are the programs' own.
private func linear(_ program: LightProgram) -> LightSettings {
    LightSettings(program: program, gamma: 1)
}

private func input(bands: [Float] = [Float](repeating: 0, count: 32), time: Double = 0) -> LightInput {
    var input = LightInput(bandCount: bands.count)
    bands.withUnsafeBufferPointer { input.setBands($0) }
    input.time = time
    return input
}

private let white = LEDColor(red: 255, green: 255, blue: 255)
private let red = LEDColor(red: 255, green: 0, blue: 0)

@Suite("Light programs")
struct LightProgramTests {
    @Test func disabledIsBlackEvenDuringAnAlarm() {
        var renderer = LightRenderer(settings: linear(.disabled))
        var music = input()
        music.alarmFactor = 1
        #expect(render(&renderer, music, count: 10).allSatisfy { $0 == .black })
    }

    @Test func fixedShowsTheColourOnEveryLED() {
        var settings = linear(.fixed)
        settings.color = LEDColor(red: 10, green: 200, blue: 30)
        var renderer = LightRenderer(settings: settings)
        #expect(render(&renderer, input(), count: 7) == Array(repeating: settings.color, count: 7))
    }

    @Test func emptyFrameIsFine() {
        var renderer = LightRenderer(settings: linear(.rave))
        #expect(render(&renderer, input(), count: 0).isEmpty)
    }

    // MARK: Rave

    @Test(arguments: [60, 32, 16, 1])
    func raveLowestBandLightsTheFirstLEDsRed(ledCount: Int) {
        var bands = [Float](repeating: 0, count: 32)
        bands[0] = 1
        var renderer = LightRenderer(settings: linear(.rave))
        let frame = render(&renderer, input(bands: bands), count: ledCount)
        #expect(frame[0] == red)
        if ledCount > 1 {
            #expect(frame[ledCount - 1] == .black)
            #expect(frame[(ledCount / 2)...].allSatisfy { $0 == .black })
        }
    }

    @Test func raveHighestBandLightsTheLastLEDBlue() {
        var bands = [Float](repeating: 0, count: 32)
        bands[31] = 1
        var renderer = LightRenderer(settings: linear(.rave))
        let frame = render(&renderer, input(bands: bands), count: 50)
        #expect(frame[49] == LEDColor(red: 0, green: 0, blue: 255))
        #expect(frame[0] == .black)
    }

    @Test func raveInterpolatesBetweenBandsAndScalesByEnergy() {
        // Two bands, three LEDs: the middle LED sits halfway and gets the mean energy.
        var renderer = LightRenderer(settings: linear(.rave))
        let frame = render(&renderer, input(bands: [1, 0]), count: 3)
        #expect(frame[0] == red)
        #expect(frame[2] == .black)
        #expect(frame[1].red + frame[1].green + frame[1].blue > 0)
        #expect(max(frame[1].red, frame[1].green, frame[1].blue) == 128)
    }

    @Test func raveFadesToBlackWhenSilent() {
        var renderer = LightRenderer(settings: linear(.rave))
        var music = input(bands: [Float](repeating: 1, count: 32), time: 10)
        #expect(render(&renderer, music, count: 20)[0] == red)
        music.isSilent = true
        #expect(render(&renderer, music, count: 20)[0] == red)
        music.time = 10.25
        #expect(render(&renderer, music, count: 20)[0].red == 128)
        music.time = 10.6
        #expect(render(&renderer, music, count: 20).allSatisfy { $0 == .black })
        music.isSilent = false
        #expect(render(&renderer, music, count: 20)[0] == red)
    }

    // MARK: Pulse

    @Test func pulseFlashesOnABeatAndDecaysWithin200ms() {
        var settings = linear(.pulse)
        settings.color = LEDColor(red: 0, green: 255, blue: 0)
        var renderer = LightRenderer(settings: settings)
        var music = input(time: 5)
        #expect(render(&renderer, music, count: 4).allSatisfy { $0 == .black })
        music.time = 5.01
        music.beat = true
        music.beatStrength = 1
        #expect(render(&renderer, music, count: 4).allSatisfy { $0 == settings.color })
        music.beat = false
        music.beatStrength = 0
        var previous = 255
        for step in 1...20 {
            music.time = 5.01 + Double(step) * 0.01
            let green = Int(render(&renderer, music, count: 4)[0].green)
            #expect(green <= previous)
            previous = green
        }
        #expect(previous < 26)
    }

    @Test func pulseScalesByBeatStrength() {
        var renderer = LightRenderer(settings: linear(.pulse))
        var music = input(time: 1)
        music.beat = true
        music.beatStrength = 0.5
        #expect(render(&renderer, music, count: 2)[0] == LEDColor(red: 128, green: 128, blue: 128))
    }

    @Test func pulseStaysDarkWhenSilent() {
        var renderer = LightRenderer(settings: linear(.pulse))
        var music = input(time: 1)
        music.isSilent = true
        _ = render(&renderer, music, count: 2)
        music.time = 2
        music.beat = true
        music.beatStrength = 1
        #expect(render(&renderer, music, count: 2).allSatisfy { $0 == .black })
    }

    // MARK: Strobe

    @Test func strobeFlashesWhiteAtTenHertzWithHalfDuty() {
        var renderer = LightRenderer(settings: linear(.strobe))
        var onFrames = 0
        var flashes = 0
        var wasOn = false
        for step in 0..<1000 {
            let frame = render(&renderer, input(time: 100 + Double(step) / 1000 + 0.0005), count: 3)
            let on = frame[0] == white
            #expect(on || frame[0] == .black)
            if on { onFrames += 1 }
            if on && !wasOn { flashes += 1 }
            wasOn = on
        }
        #expect(flashes == 10)
        #expect(abs(onFrames - 500) <= 10)
    }

    // MARK: Rainbow

    @Test func rainbowMovesContinuouslyOverTime() {
        var settings = linear(.rainbow)
        settings.speed = 0.5
        var renderer = LightRenderer(settings: settings)
        var previous = render(&renderer, input(time: 0), count: 30)
        // 60 fps: at speed 0.5 a channel moves at most 255 × 6 × 0.5 / 60 ≈ 13 per frame.
        for step in 1...240 {
            let frame = render(&renderer, input(time: Double(step) / 60), count: 30)
            for (before, after) in zip(previous, frame) {
                #expect(abs(Int(before.red) - Int(after.red)) <= 14)
                #expect(abs(Int(before.green) - Int(after.green)) <= 14)
                #expect(abs(Int(before.blue) - Int(after.blue)) <= 14)
            }
            previous = frame
        }
    }

    @Test func rainbowSpreadsTheHuesAlongTheStripAndRepeatsAfterOnePeriod() {
        var settings = linear(.rainbow)
        settings.speed = 0.5
        var renderer = LightRenderer(settings: settings)
        let first = render(&renderer, input(time: 0), count: 6)
        #expect(first[0] == red)
        #expect(first[2] == LEDColor(red: 0, green: 255, blue: 0))
        #expect(first[4] == LEDColor(red: 0, green: 0, blue: 255))
        var frame = first
        for step in 1...8 { frame = render(&renderer, input(time: Double(step) * 0.25), count: 6) }
        #expect(frame == first)
    }

    @Test func rainbowSpeedChangeKeepsThePhase() {
        var renderer = LightRenderer(settings: linear(.rainbow))
        let before = render(&renderer, input(time: 1), count: 12)
        renderer.settings.speed = 3
        let after = render(&renderer, input(time: 1), count: 12)
        #expect(before == after)
    }

    // MARK: Alarm

    @Test(arguments: [
        (0.0, Float(0)), (0.225, 0.5), (0.45, 1), (1.0, 1), (1.7, 0.5), (2.3, 0), (2.5, 0), (2.725, 0.5),
        (8.5, 1), (9.0, 0.75), (10.1, 0), (-1, 0),
    ])
    func alarmEnvelopeFollowsRaveberryTimings(seconds: Double, expected: Float) {
        #expect(abs(AlarmEnvelope.factor(at: seconds) - expected) < 1e-5)
    }

    @Test func alarmOverridesTheProgramWhileAnAlarmPlays() {
        var renderer = LightRenderer(settings: linear(.rainbow))
        var music = input()
        music.alarmFactor = 0.5
        #expect(render(&renderer, music, count: 5).allSatisfy { $0 == LEDColor(red: 128, green: 0, blue: 0) })
        music.alarmFactor = nil
        #expect(render(&renderer, music, count: 5)[0] == red)
    }

    @Test func alarmProgramPreviewsTheEnvelopeInALoop() {
        var renderer = LightRenderer(settings: linear(.alarm))
        #expect(render(&renderer, input(time: 0.225), count: 2)[0] == LEDColor(red: 128, green: 0, blue: 0))
        #expect(render(&renderer, input(time: 101), count: 2)[0] == red)
        #expect(render(&renderer, input(time: 102.3), count: 2)[0] == .black)
    }

    // MARK: Finishing

    @Test(arguments: [1.0, 1.8, 2.2, 2.8] as [Float])
    func gammaTableIsMonotonicFromZeroToFull(gamma: Float) {
        let table = GammaTable(gamma: gamma)
        #expect(table.values.count == 256)
        #expect(table[0] == 0)
        #expect(table[255] == 255)
        #expect(zip(table.values, table.values.dropFirst()).allSatisfy { $0 <= $1 })
    }

    @Test func gammaTwoPointTwoDarkensMidtones() {
        #expect(GammaTable(gamma: 2.2)[128] == 56)
        #expect(GammaTable(gamma: 1).values == (0...255).map { UInt8($0) })
    }

    @Test func rendererAppliesGamma() {
        let settings = LightSettings(program: .fixed, color: LEDColor(red: 128, green: 0, blue: 255))
        var renderer = LightRenderer(settings: settings)
        #expect(render(&renderer, input(), count: 1)[0] == LEDColor(red: 56, green: 0, blue: 255))
    }

    @Test(arguments: [
        (ColorOrder.rgb, (UInt8(1), UInt8(2), UInt8(3))), (.rbg, (1, 3, 2)), (.grb, (2, 1, 3)), (.gbr, (2, 3, 1)),
        (.brg, (3, 1, 2)), (.bgr, (3, 2, 1)),
    ])
    func colourOrderPermutesTheBytes(order: ColorOrder, expected: (UInt8, UInt8, UInt8)) {
        let color = LEDColor(red: 1, green: 2, blue: 3)
        #expect(order.bytes(of: color) == expected)
        var settings = linear(.fixed)
        settings.color = color
        settings.colorOrder = order
        var renderer = LightRenderer(settings: settings)
        let wire = render(&renderer, input(), count: 2)[1]
        #expect((wire.red, wire.green, wire.blue) == expected)
    }

    @Test func everyColourOrderIsADistinctPermutation() {
        let color = LEDColor(red: 1, green: 2, blue: 3)
        let orders = ColorOrder.allCases.map { order in
            let bytes = order.bytes(of: color)
            return [bytes.0, bytes.1, bytes.2]
        }
        #expect(Set(orders).count == 6)
        #expect(orders.allSatisfy { $0.sorted() == [1, 2, 3] })
    }

    @Test func brightnessScalesTheLinearValues() {
        var settings = linear(.fixed)
        settings.color = LEDColor(red: 200, green: 100, blue: 0)
        settings.brightness = 0.5
        var renderer = LightRenderer(settings: settings)
        #expect(render(&renderer, input(), count: 3)[2] == LEDColor(red: 100, green: 50, blue: 0))
        renderer.settings.brightness = 0
        #expect(render(&renderer, input(), count: 3).allSatisfy { $0 == .black })
    }

    @Test func monochromeShowsTheMeanColourOnEveryLED() {
        var settings = linear(.rainbow)
        settings.monochrome = true
        var renderer = LightRenderer(settings: settings)
        // Six LEDs at hues 0, 1/6, ..., 5/6: every channel is 255 on three LEDs and 0 on three.
        let frame = render(&renderer, input(), count: 6)
        #expect(frame.allSatisfy { $0 == LEDColor(red: 128, green: 128, blue: 128) })
    }

    @Test func setBandsClampsAndPads() {
        var music = LightInput(bandCount: 4)
        [Float(2), -1, 0.5].withUnsafeBufferPointer { music.setBands($0) }
        #expect(music.bands == [1, 0, 0.5, 0])
    }

    @Test func changingGammaRebuildsTheTable() {
        var renderer = LightRenderer(settings: linear(.fixed))
        #expect(renderer.gammaTable.gamma == 1)
        renderer.settings.gamma = 2.2
        #expect(renderer.gammaTable[128] == 56)
    }
}

@Suite struct StripLayoutTests {
    @Test func raveberrysRingMappingIsOffset14Reversed() {
        let layout = StripLayout(ledCount: 16, offset: 14, reverse: true)
        #expect((0..<16).map(layout.stripIndex(of:)) == (0..<16).map { (16 - $0 + 14) % 16 })
    }

    @Test func placeRotatesAndReversesWithoutLosingAnLED() {
        let picture = (0..<5).map { LEDColor(red: UInt8($0), green: 0, blue: 0) }
        var strip = [LEDColor](repeating: .black, count: 5)
        picture.withUnsafeBufferPointer { source in
            strip.withUnsafeMutableBufferPointer { StripLayout(ledCount: 5, offset: 2).place(source, into: $0) }
        }
        #expect(strip.map(\.red) == [3, 4, 0, 1, 2])
        picture.withUnsafeBufferPointer { source in
            strip.withUnsafeMutableBufferPointer {
                StripLayout(ledCount: 5, offset: -1, reverse: true).place(source, into: $0)
            }
        }
        #expect(strip.map(\.red) == [4, 3, 2, 1, 0])
        #expect(StripLayout(ledCount: 5).isIdentity && !StripLayout(ledCount: 5, offset: 5, reverse: true).isIdentity)
    }

    @Test func pictureThenFinishIsTheSameAsRender() {
        var input = LightInput(bandCount: 8)
        input.bands = [1, 0.8, 0.6, 0.4, 0.3, 0.2, 0.1, 0]
        input.time = 3
        let settings = LightSettings(program: .rave, brightness: 0.7, monochrome: true, gamma: 2.2, colorOrder: .grb)
        var whole = LightRenderer(settings: settings)
        var split = LightRenderer(settings: settings)
        var a = [LEDColor](repeating: .black, count: 12)
        var b = a
        a.withUnsafeMutableBufferPointer { whole.render(input, into: $0) }
        b.withUnsafeMutableBufferPointer { frame in
            split.renderPicture(input, into: frame)
            #expect(Set(frame.map(\.red)).count == 1, "monochrome is part of the picture")
            split.finish(frame)
        }
        #expect(a == b)
        #expect(a.contains { $0 != .black })
    }
}

/// Rave fed by the real analyzer: what a listener hears as bass is red at the strip's start, treble blue at its end.
@Suite struct RaveFromTheAnalyzerTests {
    private static func frame(afterSineOf frequency: Double) throws -> [LEDColor] {
        var configuration = AnalyzerConfiguration()
        configuration.bandCount = 64
        let analyzer = try AudioAnalyzer(configuration: configuration)
        let samples = (0..<48_000).map { Int16(16_000 * sin(2 * Double.pi * frequency * Double($0) / 48_000)) }
        analyzer.push(samples, channels: 1)
        var input = LightInput(bandCount: 64)
        analyzer.bands.withUnsafeBufferPointer { input.setBands($0) }
        input.level = analyzer.level
        var renderer = LightRenderer(settings: linear(.rave))
        return render(&renderer, input, count: 30)
    }

    @Test func bassSineIsRedAtTheStartAndTheRestStaysDark() throws {
        let leds = try Self.frame(afterSineOf: 60)
        let brightest = try #require(leds.indices.max { leds[$0].red < leds[$1].red } as Int?)
        #expect(brightest <= 2, "the 60 Hz band sits at the strip's start")
        #expect(leds[brightest].red > 200 && leds[brightest].green < 40 && leds[brightest].blue < 40)
        #expect(leds[10...].allSatisfy { max($0.red, $0.green, $0.blue) < 40 })
    }

    @Test func trebleSineIsBlueTowardTheEnd() throws {
        let leds = try Self.frame(afterSineOf: 8_000)
        let brightest = try #require(
            leds.indices.max { max(leds[$0].red, leds[$0].blue) < max(leds[$1].red, leds[$1].blue) })
        #expect(brightest >= 20, "8 kHz sits in the strip's top third, LED \(brightest)")
        let color = leds[brightest]
        #expect(color.blue > 200 && color.blue > 2 * Int(color.green) && color.red < color.blue, "\(color)")
        #expect(leds[..<10].allSatisfy { max($0.red, $0.green, $0.blue) < 40 })
    }
}
