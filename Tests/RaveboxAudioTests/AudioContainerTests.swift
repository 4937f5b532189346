import Foundation
import RaveboxCore
import RaveboxTestSupport
import Testing

@testable import RaveboxAudio
@testable import RaveboxMedia

/// Playlists dressed as songs: FFmpeg detects HLS and `ffconcat` lists by their content, whatever their name, and
/// would open, probe and play the files they name. The box opens every file with the demuxers of
/// `AudioContainers` and the `file` protocol only, so such a file is refused and what it names is never read.
@Suite("AudioContainers", .enabled(if: TestAudio.ffmpegPath != nil, "needs the ffmpeg command to make an MP3"))
struct AudioContainerTests {
    /// A text file FFmpeg reads as a list of other media files.
    struct Playlist: Sendable, CustomTestStringConvertible {
        /// FFmpeg's demuxer for it.
        var demuxer: String
        /// The file's text, given the absolute path of the song it names.
        var text: @Sendable (String) -> String

        var testDescription: String { demuxer }
    }

    static let playlists = [
        Playlist(demuxer: "hls") { song in
            "#EXTM3U\n#EXT-X-TARGETDURATION:10\n#EXTINF:1.0,\n\(song)\n#EXT-X-ENDLIST\n"
        },
        // The concat demuxer's safe mode only takes names relative to the list's folder.
        Playlist(demuxer: "concat") { song in
            "ffconcat version 1.0\nfile \(URL(fileURLWithPath: song).lastPathComponent)\n"
        },
    ]

    /// A folder with `named.mp3`, one second of a tone: what a playlist points at.
    static func folderWithSong() throws -> (TemporaryFolder, String) {
        let folder = try TemporaryFolder("containers")
        let song = folder.file("named.mp3")
        try TestAudio.ffmpegSine(to: song, seconds: 1)
        return (folder, song)
    }

    @Test(arguments: playlists)
    func aPlaylistNamedLikeASongIsNeitherProbedNorDecoded(playlist: Playlist) throws {
        let (folder, song) = try Self.folderWithSong()
        defer { folder.remove() }
        let disguised = folder.file("song.mp3")
        try playlist.text(song).write(toFile: disguised, atomically: true, encoding: .utf8)

        let probed = #expect(throws: DecodeError.self) { try TrackProbe.probe(path: disguised) }
        guard case .notAudio(_, let detail) = probed else {
            Issue.record("expected notAudio, got \(String(describing: probed))")
            return
        }
        #expect(detail == "a '\(playlist.demuxer)' file, not an audio container the box plays")
        #expect(throws: DecodeError.self) { try AudioDecoder(path: disguised) }
        // The song it names is fine on its own.
        #expect(try TrackProbe.probe(path: song).duration.map { abs($0 - 1) < 0.1 } == true)
    }

    /// The engine plays a queued file by its path, long after the upload was checked: a file replaced by a
    /// playlist in between fails to play and nothing of the song it names reaches the device.
    @Test func aQueuedSongSwappedForAPlaylistAfterItsCheckPlaysNothing() throws {
        let (folder, song) = try Self.folderWithSong()
        defer { folder.remove() }
        let queued = folder.file("upload.mp3")
        try FileManager.default.copyItem(atPath: song, toPath: queued)
        _ = try TrackProbe.probe(path: queued)
        try Self.playlists[0].text(song).write(toFile: queued, atomically: true, encoding: .utf8)

        let (player, outputPath) = try PlayerTests.makePlayer(folder.path)
        player.play(path: queued, from: 0, token: 1)
        let end = player.waitForEnd(of: 1, timeout: 10)
        player.shutdown()
        guard case .failed(1, let reason) = end else {
            Issue.record("expected the song to fail, got \(String(describing: end))")
            return
        }
        #expect(reason == DecodeError.notAudio(path: queued, detail: "").reason)
        #expect(TestAudio.samples(inRawFile: outputPath).allSatisfy { $0 == 0 })
    }

    /// The containers the box takes besides the ones `FormatFixtureTests` plays end to end (.mp3, .flac, .ogg,
    /// .opus, .m4a, .wav) still open: ADTS AAC, WMA, YouTube's WebM, AIFF and Wave64.
    @Test(arguments: [
        ("aac", ["-c:a", "aac", "-f", "adts"]), ("wma", ["-c:a", "wmav2"]), ("webm", ["-c:a", "libopus"]),
        ("aiff", ["-c:a", "pcm_s16be"]), ("w64", ["-c:a", "pcm_s16le"]),
    ])
    func everyOtherContainerTheBoxTakesStillOpens(fileExtension: String, encoder: [String]) throws {
        let folder = try TemporaryFolder("containers")
        defer { folder.remove() }
        let path = folder.file("tone.\(fileExtension)")
        try TestAudio.ffmpegSine(to: path, seconds: 1, extraArguments: encoder)
        #expect(try TrackProbe.probe(path: path).duration.map { abs($0 - 1) < 0.1 } == true)
        #expect(try TestAudio.decodeAll(path).count > 40_000 * 2)
    }
}
