/// One datagram buffer, allocated and zeroed once, and the socket it goes out on: what the network LED outputs
/// (DDP, WLED realtime, sACN, WLED audio sync) share.
///
/// Each protocol writes its own header bytes; this type writes what they have in common — big-endian fields and
/// the R, G, B payload — splits a frame into packets and sends them. Nothing here allocates after `init`, so a
/// frame goes out on the light renderer's thread without touching the heap.
///
/// ```swift
/// let packet = UDPPacket(socket: try UDPSocket(host: "wled.local", port: 21324), capacity: 2 + 490 * 3)
/// packet[0] = 2
/// let length = packet.writeRGB(colors, from: 0, count: colors.count, at: 2)
/// try packet.send(count: 2 + length)
/// ```
final class UDPPacket {
    /// Where the packets go; also names the target in errors and output names.
    let socket: UDPSocket
    /// Size of the buffer: the longest packet this output sends.
    let capacity: Int
    private let bytes: UnsafeMutablePointer<UInt8>

    /// Allocates `capacity` zeroed bytes, reused for every packet.
    init(socket: UDPSocket, capacity: Int) {
        self.socket = socket
        self.capacity = capacity
        bytes = .allocate(capacity: capacity)
        bytes.initialize(repeating: 0, count: capacity)
    }

    deinit {
        bytes.deallocate()
    }

    /// The byte at `offset`.
    subscript(offset: Int) -> UInt8 {
        get { bytes[offset] }
        set { bytes[offset] = newValue }
    }

    /// The buffer from `offset` on, for fields a protocol encodes itself.
    func pointer(at offset: Int) -> UnsafeMutablePointer<UInt8> { bytes + offset }

    /// Writes the low 16 bits of `value` big-endian (network order) at `offset`.
    func put16(_ value: Int, at offset: Int) {
        bytes[offset] = UInt8(truncatingIfNeeded: value >> 8)
        bytes[offset + 1] = UInt8(truncatingIfNeeded: value)
    }

    /// Writes `value` big-endian (network order) at `offset`.
    func put32(_ value: UInt32, at offset: Int) {
        put16(Int(value >> 16), at: offset)
        put16(Int(value & 0xFFFF), at: offset + 2)
    }

    /// Writes R, G, B of the `count` colours from `start` on at `offset`; returns the bytes written (`count × 3`).
    @discardableResult
    func writeRGB(_ colors: UnsafeBufferPointer<LEDColor>, from start: Int, count: Int, at offset: Int) -> Int {
        let data = bytes + offset
        for index in 0..<count {
            let color = colors[start + index]
            data[index * 3] = color.red
            data[index * 3 + 1] = color.green
            data[index * 3 + 2] = color.blue
        }
        return count * 3
    }

    /// Sets `count` bytes from `offset` on to zero.
    func zero(from offset: Int, count: Int) {
        (bytes + offset).update(repeating: 0, count: count)
    }

    /// Sends the first `count` bytes to destination `index` (0 for a resolved host).
    ///
    /// - Throws: `LEDOutputError.sendFailed` naming the target.
    func send(count: Int, to index: Int = 0) throws {
        try socket.send(bytes, count: count, to: index)
    }

    /// Packets needed for `ledCount` LEDs at most `perPacket` to a packet (0 for no LEDs).
    static func packetCount(leds ledCount: Int, perPacket: Int) -> Int {
        (ledCount + perPacket - 1) / perPacket
    }

    /// Splits `ledCount` LEDs into `packets` packets of at most `perPacket` LEDs, calling `body` once per packet
    /// in order with its index, the first LED it carries and how many (0 for packets past the last LED, which a
    /// protocol that always sends a fixed number of packets fills with black).
    static func forEachPacket(
        _ packets: Int, leds ledCount: Int, perPacket: Int,
        _ body: (_ index: Int, _ start: Int, _ count: Int) throws -> Void
    ) rethrows {
        for index in 0..<packets {
            let start = index * perPacket
            try body(index, start, max(0, min(perPacket, ledCount - start)))
        }
    }
}
