import RaveboxCore

/// How one LED output renders: its program and the finishing steps. Each output has its own.
public struct LightSettings: Sendable, Equatable {
    /// The program.
    public var program: LightProgram = .disabled
    /// Overall brightness in 0...1, applied to the gamma-corrected (linear light) values, so 0.5 means half the
    /// light and roughly half the current — what matters for the power supply.
    public var brightness: Float = 1
    /// All LEDs show the average colour of the frame (Raveberry's `strip_color()` for monochrome outputs).
    public var monochrome = false
    /// Colour of `fixed` and `pulse`.
    public var color = LEDColor(red: 255, green: 255, blue: 255)
    /// Rainbow speed in cycles per second: at 1 a hue travels once around the colour wheel per second, like
    /// Raveberry's `program_speed` (default 0.5).
    public var speed: Float = 0.5
    /// Strobe flashes per second; see the warning on ``LightProgram/strobe``.
    public var strobeRate: Float = 10
    /// Gamma exponent of the correction table (``GammaTable``); 1 disables correction.
    public var gamma: Float = 2.2
    /// Byte order of the device (``ColorOrder``); `rgb` leaves the frame unchanged.
    public var colorOrder: ColorOrder = .rgb

    /// Settings with the defaults above; the output shows nothing until a program is chosen.
    public init(
        program: LightProgram = .disabled, brightness: Float = 1, monochrome: Bool = false,
        color: LEDColor = LEDColor(red: 255, green: 255, blue: 255), speed: Float = 0.5, strobeRate: Float = 10,
        gamma: Float = 2.2, colorOrder: ColorOrder = .rgb
    ) {
        self.program = program
        self.brightness = brightness
        self.monochrome = monochrome
        self.color = color
        self.speed = speed
        self.strobeRate = strobeRate
        self.gamma = gamma
        self.colorOrder = colorOrder
    }
}
