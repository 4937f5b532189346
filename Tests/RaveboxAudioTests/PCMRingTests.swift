import Foundation
import Testing

@testable import RaveboxAudio

@Suite("PCMRing")
struct PCMRingTests {
    @Test func capacityIsRoundedUpToAPowerOfTwo() {
        #expect(PCMRing(minimumCapacity: 1000).capacity == 1024)
        #expect(PCMRing(minimumCapacity: 1024).capacity == 1024)
    }

    @Test func samplesComeOutInTheOrderTheyWentIn() {
        let ring = PCMRing(minimumCapacity: 16)
        let input: [Int16] = [1, 2, 3, 4, 5, 6, 7]
        #expect(input.withUnsafeBufferPointer { ring.write($0) } == 7)
        #expect(ring.readableCount == 7)
        var output = [Int16](repeating: 0, count: 10)
        let read = output.withUnsafeMutableBufferPointer { ring.read(into: $0) }
        #expect(read == 7)
        #expect(Array(output.prefix(read)) == input)
        #expect(ring.readableCount == 0)
    }

    @Test func writesStopWhenFullAndContinueAfterReads() {
        let ring = PCMRing(minimumCapacity: 8)
        let input = (0..<12).map { Int16($0) }
        #expect(input.withUnsafeBufferPointer { ring.write($0) } == 8)
        #expect(ring.writableCount == 0)
        #expect([Int16(99)].withUnsafeBufferPointer { ring.write($0) } == 0)
        var output = [Int16](repeating: 0, count: 3)
        #expect(output.withUnsafeMutableBufferPointer { ring.read(into: $0) } == 3)
        #expect(output == [0, 1, 2])
        #expect(ring.writableCount == 3)
        #expect(Array(input[8...]).withUnsafeBufferPointer { ring.write($0) } == 3)
    }

    @Test func wrapsAroundTheEndOfStorageWithoutLosingOrder() {
        let ring = PCMRing(minimumCapacity: 64)
        var next: Int16 = 0
        var expected: Int16 = 0
        // Odd chunk sizes make every write and read straddle the end of storage at some point.
        for round in 0..<500 {
            let chunk = (0..<(round % 37 + 1)).map { _ -> Int16 in
                defer { next &+= 1 }
                return next
            }
            let written = chunk.withUnsafeBufferPointer { ring.write($0) }
            next = next &- Int16(chunk.count - written)
            var output = [Int16](repeating: -1, count: round % 23 + 1)
            let read = output.withUnsafeMutableBufferPointer { ring.read(into: $0) }
            for sample in output.prefix(read) {
                #expect(sample == expected)
                expected &+= 1
            }
        }
        #expect(expected > 5_000)
    }

    @Test func discardAllDropsEverythingWritten() {
        let ring = PCMRing(minimumCapacity: 32)
        _ = [Int16](repeating: 7, count: 20).withUnsafeBufferPointer { ring.write($0) }
        #expect(ring.discardAll() == 20)
        #expect(ring.readableCount == 0)
        #expect(ring.writableCount == ring.capacity)
        _ = [Int16(42)].withUnsafeBufferPointer { ring.write($0) }
        var output = [Int16](repeating: 0, count: 4)
        #expect(output.withUnsafeMutableBufferPointer { ring.read(into: $0) } == 1)
        #expect(output[0] == 42)
    }

    @Test func producerAndConsumerThreadsSeeEverySampleExactlyOnce() async {
        let ring = PCMRing(minimumCapacity: 256)
        let total = 500_000
        let producer = Thread {
            var next = 0
            var chunk = [Int16](repeating: 0, count: 97)
            while next < total {
                let count = min(chunk.count, total - next)
                for index in 0..<count { chunk[index] = Int16(truncatingIfNeeded: next + index) }
                let written = chunk.withUnsafeBufferPointer { ring.write(UnsafeBufferPointer(rebasing: $0[..<count])) }
                next += written
                if written == 0 { sched_yield() }
            }
        }
        producer.start()
        var received = 0
        var mismatches = 0
        var buffer = [Int16](repeating: 0, count: 61)
        while received < total {
            let read = buffer.withUnsafeMutableBufferPointer { ring.read(into: $0) }
            for index in 0..<read where buffer[index] != Int16(truncatingIfNeeded: received + index) {
                mismatches += 1
            }
            received += read
            if read == 0 { sched_yield() }
        }
        #expect(received == total)
        #expect(mismatches == 0)
    }
}
