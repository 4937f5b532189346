import Foundation
import RaveboxDSP
import RaveboxTestSupport
import Testing

@testable import RaveboxLights

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

#if canImport(Glibc)
    private let datagram = Int32(SOCK_DGRAM.rawValue)
#else
    private let datagram = SOCK_DGRAM
#endif

/// Whether the kernel has a route for 239.0.0.1 (a default route or a multicast route). Without one, `sendto` to a
/// multicast group fails with ENETUNREACH, as it would for WLED's own senders.
private let hasMulticastRoute: Bool = {
    let fd = socket(AF_INET, datagram, 0)
    guard fd >= 0 else { return false }
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = in_port_t(UInt16(11988).bigEndian)
    address.sin_addr.s_addr = inet_addr("239.0.0.1")
    return withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
            connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
        }
    }
}()

// Decoding at the offsets of WLED's `struct audioSyncPacket` (V2), written out here rather than taken from the sender.
private func float(_ bytes: [UInt8], _ offset: Int) -> Float {
    Float(bitPattern: (0..<4).reduce(UInt32(0)) { $0 | UInt32(bytes[offset + $1]) << (8 * $1) })
}

private func u16(_ bytes: [UInt8], _ offset: Int) -> Int { Int(bytes[offset]) | Int(bytes[offset + 1]) << 8 }

private func sampleFrame(peak: Bool, seed: UInt8) -> AudioSyncFrame {
    var frame = AudioSyncFrame()
    frame.volume = 200.5
    frame.smoothedVolume = 127.125
    frame.isPeak = peak
    frame.magnitude = 1536.25
    frame.majorPeak = 86.5
    for channel in 0..<16 { frame[channel: channel] = UInt8(channel * 16) &+ seed }
    return frame
}

/// The analyzer's default bands (32 log-spaced bands, 40 Hz–16 kHz).
private func defaultBands() throws -> [Range<Double>] {
    try AudioAnalyzer(configuration: AnalyzerConfiguration()).bandFrequencies
}

@Suite struct WLEDAudioSyncTests {
    @Test func packetIs44BytesWithEveryFieldAtWLEDsOffset() throws {
        let receiver = try UDPReceiver()
        let sync = try WLEDAudioSync(host: "127.0.0.1", port: receiver.port)
        let first = sampleFrame(peak: true, seed: 1)
        let second = sampleFrame(peak: false, seed: 3)
        try sync.send(first)
        try sync.send(second)

        let packets = try receiver.receive(2)
        for (packet, frame) in zip(packets, [first, second]) {
            try #require(packet.count == 44)
            #expect(Array(packet[0..<6]) == [0x30, 0x30, 0x30, 0x30, 0x32, 0x00])  // "00002\0"
            #expect(packet[6] == 0 && packet[7] == 0)  // pressure: 0 = receiver uses sampleSmth
            #expect(float(packet, 8) == frame.volume)  // sampleRaw
            #expect(float(packet, 12) == frame.smoothedVolume)  // sampleSmth
            #expect(Array(packet[18..<34]) == frame.channelValues)  // fftResult
            #expect(u16(packet, 34) == 0)  // zeroCrossingCount
            #expect(float(packet, 36) == frame.magnitude)  // FFT_Magnitude
            #expect(float(packet, 40) == frame.majorPeak)  // FFT_MajorPeak
        }
        #expect(packets.map { $0[16] } == [1, 0])  // samplePeak
        #expect(packets.map { $0[17] } == [0, 1])  // frameCounter
        let expectedChannels: [UInt8] = (0..<16).map { UInt8($0 * 16 + 1) }
        #expect(Array(packets[0][18..<34]) == expectedChannels)
    }

    @Test func frameCounterCountsPacketsAndWrapsTo0() throws {
        let receiver = try UDPReceiver()
        let sync = try WLEDAudioSync(host: "127.0.0.1", port: receiver.port)
        for _ in 0..<258 { try sync.send(AudioSyncFrame()) }

        let packets = try receiver.receive(258)
        #expect(packets.map { Int($0[17]) } == Array(0...255) + [0, 1])
        #expect(sync.frameCounter == 2)
    }

    @Test func silentFrameSaysSilenceTheWayWLEDDoes() throws {
        let receiver = try UDPReceiver()
        let sync = try WLEDAudioSync(host: "127.0.0.1", port: receiver.port)
        try sync.send(AudioSyncFrame())

        let packet = try #require(try receiver.receive(1).first)
        #expect(packet.count == 44)
        #expect(float(packet, 8) == 0 && float(packet, 12) == 0)
        #expect(packet[16] == 0)
        #expect(packet[18..<34].allSatisfy { $0 == 0 })
        #expect(float(packet, 36) == 0)
        #expect(float(packet, 40) == 1)
    }

    @Test func nameSaysProtocolAndTarget() throws {
        #expect(try WLEDAudioSync().name == "WLED audio sync to 239.0.0.1:11988")
        #expect(try WLEDAudioSync(host: "127.0.0.1", port: 9).name == "WLED audio sync to 127.0.0.1:9")
    }

    @Test func unresolvableHostFailsWithTheHostInTheMessage() {
        #expect {
            _ = try WLEDAudioSync(host: "no-such-wled.invalid")
        } throws: { error in
            guard let error = error as? LEDOutputError, case .hostNotResolved(let host, let port, _) = error else {
                return false
            }
            return host == "no-such-wled.invalid" && port == 11988 && error.description.contains(host)
        }
    }

    /// Needs a route for 239.0.0.1 (any default route will do); on a machine with only loopback and no route the
    /// kernel refuses multicast sends with ENETUNREACH, so the test is skipped there rather than faked.
    @Test(.enabled(if: hasMulticastRoute, "no route for 239.0.0.1 (multicast needs a default or multicast route)"))
    func multicastPacketReachesAMemberOfTheGroup() throws {
        let receiver = try UDPReceiver(multicastGroup: "239.0.0.1")
        let sync = try WLEDAudioSync(host: WLEDAudioSync.defaultHost, port: receiver.port)
        try sync.send(sampleFrame(peak: true, seed: 0))

        let packets = try receiver.receive(1)
        #expect(packets.map(\.count) == [44])
        #expect(packets.first.map { Array($0[0..<6]) } == Array("00002\0".utf8))
    }
}

@Suite struct AudioSyncMapperTests {
    @Test func channelRangesAreWLEDsFFTBinRanges() {
        let channels = AudioSyncMapper.channelFrequencies
        #expect(channels.count == 16)
        let hz = channels.map { (low: Int($0.lowerBound.rounded()), high: Int($0.upperBound.rounded())) }
        #expect(hz.first! == (43, 86))
        #expect(hz[7] == (818, 1120))  // "1 kHz should always be the center"
        #expect(hz.last! == (7106, 9259))
        #expect(zip(channels, channels.dropFirst()).allSatisfy { $0.upperBound == $1.lowerBound })
    }

    /// The frame for an input whose only lit band holds `frequency`, with that band's range and the mapper.
    private func frame(
        lighting frequency: Double
    ) throws -> (frame: AudioSyncFrame, band: Range<Double>, mapper: AudioSyncMapper) {
        let frequencies = try defaultBands()
        let lit = try #require(frequencies.firstIndex { $0.contains(frequency) })
        var mapper = AudioSyncMapper(bandFrequencies: frequencies)
        var bands = [Float](repeating: 0, count: frequencies.count)
        bands[lit] = 1
        return (mapper.frame(level: 0.8, bands: bands, beat: false), frequencies[lit], mapper)
    }

    @Test func bassOnlyInputLightsTheLowestChannels() throws {
        let (frame, band, mapper) = try frame(lighting: 60)
        let channels = frame.channelValues
        let loudest = try #require(channels.indices.max { channels[$0] < channels[$1] })
        #expect(loudest <= 1, "channels \(channels)")
        #expect(channels[0] > 128)
        #expect(channels[4...].allSatisfy { $0 == 0 }, "channels \(channels)")
        #expect(band.contains(Double(frame.majorPeak)))
        #expect(frame.magnitude == mapper.magnitudeFullScale)
    }

    @Test func trebleOnlyInputLightsTheTopChannels() throws {
        let frame = try frame(lighting: 8_000).frame
        let channels = frame.channelValues
        #expect(channels[15] > 0, "channels \(channels)")
        #expect(channels[..<14].allSatisfy { $0 == 0 }, "channels \(channels)")
        #expect(abs(Double(frame.majorPeak) - 8_000) < 1_000)
    }

    @Test func everyChannelAveragesItsSourcesWithWeightsSummingTo1() throws {
        // Default bands, and bands starting above WLED's lowest channels (those take the nearest band).
        let highOnly: [Range<Double>] = (0..<16).map { index in
            let low: Double = 200 * pow(2, Double(index) / 2)
            return low..<low * 2.0.squareRoot()
        }
        for frequencies in [try defaultBands(), highOnly] {
            let mapper = AudioSyncMapper(bandFrequencies: frequencies)
            for channel in 0..<16 {
                let sources = mapper.sources(ofChannel: channel)
                #expect(!sources.isEmpty)
                #expect(abs(sources.reduce(0) { $0 + $1.weight } - 1) < 1e-5)
            }
        }
        let mapper = AudioSyncMapper(bandFrequencies: highOnly)
        #expect(mapper.sources(ofChannel: 0).map { $0.band } == [0])
        #expect(mapper.sources(ofChannel: 1).map { $0.band } == [0])
    }

    @Test func flatSpectrumFillsEveryChannel() throws {
        let frequencies = try defaultBands()
        var mapper = AudioSyncMapper(bandFrequencies: frequencies)
        let frame = mapper.frame(level: 1, bands: [Float](repeating: 0.5, count: frequencies.count), beat: false)
        #expect(frame.channelValues == [UInt8](repeating: 128, count: 16))
    }

    @Test func levelBeatAndSilenceAreInWLEDUnits() throws {
        let frequencies = try defaultBands()
        var mapper = AudioSyncMapper(bandFrequencies: frequencies, smoothing: 0.5)
        let silence = [Float](repeating: 0, count: frequencies.count)

        let loud = mapper.frame(level: 1, bands: silence, beat: true)
        #expect(loud.volume == 255)
        #expect(loud.smoothedVolume == 127.5)
        #expect(loud.isPeak)
        let next = mapper.frame(level: 1, bands: silence, beat: false)
        #expect(next.smoothedVolume == 191.25)
        #expect(!next.isPeak)
        // No band above 0: WLED's own silence values.
        #expect(next.majorPeak == 1 && next.magnitude == 0)
        #expect(next.channelValues.allSatisfy { $0 == 0 })
        // Out-of-range input is clamped.
        let clipped = mapper.frame(level: 3, bands: [Float](repeating: 7, count: frequencies.count), beat: false)
        #expect(clipped.volume == 255)
        #expect(clipped.channelValues.allSatisfy { $0 == 255 })
        #expect(clipped.magnitude == mapper.magnitudeFullScale)
    }

    @Test func frameFromAnalyzerFollowsASine() throws {
        let analyzer = try AudioAnalyzer(configuration: AnalyzerConfiguration())
        var mapper = AudioSyncMapper(bandFrequencies: analyzer.bandFrequencies)
        // One second of a 100 Hz sine at half scale, stereo Int16.
        let frames = (0..<48_000).flatMap { index -> [Int16] in
            let sample = Int16(16_000 * sin(2 * Double.pi * 100 * Double(index) / 48_000))
            return [sample, sample]
        }
        var frame = AudioSyncFrame()
        for start in stride(from: 0, to: frames.count, by: 1024) {
            frames[start..<min(start + 1024, frames.count)].withUnsafeBufferPointer {
                if analyzer.push($0, channels: 2) > 0 { frame = mapper.frame(from: analyzer) }
            }
        }
        let channels = frame.channelValues
        #expect(frame.volume > 100)
        #expect((1...2).contains(channels.indices.max { channels[$0] < channels[$1] }!), "channels \(channels)")
        #expect(channels[8...].allSatisfy { $0 < 64 }, "channels \(channels)")
        #expect(abs(Double(frame.majorPeak) - 100) < 40)
    }
}
