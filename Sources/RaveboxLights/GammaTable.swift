import Foundation

/// A 256-entry lookup table mapping a perceptual 8-bit channel value to LED PWM duty: `round(255 × (v/255)^γ)`.
///
/// LEDs are linear in light output while eyes are not; without correction low values look far too bright and
/// fades jump at the dark end. γ = 2.2 is the usual sRGB-like choice; γ = 1 is the identity.
public struct GammaTable: Sendable, Equatable {
    /// The exponent the table was built with.
    public let gamma: Float
    /// The 256 output values; `values[0] == 0`, `values[255] == 255`, non-decreasing.
    public let values: [UInt8]

    /// A table for `gamma`, clamped to 0.1...5.
    public init(gamma: Float = 2.2) {
        let exponent = Double(max(0.1, min(5, gamma)))
        self.gamma = Float(exponent)
        values = (0...255).map { UInt8((255 * pow(Double($0) / 255, exponent)).rounded()) }
    }

    /// The corrected value of one channel.
    @inline(__always)
    public subscript(value: UInt8) -> UInt8 { values[Int(value)] }
}
