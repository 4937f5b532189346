import Benchmark
import Foundation
import RaveboxAudio
import RaveboxMedia
import RaveboxCore
@_spi(Benchmark) import RaveboxEngine
import RaveboxStore

#if canImport(Glibc)
    import Glibc
#endif

// - "Light-thread-pass": one pass of the engine's light thread with two real outputs due every pass: a WLED
//   output of 300 LEDs sending DRGB to a UDP socket on loopback, and a WS2812 output of 300 LEDs writing its SPI
//   bytes to a capture file (spidev's path when the file is a regular one). Per pass: one hop of music enters the
//   analysis tap, the analysis reads what is heard, both programs (rave) render, encode and send, the report for
//   the control loop is written. It must not allocate.
// - "Search-50k": one library search (limit 20) of a typical prefix query against 50 000 songs in SQLite (FTS5),
//   awaited as the web process awaits it (the hop to GRDB's reader queue and back included); the percentiles are
//   the figures the search goal (p99 ≤ 20 ms) is checked against.

func engineBenchmarks(music: [Int16], noAllocations: BenchmarkThresholds) {
    Benchmark(
        "Light-thread-pass",
        configuration: .init(thresholds: [.mallocCountTotal: noAllocations])
    ) { benchmark, rig in
        for _ in benchmark.scaledIterations {
            rig.pass()
        }
    } setup: {
        try LightRig(music: music)
    }

    Benchmark(
        "Search-50k",
        configuration: .init(metrics: [.wallClock], maxDuration: .seconds(5), maxIterations: 2_000, thresholds: [:])
    ) { benchmark, library async in
        for _ in benchmark.scaledIterations {
            blackHole(await library.nextSearch())
        }
    } setup: {
        try SearchLibrary(songs: 50_000)
    }
}

/// A light thread with two outputs, a tap fed one hop of music per pass, and a clock one frame ahead each pass.
final class LightRig {
    let tap: AnalysisTap
    let thread: LightThread
    private let pcm: UnsafeMutableBufferPointer<Int16>
    private let receiver: Int32
    private let folder: String
    private var offset = 0
    private var now: UInt64 = 0
    private let hopSamples = 1024

    init(music: [Int16]) throws {
        pcm = .allocate(capacity: music.count)
        _ = pcm.initialize(from: music)
        folder = NSTemporaryDirectory() + "ravebox-bench-\(getpid())"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let spidev = folder + "/spidev0.0"
        FileManager.default.createFile(atPath: spidev, contents: nil)
        // A UDP socket for the WLED frames (the kernel drops what it has no room for; nothing reads it).
        let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        receiver = fd
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                _ = bind(fd, $0, length)
                return getsockname(fd, $0, &length)
            }
        }
        let port = Int(UInt16(bigEndian: address.sin_port))
        tap = AnalysisTap(format: AudioFormat())
        let outputs = [
            LEDOutputConfiguration(name: "tv", kind: .wled, host: "127.0.0.1", port: port, ledCount: 300),
            LEDOutputConfiguration(name: "strip", kind: .ws2812, device: spidev, ledCount: 300),
        ]
        thread = try LightThread(benchmarkOutputs: outputs, tap: tap, program: .rave)
        now = LightThread.now()
        for _ in 0..<200 { pass() }  // steady state: gain, histories, the report's buffers
    }

    deinit {
        pcm.deallocate()
        close(receiver)
        try? FileManager.default.removeItem(atPath: folder)
    }

    /// One hop into the tap (heard at once), then one pass a light frame later: every output is due.
    func pass() {
        tap.push(pcm.baseAddress! + offset, frames: hopSamples / 2, delayFrames: 0)
        offset += hopSamples
        if offset + hopSamples > pcm.count { offset = 0 }
        now = max(now + 16_700_000, LightThread.now())
        thread.pass(now: now)
    }
}

/// 50 000 songs with artist/title/album words drawn from small vocabularies, and typical queries as guests type.
final class SearchLibrary {
    let store: Store
    private let folder: String
    private let queries: [String]
    private var next = 0

    init(songs: Int) throws {
        folder = NSTemporaryDirectory() + "ravebox-search-\(getpid())"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        store = try Store(path: folder + "/ravebox.sqlite")
        let first = ["Blue", "Golden", "Electric", "Midnight", "Silver", "Wild", "Broken", "Crystal", "Neon", "Velvet"]
        let second = ["River", "Heart", "Dream", "Fire", "Night", "Road", "Sky", "Storm", "Garden", "Mirror"]
        let artists = [
            "Sigur Rós", "Beyoncé", "Daft Punk", "The Beatles", "Queen", "Björk", "Air", "Moby", "Muse", "Röyksopp",
        ]
        var random = SystemRandomNumberGenerator()
        var batch: [ScannedFile] = []
        for index in 0..<songs {
            let title = "\(first.randomElement(using: &random)!) \(second.randomElement(using: &random)!) \(index)"
            let artist = artists[index % artists.count] + (index % 7 == 0 ? "" : " \(index % 500)")
            batch.append(
                ScannedFile(
                    path: "/music/\(index).mp3", size: 1, mtime: 1, title: title, artist: artist,
                    album: "\(second[index % second.count]) \(index % 1000)", duration: 200))
            if batch.count == 5_000 {
                try store.upsert(batch)
                batch.removeAll(keepingCapacity: true)
            }
        }
        try store.upsert(batch)
        queries = [
            "bl", "blue r", "golden he", "daft", "sigur", "beyonce", "the beat", "queen mid", "neon sk", "wild",
            "crystal m", "bjork", "roy", "mus", "air gard", "velvet", "storm 12", "electric dream", "moby", "silver",
        ]
    }

    deinit { try? FileManager.default.removeItem(atPath: folder) }

    func nextSearch() async -> Int {
        let query = queries[next]
        next = (next + 1) % queries.count
        return (try? await store.searchSongs(query, limit: 20).count) ?? -1
    }
}
