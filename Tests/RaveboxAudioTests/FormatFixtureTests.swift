import Foundation
import RaveboxCore
import RaveboxTestSupport
import Testing

@testable import RaveboxAudio
@testable import RaveboxMedia

#if canImport(Glibc)
    import Glibc
#endif

/// Every format the box plays, encoded by the `ffmpeg` command at test time (no binary fixtures are committed)
/// and read back through the real `AudioDecoder` and `TrackProbe`; then the broken inputs a USB stick brings,
/// each failing with the `DecodeError` a guest should see.
///
/// The fixture is 3 s of a stereo tone at 44.1 kHz (440 Hz left, 660 Hz right, half of full scale), so every
/// decode also resamples to the player's 48 kHz, and a channel swap, a wrong rate or silence all show.
/// Figures measured with Debian's FFmpeg 5.1 are in the comments next to each tolerance.
@Suite("FormatFixture")
struct FormatFixtureTests {
    /// One supported format: how ffmpeg encodes it and how exactly its length survives the round trip.
    struct Format: Sendable, CustomTestStringConvertible {
        var fileExtension: String
        /// ffmpeg's output options that choose the encoder.
        var encoder: [String]
        /// `AudioDecoder.codecName`: the FFmpeg decoder the file must be played with.
        var codecName: String
        /// Decoded frames minus the tone's 144 000 frames (at 48 kHz) that the format may produce.
        var extraFrames: ClosedRange<Int>

        var testDescription: String { ".\(fileExtension) (\(encoder.last ?? ""))" }
    }

    /// The formats the box promises to play, with how long each decodes.
    ///
    /// ±2 frames is resampler rounding (44.1 → 48 kHz) and nothing else: PCM and FLAC are sample-exact; Ogg
    /// granule positions let FFmpeg drop Vorbis's and Opus's pre-skip and end padding exactly; LAME's gapless
    /// header lets FFmpeg drop the MP3 encoder delay and padding exactly (all measured: 144 000 frames; without
    /// the header an MP3 would decode 1 105 source frames too many). AAC in MP4 is the exception: FFmpeg 5.1
    /// drops the 1 024 priming samples named by the edit list but keeps the padding of the last AAC frame, up to
    /// 1 023 samples at 44.1 kHz = 1 114 frames at 48 kHz (measured: 144 893 frames, +18.6 ms).
    static let formats: [Format] = [
        Format(fileExtension: "mp3", encoder: ["-c:a", "libmp3lame"], codecName: "mp3float", extraFrames: -2...2),
        Format(fileExtension: "flac", encoder: ["-c:a", "flac"], codecName: "flac", extraFrames: -2...2),
        Format(fileExtension: "ogg", encoder: ["-c:a", "libvorbis"], codecName: "vorbis", extraFrames: -2...2),
        Format(fileExtension: "opus", encoder: ["-c:a", "libopus"], codecName: "opus", extraFrames: -2...2),
        Format(fileExtension: "m4a", encoder: ["-c:a", "aac"], codecName: "aac", extraFrames: -2...1_116),
        Format(fileExtension: "wav", encoder: ["-c:a", "pcm_s16le"], codecName: "pcm_s16le", extraFrames: -2...2),
    ]

    /// Length of the tone, seconds.
    static let seconds = 3.0
    /// Left and right frequencies (Hz): different, so a channel swap or a mono downmix shows.
    static let leftFrequency = 440
    static let rightFrequency = 660
    /// Fraction of full scale. The RMS of a sine is its amplitude / √2: 0.5 × 32 767 / √2 ≈ 11 585.
    static let amplitude = 0.5
    static let expectedRMS = amplitude * 32_767 / 2.0.squareRoot()
    /// Tags written into every fixture; not ASCII on purpose, so every container's text encoding is checked.
    static let tags: KeyValuePairs = [
        "title": "Rêve Électrique (Club Mix)", "artist": "Röyksopp", "album": "Melody A.M.",
        "track": "3", "date": "2001", "genre": "Electronic",
    ]

    // MARK: - Every format plays

    /// Decodes to 48 kHz stereo S16, as long as the tone, and the audio is the tone.
    ///
    /// Measured frames: 144 000 for every format but .m4a (144 893). The RMS of the middle second is within
    /// 0.6 % of 11 585 for all but MP3, where LAME at 128 kbit/s leaves 11 006 (−5 %; `ffmpeg -i` decodes the same).
    @Test(arguments: formats)
    func decoderPlaysTheWholeToneAt48kHzStereo(format: Format) throws {
        let folder = try TemporaryFolder("format-\(format.fileExtension)")
        defer { folder.remove() }
        let path = folder.file("tone.\(format.fileExtension)")
        try Self.encodeTone(to: path, encoder: format.encoder)

        let decoder = try AudioDecoder(path: path)
        #expect(decoder.format == AudioFormat(sampleRate: 48_000, channels: 2))
        #expect(decoder.codecName == format.codecName)
        // Declared length: within 50 ms (FFmpeg 5.1 counts MP3's delay and padding, +30.2 ms, and Opus's
        // pre-skip, +6.5 ms; the others declare 3.000 s).
        let declared = try #require(decoder.duration)
        #expect(abs(declared - Self.seconds) < 0.05, "declared \(declared) s")

        let samples = try Self.decodeAll(decoder)
        let frames = samples.count / 2
        let expectedFrames = 144_000
        #expect(
            format.extraFrames.contains(frames - expectedFrames),
            "decoded \(frames) frames, expected \(expectedFrames) + \(format.extraFrames)")
        #expect(decoder.framesRead == frames)
        #expect(decoder.skippedPackets == 0)

        // The middle second, away from the encoders' edges: the right tone on each side, at full level.
        let tone = Self.measureTone(samples, frames: 48_000..<96_000)
        #expect(abs(tone.leftCrossings - Self.leftFrequency) <= 2, "left: \(tone.leftCrossings) Hz")
        #expect(abs(tone.rightCrossings - Self.rightFrequency) <= 2, "right: \(tone.rightCrossings) Hz")
        #expect(abs(tone.leftRMS / Self.expectedRMS - 1) < 0.1, "left RMS \(tone.leftRMS)")
        #expect(abs(tone.rightRMS / Self.expectedRMS - 1) < 0.1, "right RMS \(tone.rightRMS)")
    }

    /// The probe reads the length within 50 ms and the title, artist and album from every container.
    ///
    /// `TrackInfo` has no track number, year or genre. Every fixture carries them (ID3, MP4 atoms, Vorbis
    /// comments, RIFF INFO), and `MediaFile.tag`, which the probe reads through, finds them: checked here so
    /// the fields can be added to `TrackInfo` knowing the data is there.
    @Test(arguments: formats)
    func probeReadsLengthAndTags(format: Format) throws {
        let folder = try TemporaryFolder("probe-\(format.fileExtension)")
        defer { folder.remove() }
        let path = folder.file("tone.\(format.fileExtension)")
        try Self.encodeTone(to: path, encoder: format.encoder)

        let info = try TrackProbe.probe(path: path)
        #expect(info.title == "Rêve Électrique (Club Mix)")
        #expect(info.artist == "Röyksopp")
        #expect(info.album == "Melody A.M.")
        let duration = try #require(info.duration)
        #expect(abs(duration - Self.seconds) < 0.05, "probed \(duration) s")

        let file = try MediaFile(path: path)
        #expect(file.tag("track") == "3")
        #expect(file.tag("date") == "2001")
        #expect(file.tag("genre") == "Electronic")
    }

    // MARK: - Broken files

    /// The first 30 % of an MP3's bytes plays as far as it goes: measured 42 683 frames (0.889 s of the
    /// 3 s tone), no damaged packet counted and no error. The probe still lists it with its tags; both still
    /// report the 3.03 s that the LAME header declares, not the 0.9 s left.
    @Test func truncatedMP3PlaysThePartThatIsThere() throws {
        let folder = try TemporaryFolder("truncated")
        defer { folder.remove() }
        let path = folder.file("cut.mp3")
        try Self.encodeTone(to: path, encoder: ["-c:a", "libmp3lame"])
        let whole = try Data(contentsOf: URL(fileURLWithPath: path))
        try whole.prefix(whole.count * 3 / 10).write(to: URL(fileURLWithPath: path))

        let decoder = try AudioDecoder(path: path)
        let samples = try Self.decodeAll(decoder)
        let frames = samples.count / 2
        // At most 30 % of the 144 000 frames (the ID3 and LAME headers take bytes too), at least 25 %.
        #expect((36_000...43_200).contains(frames), "decoded \(frames) frames")
        #expect(decoder.skippedPackets == 0)
        let tone = Self.measureTone(samples, frames: 12_000..<36_000)
        #expect(abs(tone.leftCrossings - Self.leftFrequency) <= 2, "left: \(tone.leftCrossings) Hz")
        #expect(abs(tone.rightCrossings - Self.rightFrequency) <= 2, "right: \(tone.rightCrossings) Hz")
        #expect(abs(tone.leftRMS / Self.expectedRMS - 1) < 0.1, "left RMS \(tone.leftRMS)")

        let info = try TrackProbe.probe(path: path)
        #expect(info.title == "Rêve Électrique (Club Mix)")
    }

    /// A file that cannot be played, and the error both `AudioDecoder` and `TrackProbe` must give for it.
    enum BrokenInput: String, CaseIterable, Sendable, CustomTestStringConvertible {
        /// 0 bytes named `.mp3`.
        case emptyFile
        /// 200 kB of deterministic noise named `.flac`.
        case randomBytesNamedFLAC
        /// A directory named `song.mp3`: `access(R_OK)` and `open(O_RDONLY)` succeed, `read` fails (EISDIR).
        case directory
        /// Nothing at the path (ENOENT).
        case missingFile
        /// A path through a regular file, `song.mp3/next.mp3` (ENOTDIR): what a stale path can look like.
        case pathThroughAFile
        /// A symbolic link to itself (ELOOP).
        case symbolicLinkLoop
        /// Permission denied. The tests run as root, whose CAP_DAC_OVERRIDE reads a `chmod 000` file anyway,
        /// and `access(R_OK)` says yes to root too. What root cannot read is a write-only kernel attribute
        /// (`/sys/bus/*/uevent`, mode 0200: the kernel has no read method for it), so as root the fixture is a
        /// link to one and `open` fails with EACCES. As any other user it is a `chmod 000` copy of a real MP3.
        case permissionDenied
        /// The file opens but every read fails with EIO, like a bad sector on a USB stick: a link to
        /// `/proc/self/mem`, whose offset 0 is never mapped (`vm.mmap_min_addr`), so even root gets EIO.
        case readError

        /// What the guest must be told. Every way of not being able to read the file is `.fileNotFound`
        /// (documented as "nothing exists at path, or it cannot be opened for reading"); a file that can be read
        /// but is not audio is `.notAudio`.
        var expected: DecodeErrorCase {
            switch self {
            case .emptyFile, .randomBytesNamedFLAC: .notAudio
            case .directory, .missingFile, .pathThroughAFile, .symbolicLinkLoop, .permissionDenied, .readError:
                .fileNotFound
            }
        }

        var testDescription: String { rawValue }

        /// Makes the input in `folder` and returns its path.
        func make(in folder: TemporaryFolder) throws -> String {
            let files = FileManager.default
            switch self {
            case .emptyFile:
                let path = folder.file("empty.mp3")
                guard files.createFile(atPath: path, contents: Data()) else { throw TestSupportError("cannot write") }
                return path
            case .randomBytesNamedFLAC:
                let path = folder.file("noise.flac")
                try FormatFixtureTests.noise(count: 200_000).write(to: URL(fileURLWithPath: path))
                return path
            case .directory:
                let path = folder.file("song.mp3")
                try files.createDirectory(atPath: path, withIntermediateDirectories: false)
                return path
            case .missingFile:
                return folder.file("gone.mp3")
            case .pathThroughAFile:
                let path = folder.file("song.mp3")
                guard files.createFile(atPath: path, contents: Data("x".utf8)) else {
                    throw TestSupportError("cannot write \(path)")
                }
                return path + "/next.mp3"
            case .symbolicLinkLoop:
                let path = folder.file("loop.mp3")
                try files.createSymbolicLink(atPath: path, withDestinationPath: path)
                return path
            case .permissionDenied:
                let path = folder.file("locked.mp3")
                if geteuid() == 0 {
                    let attributes = (try? files.contentsOfDirectory(atPath: "/sys/bus"))?.sorted()
                        .map { "/sys/bus/\($0)/uevent" }
                    guard let attribute = attributes?.first(where: files.fileExists) else {
                        throw TestSupportError("running as root without /sys/bus/*/uevent: no unreadable file")
                    }
                    try files.createSymbolicLink(atPath: path, withDestinationPath: attribute)
                } else {
                    try FormatFixtureTests.encodeTone(to: path, encoder: ["-c:a", "libmp3lame"])
                    guard chmod(path, 0) == 0 else { throw TestSupportError("cannot chmod \(path)") }
                }
                return path
            case .readError:
                let path = folder.file("badsector.mp3")
                try files.createSymbolicLink(atPath: path, withDestinationPath: "/proc/self/mem")
                return path
            }
        }
    }

    /// The case of a `DecodeError`, without its details, with the sentence guests see for it.
    enum DecodeErrorCase: Equatable, Sendable {
        case fileNotFound
        case notAudio
        case unsupportedCodec
        case corrupt
        case decoderFailure

        init(_ error: DecodeError) {
            switch error {
            case .fileNotFound: self = .fileNotFound
            case .notAudio: self = .notAudio
            case .unsupportedCodec: self = .unsupportedCodec
            case .corrupt: self = .corrupt
            case .decoderFailure: self = .decoderFailure
            }
        }

        /// `DecodeError.reason`, spelled out here so a changed guest sentence is a deliberate test change.
        var reason: String {
            switch self {
            case .fileNotFound: "The song's file was not found."
            case .notAudio: "This file is not an audio file."
            case .unsupportedCodec: "This audio format is not supported."
            case .corrupt: "The song's file has corrupt data."
            case .decoderFailure: "The song could not be decoded."
            }
        }
    }

    @Test(arguments: BrokenInput.allCases)
    func brokenInputFailsWithTheRightError(input: BrokenInput) throws {
        let folder = try TemporaryFolder("broken-\(input.rawValue)")
        defer { folder.remove() }
        let path = try input.make(in: folder)

        let decodeError = #expect(throws: DecodeError.self, "playing \(input.rawValue)") {
            _ = try Self.decodeAll(try AudioDecoder(path: path))
        }
        let probeError = #expect(throws: DecodeError.self, "probing \(input.rawValue)") {
            _ = try TrackProbe.probe(path: path)
        }
        for (api, error) in [("AudioDecoder", decodeError), ("TrackProbe", probeError)] {
            guard let error else { continue }
            #expect(DecodeErrorCase(error) == input.expected, "\(api): \(error.details)")
            #expect(error.reason == input.expected.reason, "\(api)")
            #expect(error.details.contains(path), "\(api): the log line must name the file: \(error.details)")
        }
    }

    // MARK: - Fixtures and measurements

    /// The `ffmpeg` command on `PATH`. Missing, it fails the tests with this message rather than skipping them.
    static func ffmpegPath() throws -> String {
        let directories = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":")
        guard let path = directories.map({ "\($0)/ffmpeg" }).first(where: FileManager.default.isExecutableFile)
        else { throw TestSupportError("these tests need the ffmpeg command (apt install ffmpeg)") }
        return path
    }

    /// Encodes `seconds` of the stereo tone at 44.1 kHz with `tags`, by `encoder`, into `path`.
    static func encodeTone(to path: String, encoder: [String]) throws {
        let tone =
            "aevalsrc=\(amplitude)*sin(2*PI*\(leftFrequency)*t)|\(amplitude)*sin(2*PI*\(rightFrequency)*t)"
            + ":s=44100:d=\(seconds)"
        var arguments = ["-hide_banner", "-loglevel", "error", "-nostdin", "-y", "-f", "lavfi", "-i", tone]
        arguments += encoder
        for (key, value) in tags { arguments += ["-metadata", "\(key)=\(value)"] }
        arguments.append(path)
        let result = try ProcessRunner.run(try ffmpegPath(), arguments)
        guard result.status == 0 else {
            throw TestSupportError("ffmpeg could not make \(path): \(result.standardError)")
        }
    }

    /// `count` bytes of noise, the same on every run (a 64-bit linear congruential generator's top bytes).
    static func noise(count: Int) -> Data {
        var state: UInt64 = 0x5EED
        return Data(
            (0..<count).map { _ in
                state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                return UInt8(truncatingIfNeeded: state >> 56)
            })
    }

    /// Decodes the whole file in reads of 1 000 frames.
    static func decodeAll(_ decoder: AudioDecoder) throws(DecodeError) -> [Int16] {
        let chunk = 1_000
        let channels = decoder.format.channels
        let buffer = UnsafeMutableBufferPointer<Int16>.allocate(capacity: chunk * channels)
        defer { buffer.deallocate() }
        var samples: [Int16] = []
        while case let frames = try decoder.read(into: buffer, frames: chunk), frames > 0 {
            samples.append(contentsOf: buffer.prefix(frames * channels))
        }
        return samples
    }

    /// What one stretch of decoded stereo audio sounds like.
    struct Tone {
        /// Rising zero crossings per second in each channel: the frequency of a sine, in Hz.
        var leftCrossings: Int
        var rightCrossings: Int
        /// Root mean square of each channel, in sample units.
        var leftRMS: Double
        var rightRMS: Double
    }

    /// Measures `frames` (at 48 kHz) of interleaved stereo `samples`; frames past the end count as silence.
    static func measureTone(_ samples: [Int16], frames: Range<Int>) -> Tone {
        var crossings = [0, 0]
        var squares = [0.0, 0.0]
        var previous: [Int16] = [0, 0]
        for frame in frames {
            for channel in 0..<2 {
                let index = frame * 2 + channel
                let sample = index < samples.count ? samples[index] : 0
                if previous[channel] < 0 && sample >= 0 { crossings[channel] += 1 }
                previous[channel] = sample
                squares[channel] += Double(sample) * Double(sample)
            }
        }
        let seconds = Double(frames.count) / 48_000
        return Tone(
            leftCrossings: Int((Double(crossings[0]) / seconds).rounded()),
            rightCrossings: Int((Double(crossings[1]) / seconds).rounded()),
            leftRMS: (squares[0] / Double(frames.count)).squareRoot(),
            rightRMS: (squares[1] / Double(frames.count)).squareRoot())
    }
}
