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
    private let threadName: String
    private let encode: @Sendable (Telemetry) -> [UInt8]
    private struct Subscribers {
        var streams: [UUID: AsyncStream<[UInt8]>.Continuation] = [:]
        var sampling = false
    }

    private let subscribers = Mutex(Subscribers())

    /// The spectrum feed.
    public convenience init(segment: SharedSegment) {
        self.init(segment: segment, threadName: "spectrum-feed") { SpectrumFeed.fold($0.bands, count: $0.bandCount) }
    }

    /// A feed of another telemetry frame, sent under the same rules (20 per second, only changes): `encode`
    /// turns a telemetry reading into the bytes sent; an empty result sends nothing.
    public init(segment: SharedSegment, threadName: String, encode: @escaping @Sendable (Telemetry) -> [UInt8]) {
        self.segment = segment
        self.threadName = threadName
        self.encode = encode
    }

    /// The LED preview feed (`/api/live/leds`): ``ledPreview(_:)`` of each reading.
    public static func ledFeed(segment: SharedSegment) -> SpectrumFeed {
        SpectrumFeed(segment: segment, threadName: "led-feed") { ledPreview($0) }
    }

    /// The LED preview as bytes: the number of outputs, then for each one its LED count and R, G, B per LED.
    static func ledPreview(_ telemetry: Telemetry) -> [UInt8] {
        var bytes: [UInt8] = [UInt8(telemetry.previewLengths.count)]
        var offset = 0
        for (output, length) in telemetry.previewLengths.enumerated() {
            bytes.append(UInt8(length))
            offset = output * Telemetry.previewLEDCapacity
            for index in 0..<length where offset + index < telemetry.preview.count {
                let color = telemetry.preview[offset + index]
                bytes += [UInt8(color >> 16 & 0xFF), UInt8(color >> 8 & 0xFF), UInt8(color & 0xFF)]
            }
        }
        return bytes
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
            thread.name = threadName
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

    /// Sleeps on the telemetry doorbell, and reads at most ``framesPerSecond`` times a second.
    private func sample() {
        var lastPublish = UInt64.max
        var lastFrame: [UInt8] = []
        var lastRead = UInt64(0)
        let telemetry = segment.telemetry
        let period = UInt64(1_000_000_000 / Self.framesPerSecond)
        while true {
            let streams = subscribers.withLock { subscribers in
                if subscribers.streams.isEmpty { subscribers.sampling = false }
                return subscribers.streams
            }
            if streams.isEmpty { return }
            let token = telemetry.publishToken()
            let published = telemetry.publishCount
            if published != lastPublish {
                lastPublish = published
                lastRead = SharedSegment.monotonicNanos()
                let frame = encode(telemetry.read())
                // Silence (or anything unchanged) is sent once, not 20 times a second.
                if !frame.isEmpty && frame != lastFrame {
                    lastFrame = frame
                    for continuation in streams.values { continuation.yield(frame) }
                }
            }
            let sinceRead = SharedSegment.monotonicNanos() &- lastRead
            if sinceRead < period { Thread.sleep(forTimeInterval: Double(period - sinceRead) / 1e9) }
            // The timeout only lets a feed nobody watches any more end while the engine publishes nothing.
            telemetry.waitForPublish(after: token, timeout: .seconds(1))
        }
    }
}
