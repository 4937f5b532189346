import Foundation
import Logging
import RaveboxAudio
import RaveboxMedia
import RaveboxTestSupport

/// Fixtures made on the fly: WAV files written by hand, other formats made by the `ffmpeg` command.
enum TestAudio {
    /// Interleaved stereo test signal: 1 kHz sine on the left, 1.5 kHz on the right (so a channel swap shows),
    /// amplitude 0.5 full scale.
    static func stereoSines(frames: Int, sampleRate: Int = 48_000) -> [Int16] {
        var samples = [Int16](repeating: 0, count: frames * 2)
        for frame in 0..<frames {
            let time = Double(frame) / Double(sampleRate)
            samples[2 * frame] = Int16((sin(2 * .pi * 1000 * time) * 16_384).rounded())
            samples[2 * frame + 1] = Int16((sin(2 * .pi * 1500 * time) * 16_384).rounded())
        }
        return samples
    }

    /// Reads a raw S16LE file as samples.
    static func samples(inRawFile path: String) -> [Int16] {
        guard let data = FileManager.default.contents(atPath: path) else { return [] }
        return data.withUnsafeBytes { raw in
            (0..<(data.count / 2)).map {
                Int16(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 2, as: Int16.self))
            }
        }
    }

    /// Path of the `ffmpeg` command, or nil when it is not installed.
    /// A whole file decoded from its start to 48 kHz stereo, as the player decodes it.
    static func decodeAll(_ path: String) throws -> [Int16] {
        let decoder = try AudioDecoder(path: path)
        let buffer = UnsafeMutableBufferPointer<Int16>.allocate(capacity: 4096 * 2)
        defer { buffer.deallocate() }
        var samples: [Int16] = []
        while case let frames = try decoder.read(into: buffer, frames: 4096), frames > 0 {
            samples.append(contentsOf: buffer.prefix(frames * 2))
        }
        return samples
    }

    static let ffmpegPath: String? = {
        let directories = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":")
        return directories.map { "\($0)/ffmpeg" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }()

    /// Runs ffmpeg with `arguments` (after `-hide_banner -loglevel error -y`); returns its exit status.
    @discardableResult
    static func ffmpeg(_ arguments: [String]) throws -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: ffmpegPath ?? "/usr/bin/ffmpeg")
        process.arguments = ["-hide_banner", "-loglevel", "error", "-nostdin", "-y"] + arguments
        try process.run()
        process.waitUntilExit()
        return process.terminationStatus
    }

    /// Makes a `seconds`-long sine file with ffmpeg's lavfi source, encoded by the file extension of `path`.
    static func ffmpegSine(
        to path: String, seconds: Double, frequency: Int = 440, sampleRate: Int = 44_100, channels: Int = 1,
        extraArguments: [String] = []
    ) throws {
        let status = try ffmpeg(
            [
                "-f", "lavfi", "-i", "sine=frequency=\(frequency):duration=\(seconds):sample_rate=\(sampleRate)",
                "-ac", "\(channels)",
            ] + extraArguments + [path]
        )
        precondition(status == 0, "ffmpeg failed to make \(path)")
    }

    /// A logger for tests; quiet unless something goes wrong.
    static let logger: Logger = {
        var logger = Logger(label: "ravebox.audio.tests")
        logger.logLevel = .warning
        return logger
    }()
}

/// Helpers to drive a `Player` from a test thread.
extension Player {
    /// Polls `nextEvent()` until an event matching `predicate` arrives (returning it) or `timeout` seconds pass
    /// (returning nil). Non-matching events are collected into `seen`.
    func waitForEvent(
        timeout: Double, seen: inout [PlayerEvent], where predicate: (PlayerEvent) -> Bool
    ) -> PlayerEvent? {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            while let event = nextEvent() {
                seen.append(event)
                if predicate(event) { return event }
            }
            usleep(2_000)
        }
        return nil
    }

    /// Polls `status` until the song `token` has been heard for `seconds` (returning true) or `timeout` seconds pass
    /// (returning false). Leaves the events queued.
    func waitForPosition(_ seconds: Double, of token: Int64, timeout: Double) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            let status = status
            if status.token == token, status.position >= seconds { return true }
            usleep(2_000)
        }
        return false
    }

    /// Waits for the event that ends the song `token` (finished, failed or stopped).
    func waitForEnd(of token: Int64, timeout: Double) -> PlayerEvent? {
        var seen: [PlayerEvent] = []
        return waitForEvent(timeout: timeout, seen: &seen) { event in
            switch event {
            case .finished(token), .failed(token, _), .stopped(token): true
            default: false
            }
        }
    }
}

/// Compares sample arrays and, when they differ, says where instead of printing megabytes of samples.
func describeDifference(_ actual: [Int16], _ expected: [Int16]) -> String? {
    if actual == expected { return nil }
    let firstMismatch = zip(actual, expected).enumerated().first { $0.element.0 != $0.element.1 }?.offset
    return "got \(actual.count) samples, expected \(expected.count); first difference at sample "
        + "\(firstMismatch.map(String.init) ?? "none (one is a prefix of the other)")"
}
