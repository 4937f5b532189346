import Foundation
import RaveboxCore
import RaveboxTestSupport
import Testing

@testable import RaveboxAudio
@testable import RaveboxMedia

@Suite("TrackProbe")
struct TrackProbeTests {
    @Test(
        .enabled(if: TestAudio.ffmpegPath != nil, "needs the ffmpeg command to write a tagged file"),
        arguments: ["mp3", "flac", "ogg", "m4a"]
    )
    func readsTagsWrittenByFFmpeg(fileExtension: String) throws {
        let folder = try TemporaryFolder("audio")
        defer { folder.remove() }
        let path = folder.file("tagged.\(fileExtension)")
        try TestAudio.ffmpegSine(
            to: path, seconds: 3,
            extraArguments: [
                "-metadata", "title=Sandstorm (Radio Edit)", "-metadata", "artist=Darude",
                "-metadata", "album=Before the Storm",
            ]
        )
        let info = try TrackProbe.probe(path: path)
        #expect(info.title == "Sandstorm (Radio Edit)")
        #expect(info.artist == "Darude")
        #expect(info.album == "Before the Storm")
        #expect(info.duration.map { abs($0 - 3) < 0.1 } == true, "duration \(String(describing: info.duration))")
    }

    @Test(
        .enabled(if: TestAudio.ffmpegPath != nil, "needs the ffmpeg command to write a tagged file"),
        arguments: ["mp3", "flac", "ogg", "m4a"]
    )
    func readsTrackYearGenreAndUnicodeTags(fileExtension: String) throws {
        let folder = try TemporaryFolder("audio")
        defer { folder.remove() }
        let path = folder.file("tagged.\(fileExtension)")
        try TestAudio.ffmpegSine(
            to: path, seconds: 0.5,
            extraArguments: [
                "-metadata", "title=夜に駆ける 🌙", "-metadata", "artist=Beyoncé & Ñandú",
                "-metadata", "album=Ünïcödé", "-metadata", "track=2/9", "-metadata", "date=1999-05-01",
                "-metadata", "genre=Eurodance",
            ]
        )
        let info = try TrackProbe.probe(path: path)
        #expect(info.title == "夜に駆ける 🌙")
        #expect(info.artist == "Beyoncé & Ñandú")
        #expect(info.album == "Ünïcödé")
        #expect(info.track == 2)
        #expect(info.year == 1999)
        #expect(info.genre == "Eurodance")
    }

    @Test(.enabled(if: TestAudio.ffmpegPath != nil, "needs the ffmpeg command to write a file"))
    func untaggedArtistDashTitleFileNameGivesArtistAndTitle() throws {
        let folder = try TemporaryFolder("audio")
        defer { folder.remove() }
        let path = folder.file("Daft Punk - One More Time.mp3")
        try TestAudio.ffmpegSine(to: path, seconds: 0.3)
        let info = try TrackProbe.probe(path: path)
        #expect(info.title == "One More Time")
        #expect(info.artist == "Daft Punk")
        #expect(info.album == nil && info.track == nil && info.year == nil && info.genre == nil)
    }

    @Test(.enabled(if: TestAudio.ffmpegPath != nil, "needs the ffmpeg command to write a file"))
    func artistTagWinsOverTheFileNameWhenOnlyTheTitleIsMissing() throws {
        let folder = try TemporaryFolder("audio")
        defer { folder.remove() }
        let path = folder.file("Somebody - Song Name.ogg")
        try TestAudio.ffmpegSine(to: path, seconds: 0.3, extraArguments: ["-metadata", "artist=Real Artist"])
        let info = try TrackProbe.probe(path: path)
        #expect(info.title == "Song Name")
        #expect(info.artist == "Real Artist")
    }

    @Test(
        arguments: [
            ("/m/Daft Punk - One More Time.mp3", "One More Time", "Daft Punk", nil),
            ("/m/03 - Intro.flac", "Intro", nil, 3),
            ("/m/03 - Daft Punk - Aerodynamic.ogg", "Aerodynamic", "Daft Punk", 3),
            ("/m/A - B - C.mp3", "B - C", "A", nil),
            ("/m/Plain Name.mp3", "Plain Name", nil, nil),
            ("/m/ - Lonely Dash.mp3", " - Lonely Dash", nil, nil),
            ("/m/Trailing - .mp3", "Trailing - ", nil, nil),
            ("/m/1999 - Prince.mp3", "Prince", "1999", nil),
            ("/m/x-y.mp3", "x-y", nil, nil),
        ] as [(String, String, String?, Int?)])
    func fileNameSaysWhatTheTagsDoNot(path: String, title: String, artist: String?, track: Int?) {
        let names = TrackProbe.namesFromFileName(path)
        #expect(names.title == title)
        #expect(names.artist == artist)
        #expect(names.track == track)
    }

    @Test(
        arguments: [
            ("3", 3), ("03/12", 3), (" 7 ", 7), ("12/12", 12), ("0", nil), ("A1", nil), ("", nil), ("/5", nil),
        ] as [(String, Int?)])
    func trackNumberIsTheLeadingNumber(tag: String, expected: Int?) {
        #expect(TrackProbe.trackNumber(inTag: tag) == expected)
    }

    @Test(
        arguments: [
            ("1999", 1999), ("1999-05-01", 1999), ("2001-02-03T04:05:06Z", 2001), ("01.05.1987", 1987),
            ("99", nil), ("", nil), ("12345", nil), ("May 2010", 2010),
        ] as [(String, Int?)])
    func yearIsTheFirstFourDigitNumber(tag: String, expected: Int?) {
        #expect(TrackProbe.year(inTag: tag) == expected)
    }

    @Test func titleFallsBackToTheFileNameWithoutExtension() throws {
        let folder = try TemporaryFolder("audio")
        defer { folder.remove() }
        let path = try WAVFile.write(TestAudio.stereoSines(frames: 4800), in: folder.path, name: "Song.No.5.wav")
        let info = try TrackProbe.probe(path: path)
        #expect(info.title == "Song.No.5")
        #expect(info.artist == nil)
        #expect(info.album == nil)
        #expect(info.duration.map { abs($0 - 0.1) < 0.001 } == true)
    }

    @Test func textFileIsNotAudio() throws {
        let folder = try TemporaryFolder("audio")
        defer { folder.remove() }
        let path = folder.file("notes.mp3")
        try Data(String(repeating: "these are not the droids you are looking for\n", count: 50).utf8)
            .write(to: URL(fileURLWithPath: path))
        let error = #expect(throws: DecodeError.self) { try TrackProbe.probe(path: path) }
        #expect(error?.reason == "This file is not an audio file.")
    }

    @Test func fileNameTitleHandlesOddNames() {
        #expect(TrackProbe.titleFromFileName("/a/b/.hidden") == ".hidden")
        #expect(TrackProbe.titleFromFileName("/a/b/noext") == "noext")
        #expect(TrackProbe.titleFromFileName("relative.flac") == "relative")
    }
}
