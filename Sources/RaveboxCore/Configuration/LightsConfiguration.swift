/// The LED hardware of the box, from the `leds`, `audio_sync` and `onboard_leds` keys of `ravebox.yaml`.
///
/// What each output *shows* (program, brightness, colour...) is a live setting changed on the lights page; this is
/// only what is wired where. Example:
///
/// ```yaml
/// leds:
///   - name: ring                # shown on the lights page; letters, digits, '-' and '_'
///     type: ws2812              # ws2812, sk6812, apa102, sk9822, pca9685, wled, ddp, e131
///     device: /dev/spidev0.0
///     count: 16
///     offset: 14                # LED 0 of the picture is the strip's 15th LED
///     reverse: true
///   - name: tv
///     type: wled
///     host: 192.168.4.20
///     count: 120
///     fps: 50
/// audio_sync: 239.0.0.1:11988   # WLED audio sync (V2) sender; "off" (default) or host[:port]
/// onboard_leds: on              # the Pi's ACT (requests) and PWR (alarm) LEDs
/// ```
public struct LightsConfiguration: Sendable, Equatable, Codable {
    /// The LED outputs, in the order of the file.
    public var outputs: [LEDOutputConfiguration] = []
    /// Where WLED audio sync packets go (multicast group or a controller's address), `nil` = not sent.
    public var audioSync: NetworkTarget?
    /// Whether the Raspberry Pi's onboard LEDs signal requests (ACT) and the alarm (PWR).
    public var onboardLEDs = false

    public init(outputs: [LEDOutputConfiguration] = [], audioSync: NetworkTarget? = nil, onboardLEDs: Bool = false) {
        self.outputs = outputs
        self.audioSync = audioSync
        self.onboardLEDs = onboardLEDs
    }

    /// A host and UDP port.
    public struct NetworkTarget: Sendable, Equatable, Codable {
        public var host: String
        public var port: Int
        public init(host: String, port: Int) {
            self.host = host
            self.port = port
        }
    }

    /// WLED's audio sync group and port.
    public static let defaultAudioSync = NetworkTarget(host: "239.0.0.1", port: 11988)
}

/// One LED output as wired: its kind, where it is connected, how many LEDs and at what frame rate.
public struct LEDOutputConfiguration: Sendable, Equatable, Codable {
    /// The kind of device; raw values are the `type` names of the YAML file.
    public enum Kind: String, Sendable, Codable, CaseIterable {
        /// WS2812/WS2812B ("NeoPixel") on SPI MOSI.
        case ws2812
        /// SK6812 RGB, the same protocol as WS2812.
        case sk6812
        /// APA102 ("DotStar") on SPI MOSI + SCLK.
        case apa102
        /// SK9822, an APA102 clone with a different end frame.
        case sk9822
        /// An analog RGB strip on three channels of a PCA9685 PWM board over I2C.
        case pca9685
        /// A WLED controller in realtime UDP mode (DRGB/DNRGB, port 21324).
        case wled
        /// Distributed Display Protocol (port 4048): WLED, ESPixelStick, xLights.
        case ddp
        /// E1.31 / sACN (port 5568), unicast or multicast.
        case e131

        /// Whether the output is a device file (`device`) rather than a network target (`host`).
        public var isWired: Bool { [.ws2812, .sk6812, .apa102, .sk9822, .pca9685].contains(self) }

        /// The device file used when `device` is not given.
        public var defaultDevice: String? {
            switch self {
            case .ws2812, .sk6812, .apa102, .sk9822: "/dev/spidev0.0"
            case .pca9685: "/dev/i2c-1"
            case .wled, .ddp, .e131: nil
            }
        }

        /// The UDP port used when `port` is not given.
        public var defaultPort: Int? {
            switch self {
            case .wled: 21324
            case .ddp: 4048
            case .e131: 5568
            default: nil
            }
        }

        /// The byte order the chip expects when `color_order` is not given.
        public var defaultColorOrder: String {
            switch self {
            case .ws2812, .sk6812: "grb"
            case .apa102, .sk9822: "bgr"
            default: "rgb"
            }
        }

        /// Frames per second when `fps` is not given: what the link carries comfortably.
        public var defaultFramesPerSecond: Double {
            switch self {
            case .e131: 44  // DMX512's refresh rate; many sACN nodes expect no more
            case .wled, .ddp: 50
            default: 60
            }
        }
    }

    /// Accepted `color_order` values (the byte order on the wire).
    public static let colorOrders = ["rgb", "rbg", "grb", "gbr", "brg", "bgr"]
    /// Most LEDs one output may have.
    public static let maximumLEDCount = 4_096

    /// Unique name, used on the lights page and in the API (`/api/lights/<name>`).
    public var name: String
    public var kind: Kind
    /// Device file of wired outputs (`/dev/spidevB.C`, `/dev/i2c-N`).
    public var device: String?
    /// Host (name or address) of network outputs.
    public var host: String?
    public var port: Int?
    /// Number of LEDs (1 for a PCA9685 strip, which is one colour).
    public var ledCount: Int
    /// Rotation: LED 0 of the rendered picture goes to the strip's LED `offset` (Raveberry's ring uses 14).
    public var offset = 0
    /// The strip runs the other way round.
    public var reverse = false
    /// Frames per second sent to this output.
    public var framesPerSecond: Double
    /// Byte order on the wire, one of ``colorOrders``.
    public var colorOrder: String
    /// I2C address of a PCA9685 (0x40 by default).
    public var address: Int = 0x40
    /// First E1.31 universe (1...63999).
    public var universe: Int = 1
    /// SPI clock for WS2812/SK6812: 3_200_000 (4 SPI bits per data bit) or 2_400_000 (3 bits).
    public var spiClock: Int?

    /// An output with the kind's defaults for everything not given.
    public init(
        name: String, kind: Kind, device: String? = nil, host: String? = nil, port: Int? = nil, ledCount: Int,
        offset: Int = 0, reverse: Bool = false, framesPerSecond: Double? = nil, colorOrder: String? = nil
    ) {
        self.name = name
        self.kind = kind
        self.device = device ?? kind.defaultDevice
        self.host = host
        self.port = port ?? kind.defaultPort
        self.ledCount = ledCount
        self.offset = offset
        self.reverse = reverse
        self.framesPerSecond = framesPerSecond ?? kind.defaultFramesPerSecond
        self.colorOrder = colorOrder ?? kind.defaultColorOrder
    }

    /// Where the output sends: its device file or `host:port`.
    public var target: String {
        kind.isWired ? (device ?? "?") : "\(host ?? "?"):\(port ?? 0)"
    }
}
