import Foundation
import RaveboxTestSupport
import Testing

@testable import RaveboxAudio

/// Seeking lands where it was asked to: the frames after a seek to 1.234 s are the song's frames from
/// 1.234 s (± 20 ms), for a sample-exact format (FLAC) and a frame-based one (MP3).
@Suite("Seek accuracy")
struct SeekTests {
    /// The first index at which `window` occurs in `haystack`, or nil.
    static func find(_ window: ArraySlice<Int16>, in haystack: [Int16]) -> Int? {
        guard let first = window.first, window.count <= haystack.count else { return nil }
        var index = 0
        while index <= haystack.count - window.count {
            if haystack[index] == first, haystack[index..<(index + window.count)].elementsEqual(window) { return index }
            index += 1
        }
        return nil
    }

    @Test(arguments: ["flac", "mp3"])
    func seekLandsWithinTwentyMilliseconds(format: String) throws {
        let folder = try TemporaryFolder("audio")
        defer { folder.remove() }
        let song = folder.file("noise.\(format)")
        // White noise: every stretch is unique, so where the output came from can be found exactly.
        let status = try TestAudio.ffmpeg([
            "-f", "lavfi", "-i", "anoisesrc=color=white:amplitude=0.3:duration=4:sample_rate=48000:seed=11",
            "-ac", "2", song,
        ])
        try #require(status == 0)
        let whole = try TestAudio.decodeAll(song)
        let (player, outputPath) = try PlayerTests.makePlayer(folder.path, pacing: .off)
        player.play(path: song, from: 1.234, token: 1)
        #expect(player.waitForEnd(of: 1, timeout: 10) == .finished(1))
        player.shutdown()
        let played = TestAudio.samples(inRawFile: outputPath)
        // Look up a stretch 0.1 s after the seek: a frame-based decoder needs a frame to settle after it.
        let settle = 4_800 * 2
        try #require(played.count > settle + 960)
        let found = try #require(Self.find(played[settle..<(settle + 960)], in: whole), "output not found in the song")
        let landedAt = Double(found - settle) / 2 / 48_000
        #expect(abs(landedAt - 1.234) <= 0.020, "\(format): landed at \(landedAt) s")
    }
}
