#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Why the GPIO buttons or status LED cannot be used, phrased so the person setting up the box knows what to check.
public enum GPIOError: Error, Equatable, CustomStringConvertible {
    /// The chip could not be opened: missing, no permission, or not a GPIO chip.
    case chipUnavailable(path: String, errno: Int32)
    /// The chip opened but the kernel refused the lines.
    case linesUnavailable(path: String, lines: [UInt32], errno: Int32)
    /// Waiting for or reading edge events failed.
    case readFailed(path: String, errno: Int32)
    /// Setting an output line (the status LED) failed.
    case writeFailed(path: String, line: UInt32, errno: Int32)
    /// The mapping itself is wrong.
    case invalidMapping(ButtonMappingError)

    public var description: String {
        switch self {
        case .chipUnavailable(let path, let code):
            let cause = Self.text(code)
            switch code {
            case ENOENT:
                return "\(path) not found (\(cause)): buttons are disabled; check that this is a Raspberry Pi with "
                    + "the GPIO driver loaded, and that buttons.chip in ravebox.yaml names a chip that "
                    + "`gpiodetect` lists"
            case EACCES, EPERM:
                return "\(path) cannot be opened (\(cause)): buttons are disabled; check that the ravebox user is in "
                    + "the gpio group and that the image's udev rule (udev/) gives that group the gpiochip devices"
            case ENOTTY, ENODEV, EINVAL, ENOTDIR:
                return "\(path) is not a GPIO chip (\(cause)): buttons are disabled; buttons.chip in ravebox.yaml "
                    + "must name a GPIO character device such as /dev/gpiochip0 (`gpiodetect` lists them)"
            default:
                return "\(path) cannot be opened (\(cause)): buttons are disabled"
            }
        case .linesUnavailable(let path, let lines, let code):
            let cause = Self.text(code)
            let list = lines.map(String.init).joined(separator: ", ")
            switch code {
            case EBUSY:
                return "GPIO lines \(list) on \(path) are busy (\(cause)): buttons are disabled; another driver or "
                    + "program holds one of them (a dtoverlay such as gpio-key or gpio-shutdown in config.txt, or "
                    + "another process); `gpioinfo` shows the consumer"
            case EINVAL:
                return "GPIO lines \(list) cannot be requested on \(path) (\(cause)): buttons are disabled; check "
                    + "that every line in buttons.lines and buttons.encoder exists on this chip (`gpioinfo` lists them)"
            default:
                return "GPIO lines \(list) cannot be requested on \(path) (\(cause)): buttons are disabled"
            }
        case .readFailed(let path, let code):
            return "reading button events from \(path) failed (\(Self.text(code))): buttons are disabled"
        case .writeFailed(let path, let line, let code):
            return "setting GPIO line \(line) on \(path) failed (\(Self.text(code))): the status LED is off"
        case .invalidMapping(let problem):
            return "\(problem)"
        }
    }

    private static func text(_ code: Int32) -> String { String(cString: strerror(code)) }
}
