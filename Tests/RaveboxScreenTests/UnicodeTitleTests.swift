import Testing

@testable import RaveboxScreen

/// Any Unicode title renders without crashing and stays inside its box.
@Suite struct UnicodeTitleTests {
    static let titles: [String] = [
        "東京の夜に踊る — 初音ミク",
        "Party 🎉🔥💃🏽👨‍👩‍👧‍👦 🏳️‍🌈",
        "حبيبي يا نور العين",
        "שיר השירים אשר לשלמה",
        String(repeating: "Ü̈ber-long ", count: 46).prefix(500).description,
        String(repeating: "界", count: 500),
        "Tab\tnew\nline\u{200F}rtl-mark\u{200D}zwj\u{FEFF}bom\u{0}nul",
        "\u{FDFD}\u{102A}\u{0BF5}\u{1F600}\u{10FFFD}",
        "",
    ]

    @Test(arguments: titles, [ScreenLayout.bars, .nowPlaying])
    func titleStaysInsideItsBox(title: String, layout: ScreenLayout) throws {
        var model = ScreenFixtures.model
        model.current?.song.title = ""
        let blank = ScreenFixtures.render(model, layout, width: 320, height: 180)
        model.current?.song.title = title
        let frame = ScreenFixtures.render(model, layout, width: 320, height: 180)
        let box = try #require(
            ScreenFixtures.withFont { ScreenRenderer(width: 320, height: 180, font: $0).titleBox(layout) })
        var outside = 0
        for y in 0..<180 {
            for x in 0..<320 where frame[y * 320 + x] != blank[y * 320 + x] && !box.contains(x: x, y: y) {
                outside += 1
            }
        }
        #expect(outside == 0)
        if !title.isEmpty, title.unicodeScalars.contains(where: { !$0.properties.isWhitespace && $0.value > 32 }) {
            #expect(frame != blank, "the title drew nothing")
        }
    }

    @Test func longArtistsAndUpcomingTitlesRenderEverywhere() {
        var model = ScreenFixtures.model
        let long = String(repeating: "🎵 Ярослав ❤️ 日本 ", count: 40)
        model.current?.song.artist = long
        model.upcoming = (0..<9).map { .init(title: long, artist: long, votes: $0 * 40_000 - 200_000) }
        model.hashtag = long
        model.wifi = .init(name: long, password: long)
        model.url = "http://ravebox.local/" + String(repeating: "x", count: 100)
        for layout in ScreenLayout.allCases {
            let frame = ScreenFixtures.render(model, layout, width: 160, height: 90)
            #expect(frame.count == 160 * 90)
        }
    }
}
