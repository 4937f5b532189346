import Foundation
import RaveboxIPC
import Synchronization

/// The live spectrum for the party page's strip and the lights page's preview (`/api/live/spectrum`):
/// the engine's telemetry bands, folded to ``bandsSent`` bytes (0–255) and sent at most ``framesPerSecond``
/// times a second, only when the engine published bands that differ from the last ones sent.
///
/// One sampling thread serves every subscriber and runs only while someone watches. A slow phone gets
/// the newest frame, never a queue of old ones.
public final class SpectrumFeed: Sendable {
    public static let bandsSent = 32
    public static let framesPerSecond = 20.0

    private let segment: SharedSegment
    private struct Subscribers {
        var streams: [UUID: AsyncStream<[UInt8]>.Continuation] = [:]
        var sampling = false
    }

    private let subscribers = Mutex(Subscribers())

    public init(segment: SharedSegment) {
        self.segment = segment
    }

    public func subscribe() -> AsyncStream<[UInt8]> {
        let id = UUID()
        let (stream, continuation) = AsyncStream<[UInt8]>.makeStream(bufferingPolicy: .bufferingNewest(1))
        continuation.onTermination = { [weak self] _ in
            _ = self?.subscribers.withLock { $0.streams.removeValue(forKey: id) }
        }
        let start = subscribers.withLock { subscribers in
            subscribers.streams[id] = continuation
            defer { subscribers.sampling = true }
            return !subscribers.sampling
        }
        if start {
            let thread = Thread { [self] in sample() }
            thread.name = "spectrum-feed"
            thread.start()
        }
        return stream
    }

    /// Folds `count` bands into `Self.bandsSent` bytes: each output byte is the loudest band it covers,
    /// clamped to 0...1 and scaled to 0...255.
    static func fold(_ bands: [Float], count: Int) -> [UInt8] {
        let count = min(count, bands.count)
        guard count > 0 else { return [] }
        let outputs = min(bandsSent, count)
        return (0..<outputs).map { index in
            let lower = index * count / outputs
            let upper = max(lower + 1, (index + 1) * count / outputs)
            let loudest = bands[lower..<upper].max() ?? 0
            return UInt8((min(1, max(0, loudest.isFinite ? loudest : 0)) * 255).rounded())
        }
    }

    private func sample() {
        var lastPublish = UInt64.max
        var lastFrame: [UInt8] = []
        let telemetry = segment.telemetry
        while true {
            let streams = subscribers.withLock { subscribers in
                if subscribers.streams.isEmpty { subscribers.sampling = false }
                return subscribers.streams
            }
            if streams.isEmpty { return }
            let published = telemetry.publishCount
            if published != lastPublish {
                lastPublish = published
                let reading = telemetry.read()
                let frame = Self.fold(reading.bands, count: reading.bandCount)
                // Silence (or anything unchanged) is sent once, not 20 times a second.
                if !frame.isEmpty && frame != lastFrame {
                    lastFrame = frame
                    for continuation in streams.values { continuation.yield(frame) }
                }
            }
            Thread.sleep(forTimeInterval: 1 / Self.framesPerSecond)
        }
    }
}
