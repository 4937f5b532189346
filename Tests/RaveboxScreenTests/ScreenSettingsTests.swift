import Testing

@testable import RaveboxScreen

@Suite struct ScreenSettingsTests {
    @Test(
        arguments: [
            ("1920x1080@60", 1920, 1080, 60), ("1280x720", 1280, 720, nil), ("640x480@75", 640, 480, 75),
        ] as [(String, Int, Int, Int?)])
    func modeParses(text: String, width: Int, height: Int, refresh: Int?) throws {
        let mode = try #require(ScreenSettings.parseMode(text))
        #expect(mode.width == width && mode.height == height && mode.refresh == refresh)
    }

    @Test(arguments: ["", "1920", "1920x", "x1080", "1920x1080@", "1920x1080@60@1", "-1x5", "axb"])
    func malformedModeIsRefused(text: String) {
        #expect(ScreenSettings.parseMode(text) == nil)
        #expect(throws: ScreenSettings.Problem.mode(text)) { try ScreenSettings(mode: text).validate() }
    }

    @Test func rangesAreChecked() throws {
        try ScreenSettings().validate()
        #expect(throws: ScreenSettings.Problem.framesPerSecond(0)) { try ScreenSettings(framesPerSecond: 0).validate() }
        #expect(throws: ScreenSettings.Problem.renderHeight(10)) { try ScreenSettings(renderHeight: 10).validate() }
    }

    @Test func renderSizeKeepsTheAspectRatioAndNeverUpscales() {
        #expect(ScreenSettings().renderSize(forDisplayWidth: 1920, height: 1080) == (640, 360))
        #expect(ScreenSettings().renderSize(forDisplayWidth: 1280, height: 1024) == (450, 360))
        #expect(ScreenSettings().renderSize(forDisplayWidth: 320, height: 240) == (320, 240))
        #expect(ScreenSettings(renderHeight: nil).renderSize(forDisplayWidth: 1920, height: 1080) == (1920, 1080))
    }

    @Test func layoutNamesAreTheProgramNames() {
        #expect(ScreenLayout.allCases.map(\.rawValue) == ["bars", "circle", "pulse", "now-playing", "join"])
    }
}
