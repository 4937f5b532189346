import Foundation
import RaveboxTestSupport
import Testing

@testable import RaveboxScreen

/// Each layout at 320×180 against a stored PNG in `Golden/`.
///
/// Tolerance: a pixel "differs" when any channel is off by more than 24 (anti-aliased glyph edges move a
/// little between FreeType versions); at most 0.5 % of the pixels may differ. Regenerate the images after
/// an intended change with `RAVEBOX_UPDATE_GOLDEN=1 swift test --filter GoldenFrameTests` and look at them.
@Suite struct GoldenFrameTests {
    static let width = 320
    static let height = 180
    static let channelTolerance = 24
    static let differingPixelShare = 0.005

    /// The golden cases: every layout, plus party mode and the alarm flash on the bars.
    static let cases: [(name: String, layout: ScreenLayout, model: ScreenModel)] = {
        var party = ScreenFixtures.model
        party.partyMode = true
        var alarm = ScreenFixtures.model
        alarm.alarmFactor = 0.8
        return ScreenLayout.allCases.map { ($0.rawValue, $0, ScreenFixtures.model) } + [
            ("bars-party", .bars, party), ("bars-alarm", .bars, alarm),
        ]
    }()

    @Test(arguments: cases.map(\.name))
    func layoutMatchesGoldenImage(name: String) throws {
        let entry = try #require(Self.cases.first { $0.name == name })
        let frame = ScreenFixtures.render(entry.model, entry.layout, width: Self.width, height: Self.height)
        let sourceFolder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden")
        if ProcessInfo.processInfo.environment["RAVEBOX_UPDATE_GOLDEN"] == "1" {
            let png = try PNGEncoder.encode(frame, width: Self.width, height: Self.height)
            try Data(png).write(to: sourceFolder.appendingPathComponent("\(name).png"))
            return
        }
        let url = try #require(
            Bundle.module.url(forResource: name, withExtension: "png", subdirectory: "Golden"),
            "Golden/\(name).png is missing: run with RAVEBOX_UPDATE_GOLDEN=1")
        let golden = try #require(ScreenFixtures.decodePNG(Array(try Data(contentsOf: url))))
        #expect(golden.width == Self.width && golden.height == Self.height)
        var differing = 0
        for (actual, expected) in zip(frame, golden.pixels) {
            let worst = [16, 8, 0].map { abs(Int(actual >> $0 & 0xFF) - Int(expected >> $0 & 0xFF)) }.max()!
            if worst > Self.channelTolerance { differing += 1 }
        }
        let share = Double(differing) / Double(frame.count)
        if share > Self.differingPixelShare {
            let folder = try TemporaryFolder("golden-\(name)")
            let path = folder.file("\(name).png")
            try Data(try PNGEncoder.encode(frame, width: Self.width, height: Self.height))
                .write(to: URL(fileURLWithPath: path))
            Issue.record("\(name): \(differing) pixels differ (\(share * 100) %); this frame is at \(path)")
        }
    }

    @Test(arguments: [(1, 1), (16, 9), (17, 300), (300, 17), (33, 33)])
    func oddSizesRenderEveryLayoutWithoutCrashing(width: Int, height: Int) {
        var model = ScreenFixtures.model
        model.alarmFactor = 0.5
        model.bands = [Float](repeating: 2, count: 500)
        for layout in ScreenLayout.allCases {
            #expect(ScreenFixtures.render(model, layout, width: width, height: height).count == width * height)
        }
    }

    @Test func alarmTintsTheWholeFrameRed() {
        var alarm = ScreenFixtures.model
        alarm.alarmFactor = 1
        let frame = ScreenFixtures.render(alarm, .join, width: 160, height: 90)
        #expect(frame.allSatisfy { ($0 >> 16 & 0xFF) > ($0 >> 8 & 0xFF) && ($0 >> 16 & 0xFF) > ($0 & 0xFF) })
    }

    @Test func scaledFrameIsTheNearestNeighbourUpscaleOfTheInternalRender() {
        let small = ScreenFixtures.render(ScreenFixtures.model, .bars, width: 320, height: 180)
        let large = ScreenFixtures.render(
            ScreenFixtures.model, .bars, width: 640, height: 360, renderWidth: 320, renderHeight: 180)
        var mismatches = 0
        for y in 0..<360 {
            for x in 0..<640 where large[y * 640 + x] != small[(y / 2) * 320 + x / 2] { mismatches += 1 }
        }
        #expect(mismatches == 0)
    }
}
