/// Drives a pixel controller with DDP, the Distributed Display Protocol.
///
/// Header layout from the protocol description by 3waylabs (http://3waylabs.com/ddp/); multi-byte fields are
/// big-endian:
///
/// | Byte | Field |
/// |------|-------|
/// | 0    | flags: version `01` in bits 7–6 (0x40); PUSH (0x01) on the last packet of a frame |
/// | 1    | sequence number in the low 4 bits, 1...15 (0 = unused); incremented with each packet |
/// | 2    | data type `C R TTT SSS`: TTT = 1 (RGB), SSS = 3 (8 bits per element) → 0x0B |
/// | 3    | destination id: 1 = the default output device |
/// | 4–7  | data offset in bytes into the device's buffer |
/// | 8–9  | data length in bytes |
///
/// Data follows the 10-byte header; a frame is split into packets of at most 1440 bytes (480 RGB LEDs), and
/// the receiver displays the frame when the packet with PUSH arrives. WLED and xLights receive DDP on port 4048.
/// The sequence wraps from 15 to 1, as in the `ddp-rs` crate's header docs
/// (https://docs.rs/ddp-rs/latest/ddp_rs/protocol/struct.Header.html); 0x0B is the value WLED's own DDP code
/// names `DDP_TYPE_RGB24` (`00 001 011`).
///
/// ```swift
/// let strip = try DDPOutput(host: "192.168.4.20", ledCount: 1200)
/// try colors.withUnsafeBufferPointer { try strip.show($0) }
/// ```
public final class DDPOutput: LEDOutput {
    /// DDP's UDP port.
    public static let defaultPort = 4048
    /// Most data bytes in one packet (3waylabs: 1440 = 480 RGB pixels, fits a 1500-byte Ethernet MTU).
    public static let maxDataBytesPerPacket = 1440
    static let headerSize = 10
    static let versionFlag: UInt8 = 0x40
    static let pushFlag: UInt8 = 0x01
    static let dataTypeRGB8: UInt8 = 0x0B
    static let defaultDestination: UInt8 = 1

    public let name: String
    public let ledCount: Int

    /// One packet, reused for every chunk of every frame.
    private let packet: UDPPacket
    /// Last sequence number sent, 1...15.
    private var sequence: UInt8 = 0

    /// Resolves `host` and opens the socket; nothing is sent until `show`.
    ///
    /// - Parameters:
    ///   - host: The controller's host name or IP address.
    ///   - port: Its DDP port.
    ///   - ledCount: LEDs to drive (RGB, 3 bytes each).
    /// - Throws: `LEDOutputError` naming the host when it cannot be resolved or the socket cannot be opened.
    public init(host: String, port: Int = defaultPort, ledCount: Int) throws {
        guard ledCount >= 1, ledCount * 3 <= Int(UInt32.max) else {
            throw LEDOutputError.invalidConfiguration(
                target: "\(host):\(port)", reason: "DDP needs at least one LED, got \(ledCount)")
        }
        packet = UDPPacket(
            socket: try UDPSocket(host: host, port: port), capacity: Self.headerSize + Self.maxDataBytesPerPacket)
        self.ledCount = ledCount
        name = "DDP to \(packet.socket.target)"
    }

    /// Sends one frame in packets of at most 1440 data bytes, PUSH on the last.
    ///
    /// Called on the light renderer's thread; does not allocate. Extra colours beyond `ledCount` are ignored.
    public func show(_ colors: UnsafeBufferPointer<LEDColor>) throws {
        let count = min(colors.count, ledCount)
        let ledsPerPacket = Self.maxDataBytesPerPacket / 3
        // At least one packet, so an empty frame still pushes.
        let packets = max(1, UDPPacket.packetCount(leds: count, perPacket: ledsPerPacket))
        try UDPPacket.forEachPacket(packets, leds: count, perPacket: ledsPerPacket) { index, start, chunk in
            sequence = sequence % 15 + 1
            packet[0] = Self.versionFlag | (index == packets - 1 ? Self.pushFlag : 0)
            packet[1] = sequence
            packet[2] = Self.dataTypeRGB8
            packet[3] = Self.defaultDestination
            packet.put32(UInt32(start * 3), at: 4)
            let length = packet.writeRGB(colors, from: start, count: chunk, at: Self.headerSize)
            packet.put16(length, at: 8)
            try packet.send(count: Self.headerSize + length)
        }
    }
}
