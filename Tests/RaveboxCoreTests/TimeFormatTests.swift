import Testing

@testable import RaveboxCore

@Suite struct TimeFormatTests {
    @Test(arguments: [
        (0.0, "00:00"), (59.9, "00:59"), (61, "01:01"), (3599, "59:59"), (3600, "1:00:00"), (-1, "--:--"),
        (Double.nan, "--:--"),
    ])
    func clockFormatsLikeThePartyPage(seconds: Double, expected: String) {
        #expect(TimeFormat.clock(seconds) == expected)
    }

    @Test(arguments: [("a.MP3", true), ("b.flac", true), ("notes.txt", false), (".mp3", false), ("noext", false)])
    func audioFilesAreRecognisedByExtension(name: String, expected: Bool) {
        #expect(AudioFileTypes.isAudio(fileName: name) == expected)
    }
}
