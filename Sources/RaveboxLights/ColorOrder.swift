/// The order in which an LED chip expects its three colour bytes on the wire (WS2812B: ``grb``).
public enum ColorOrder: String, CaseIterable, Codable, Sendable {
    case rgb
    case rbg
    case grb
    case gbr
    case brg
    case bgr

    /// The colour's bytes in wire order.
    @inline(__always)
    public func bytes(of color: LEDColor) -> (UInt8, UInt8, UInt8) {
        switch self {
        case .rgb: (color.red, color.green, color.blue)
        case .rbg: (color.red, color.blue, color.green)
        case .grb: (color.green, color.red, color.blue)
        case .gbr: (color.green, color.blue, color.red)
        case .brg: (color.blue, color.red, color.green)
        case .bgr: (color.blue, color.green, color.red)
        }
    }

    /// The colour with its fields holding the wire bytes: `red` the first byte sent, `green` the second, `blue`
    /// the third. This is what ``LightRenderer`` leaves in the frame, so an output just sends `red, green, blue`.
    @inline(__always)
    public func wireOrdered(_ color: LEDColor) -> LEDColor {
        let (first, second, third) = bytes(of: color)
        return LEDColor(red: first, green: second, blue: third)
    }
}
