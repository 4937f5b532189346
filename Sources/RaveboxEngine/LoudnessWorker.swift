import Atomics
import CRaveboxSys
import Foundation
import Logging
import RaveboxAudio
import RaveboxIPC
import RaveboxStore

/// Measures the loudness (EBU R128) of songs about to play that have none yet, one at a time on a
/// background thread at low priority, and stores it. The engine turns the measurement into a gain when it
/// starts the song; a song that plays before it was measured plays at its own level.
///
/// It wakes when the queue changes (the segment's doorbell) and at least every few seconds; a file that
/// cannot be measured is not tried again while the engine runs.
final class LoudnessWorker: @unchecked Sendable {
    // @unchecked: `failed` is touched only by the worker thread; the rest is immutable or atomic.
    private let store: Store
    private let segment: SharedSegment
    private let logger: Logger
    private let stop = ManagedAtomic(false)
    private let done = ManagedAtomic(false)
    /// Bumped after each stored measurement, so the engine can re-read gains.
    let measurements = ManagedAtomic<Int>(0)
    private var failed: Set<Int64> = []

    init(store: Store, segment: SharedSegment, logger: Logger) {
        self.store = store
        self.segment = segment
        self.logger = logger
    }

    func start() {
        let thread = Thread { [self] in
            // Nice 10: the decoder and the web come first; the output thread is realtime anyway.
            _ = rb_set_thread_nice(10)
            run()
            done.store(true, ordering: .releasing)
        }
        thread.name = "rb-loudness"
        thread.start()
    }

    /// Asks the thread to end after the current file and waits for it.
    func shutdown() {
        stop.store(true, ordering: .releasing)
        while !done.load(ordering: .acquiring) { usleep(10_000) }
    }

    /// Until something changes in the store or 5 s pass; looks at `stop` every 100 ms so shutting down
    /// is quick.
    private func waitForWork(after token: ChangeToken) {
        for _ in 0..<50 where !stop.load(ordering: .acquiring) {
            if segment.waitForChange(after: token, timeout: .milliseconds(100)) != token { return }
        }
    }

    private func run() {
        while !stop.load(ordering: .acquiring) {
            let token = segment.changeToken()
            let songs = (try? store.songsNeedingLoudness(limit: 8)) ?? []
            var measuredAny = false
            for song in songs where !failed.contains(song.id) {
                if stop.load(ordering: .acquiring) { return }
                do {
                    let measurement = try LoudnessMeter.measure(path: song.path)
                    try store.setLoudness(
                        songID: song.id, integrated: measurement.integrated, truePeak: measurement.truePeak)
                    measurements.wrappingIncrement(ordering: .releasing)
                    measuredAny = true
                    logger.debug(
                        "measured loudness",
                        metadata: ["song": "\(song.id)", "lufs": "\(measurement.integrated)"])
                } catch {
                    failed.insert(song.id)
                    logger.notice("cannot measure the loudness of \(song.path): \(error)")
                }
            }
            if !measuredAny { waitForWork(after: token) }
        }
    }
}
