import Foundation
import RaveboxCore
import RaveboxScreen
import Synchronization

/// The box's screen as the web sees it, drawn for `GET /api/screen.png` from the same state and with the same
/// renderer as the engine's screen.
final class ScreenMirror: Sendable {
    /// The size the mirror renders at (the screen's internal rendering size).
    static let size = (width: 640, height: 360)
    private let renderer: Mutex<ScreenRenderer?>

    init() {
        renderer = Mutex(
            (try? ScreenFont.standard()).map {
                ScreenRenderer(width: Self.size.width, height: Self.size.height, font: $0)
            })
    }

    /// The frame for `model` in `layout` as a PNG, or nil without a font.
    func png(_ model: ScreenModel, layout: ScreenLayout) -> [UInt8]? {
        renderer.withLock { renderer in
            guard let renderer else { return nil }
            var pixels = [UInt32](repeating: 0, count: Self.size.width * Self.size.height)
            pixels.withUnsafeMutableBufferPointer { renderer.render(model, layout: layout, into: $0) }
            return try? PNGEncoder.encode(pixels, width: Self.size.width, height: Self.size.height)
        }
    }
}
