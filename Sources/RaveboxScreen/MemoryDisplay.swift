/// A display in memory: keeps the last presented frame, for tests and for the web mirror when the box has
/// no screen (`GET /api/screen.png` encodes `frame` with `PNGEncoder`).
public final class MemoryDisplay: Display {
    /// Width in pixels.
    public let width: Int
    /// Height in pixels.
    public let height: Int
    /// The last presented frame (black before the first), `width * height` XRGB8888 pixels.
    public private(set) var frame: [UInt32]
    /// How many frames were presented.
    public private(set) var presentedFrames = 0

    /// A black `width`×`height` display.
    public init(width: Int, height: Int) {
        self.width = width
        self.height = height
        frame = [UInt32](repeating: 0xFF00_0000, count: width * height)
    }

    /// Copies the frame; throws `DisplayError.frameSize` when it is too small.
    public func present(_ pixels: UnsafeBufferPointer<UInt32>) throws {
        guard pixels.count >= width * height else {
            throw DisplayError.frameSize(expected: width * height, got: pixels.count)
        }
        frame.withUnsafeMutableBufferPointer { target in
            target.baseAddress!.update(from: pixels.baseAddress!, count: width * height)
        }
        presentedFrames += 1
    }
}
