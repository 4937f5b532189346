import RaveboxAudio
import RaveboxMedia
import Testing

@_spi(Benchmark) @testable import RaveboxEngine

struct TripleBufferMailboxTests {
    @Test("The reader gets the newest value once, and nothing until the next write")
    func readerGetsNewestOnce() {
        let mailbox = TripleBufferMailbox { SpectrumFrame(bandCount: 4) }
        var seen: [Float] = []
        mailbox.read { seen.append($0.level) }
        #expect(seen.isEmpty)
        mailbox.write { $0.level = 0.25 }
        mailbox.write { $0.level = 0.5 }
        mailbox.read { seen.append($0.level) }
        mailbox.read { seen.append($0.level) }
        #expect(seen == [0.5])
        mailbox.write {
            $0.level = 0.75
            $0.bands[3] = 1
        }
        mailbox.read { frame in
            seen.append(frame.level)
            #expect(frame.bands == [0, 0, 0, 1])
        }
        #expect(seen == [0.5, 0.75])
    }

    @Test("The light thread hands the screen its spectrum through its own mailbox, not shared memory")
    func lightThreadHandsTheScreenItsSpectrum() throws {
        let thread = try LightThread(
            benchmarkOutputs: [], tap: AnalysisTap(format: AudioFormat()), program: .rave)
        var frames = 0
        thread.spectrum.read { _ in frames += 1 }
        #expect(frames == 0)
        thread.pass(now: LightThread.now())
        thread.spectrum.read { frame in
            frames += 1
            #expect(frame.bands.count == 64)
        }
        #expect(frames == 1)
    }
}
