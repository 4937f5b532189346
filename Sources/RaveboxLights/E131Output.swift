import Foundation

/// Drives pixel controllers with E1.31 (streaming ACN, "sACN"): DMX512 universes over UDP.
///
/// One data packet per universe, 638 bytes, laid out as in ANSI E1.31-2018 §4–7 (cross-checked against the
/// data-packet structure in Beckhoff's TF6310 sACN reference,
/// https://infosys.beckhoff.com/content/1031/tf6310_sacn/21253951755.html, and the `sacn` crate's packet docs,
/// https://docs.rs/sacn/latest/sacn/packet/index.html). Multi-byte fields are big-endian; each "flags and
/// length" is 0x7000 | the byte count from that field to the end of the packet.
///
/// | Offset  | Field |
/// |---------|-------|
/// | 0–1     | root preamble size 0x0010 |
/// | 2–3     | post-amble size 0 |
/// | 4–15    | ACN packet identifier "ASC-E1.17\0\0\0" |
/// | 16–17   | root flags and length (0x7000 \| 622) |
/// | 18–21   | root vector VECTOR_ROOT_E131_DATA = 0x00000004 |
/// | 22–37   | CID: the source's UUID, fixed for its lifetime |
/// | 38–39   | framing flags and length (0x7000 \| 600) |
/// | 40–43   | framing vector VECTOR_E131_DATA_PACKET = 0x00000002 |
/// | 44–107  | source name, UTF-8, NUL-terminated |
/// | 108     | priority 0...200 (default 100) |
/// | 109–110 | synchronization address (0 = none) |
/// | 111     | sequence number, per universe |
/// | 112     | options (preview, stream terminated, force sync) |
/// | 113–114 | universe 1...63999 |
/// | 115–116 | DMP flags and length (0x7000 \| 523) |
/// | 117     | DMP vector VECTOR_DMP_SET_PROPERTY = 0x02 |
/// | 118     | address type and data type 0xA1 |
/// | 119–120 | first property address 0 |
/// | 121–122 | address increment 1 |
/// | 123–124 | property value count 513 (start code + 512 slots) |
/// | 125     | DMX512 start code 0 |
/// | 126–637 | 512 slots |
///
/// LEDs fill universes as R, G, B: 170 LEDs (510 slots) per universe from `startUniverse` on; slots 511–512 are
/// always 0, which is what WLED and most pixel controllers expect for RGB. Packets go to one host (unicast) or
/// to each universe's multicast group 239.255.hi.lo on port 5568.
///
/// ```swift
/// let tree = try E131Output(host: "10.0.0.40", ledCount: 600, startUniverse: 1, sourceName: "Ravebox")
/// try colors.withUnsafeBufferPointer { try tree.show($0) }
/// ```
public final class E131Output: LEDOutput {
    /// The ACN SDT multicast port E1.31 uses for unicast and multicast alike.
    public static let defaultPort = 5568
    /// LEDs per universe: 512 slots / 3 channels.
    public static let ledsPerUniverse = 170
    /// Slots in a DMX512 universe.
    public static let slotsPerUniverse = 512
    /// Bytes in one data packet with a full universe.
    static let packetSize = 638
    static let dataOffset = 126
    static let sequenceOffset = 111
    static let universeOffset = 113
    /// Highest universe a data packet may carry (E1.31 §6.2.7; 64000... are reserved).
    static let maxUniverse = 63999

    public let name: String
    public let ledCount: Int
    /// Universe of the first 170 LEDs.
    public let startUniverse: Int
    /// Number of universes a frame fills.
    public let universeCount: Int

    /// Whether each universe goes to its own multicast group (destination index = universe index).
    private let isMulticast: Bool
    /// One packet, reused for every universe; the fields that never change are written once in `init`.
    private let packet: UDPPacket
    /// Next sequence number per universe; E1.31 receivers drop packets that go backwards.
    private let sequences: UnsafeMutablePointer<UInt8>

    /// Sends to one controller (unicast).
    ///
    /// - Parameters:
    ///   - host: The controller's host name or IP address.
    ///   - port: Its sACN port.
    ///   - ledCount: LEDs to drive; they fill `ceil(ledCount / 170)` consecutive universes.
    ///   - startUniverse: Universe of the first LED, 1...63999.
    ///   - sourceName: Shown by receivers and consoles; UTF-8, cut to 63 bytes.
    ///   - priority: 0...200; receivers follow the highest-priority source of a universe.
    ///   - cid: The source's component identifier. Keep it fixed per output (store it with the settings):
    ///     receivers track sources by CID.
    /// - Throws: `LEDOutputError` naming the host when it cannot be resolved or the socket cannot be opened.
    public convenience init(
        host: String, port: Int = defaultPort, ledCount: Int, startUniverse: Int = 1,
        sourceName: String = "Ravebox", priority: UInt8 = 100, cid: UUID = UUID()
    ) throws {
        let target = "\(host):\(port)"
        try Self.validate(
            target: target, ledCount: ledCount, startUniverse: startUniverse, priority: priority)
        try self.init(
            socket: UDPSocket(host: host, port: port), isMulticast: false, ledCount: ledCount,
            startUniverse: startUniverse, sourceName: sourceName, priority: priority, cid: cid)
    }

    /// Sends each universe to its multicast group 239.255.hi.lo (E1.31 §9.3.1), for receivers that subscribe.
    ///
    /// Parameters as for the unicast initializer.
    public convenience init(
        multicastPort port: Int = defaultPort, ledCount: Int, startUniverse: Int = 1,
        sourceName: String = "Ravebox", priority: UInt8 = 100, cid: UUID = UUID()
    ) throws {
        let target = "sACN multicast universes \(startUniverse)+ port \(port)"
        try Self.validate(
            target: target, ledCount: ledCount, startUniverse: startUniverse, priority: priority)
        let count = (ledCount + Self.ledsPerUniverse - 1) / Self.ledsPerUniverse
        let groups = (0..<count).map { Self.multicastGroup(universe: startUniverse + $0) }
        try self.init(
            socket: UDPSocket(ipv4Addresses: groups, port: port, target: target), isMulticast: true,
            ledCount: ledCount, startUniverse: startUniverse, sourceName: sourceName, priority: priority, cid: cid)
    }

    private init(
        socket: UDPSocket, isMulticast: Bool, ledCount: Int, startUniverse: Int, sourceName: String,
        priority: UInt8, cid: UUID
    ) {
        packet = UDPPacket(socket: socket, capacity: Self.packetSize)
        self.isMulticast = isMulticast
        self.ledCount = ledCount
        self.startUniverse = startUniverse
        universeCount = (ledCount + Self.ledsPerUniverse - 1) / Self.ledsPerUniverse
        name = "sACN to \(socket.target)"
        sequences = .allocate(capacity: universeCount)
        sequences.initialize(repeating: 0, count: universeCount)
        Self.writeHeader(into: packet, sourceName: sourceName, priority: priority, cid: cid)
    }

    deinit {
        sequences.deallocate()
    }

    /// The IPv4 multicast group of `universe`: 239.255.(universe >> 8).(universe & 0xFF).
    static func multicastGroup(universe: Int) -> (UInt8, UInt8, UInt8, UInt8) {
        (239, 255, UInt8(truncatingIfNeeded: universe >> 8), UInt8(truncatingIfNeeded: universe))
    }

    /// Where the packets of the universe at `index` (0 = `startUniverse`) go, e.g. "239.255.0.7:5568".
    func destination(ofUniverseAt index: Int) -> String {
        packet.socket.destination(at: isMulticast ? index : 0)
    }

    /// Sends one frame, one packet per universe.
    ///
    /// Called on the light renderer's thread; does not allocate. Extra colours beyond `ledCount` are ignored.
    public func show(_ colors: UnsafeBufferPointer<LEDColor>) throws {
        let count = min(colors.count, ledCount)
        try UDPPacket.forEachPacket(universeCount, leds: count, perPacket: Self.ledsPerUniverse) {
            universeIndex, first, chunk in
            let length = packet.writeRGB(colors, from: first, count: chunk, at: Self.dataOffset)
            packet.zero(from: Self.dataOffset + length, count: Self.slotsPerUniverse - length)
            packet.put16(startUniverse + universeIndex, at: Self.universeOffset)
            packet[Self.sequenceOffset] = sequences[universeIndex]
            sequences[universeIndex] &+= 1
            try packet.send(count: Self.packetSize, to: isMulticast ? universeIndex : 0)
        }
    }

    private static func validate(target: String, ledCount: Int, startUniverse: Int, priority: UInt8) throws {
        guard ledCount >= 1 else {
            throw LEDOutputError.invalidConfiguration(target: target, reason: "sACN needs at least one LED")
        }
        let lastUniverse = startUniverse + (ledCount + ledsPerUniverse - 1) / ledsPerUniverse - 1
        guard startUniverse >= 1, lastUniverse <= maxUniverse else {
            throw LEDOutputError.invalidConfiguration(
                target: target,
                reason: "universes \(startUniverse)...\(lastUniverse) are outside 1...\(maxUniverse)")
        }
        guard priority <= 200 else {
            throw LEDOutputError.invalidConfiguration(target: target, reason: "priority must be 0...200")
        }
    }

    /// Writes the fields that stay the same for every packet of this output.
    private static func writeHeader(into packet: UDPPacket, sourceName: String, priority: UInt8, cid: UUID) {
        let flags = 0x7000
        // Root layer.
        packet.put16(0x0010, at: 0)
        packet.put16(0, at: 2)
        for (index, byte) in "ASC-E1.17".utf8.enumerated() { packet[4 + index] = byte }
        packet.put16(flags | (packetSize - 16), at: 16)
        packet.put32(0x0000_0004, at: 18)
        withUnsafeBytes(of: cid.uuid) { bytes in
            for (index, byte) in bytes.enumerated() { packet[22 + index] = byte }
        }
        // Framing layer.
        packet.put16(flags | (packetSize - 38), at: 38)
        packet.put32(0x0000_0002, at: 40)
        // 64 bytes including the terminating NUL; cut at a character boundary so the name stays valid UTF-8.
        var nameLength = 0
        for character in sourceName {
            let bytes = character.utf8
            guard nameLength + bytes.count <= 63 else { break }
            for byte in bytes {
                packet[44 + nameLength] = byte
                nameLength += 1
            }
        }
        packet[108] = priority
        packet.put16(0, at: 109)
        packet[112] = 0
        // DMP layer.
        packet.put16(flags | (packetSize - 115), at: 115)
        packet[117] = 0x02
        packet[118] = 0xA1
        packet.put16(0, at: 119)
        packet.put16(1, at: 121)
        packet.put16(slotsPerUniverse + 1, at: 123)
        packet[125] = 0
    }
}
