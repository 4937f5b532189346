import Foundation
import RaveboxTestSupport
import Testing

@testable import RaveboxAudio

/// Capture mode through ALSA's `file` plugin: `rbtestmic:INFILE=...` (Tests/Fixtures/asoundrc) records the
/// raw S16LE stereo 48 kHz file it is given. Reads past its end return stale frames, so the tests only look
/// at the file's length.
@Suite("ALSACapture")
struct CaptureTests {
    @Test func tapReceivesExactlyTheSamplesTheDeviceRecords() throws {
        let folder = try TemporaryFolder("audio")
        defer { folder.remove() }
        let frames = 12_000
        let samples = TestAudio.stereoSines(frames: frames)
        let capture = ALSACapture(
            device: try Self.microphone(playing: samples, in: folder.path), pacing: .off, logger: TestAudio.logger)
        try capture.start()
        defer { capture.stop() }
        // The ring holds 1 s and drops the newest frames when full, so the first 0.25 s stay intact.
        let captured = Self.read(frames: frames, from: capture.tap, timeout: 5)
        #expect(describeDifference(captured.samples, samples) == nil)
        #expect(capture.overruns == 0)
    }

    @Test func clocklessDeviceIsPacedToRealTimeAndStampedWithWhenItWasHeard() throws {
        let folder = try TemporaryFolder("audio")
        defer { folder.remove() }
        let frames = 24_000  // 0.5 s
        let samples = TestAudio.stereoSines(frames: frames)
        let capture = ALSACapture(
            device: try Self.microphone(playing: samples, in: folder.path), pacing: .auto, logger: TestAudio.logger)
        let started = Date()
        try capture.start()
        defer { capture.stop() }
        let captured = Self.read(frames: frames, from: capture.tap, timeout: 5)
        let elapsed = Date().timeIntervalSince(started)
        #expect(describeDifference(captured.samples, samples) == nil)
        #expect(elapsed >= 0.4 && elapsed <= 1.0, "0.5 s of input took \(elapsed) s")
        // The newest frame was heard in the recent past: never in the future, never long ago.
        let age = try #require(captured.newestAge)
        #expect(age >= 0 && age <= 0.05, "newest frame stamped \(age) s before now")
        #expect(capture.tap.droppedFrames == 0)
    }

    @Test func unknownDeviceFailsToStartWithAnErrorNamingIt() {
        ALSATestDevice.install()
        let capture = ALSACapture(device: "ravebox_no_such_mic", logger: TestAudio.logger)
        let error = #expect(throws: CaptureError.self) { try capture.start() }
        guard case .openFailed(let device, _, _) = error else {
            Issue.record("expected openFailed, got \(String(describing: error))")
            return
        }
        #expect(device == "ravebox_no_such_mic")
        #expect(error!.description.contains("'ravebox_no_such_mic'"))
        #expect(error!.description.contains("arecord -l"))
        capture.stop()  // nothing to stop: must not hang
    }

    @Test func stopIsPromptAndIdempotent() async throws {
        let folder = try TemporaryFolder("audio")
        defer { folder.remove() }
        let samples = TestAudio.stereoSines(frames: 48_000)
        let capture = ALSACapture(
            device: try Self.microphone(playing: samples, in: folder.path), logger: TestAudio.logger)
        capture.stop()  // before start: nothing to do
        try capture.start()
        try capture.start()  // already running: nothing to do
        // The capture thread runs (however busy the machine is) before it is stopped.
        #expect(await eventually(within: 10) { capture.tap.availableFrames > 0 })
        let before = Date()
        capture.stop()
        let stopping = Date().timeIntervalSince(before)
        #expect(stopping < 0.5, "stop() took \(stopping) s")
        let pushed = capture.tap.availableFrames + capture.tap.framesRead
        usleep(50_000)
        #expect(capture.tap.availableFrames + capture.tap.framesRead == pushed, "the thread still pushes")
        let again = Date()
        capture.stop()
        #expect(Date().timeIntervalSince(again) < 0.1)
    }

    @Test func captureCanBeRestartedAfterStop() throws {
        let folder = try TemporaryFolder("audio")
        defer { folder.remove() }
        let samples = TestAudio.stereoSines(frames: 4_800)
        let capture = ALSACapture(
            device: try Self.microphone(playing: samples, in: folder.path), pacing: .off, logger: TestAudio.logger)
        try capture.start()
        capture.stop()
        capture.tap.skip(keepingFrames: 0)
        try capture.start()
        defer { capture.stop() }
        // Reopening starts the file from the beginning again.
        #expect(describeDifference(Self.read(frames: 4_800, from: capture.tap, timeout: 5).samples, samples) == nil)
    }

    @Test func setupIsLoggedOnceNamingTheDeviceAndItsMissingClock() throws {
        let folder = try TemporaryFolder("audio")
        defer { folder.remove() }
        let log = LogCapture()
        let device = try Self.microphone(playing: TestAudio.stereoSines(frames: 4_800), in: folder.path)
        let capture = ALSACapture(device: device, logger: log.logger)
        try capture.start()
        usleep(50_000)
        capture.stop()
        let lines = log.messages.map(\.text)
        #expect(lines.count == 1, "\(lines)")
        #expect(lines.first?.contains("'\(device)'") == true)
        #expect(lines.first?.contains("period 240 frames (5.0 ms), buffer 960 frames (20.0 ms)") == true)
        #expect(lines.first?.contains("paced to real time") == true)
    }

    @Test(arguments: [
        (from: 1, to: 2, source: [1, 2, 3] as [Int16], expected: [1, 1, 2, 2, 3, 3] as [Int16]),
        (from: 2, to: 2, source: [1, -1, 2, -2], expected: [1, -1, 2, -2]),
        (from: 4, to: 2, source: [1, 2, 3, 4, 5, 6, 7, 8], expected: [1, 2, 5, 6]),
        (from: 2, to: 1, source: [1, 2, 3, 4], expected: [1, 3]),
    ])
    func channelsAreMappedOntoTheTapsLayout(from: Int, to: Int, source: [Int16], expected: [Int16]) {
        var result = [Int16](repeating: 0, count: expected.count)
        source.withUnsafeBufferPointer { input in
            result.withUnsafeMutableBufferPointer { output in
                ALSACapture.mapChannels(
                    input.baseAddress!, channels: from, into: output.baseAddress!, channels: to,
                    frames: source.count / from)
            }
        }
        #expect(result == expected)
    }

    // MARK: Helpers

    /// Writes `samples` as the raw input of a test microphone and returns its device name.
    private static func microphone(playing samples: [Int16], in directory: String) throws -> String {
        ALSATestDevice.install()
        let path = directory + "/in.raw"
        try WAVFile.pcmBytes(samples).write(to: URL(fileURLWithPath: path))
        return "rbtestmic:INFILE=\(path)"
    }

    /// Reads `frames` frames from `tap` (or what arrives within `timeout` seconds), and how long before the
    /// moment of the last read its newest frame was heard, in seconds.
    private static func read(
        frames: Int, from tap: AnalysisTap, timeout: Double
    ) -> (samples: [Int16], newestAge: Double?) {
        let channels = tap.format.channels
        let buffer = UnsafeMutableBufferPointer<Int16>.allocate(capacity: frames * channels)
        defer { buffer.deallocate() }
        var collected = 0
        var newestAge: Double?
        let deadline = Date().addingTimeInterval(timeout)
        while collected < frames && Date() < deadline {
            let window = UnsafeMutableBufferPointer(rebasing: buffer[(collected * channels)...])
            let count = tap.read(into: window)
            if count > 0 {
                collected += count
                if let heard = tap.heardNanos(ofFrame: tap.framesRead - 1) {
                    let now = UInt64(Pacer.now())
                    newestAge = Double(Int64(bitPattern: now &- heard)) / 1e9
                }
            } else {
                usleep(1_000)
            }
        }
        return (Array(buffer.prefix(collected * channels)), newestAge)
    }
}
