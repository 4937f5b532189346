import CZlib
import Foundation
import Testing

@testable import RaveboxScreen

/// Shared models, rendering and PNG reading for the screen tests.
enum ScreenFixtures {
    /// One font for the whole test run. FreeType faces are not thread-safe and the tests run in parallel,
    /// so it is only reached through `withFont`, under `lock`; that is what makes `nonisolated(unsafe)` safe.
    private nonisolated(unsafe) static let font: ScreenFont = {
        do { return try ScreenFont.standard() } catch { fatalError("\(error)") }
    }()
    private static let lock = NSLock()

    /// Runs `body` with the shared font, one test at a time.
    static func withFont<Result>(_ body: (ScreenFont) throws -> Result) rethrows -> Result {
        lock.lock()
        defer { lock.unlock() }
        return try body(font)
    }

    /// A busy party: 32 bands of a fixed shape, a beat, a song half-way, four songs up next.
    static let model = ScreenModel(
        bands: (0..<32).map { Float(($0 * 37) % 23 + 2) / 25 },
        beat: 0.75,
        level: 0.6,
        current: .init(song: .init(title: "Strobe", artist: "deadmau5"), elapsed: 150, duration: 637),
        upcoming: [
            .init(title: "Around the World", artist: "Daft Punk", votes: 7),
            .init(title: "Windowlicker", artist: "Aphex Twin", votes: 3),
            .init(title: "Sandstorm", artist: "Darude", votes: 0),
            .init(title: "Blue Monday", artist: "New Order", votes: -2),
        ],
        hashtag: "rave2026",
        partyMode: false,
        wifi: .init(name: "Ravebox", password: "dance-all-night"),
        url: "http://ravebox.local/"
    )

    /// `model` in `layout` at `width`×`height`, rendered by a fresh renderer.
    static func render(
        _ model: ScreenModel, _ layout: ScreenLayout, width: Int, height: Int, renderWidth: Int? = nil,
        renderHeight: Int? = nil
    ) -> [UInt32] {
        withFont { font in
            let renderer = ScreenRenderer(
                width: width, height: height, renderWidth: renderWidth, renderHeight: renderHeight, font: font)
            var frame = [UInt32](repeating: 0, count: width * height)
            frame.withUnsafeMutableBufferPointer { renderer.render(model, layout: layout, into: $0) }
            return frame
        }
    }

    /// Decodes the PNGs `PNGEncoder` writes (8-bit RGB, filter type 0 on every row) into XRGB8888.
    static func decodePNG(_ file: [UInt8]) -> (width: Int, height: Int, pixels: [UInt32])? {
        guard file.count > 8, Array(file[0..<8]) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] else {
            return nil
        }
        func bigEndian(_ at: Int) -> Int { file[at..<(at + 4)].reduce(0) { $0 << 8 | Int($1) } }
        var offset = 8
        var width = 0
        var height = 0
        var data: [UInt8] = []
        while offset + 12 <= file.count {
            let length = bigEndian(offset)
            let type = String(decoding: file[(offset + 4)..<(offset + 8)], as: UTF8.self)
            let body = Array(file[(offset + 8)..<(offset + 8 + length)])
            if type == "IHDR" {
                width = body[0..<4].reduce(0) { $0 << 8 | Int($1) }
                height = body[4..<8].reduce(0) { $0 << 8 | Int($1) }
                guard body[8] == 8, body[9] == 2, body[12] == 0 else { return nil }
            } else if type == "IDAT" {
                data += body
            }
            offset += 12 + length
        }
        let rowBytes = 1 + width * 3
        var raw = [UInt8](repeating: 0, count: rowBytes * height)
        var rawSize = uLong(raw.count)
        guard uncompress(&raw, &rawSize, data, uLong(data.count)) == Z_OK, Int(rawSize) == raw.count else {
            return nil
        }
        var pixels = [UInt32](repeating: 0, count: width * height)
        for y in 0..<height {
            guard raw[y * rowBytes] == 0 else { return nil }
            for x in 0..<width {
                let at = y * rowBytes + 1 + x * 3
                pixels[y * width + x] =
                    0xFF00_0000 | UInt32(raw[at]) << 16 | UInt32(raw[at + 1]) << 8 | UInt32(raw[at + 2])
            }
        }
        return (width, height, pixels)
    }
}
