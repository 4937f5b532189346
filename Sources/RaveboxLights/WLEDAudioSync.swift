/// Sends our audio analysis to WLED controllers as "Audio Sync" V2 packets, so controllers set to
/// Settings → Usermods → AudioReactive → Sync → "Receive" dance to the box's music without a microphone.
///
/// Packet layout: `struct audioSyncPacket` ("V2", header "00002") in WLED's audioreactive usermod,
/// https://github.com/wled/WLED/blob/main/usermods/audioreactive/audio_reactive.cpp (`audio_reactive.h` in WLED 0.15
/// and in the MoonModules fork, https://github.com/MoonModules/WLED-MM, same folder). The struct is `packed`,
/// 44 bytes, little-endian as on the ESP32:
///
/// | Offset | Type        | Field |
/// |--------|-------------|-------|
/// | 0–5    | char[6]     | header "00002\0" |
/// | 6–7    | uint8[2]    | `pressure` (MoonModules: sound pressure, 8.8 fixed point); upstream: reserved, 0 |
/// | 8–11   | float       | `sampleRaw`, volume 0...255 |
/// | 12–15  | float       | `sampleSmth`, smoothed volume 0...255 |
/// | 16     | uint8       | `samplePeak`, 1 on a beat |
/// | 17     | uint8       | `frameCounter` (MoonModules); upstream: reserved |
/// | 18–33  | uint8[16]   | `fftResult`, the 16 GEQ channels 0...255 |
/// | 34–35  | uint16      | `zeroCrossingCount` (MoonModules); upstream: reserved, 0 |
/// | 36–39  | float       | `FFT_Magnitude` |
/// | 40–43  | float       | `FFT_MajorPeak`, Hz |
///
/// Receivers accept a packet only if it is exactly 44 bytes and starts with the header. We send 0 for `pressure`
/// (MoonModules then uses `sampleSmth` instead) and for `zeroCrossingCount` (only MoonModules' auto-playlist uses it).
/// Channels go out as 0...255, as MoonModules sends them; upstream WLED's own sender caps them at 254, its receiver
/// takes any byte.
///
/// `frameCounter` counts packets from 0 and wraps after 255. MoonModules receivers drop a packet whose counter is
/// not above the previous one (allowing the wrap) but always accept 0, so starting at 0 also resynchronises a
/// receiver that heard an earlier run of the box; upstream WLED ignores the byte.
///
/// WLED senders and receivers use multicast group 239.0.0.1, port 11988 (Settings → Usermods → AudioReactive →
/// Sync port). Packets go out with the kernel's default multicast TTL of 1, so they stay on the box's network; a
/// unicast host (one controller's address) works too.
///
/// ```swift
/// let sync = try WLEDAudioSync()  // 239.0.0.1:11988
/// var mapper = AudioSyncMapper(bandFrequencies: analyzer.bandFrequencies)
/// try sync.send(mapper.frame(from: analyzer))
/// ```
public final class WLEDAudioSync {
    /// The multicast group WLED's audio sync joins.
    public static let defaultHost = "239.0.0.1"
    /// WLED's default audio sync port.
    public static let defaultPort = 11988
    /// Size of a V2 packet; receivers drop anything else.
    public static let packetSize = 44

    static let header: [UInt8] = Array("00002".utf8) + [0]
    static let pressureOffset = 6
    static let sampleRawOffset = 8
    static let sampleSmoothOffset = 12
    static let samplePeakOffset = 16
    static let frameCounterOffset = 17
    static let channelsOffset = 18
    static let zeroCrossingsOffset = 34
    static let magnitudeOffset = 36
    static let majorPeakOffset = 40

    /// For logs, e.g. "WLED audio sync to 239.0.0.1:11988".
    public let name: String
    /// The `frameCounter` of the next packet.
    public private(set) var frameCounter: UInt8 = 0

    /// One packet, reused; the header is written once in `init`.
    private let packet: UDPPacket

    /// Resolves `host` and opens the socket; nothing is sent until ``send(_:)``.
    ///
    /// - Parameters:
    ///   - host: The multicast group WLED listens on, or one controller's host name or IP address.
    ///   - port: The audio sync port set on the controllers.
    /// - Throws: `LEDOutputError` naming the host when it cannot be resolved or the socket cannot be opened.
    public init(host: String = defaultHost, port: Int = defaultPort) throws {
        packet = UDPPacket(socket: try UDPSocket(host: host, port: port), capacity: Self.packetSize)
        name = "WLED audio sync to \(packet.socket.target)"
        for (index, byte) in Self.header.enumerated() { packet[index] = byte }
    }

    /// Encodes `frame` with the next frame counter and sends it as one datagram.
    ///
    /// Called on the analysis or light renderer's thread; does not allocate unless it throws. The counter advances
    /// even when sending fails, so receivers never see a number twice.
    /// - Throws: `LEDOutputError.sendFailed` naming the target.
    public func send(_ frame: AudioSyncFrame) throws {
        defer { frameCounter &+= 1 }
        Self.encode(frame, frameCounter: frameCounter, into: packet.pointer(at: 0))
        try packet.send(count: Self.packetSize)
    }

    /// Writes every field after the header into `packet` (44 bytes whose first 6 are the header).
    static func encode(_ frame: AudioSyncFrame, frameCounter: UInt8, into packet: UnsafeMutablePointer<UInt8>) {
        packet[pressureOffset] = 0
        packet[pressureOffset + 1] = 0
        storeLittleEndian(frame.volume.bitPattern, at: packet + sampleRawOffset)
        storeLittleEndian(frame.smoothedVolume.bitPattern, at: packet + sampleSmoothOffset)
        packet[samplePeakOffset] = frame.isPeak ? 1 : 0
        packet[frameCounterOffset] = frameCounter
        frame.copyChannels(to: packet + channelsOffset)
        packet[zeroCrossingsOffset] = 0
        packet[zeroCrossingsOffset + 1] = 0
        storeLittleEndian(frame.magnitude.bitPattern, at: packet + magnitudeOffset)
        storeLittleEndian(frame.majorPeak.bitPattern, at: packet + majorPeakOffset)
    }

    private static func storeLittleEndian(_ value: UInt32, at bytes: UnsafeMutablePointer<UInt8>) {
        for index in 0..<4 { bytes[index] = UInt8(truncatingIfNeeded: value >> (8 * index)) }
    }
}
