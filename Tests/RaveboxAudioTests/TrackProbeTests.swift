import Foundation
import Testing

@testable import RaveboxAudio

@Suite("TrackProbe")
struct TrackProbeTests {
    @Test(
        .enabled(if: TestAudio.ffmpegPath != nil, "needs the ffmpeg command to write a tagged file"),
        arguments: ["mp3", "flac", "ogg", "m4a"]
    )
    func readsTagsWrittenByFFmpeg(fileExtension: String) throws {
        let directory = TestAudio.temporaryDirectory()
        defer { TestAudio.removeDirectory(directory) }
        let path = "\(directory)/tagged.\(fileExtension)"
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

    @Test func titleFallsBackToTheFileNameWithoutExtension() throws {
        let directory = TestAudio.temporaryDirectory()
        defer { TestAudio.removeDirectory(directory) }
        let path = TestAudio.writeWAV(TestAudio.stereoSines(frames: 4800), to: directory, name: "Song.No.5.wav")
        let info = try TrackProbe.probe(path: path)
        #expect(info.title == "Song.No.5")
        #expect(info.artist == nil)
        #expect(info.album == nil)
        #expect(info.duration.map { abs($0 - 0.1) < 0.001 } == true)
    }

    @Test func textFileIsNotAudio() throws {
        let directory = TestAudio.temporaryDirectory()
        defer { TestAudio.removeDirectory(directory) }
        let path = directory + "/notes.mp3"
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
