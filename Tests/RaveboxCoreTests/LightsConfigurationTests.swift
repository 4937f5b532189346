import Testing

@testable import RaveboxCore

@Suite struct LightsConfigurationTests {
    private func resolve(_ yaml: String, env: [String: String] = [:]) throws(ConfigurationError) -> BoxConfiguration {
        try BoxConfiguration.resolve(
            flags: .init(), environment: env, readFile: { $0 == "./ravebox.yaml" ? yaml : nil })
    }

    @Test func ledOutputsAreReadWithEachKindsDefaults() throws {
        let config = try resolve(
            """
            leds:
              - name: ring
                type: ws2812
                count: 16
                offset: 14
                reverse: true
              - name: strip
                type: pca9685
                address: 0x41
              - name: tv
                type: wled
                host: 192.168.4.20
                count: 120
                fps: 30
                color_order: bgr
              - type: e131
                host: multicast
                count: 300
                universe: 3
            audio_sync: on
            onboard_leds: yes
            """)
        let outputs = config.lights.outputs
        #expect(outputs.map(\.name) == ["ring", "strip", "tv", "e1313"])
        #expect(outputs[0].kind == .ws2812 && outputs[0].device == "/dev/spidev0.0" && outputs[0].ledCount == 16)
        #expect(outputs[0].offset == 14 && outputs[0].reverse && outputs[0].colorOrder == "grb")
        #expect(outputs[0].framesPerSecond == 60)
        #expect(outputs[1].device == "/dev/i2c-1" && outputs[1].ledCount == 1 && outputs[1].address == 0x41)
        #expect(outputs[2].target == "192.168.4.20:21324" && outputs[2].framesPerSecond == 30)
        #expect(outputs[2].colorOrder == "bgr")
        #expect(outputs[3].port == 5568 && outputs[3].universe == 3 && outputs[3].framesPerSecond == 44)
        #expect(config.lights.audioSync == LightsConfiguration.defaultAudioSync)
        #expect(config.lights.onboardLEDs)
    }

    @Test func noLightsKeysMeansNoOutputsNoSyncNoOnboardLEDs() throws {
        let config = try resolve("port: 8080")
        #expect(config.lights == LightsConfiguration())
    }

    @Test(arguments: [
        ("off", nil), ("239.0.0.1", LightsConfiguration.NetworkTarget(host: "239.0.0.1", port: 11988)),
        ("wled.lan:12000", LightsConfiguration.NetworkTarget(host: "wled.lan", port: 12000)),
    ])
    func audioSyncTakesOffOnOrATarget(value: String, target: LightsConfiguration.NetworkTarget?) throws {
        #expect(try resolve("audio_sync: \(value)").lights.audioSync == target)
        #expect(try resolve("", env: ["RAVEBOX_AUDIO_SYNC": value]).lights.audioSync == target)
    }

    @Test(arguments: [
        ("leds:\n  - type: laser\n    count: 3", "leds[0].type", "ws2812"),
        ("leds:\n  - type: ws2812", "leds[0].count", "1 to 4096"),
        ("leds:\n  - type: wled\n    count: 3", "leds[0].host", "host name"),
        ("leds:\n  - type: ws2812\n    count: 3\n    colour: red", "leds[0].colour", "color_order"),
        ("leds:\n  - type: ws2812\n    count: 3\n    color_order: rgbw", "leds[0].color_order", "grb"),
        ("leds:\n  - type: ws2812\n    count: 3\n    device: spidev0.0", "leds[0].device", "/dev/spidev0.0"),
        ("leds:\n  - type: ws2812\n    count: 3\n    offset: 3", "leds[0].offset", "0 to 2"),
        ("leds:\n  - type: ws2812\n    count: 3\n    spi_clock: 3000000", "leds[0].spi_clock", "2400000"),
        (
            "leds:\n  - {name: a, type: ddp, host: x, count: 1}\n  - {name: a, type: ddp, host: y, count: 1}",
            "leds[1].name", "no other output"
        ),
        ("leds:\n  - name: a b\n    type: ddp\n    host: x\n    count: 1", "leds[0].name", "letters"),
        ("leds: /dev/spidev0.0", "leds", "list of LED outputs"),
        ("audio_sync: host:99999", "audio_sync", "host[:port]"),
        ("onboard_leds: maybe", "onboard_leds", "on or off"),
    ])
    func badLightsEntriesNameTheKeyAndWhatIsAccepted(yaml: String, key: String, accepted: String) {
        do {
            _ = try resolve(yaml)
            Issue.record("accepted: \(yaml)")
        } catch {
            #expect(error.description.contains(key), "\(error)")
            #expect(error.description.contains(accepted), "\(error)")
        }
    }

    @Test func ledsCannotComeFromTheEnvironment() {
        #expect(throws: ConfigurationError.self) { try resolve("", env: ["RAVEBOX_LEDS": "x"]) }
    }
}

@Suite struct LightOutputSettingsTests {
    @Test func aPatchChangesOnlyWhatItNames() throws {
        let settings = try LightOutputSettings().applying([
            "program": .string("rave"), "brightness": .double(0.4), "color": .string("#FF8800"), "speed": .int(2),
            "monochrome": .bool(true),
        ])
        #expect(settings.program == .rave && settings.brightness == 0.4 && settings.color == "#ff8800")
        #expect(settings.speed == 2 && settings.monochrome)
        #expect(settings.gamma == 2.2 && settings.strobeRate == 10)
        #expect(LightOutputSettings.rgb(settings.color)! == (255, 136, 0))
    }

    @Test(arguments: [
        ("program", SettingValue.string("disco"), "program must be one of disabled"),
        ("brightness", .double(1.5), "brightness must be a number from 0.0 to 1.0"),
        ("color", .string("red"), "color must be a colour like #ff8800"),
        ("monochrome", .string("yes"), "monochrome must be true or false"),
        ("gamma", .int(9), "gamma must be a number from 1.0 to 3.0"),
        ("volume", .int(1), "volume is not a light setting"),
    ])
    func aBadValueIsRefusedWithItsName(key: String, value: SettingValue, message: String) {
        let before = LightOutputSettings(program: .fixed)
        do {
            var patch: [String: SettingValue] = ["program": .string("rave")]
            patch[key] = value
            _ = try before.applying(patch)
            Issue.record("accepted \(key) = \(value)")
        } catch {
            #expect(error.message.hasPrefix(message), "\(error.message)")
        }
    }

    @Test func partyProgramNoneKeepsEachOutputsProgram() {
        #expect(PartyLightProgram.none.program == nil)
        #expect(PartyLightProgram.strobe.program == .strobe)
        #expect(PartyLightProgram.allCases.allSatisfy { $0 == .none || $0.program != nil })
    }
}

@Suite struct ScreenConfigurationTests {
    @Test func theScreenIsOnOnTheBoxOffOnTheDesktopAndSetByTheFile() throws {
        func resolve(_ yaml: String) throws -> BoxConfiguration {
            try BoxConfiguration.resolve(flags: .init(), environment: [:], readFile: { _ in yaml })
        }
        #expect(BoxConfiguration.defaults(for: .box).screen)
        #expect(!(try resolve("port: 8080").screen))
        #expect(try resolve("screen: on").screen)
        #expect(throws: ConfigurationError.self) { try resolve("screen: hdmi") }
    }
}
