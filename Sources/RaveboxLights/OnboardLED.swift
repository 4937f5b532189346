#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// One LED the kernel exposes under /sys/class/leds, such as the Raspberry Pi's green activity LED ("ACT", "led0"
/// on older kernels) and red power LED ("PWR", "led1").
///
/// The kernel's LED class interface (Documentation/leds/leds-class.rst): `max_brightness` is the highest value,
/// `brightness` sets the current one, and `trigger` lists the triggers with the active one in brackets, e.g.
/// `none [mmc0] timer heartbeat`. `init` remembers the active trigger and writes `none`, so the kernel stops blinking
/// the LED for SD card activity; ``restore()`` (or `deinit`) writes the remembered trigger back.
///
/// Each file is written like the shell's `>` does: truncate, then write the text from offset 0. Sysfs accepts and
/// ignores the truncation (`kernfs_iop_setattr` in the kernel's fs/kernfs/inode.c: "this ignores size changes"); a
/// regular file, as in tests, ends up holding exactly the value.
///
/// ```swift
/// if let name = OnboardLED.firstExisting(OnboardLED.activityLEDNames) {
///     let led = try OnboardLED(name: name)
///     try led.set(analyzer.beat)
///     // ...
///     try led.restore()
/// }
/// ```
///
/// Needs write access to the LED's folder (a udev rule for the `ravebox` user). One thread at a time.
public final class OnboardLED: LEDOutput {
    /// Where the kernel lists LEDs.
    public static let defaultRoot = "/sys/class/leds"
    /// Names of the Raspberry Pi's green activity LED: current kernels first, then older ones.
    public static let activityLEDNames = ["ACT", "led0"]
    /// Names of the Raspberry Pi's red power LED: current kernels first, then older ones.
    public static let powerLEDNames = ["PWR", "led1"]

    /// For logs and the lights page, e.g. "onboard LED ACT".
    public let name: String
    /// One LED.
    public let ledCount = 1
    /// The LED's folder, e.g. "/sys/class/leds/ACT".
    public let path: String
    /// The highest brightness the LED takes (1 for a plain on/off GPIO LED; some drivers and kernels report 255).
    public let maxBrightness: Int
    /// The trigger that was active before `init` took the LED over; ``restore()`` brings it back.
    public let savedTrigger: String

    private let brightnessFile: Int32
    private let triggerFile: Int32
    /// Brightness last written (or read at `init`); nil when unknown, so the next `set` writes.
    private var currentBrightness: Int?
    private var isRestored = false
    /// Room for the ASCII digits of any `Int`, so writing a value does not allocate.
    private let digits: UnsafeMutablePointer<UInt8>
    private static let digitCapacity = 24

    /// Takes over LED `name`: reads `max_brightness` and the active trigger, then sets the trigger to `none`.
    ///
    /// - Parameters:
    ///   - name: The LED's folder name under `root`, e.g. "ACT"; see ``firstExisting(_:root:)``.
    ///   - root: The LED class folder; tests pass a temporary folder laid out the same way.
    /// - Throws: `LEDOutputError.onboardLEDNotFound` when there is no such LED, `.onboardLEDFailed` naming the file
    ///   when one cannot be read or written (for a permission error, the message names the udev rule to add).
    public init(name: String, root: String = defaultRoot) throws {
        path = root + "/" + name
        self.name = "onboard LED \(name)"
        guard access(path, F_OK) == 0 else { throw LEDOutputError.onboardLEDNotFound(name: name, root: root) }

        let maxPath = path + "/max_brightness"
        let maxText = try Self.readText(maxPath)
        guard let maximum = Int(Self.trimmed(maxText)), maximum > 0 else {
            throw LEDOutputError.onboardLEDFailed(path: maxPath, errno: EINVAL)
        }
        maxBrightness = maximum
        let triggerPath = path + "/trigger"
        savedTrigger = try Self.activeTrigger(in: Self.readText(triggerPath))

        let trigger = try Self.openForWriting(triggerPath)
        let brightnessPath = path + "/brightness"
        let brightness: Int32
        do {
            brightness = try Self.openForWriting(brightnessPath)
        } catch {
            close(trigger)
            throw error
        }
        triggerFile = trigger
        brightnessFile = brightness
        digits = .allocate(capacity: Self.digitCapacity)
        digits.initialize(repeating: 0, count: Self.digitCapacity)

        try Self.write(Array("none".utf8), to: triggerFile, path: triggerPath)
        // Removing a trigger switches the LED off in the kernel; read what it is now.
        currentBrightness = (try? Self.readText(brightnessPath)).flatMap { Int(Self.trimmed($0)) }
    }

    deinit {
        if !isRestored { try? restore() }
        close(brightnessFile)
        close(triggerFile)
        digits.deallocate()
    }

    /// Switches the LED fully on (`max_brightness`) or off (0).
    ///
    /// Writes only when the value changes. Does not allocate unless it throws.
    /// - Throws: `LEDOutputError.onboardLEDFailed` naming the brightness file.
    public func set(_ on: Bool) throws {
        try setBrightness(on ? maxBrightness : 0)
    }

    /// Sets the LED to `level` (0...1) of `max_brightness`, rounded; an on/off LED is on from 0.5.
    ///
    /// Writes only when the value changes. Does not allocate unless it throws.
    /// - Throws: `LEDOutputError.onboardLEDFailed` naming the brightness file.
    public func set(level: Float) throws {
        let clamped = level > 0 ? min(level, 1) : 0
        try setBrightness(Int((clamped * Float(maxBrightness)).rounded()))
    }

    /// Shows the brightest channel of the first colour (``LEDOutput`` conformance, so the renderer can treat the LED
    /// as a one-pixel strip).
    public func show(_ colors: UnsafeBufferPointer<LEDColor>) throws {
        guard let color = colors.first else { return }
        try set(level: Float(max(color.red, color.green, color.blue)) / 255)
    }

    /// Gives the LED back to the kernel: writes the trigger that was active before `init`.
    ///
    /// `deinit` calls it if you did not. Later `set` calls still write the brightness (which on Linux removes the
    /// trigger again), so call it last.
    /// - Throws: `LEDOutputError.onboardLEDFailed` naming the trigger file.
    public func restore() throws {
        isRestored = true
        currentBrightness = nil
        try Self.write(Array(savedTrigger.utf8), to: triggerFile, path: path + "/trigger")
    }

    /// The first of `candidates` that exists under `root`, e.g. `firstExisting(activityLEDNames)` is "ACT" on
    /// current Raspberry Pi kernels and "led0" on older ones; nil when none does.
    public static func firstExisting(_ candidates: [String], root: String = defaultRoot) -> String? {
        candidates.first { access(root + "/" + $0, F_OK) == 0 }
    }

    /// The bracketed entry of a `trigger` file's text, e.g. "mmc0" for "none [mmc0] timer"; "none" if none is.
    static func activeTrigger(in text: String) -> String {
        for word in text.split(whereSeparator: { $0 == " " || $0 == "\n" })
        where word.count > 2 && word.first == "[" && word.last == "]" {
            return String(word.dropFirst().dropLast())
        }
        return "none"
    }

    private func setBrightness(_ value: Int) throws {
        guard value != currentBrightness else { return }
        var count = 0
        var rest = value
        repeat {
            digits[count] = UInt8(ascii: "0") + UInt8(rest % 10)
            rest /= 10
            count += 1
        } while rest > 0
        var low = 0
        var high = count - 1
        while low < high {
            (digits[low], digits[high]) = (digits[high], digits[low])
            low += 1
            high -= 1
        }
        let written = ftruncate(brightnessFile, 0) == 0 ? pwrite(brightnessFile, digits, count, 0) : -1
        guard written == count else {
            let code = written < 0 ? errno : EIO
            currentBrightness = nil
            throw LEDOutputError.onboardLEDFailed(path: path + "/brightness", errno: code)
        }
        currentBrightness = value
    }

    private static func openForWriting(_ path: String) throws -> Int32 {
        let descriptor = open(path, O_WRONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw LEDOutputError.onboardLEDFailed(path: path, errno: errno) }
        return descriptor
    }

    private static func write(_ text: [UInt8], to descriptor: Int32, path: String) throws {
        let written = ftruncate(descriptor, 0) == 0 ? pwrite(descriptor, text, text.count, 0) : -1
        guard written == text.count else {
            throw LEDOutputError.onboardLEDFailed(path: path, errno: written < 0 ? errno : EIO)
        }
    }

    private static func readText(_ path: String) throws -> String {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw LEDOutputError.onboardLEDFailed(path: path, errno: errno) }
        defer { close(descriptor) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = read(descriptor, &chunk, chunk.count)
            guard count >= 0 else { throw LEDOutputError.onboardLEDFailed(path: path, errno: errno) }
            if count == 0 { break }
            bytes += chunk[0..<count]
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    private static func trimmed(_ text: String) -> Substring {
        text.drop { $0 == " " || $0 == "\n" }.prefix { $0 != " " && $0 != "\n" }
    }
}
