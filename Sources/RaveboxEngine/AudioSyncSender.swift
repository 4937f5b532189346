import Logging
import RaveboxDSP
import RaveboxLights

/// Sends the analysis to WLED audio-sync receivers ``rate`` times a second. A sender that cannot be opened or
/// fails gets one log line per new reason and is opened again after `retryNanos`. Light thread only.
struct AudioSyncSender {
    /// Audio sync packets per second (WLED sends about 50).
    static let rate: UInt64 = 50

    private let open: () throws -> WLEDAudioSync
    private let retryNanos: UInt64
    private let logger: Logger
    private var mapper: AudioSyncMapper
    private var sender: WLEDAudioSync?
    private var failure: String?
    private var retryAt: UInt64 = 0
    private var nextSend: UInt64 = 0
    private var beatCount = 0

    init(
        open: @escaping () throws -> WLEDAudioSync, bandFrequencies: [Range<Double>], retryNanos: UInt64, logger: Logger
    ) {
        self.open = open
        self.retryNanos = retryNanos
        self.logger = logger
        mapper = AudioSyncMapper(bandFrequencies: bandFrequencies)
    }

    /// Sends the analyzer's newest analysis when a packet is due at `now` (monotonic nanoseconds).
    mutating func send(_ analyzer: AudioAnalyzer, now: UInt64) {
        guard now >= nextSend else { return }
        nextSend = now + 1_000_000_000 / Self.rate
        if sender == nil {
            guard now >= retryAt else { return }
            do {
                sender = try open()
                if failure != nil { logger.notice("WLED audio sync works again") }
                failure = nil
            } catch {
                failed(error, now: now)
                return
            }
        }
        let beat = analyzer.beatCount != beatCount
        beatCount = analyzer.beatCount
        guard let sender else { return }
        let frame = mapper.frame(level: analyzer.level, bands: analyzer.bands, beat: beat)
        do {
            try sender.send(frame)
        } catch {
            failed(error, now: now)
        }
    }

    private mutating func failed(_ error: any Error, now: UInt64) {
        sender = nil
        retryAt = now + retryNanos
        let reason = "\(error)"
        guard failure != reason else { return }
        failure = reason
        logger.error("WLED audio sync: \(reason); retrying every \(retryNanos / 1_000_000_000) s")
    }
}
