import CRaveboxGPIO
import RaveboxButtons

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A status LED on a GPIO line (LED and resistor to ground; high = on), driven through libgpiod.
///
/// For the board's own LEDs (``ButtonMapping/StatusLED/onboard(name:)``), use RaveboxLights' `OnboardLED` with the
/// same ``StatusLEDPattern``. The line is released (and the LED goes dark, the line returning to input) in `deinit`.
///
/// ```swift
/// let led = try GPIOStatusLED(chip: "/dev/gpiochip0", line: 24)
/// try led.set(StatusLEDPattern.booting.isOn(at: elapsed))
/// ```
///
/// One thread at a time.
public final class GPIOStatusLED {
    /// The chip's path, for messages.
    public let chip: String
    /// The line's offset on the chip.
    public let line: UInt32
    private let handle: OpaquePointer
    private var lit: Bool

    /// Requests `line` on `chip` as an output, initially off.
    ///
    /// - Throws: ``GPIOError/chipUnavailable(path:errno:)`` or ``GPIOError/linesUnavailable(path:lines:errno:)``.
    public init(chip: String, line: UInt32, consumer: String = "ravebox-status") throws(GPIOError) {
        var failedStep: Int32 = 0
        guard let handle = rb_gpio_request_output(chip, CUnsignedInt(line), consumer, 0, &failedStep) else {
            let code = errno
            if failedStep == Int32(RB_GPIO_FAILED_OPEN) {
                throw .chipUnavailable(path: chip, errno: code)
            }
            throw .linesUnavailable(path: chip, lines: [line], errno: code)
        }
        self.chip = chip
        self.line = line
        self.handle = handle
        lit = false
    }

    deinit {
        rb_gpio_release(handle)
    }

    /// Turns the LED on or off; does nothing when it already is.
    ///
    /// - Throws: ``GPIOError/writeFailed(path:line:errno:)`` when the kernel refuses the value.
    public func set(_ on: Bool) throws(GPIOError) {
        guard on != lit else { return }
        if rb_gpio_set_value(handle, on ? 1 : 0) != 0 {
            throw .writeFailed(path: chip, line: line, errno: errno)
        }
        lit = on
    }
}
