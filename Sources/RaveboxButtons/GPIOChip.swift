import CRaveboxGPIO

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A GPIO character device (`/dev/gpiochipN`) as seen through libgpiod.
///
/// The calls go through the CRaveboxGPIO shim, which compiles against libgpiod v1 (Debian 12) or v2 (Debian 13).
public enum GPIOChip {
    /// Why a chip cannot be used, phrased so the person setting up the box knows what to check.
    public struct Unavailable: Error, CustomStringConvertible {
        /// The chip's path, e.g. `/dev/gpiochip0`.
        public var path: String
        /// Why `gpiod_chip_open` failed (ENOENT, EACCES, ENOTTY, ...).
        public var errno: Int32

        public var description: String { GPIOError.chipUnavailable(path: path, errno: errno).description }
    }

    /// The libgpiod API the box was built against: 1 or 2.
    public static var libgpiodAPI: Int { Int(rb_gpio_api_major()) }

    /// Opens and closes the chip to check it is usable.
    public static func check(path: String) -> Result<Void, Unavailable> {
        let code = rb_gpio_chip_check(path)
        return code == 0 ? .success(()) : .failure(Unavailable(path: path, errno: code))
    }
}
