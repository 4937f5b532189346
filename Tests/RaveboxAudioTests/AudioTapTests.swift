import Foundation
import RaveboxMedia
import RaveboxTestSupport
import Testing

@testable import RaveboxAudio

/// The frames handed to the device also reach the analysis ring (stamped with when they are heard) and
/// the optional pipe for Snapcast.
@Suite("Analysis tap and pipe output")
struct AudioTapTests {
    @Test func analysisTapGetsExactlyWhatTheDeviceGetsStampedWithWhenItIsHeard() throws {
        let folder = try TemporaryFolder("audio")
        defer { folder.remove() }
        let samples = TestAudio.stereoSines(frames: 24_000)
        let song = try WAVFile.write(samples, in: folder.path)
        let (player, outputPath) = try PlayerTests.makePlayer(folder.path, pacing: .auto)
        let tap = try #require(player.analysisTap)
        #expect(tap.heardNanos(ofFrame: 0) == nil)
        player.play(path: song, from: 0, token: 1)
        var tapped: [Int16] = []
        let buffer = UnsafeMutableBufferPointer<Int16>.allocate(capacity: 4096)
        defer { buffer.deallocate() }
        var stampError: Double = 0
        let deadline = Date().addingTimeInterval(5)
        while tapped.count < samples.count && Date() < deadline {
            let frames = tap.read(into: buffer)
            if frames > 0 {
                tapped += buffer.prefix(frames * 2)
                // The newest frame is heard within the device's buffer (20 ms) of now.
                let heard = try #require(tap.heardNanos(ofFrame: tap.framesRead - 1))
                let now = UInt64(Pacer.now())
                stampError = max(stampError, abs(Double(Int64(bitPattern: heard &- now))) / 1e9)
            }
            usleep(10_000)
        }
        #expect(player.waitForEnd(of: 1, timeout: 5) == .finished(1))
        player.shutdown()
        #expect(describeDifference(tapped, samples) == nil)
        #expect(describeDifference(TestAudio.samples(inRawFile: outputPath), samples) == nil)
        #expect(stampError < 0.05, "newest frame stamped \(stampError) s away from now")
        #expect(tap.droppedFrames == 0)
    }

    @Test func skippingKeepsTheNewestFramesAndStampsCountFromTheStart() {
        let tap = AnalysisTap(format: AudioFormat(), seconds: 0.1)
        let period = [Int16](repeating: 7, count: 480)
        for _ in 0..<3 { period.withUnsafeBufferPointer { tap.push($0.baseAddress!, frames: 240, delayFrames: 960) } }
        #expect(tap.availableFrames == 720)
        tap.skip(keepingFrames: 100)
        #expect(tap.availableFrames == 100)
        #expect(tap.framesRead == 620)
        let last = tap.heardNanos(ofFrame: 719)!
        let earlier = tap.heardNanos(ofFrame: 719 - 48)!
        #expect(last - earlier == 1_000_000)  // 48 frames at 48 kHz = 1 ms
        // The ring holds ~0.1 s: pushing more than that drops the newest, counted.
        for _ in 0..<40 { period.withUnsafeBufferPointer { tap.push($0.baseAddress!, frames: 240, delayFrames: 0) } }
        #expect(tap.droppedFrames > 0)
    }

    @Test func pipeGetsTheSamePCMAndAMissingReaderNeverBlocksPlayback() throws {
        let folder = try TemporaryFolder("audio")
        defer { folder.remove() }
        let samples = TestAudio.stereoSines(frames: 24_000)
        let song = try WAVFile.write(samples, in: folder.path)
        let pipe = folder.file("snapfifo")
        let sink = try FIFOSink(path: pipe, logger: TestAudio.logger)
        // A reader is there before playback starts (as snapserver would be).
        let reader = open(pipe, O_RDONLY | O_NONBLOCK)
        try #require(reader >= 0)
        defer { close(reader) }
        let player = Player(
            device: ALSATestDevice.file(at: folder.file("played.raw")), pacing: .auto, fifo: sink,
            logger: TestAudio.logger)
        try player.start()
        player.play(path: song, from: 0, token: 1)
        var received = Data()
        var chunk = [UInt8](repeating: 0, count: 65_536)
        let deadline = Date().addingTimeInterval(5)
        while received.count < samples.count * 2 && Date() < deadline {
            let count = read(reader, &chunk, chunk.count)
            if count > 0 { received.append(contentsOf: chunk[0..<count]) } else { usleep(5_000) }
        }
        #expect(player.waitForEnd(of: 1, timeout: 5) == .finished(1))
        #expect(received == WAVFile.pcmBytes(samples))
        #expect(sink.writtenFrames == 24_000)

        // Without a reader the song still plays at its pace, and the frames are counted as dropped.
        close(reader)
        let began = Date()
        player.play(path: song, from: 0, token: 2)
        #expect(player.waitForEnd(of: 2, timeout: 5) == .finished(2))
        #expect(Date().timeIntervalSince(began) < 1.5)
        #expect(sink.droppedFrames >= 23_000)
        player.shutdown()
    }

    @Test func pipePathThatIsARegularFileIsRefusedClearly() throws {
        let folder = try TemporaryFolder("audio")
        defer { folder.remove() }
        let path = folder.file("not-a-pipe")
        try Data([1]).write(to: URL(fileURLWithPath: path))
        #expect(throws: FIFOSinkError.notAPipe(path: path)) { try FIFOSink(path: path, logger: TestAudio.logger) }
    }
}
