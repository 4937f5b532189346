import Foundation
import RaveboxTestSupport
import Testing

@testable import RaveboxLights

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// 600 LEDs, every colour distinct, so a chunk at the wrong offset shows up.
private func testFrame(_ count: Int = 600, seed: Int = 0) -> [LEDColor] {
    (0..<count).map { index in
        let value = index + seed
        return LEDColor(
            red: UInt8(truncatingIfNeeded: value), green: UInt8(truncatingIfNeeded: value >> 8 &+ 7 &* seed),
            blue: UInt8(truncatingIfNeeded: value &* 31 &+ 3))
    }
}

private func colors(_ bytes: ArraySlice<UInt8>) -> [LEDColor] {
    precondition(bytes.count % 3 == 0)
    return stride(from: bytes.startIndex, to: bytes.endIndex, by: 3).map {
        LEDColor(red: bytes[$0], green: bytes[$0 + 1], blue: bytes[$0 + 2])
    }
}

private func u16(_ bytes: [UInt8], _ offset: Int) -> Int { Int(bytes[offset]) << 8 | Int(bytes[offset + 1]) }

private func u32(_ bytes: [UInt8], _ offset: Int) -> Int { u16(bytes, offset) << 16 | u16(bytes, offset + 2) }

@Suite struct WLEDRealtimeOutputTests {
    @Test func shortStripIsOneDRGBPacket() throws {
        let receiver = try UDPReceiver()
        let output = try WLEDRealtimeOutput(host: "127.0.0.1", port: receiver.port, ledCount: 490, timeoutSeconds: 2)
        let frame = testFrame(490)
        try frame.withUnsafeBufferPointer { try output.show($0) }

        let packets = try receiver.receive(1)
        #expect(packets[0].count == 2 + 490 * 3)
        #expect(packets[0][0] == 2)  // DRGB
        #expect(packets[0][1] == 2)  // seconds before WLED returns to normal mode
        #expect(colors(packets[0][2...]) == frame)
    }

    @Test func longStripIsDNRGBChunksWithStartIndices() throws {
        let receiver = try UDPReceiver()
        let output = try WLEDRealtimeOutput(
            host: "127.0.0.1", port: receiver.port, ledCount: 1200, timeoutSeconds: 255)
        let frame = testFrame(1200)
        try frame.withUnsafeBufferPointer { try output.show($0) }

        let packets = try receiver.receive(3)
        #expect(packets.map { $0[0] } == [4, 4, 4])  // DNRGB
        #expect(packets.map { $0[1] } == [255, 255, 255])
        #expect(packets.map { u16($0, 2) } == [0, 489, 978])
        #expect(packets.map { ($0.count - 4) / 3 } == [489, 489, 222])
        #expect(packets.flatMap { colors($0[4...]) } == frame)
    }
}

@Suite struct DDPOutputTests {
    @Test func frameIsSplitInto1440BytePacketsWithPushOnTheLast() throws {
        let receiver = try UDPReceiver()
        let output = try DDPOutput(host: "127.0.0.1", port: receiver.port, ledCount: 1000)
        let frame = testFrame(1000)
        try frame.withUnsafeBufferPointer { try output.show($0) }

        let packets = try receiver.receive(3)
        #expect(packets.map { $0[0] & 0xC0 } == [0x40, 0x40, 0x40])  // version 1
        #expect(packets.map { $0[0] & 0x01 } == [0, 0, 1])  // PUSH only on the last
        #expect(packets.map { $0[2] } == [0x0B, 0x0B, 0x0B])  // RGB, 8 bits per element
        #expect(packets.map { $0[3] } == [1, 1, 1])  // default output device
        #expect(packets.map { u32($0, 4) } == [0, 1440, 2880])
        #expect(packets.map { u16($0, 8) } == [1440, 1440, 120])
        #expect(packets.allSatisfy { $0.count == 10 + u16($0, 8) })
        #expect(packets.flatMap { colors($0[10...]) } == frame)
        let sequences = packets.map { $0[1] }
        #expect(sequences.allSatisfy { (1...15).contains($0) })
        #expect(sequences == [1, 2, 3])
    }

    @Test func sequenceWrapsFrom15To1() throws {
        let receiver = try UDPReceiver()
        let output = try DDPOutput(host: "127.0.0.1", port: receiver.port, ledCount: 10)
        let frame = testFrame(10)
        for _ in 0..<17 { try frame.withUnsafeBufferPointer { try output.show($0) } }

        let packets = try receiver.receive(17)
        #expect(packets.map { $0[1] } == Array(1...15) + [1, 2])
        #expect(packets.allSatisfy { $0[0] == 0x41 && u32($0, 4) == 0 && u16($0, 8) == 30 })
    }
}

@Suite struct E131OutputTests {
    @Test func frameFillsConsecutiveUniversesWithFullPackets() throws {
        let receiver = try UDPReceiver()
        let cid = UUID()
        let output = try E131Output(
            host: "127.0.0.1", port: receiver.port, ledCount: 600, startUniverse: 7, sourceName: "Ravebox test",
            priority: 150, cid: cid)
        let first = testFrame(600)
        let second = testFrame(600, seed: 1)
        try first.withUnsafeBufferPointer { try output.show($0) }
        try second.withUnsafeBufferPointer { try output.show($0) }

        let packets = try receiver.receive(8)
        let cidBytes = withUnsafeBytes(of: cid.uuid) { Array($0) }
        for packet in packets {
            try #require(packet.count == 638)
            // Root layer.
            #expect(u16(packet, 0) == 0x0010)
            #expect(u16(packet, 2) == 0)
            #expect(Array(packet[4..<16]) == Array("ASC-E1.17".utf8) + [0, 0, 0])
            #expect(u16(packet, 16) == 0x7000 | (638 - 16))
            #expect(u32(packet, 18) == 4)
            #expect(Array(packet[22..<38]) == cidBytes)
            // Framing layer.
            #expect(u16(packet, 38) == 0x7000 | (638 - 38))
            #expect(u32(packet, 40) == 2)
            #expect(Array(packet[44..<56]) == Array("Ravebox test".utf8))
            #expect(packet[56..<108].allSatisfy { $0 == 0 })
            #expect(packet[108] == 150)
            #expect(u16(packet, 109) == 0)
            #expect(packet[112] == 0)
            // DMP layer.
            #expect(u16(packet, 115) == 0x7000 | (638 - 115))
            #expect(packet[117] == 0x02)
            #expect(packet[118] == 0xA1)
            #expect(u16(packet, 119) == 0)
            #expect(u16(packet, 121) == 1)
            #expect(u16(packet, 123) == 513)
            #expect(packet[125] == 0)
        }
        #expect(packets.map { u16($0, 113) } == [7, 8, 9, 10, 7, 8, 9, 10])
        #expect(packets.map { $0[111] } == [0, 0, 0, 0, 1, 1, 1, 1])
        let leds = [170, 170, 170, 90]
        for (frameIndex, frame) in [first, second].enumerated() {
            let universes = packets[frameIndex * 4..<frameIndex * 4 + 4]
            let decoded = zip(universes, leds).flatMap { packet, count in colors(packet[126..<126 + count * 3]) }
            #expect(decoded == frame)
            // Slots past the last LED of each universe are 0.
            for (packet, count) in zip(universes, leds) {
                #expect(packet[(126 + count * 3)...].allSatisfy { $0 == 0 })
            }
        }
    }

    @Test func sequenceWrapsPerUniverse() throws {
        let receiver = try UDPReceiver()
        let output = try E131Output(host: "127.0.0.1", port: receiver.port, ledCount: 171)
        let frame = testFrame(171)
        for _ in 0..<257 { try frame.withUnsafeBufferPointer { try output.show($0) } }

        let packets = try receiver.receive(514)
        let universe1 = packets.filter { u16($0, 113) == 1 }.map { Int($0[111]) }
        let universe2 = packets.filter { u16($0, 113) == 2 }.map { Int($0[111]) }
        #expect(universe1 == Array(0...255) + [0])
        #expect(universe2 == universe1)
        #expect(packets.allSatisfy { $0[108] == 100 && Array($0[44..<52]) == Array("Ravebox\0".utf8) })
    }

    @Test(arguments: [(1, "239.255.0.1"), (256, "239.255.1.0"), (63999, "239.255.249.255")])
    func multicastGroupIsDerivedFromUniverse(universe: Int, group: String) {
        let octets = E131Output.multicastGroup(universe: universe)
        #expect("\(octets.0).\(octets.1).\(octets.2).\(octets.3)" == group)
    }

    @Test func multicastOutputOpensOneGroupPerUniverse() throws {
        let output = try E131Output(multicastPort: 5568, ledCount: 600, startUniverse: 3)
        #expect(output.universeCount == 4)
        #expect(output.name.contains("multicast"))
        #expect((0..<4).map { output.destination(ofUniverseAt: $0) } == (3...6).map { "239.255.0.\($0):5568" })
        let high = try E131Output(multicastPort: 5568, ledCount: 10, startUniverse: 0x1234)
        #expect(high.destination(ofUniverseAt: 0) == "239.255.18.52:5568")
    }

    @Test func universesBeyond63999AreRejected() {
        #expect(throws: LEDOutputError.self) {
            try E131Output(host: "127.0.0.1", ledCount: 341, startUniverse: 63998)
        }
    }
}

@Suite struct NetworkOutputSetupTests {
    @Test func unresolvableHostFailsWithTheHostInTheMessage() {
        let host = "no-such-wled.invalid"
        let attempts: [() throws -> Void] = [
            { _ = try WLEDRealtimeOutput(host: host, ledCount: 10) },
            { _ = try DDPOutput(host: host, ledCount: 10) },
            { _ = try E131Output(host: host, ledCount: 10) },
        ]
        for attempt in attempts {
            do {
                try attempt()
                Issue.record("init succeeded for \(host)")
            } catch let error as LEDOutputError {
                guard case .hostNotResolved(let failedHost, _, _) = error else {
                    Issue.record("unexpected error \(error)")
                    continue
                }
                #expect(failedHost == host)
                #expect(error.description.contains(host))
                #expect(error.description.contains("check"))
            } catch {
                Issue.record("unexpected error type \(error)")
            }
        }
    }

    @Test func namesSayProtocolAndTarget() throws {
        #expect(try WLEDRealtimeOutput(host: "127.0.0.1", port: 9, ledCount: 1).name == "WLED realtime to 127.0.0.1:9")
        #expect(try DDPOutput(host: "127.0.0.1", port: 9, ledCount: 1).name == "DDP to 127.0.0.1:9")
        #expect(try E131Output(host: "127.0.0.1", port: 9, ledCount: 1).name == "sACN to 127.0.0.1:9")
    }

    @Test func sendFailureNamesTheTarget() throws {
        // A DDP packet to the IPv4 broadcast address without SO_BROADCAST fails with EACCES.
        let output = try DDPOutput(host: "255.255.255.255", port: 4048, ledCount: 3)
        let frame = testFrame(3)
        #expect {
            try frame.withUnsafeBufferPointer { try output.show($0) }
        } throws: { error in
            guard let error = error as? LEDOutputError, case .sendFailed(let target, _) = error else { return false }
            return target == "255.255.255.255:4048" && error.description.contains("255.255.255.255:4048")
        }
    }
}
