import Foundation
import RaveboxMedia
import RaveboxTestSupport
import Testing

@testable import RaveboxAudio

@Suite("ALSAPlayback")
struct ALSAPlaybackTests {
    @Test func framesWrittenLandInTheFilePluginUnchanged() throws {
        let folder = try TemporaryFolder("audio")
        defer { folder.remove() }
        let outputPath = folder.file("out.raw")
        let output = ALSAPlayback(device: ALSATestDevice.file(at: outputPath), logger: TestAudio.logger)
        try output.open()
        #expect(output.format == AudioFormat())
        #expect(output.periodFrames == 240)
        #expect(output.bufferFrames == 960)
        #expect(output.isClockless)
        let samples = TestAudio.stereoSines(frames: 4800)
        let written = try samples.withUnsafeBufferPointer { try output.write($0.baseAddress!, frames: 4800) }
        #expect(written == 4800)
        output.drain()
        output.close()
        #expect(describeDifference(TestAudio.samples(inRawFile: outputPath), samples) == nil)
    }

    @Test func periodAndBufferSizesAreConfigurable() throws {
        let folder = try TemporaryFolder("audio")
        defer { folder.remove() }
        let output = ALSAPlayback(
            device: ALSATestDevice.file(at: folder.file("out.raw")), periodFrames: 480, periods: 3,
            logger: TestAudio.logger
        )
        try output.open()
        #expect(output.periodFrames == 480)
        #expect(output.bufferFrames == 1440)
    }

    @Test func unknownDeviceFailsWithAnErrorNamingIt() {
        ALSATestDevice.install()
        let output = ALSAPlayback(device: "ravebox_no_such_device", logger: TestAudio.logger)
        let error = #expect(throws: PCMOutputError.self) { try output.open() }
        guard case .openFailed(let device, _, _) = error else {
            Issue.record("expected openFailed, got \(String(describing: error))")
            return
        }
        #expect(device == "ravebox_no_such_device")
        #expect(error!.description.contains("ravebox_no_such_device"))
        #expect(error!.description.contains("aplay -l"))
    }

    @Test(
        .enabled(
            if: !FileManager.default.fileExists(atPath: "/dev/snd"),
            "this machine has sound devices, so 'default' does not fall back"
        )
    )
    func defaultDeviceFallsBackToNullWithOneLogLineWhenThereIsNoSoundCard() throws {
        ALSATestDevice.install()
        let capture = LogCapture()
        let output = ALSAPlayback(device: "default", logger: capture.logger)
        try output.open()
        #expect(output.deviceName == "null")
        #expect(output.isClockless)
        let warnings = capture.messages.filter { $0.level >= .warning }
        #expect(warnings.count == 1)
        #expect(warnings.first?.text.contains("No sound card") == true)
        let zeros = [Int16](repeating: 0, count: 960)
        #expect(try zeros.withUnsafeBufferPointer { try output.write($0.baseAddress!, frames: 480) } == 480)
    }
}
