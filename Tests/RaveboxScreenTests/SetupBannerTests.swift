import Testing

@testable import RaveboxScreen

/// Until the box is claimed, its setup code shows along the bottom of every layout; the rest of the frame is
/// what it would be without it.
@Suite struct SetupBannerTests {
    @Test(arguments: [ScreenLayout.bars, .circle, .pulse, .nowPlaying, .join])
    func theSetupCodeShowsAlongTheBottomOfEveryLayout(layout: ScreenLayout) {
        let (width, height) = (640, 360)
        var model = ScreenFixtures.model
        model.beat = 0
        let plain = ScreenFixtures.render(model, layout, width: width, height: height)
        model.setupCode = "K7QM-2XWD"
        let banner = ScreenFixtures.render(model, layout, width: width, height: height)
        let bottom = (height * 9 / 10) * width
        #expect(Array(plain[..<(height * 3 / 4 * width)]) == Array(banner[..<(height * 3 / 4 * width)]))
        #expect(Array(plain[bottom...]) != Array(banner[bottom...]), "the banner is drawn")
        model.setupCode = "ABCD-EFGH"
        let other = ScreenFixtures.render(model, layout, width: width, height: height)
        #expect(Array(other[bottom...]) != Array(banner[bottom...]), "the code itself is written")
    }
}
