/// Drives a WLED controller with its UDP realtime protocol.
///
/// Packet layout, from WLED's "UDP Realtime" page (https://kno.wled.ge/interfaces/udp-realtime/, mirrored in
/// https://github.com/wled/WLED/wiki/UDP-Realtime-Control) and WLED's receiver (`udp.cpp`, quoted in
/// https://github.com/wled/WLED/issues/4496):
///
/// - byte 0: protocol — 2 = DRGB (up to 490 LEDs, one packet), 4 = DNRGB (up to 489 LEDs per packet);
/// - byte 1: seconds WLED waits after the last packet before returning to its normal mode (255 = never);
/// - DRGB: bytes 2... are R, G, B of LED 0, 1, 2, ...;
/// - DNRGB: bytes 2–3 are the start index (big-endian), bytes 4... are R, G, B from that LED on.
///
/// Strips of up to 490 LEDs get one DRGB packet per frame; longer strips get DNRGB packets of 489 LEDs.
/// WLED applies its own brightness and gamma to the colours it receives.
///
/// ```swift
/// let strip = try WLEDRealtimeOutput(host: "wled-bar.local", ledCount: 300)
/// try colors.withUnsafeBufferPointer { try strip.show($0) }
/// ```
public final class WLEDRealtimeOutput: LEDOutput {
    /// WLED's default UDP port for sync and realtime packets (Settings → Sync interfaces).
    public static let defaultPort = 21324
    /// Most LEDs in one DRGB packet (2-byte header + 490 × 3 = 1472 bytes, one unfragmented UDP datagram).
    public static let maxDRGBLEDs = 490
    /// Most LEDs in one DNRGB packet (4-byte header + 489 × 3 = 1471 bytes).
    public static let maxDNRGBLEDsPerPacket = 489

    static let protocolDRGB: UInt8 = 2
    static let protocolDNRGB: UInt8 = 4

    public let name: String
    public let ledCount: Int
    /// Byte 1 of every packet: seconds before WLED falls back to its own effects; 255 keeps realtime mode.
    public let timeoutSeconds: UInt8

    /// One packet, reused for every chunk of every frame.
    private let packet: UDPPacket

    /// Resolves `host` and opens the socket; nothing is sent until `show`.
    ///
    /// - Parameters:
    ///   - host: The WLED controller's host name or IP address.
    ///   - port: Its UDP realtime port.
    ///   - ledCount: LEDs to drive, 1...65535 (DNRGB's start index is 16-bit).
    ///   - timeoutSeconds: Seconds after the last frame before WLED resumes its own mode; 255 = never.
    /// - Throws: `LEDOutputError` naming the host when it cannot be resolved or the socket cannot be opened.
    public init(host: String, port: Int = defaultPort, ledCount: Int, timeoutSeconds: UInt8 = 2) throws {
        guard (1...65535).contains(ledCount) else {
            throw LEDOutputError.invalidConfiguration(
                target: "\(host):\(port)", reason: "WLED realtime drives 1...65535 LEDs, not \(ledCount)")
        }
        packet = UDPPacket(socket: try UDPSocket(host: host, port: port), capacity: 2 + Self.maxDRGBLEDs * 3)
        self.ledCount = ledCount
        self.timeoutSeconds = timeoutSeconds
        name = "WLED realtime to \(packet.socket.target)"
    }

    /// Sends one frame as one DRGB packet or several DNRGB packets.
    ///
    /// Called on the light renderer's thread; does not allocate. Extra colours beyond `ledCount` are ignored.
    public func show(_ colors: UnsafeBufferPointer<LEDColor>) throws {
        let count = min(colors.count, ledCount)
        packet[1] = timeoutSeconds
        if ledCount <= Self.maxDRGBLEDs {
            packet[0] = Self.protocolDRGB
            let length = packet.writeRGB(colors, from: 0, count: count, at: 2)
            try packet.send(count: 2 + length)
            return
        }
        packet[0] = Self.protocolDNRGB
        let packets = UDPPacket.packetCount(leds: count, perPacket: Self.maxDNRGBLEDsPerPacket)
        try UDPPacket.forEachPacket(packets, leds: count, perPacket: Self.maxDNRGBLEDsPerPacket) { _, start, chunk in
            packet.put16(start, at: 2)
            let length = packet.writeRGB(colors, from: start, count: chunk, at: 4)
            try packet.send(count: 4 + length)
        }
    }
}
