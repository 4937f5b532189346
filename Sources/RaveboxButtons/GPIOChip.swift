import CGPIOD
import Foundation

/// A GPIO character device (`/dev/gpiochipN`) as seen through libgpiod.
///
/// `gpiod_chip_open` and `gpiod_chip_close` exist with the same signature in libgpiod v1 (Debian 12)
/// and v2 (Debian 13), which is all this type uses.
public enum GPIOChip {
    /// Why a chip cannot be used, phrased so the person setting up the box knows what to check.
    public struct Unavailable: Error, CustomStringConvertible {
        public var path: String
        public var errno: Int32

        public var description: String {
            let cause = String(cString: strerror(errno))
            if errno == ENOENT {
                return "\(path) not found (\(cause)): buttons are disabled; check that this is a Raspberry Pi "
                    + "and that the chip name in ravebox.yaml is right (gpiodetect lists the chips)"
            }
            return "\(path) cannot be opened (\(cause)): buttons are disabled; check that the ravebox user is "
                + "in the gpio group (the image's udev rules do this)"
        }
    }

    /// Opens and closes the chip to check it is usable.
    public static func check(path: String) -> Result<Void, Unavailable> {
        guard let chip = gpiod_chip_open(path) else {
            return .failure(Unavailable(path: path, errno: Foundation.errno))
        }
        gpiod_chip_close(chip)
        return .success(())
    }
}
