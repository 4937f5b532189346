import Foundation
import RaveboxCore
import RaveboxTestSupport
import Testing

@testable import RaveboxAudio
@testable import RaveboxMedia

@Suite("AudioDecoder")
struct AudioDecoderTests {
    /// Decodes the whole file in chunks of `chunkFrames`.
    static func decodeAll(_ decoder: AudioDecoder, chunkFrames: Int = 1000) throws(DecodeError) -> [Int16] {
        let channels = decoder.format.channels
        let buffer = UnsafeMutableBufferPointer<Int16>.allocate(capacity: chunkFrames * channels)
        defer { buffer.deallocate() }
        var all: [Int16] = []
        while true {
            let frames = try decoder.read(into: buffer, frames: chunkFrames)
            if frames == 0 { break }
            all.append(contentsOf: buffer.prefix(frames * channels))
        }
        return all
    }

    /// Number of sign changes from negative to non-negative in one channel: ≈ frequency × seconds for a sine.
    static func risingZeroCrossings(_ samples: [Int16], channel: Int, channels: Int) -> Int {
        var count = 0
        var previous = samples[channel]
        for index in stride(from: channel + channels, to: samples.count, by: channels) {
            if previous < 0 && samples[index] >= 0 { count += 1 }
            previous = samples[index]
        }
        return count
    }

    @Test func decodesA48kHzStereoWAVBitExact() throws {
        let folder = try TemporaryFolder("audio")
        defer { folder.remove() }
        let samples = TestAudio.stereoSines(frames: 48_000)
        let path = try WAVFile.write(samples, in: folder.path)
        let decoder = try AudioDecoder(path: path)
        #expect(decoder.duration.map { abs($0 - 1) < 0.001 } == true)
        let decoded = try Self.decodeAll(decoder, chunkFrames: 777)
        #expect(describeDifference(decoded, samples) == nil)
        #expect(decoder.framesRead == 48_000)
    }

    @Test(
        .enabled(if: TestAudio.ffmpegPath != nil, "needs the ffmpeg command to make MP3/FLAC fixtures"),
        arguments: ["mp3", "flac", "ogg"]
    )
    func decodesCompressedFilesToTheExpectedFrameCount(fileExtension: String) throws {
        let folder = try TemporaryFolder("audio")
        defer { folder.remove() }
        let path = folder.file("sine.\(fileExtension)")
        // 2 s of 1 kHz mono at 44.1 kHz: decoding must resample to 48 kHz and upmix to stereo.
        try TestAudio.ffmpegSine(to: path, seconds: 2, frequency: 1000, sampleRate: 44_100, channels: 1)
        let decoder = try AudioDecoder(path: path, format: AudioFormat(sampleRate: 48_000, channels: 2))
        let decoded = try Self.decodeAll(decoder)
        let frames = decoded.count / 2
        #expect(abs(frames - 96_000) < 96_000 / 50, "decoded \(frames) frames of 96000")
        let crossings = Self.risingZeroCrossings(decoded, channel: 1, channels: 2)
        #expect(abs(crossings - 2000) < 20, "\(crossings) rising zero crossings, expected ≈ 2000 for 1 kHz")
        // lavfi's sine has amplitude 1/8 (4096); mono spreads to both channels at -3 dB (≈ 2896).
        let peak = decoded.map { abs(Int($0)) }.max() ?? 0
        #expect(peak > 2500 && peak < 4200, "peak \(peak)")
    }

    @Test func seekStartsAtTheRequestedFrame() throws {
        let folder = try TemporaryFolder("audio")
        defer { folder.remove() }
        let samples = TestAudio.stereoSines(frames: 48_000)
        let path = try WAVFile.write(samples, in: folder.path)
        let decoder = try AudioDecoder(path: path)
        try decoder.seek(to: 0.5)
        let decoded = try Self.decodeAll(decoder)
        #expect(describeDifference(decoded, Array(samples[48_000...])) == nil)
    }

    @Test func missingFileIsReportedAsNotFound() {
        #expect {
            _ = try AudioDecoder(path: "/nonexistent/song.mp3")
        } throws: { error in
            guard case .fileNotFound = error as? DecodeError else { return false }
            return (error as! DecodeError).reason == "The song's file was not found."
        }
    }

    @Test func randomBytesWithAnMP3NameAreRejected() throws {
        let folder = try TemporaryFolder("audio")
        defer { folder.remove() }
        let path = folder.file("noise.mp3")
        var generator = SplitMix(seed: 42)
        try Data((0..<200_000).map { _ in UInt8(truncatingIfNeeded: generator.next()) })
            .write(to: URL(fileURLWithPath: path))
        let error = #expect(throws: DecodeError.self) {
            let decoder = try AudioDecoder(path: path)
            _ = try Self.decodeAll(decoder)
        }
        #expect(error.map { !$0.reason.isEmpty && $0.details.contains(path) } == true)
    }

    @Test func fileCutInsideItsHeaderIsRejected() throws {
        let folder = try TemporaryFolder("audio")
        defer { folder.remove() }
        let whole = WAVFile.bytes(TestAudio.stereoSines(frames: 4800))
        let path = folder.file("cut.wav")
        try whole.prefix(30).write(to: URL(fileURLWithPath: path))
        #expect(throws: DecodeError.self) {
            let decoder = try AudioDecoder(path: path)
            _ = try Self.decodeAll(decoder)
        }
    }

    @Test(.enabled(if: TestAudio.ffmpegPath != nil, "needs the ffmpeg command to make an MP3 fixture"))
    func damagedPacketsMidFileAreSkipped() throws {
        let folder = try TemporaryFolder("audio")
        defer { folder.remove() }
        let path = folder.file("damaged.mp3")
        try TestAudio.ffmpegSine(to: path, seconds: 3, frequency: 440, sampleRate: 48_000, channels: 2)
        var bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        var generator = SplitMix(seed: 7)
        for index in (bytes.count / 2)..<(bytes.count / 2 + 2000) {
            bytes[index] = UInt8(truncatingIfNeeded: generator.next())
        }
        try bytes.write(to: URL(fileURLWithPath: path))
        let decoder = try AudioDecoder(path: path)
        let frames = try Self.decodeAll(decoder).count / 2
        #expect(frames > 144_000 * 8 / 10, "only \(frames) of 144000 frames survived")
        #expect(decoder.skippedPackets > 0)
    }
}

/// A tiny deterministic random generator, so "random" fixtures are the same on every run.
struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var value = state
        value = (value ^ (value >> 30)) &* 0xBF58_476D_1CE4_E5B9
        value = (value ^ (value >> 27)) &* 0x94D0_49BB_1331_11EB
        return value ^ (value >> 31)
    }
}
