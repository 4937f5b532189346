/// One colour of an LED, 8 bits per channel, before gamma correction and colour-order mapping.
public struct LEDColor: Sendable, Equatable {
    public var red: UInt8
    public var green: UInt8
    public var blue: UInt8

    public init(red: UInt8, green: UInt8, blue: UInt8) {
        self.red = red
        self.green = green
        self.blue = blue
    }

    public static let black = LEDColor(red: 0, green: 0, blue: 0)

    /// The colour scaled by `brightness` (0...1), rounding to nearest.
    public func scaled(by brightness: Float) -> LEDColor {
        let factor = max(0, min(1, brightness))
        func scale(_ channel: UInt8) -> UInt8 { UInt8((Float(channel) * factor).rounded()) }
        return LEDColor(red: scale(red), green: scale(green), blue: scale(blue))
    }
}

/// An LED device the engine drives frame by frame (SPI strips, I2C PWM, WLED over UDP, ...).
///
/// Each output has one real implementation on its kernel interface or socket. `show` is called on the
/// light renderer's thread at the output's own frame rate and must not allocate.
public protocol LEDOutput: AnyObject {
    /// A name for logs and the lights page, e.g. "WS2812 on /dev/spidev0.0".
    var name: String { get }
    /// Number of LEDs the output drives.
    var ledCount: Int { get }
    /// Sends one frame; `colors.count == ledCount`.
    func show(_ colors: UnsafeBufferPointer<LEDColor>) throws
}
