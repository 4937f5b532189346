import Testing

@testable import RaveboxScreen

/// Until the box is claimed, its setup code shows along the bottom of every layout, and so does a mod log-in
/// code a phone asked for; the rest of the frame is what it would be without them.
@Suite struct SetupBannerTests {
    static let banners: [(String, WritableKeyPath<ScreenModel, String> & Sendable)] = [
        ("setup code", \.setupCode), ("mod code", \.modCode),
    ]

    @Test(arguments: [ScreenLayout.bars, .circle, .pulse, .nowPlaying, .join], [0, 1])
    func theCodeShowsAlongTheBottomOfEveryLayout(layout: ScreenLayout, banner index: Int) {
        let (name, field) = Self.banners[index]
        let (width, height) = (640, 360)
        var model = ScreenFixtures.model
        model.beat = 0
        let plain = ScreenFixtures.render(model, layout, width: width, height: height)
        model[keyPath: field] = "K7QM-2XWD"
        let banner = ScreenFixtures.render(model, layout, width: width, height: height)
        let bottom = (height * 9 / 10) * width
        #expect(Array(plain[..<(height * 3 / 4 * width)]) == Array(banner[..<(height * 3 / 4 * width)]), "\(name)")
        #expect(Array(plain[bottom...]) != Array(banner[bottom...]), "the \(name) banner is drawn")
        model[keyPath: field] = "ABCD-EFGH"
        let other = ScreenFixtures.render(model, layout, width: width, height: height)
        #expect(Array(other[bottom...]) != Array(banner[bottom...]), "the \(name) itself is written")
    }
}
