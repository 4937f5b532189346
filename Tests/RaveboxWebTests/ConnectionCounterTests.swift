import Foundation
import Synchronization
import Testing

@testable import RaveboxWeb

@Suite struct ConnectionCounterTests {
    static func limits(perAddress: Int = 3, total: Int = 10, limitsLoopback: Bool = false) -> ConnectionLimits {
        var limits = ConnectionLimits.box
        limits.perAddress = perAddress
        limits.total = total
        limits.limitsLoopback = limitsLoopback
        return limits
    }

    @Test func anAddressIsRefusedAtItsLimitWhileOthersAreLetIn() {
        let counter = ConnectionCounter(limits: Self.limits())
        #expect((0..<5).map { _ in counter.open(from: "10.42.0.7") } == [true, true, true, false, false])
        #expect(counter.open(from: "10.42.0.8"))
        #expect(counter.connections(from: "10.42.0.7") == 3)
        #expect(counter.total == 4)
        counter.close(from: "10.42.0.7")
        #expect(counter.open(from: "10.42.0.7"))
    }

    @Test func loopbackIsHeldOnlyToTheTotalUnlessAskedOtherwise() {
        let counter = ConnectionCounter(limits: Self.limits())
        #expect((0..<12).filter { _ in counter.open(from: "127.0.0.1") }.count == 10)
        #expect(!counter.open(from: "10.42.0.7"))
        let strict = ConnectionCounter(limits: Self.limits(limitsLoopback: true))
        #expect((0..<5).filter { _ in strict.open(from: "127.0.0.2") }.count == 3)
        #expect((0..<5).filter { _ in strict.open(from: "::1") }.count == 3)
    }

    @Test func theTotalRefusesEveryAddressUntilAConnectionCloses() {
        let counter = ConnectionCounter(limits: Self.limits(perAddress: 3, total: 4))
        #expect(counter.open(from: "10.42.0.1") && counter.open(from: "10.42.0.2"))
        #expect(counter.open(from: "10.42.0.3") && counter.open(from: nil))
        #expect(!counter.open(from: "10.42.0.4"))
        #expect(!counter.open(from: nil))
        counter.close(from: nil)
        #expect(counter.open(from: "10.42.0.4"))
    }

    @Test func connectionsOpenedAndClosedOnManyThreadsLeaveNothingBehind() {
        let counter = ConnectionCounter(limits: Self.limits(perAddress: 4, total: 100_000))
        let letIn = Atomic<Int>(0)
        DispatchQueue.concurrentPerform(iterations: 20_000) { index in
            let address = "10.42.\(index % 7).\(index % 250)"
            if counter.open(from: address) {
                letIn.add(1, ordering: .relaxed)
                counter.close(from: address)
            }
        }
        #expect(letIn.load(ordering: .relaxed) == 20_000)
        #expect(counter.total == 0)
        #expect(counter.addresses == 0)
        // And at the limit, exactly that many get in, whoever races.
        let admitted = Atomic<Int>(0)
        DispatchQueue.concurrentPerform(iterations: 200) { _ in
            if counter.open(from: "10.42.0.9") { admitted.add(1, ordering: .relaxed) }
        }
        #expect(admitted.load(ordering: .relaxed) == 4)
    }

    @Test func theTotalLeavesDescriptorsForEverythingElse() {
        #expect(ConnectionLimits.box.fitted(toDescriptorLimit: 4096).total == 2048)
        #expect(ConnectionLimits.box.fitted(toDescriptorLimit: 1024).total == 1024 - ConnectionLimits.descriptorsKept)
        #expect(ConnectionLimits.box.fitted(toDescriptorLimit: 100).total == 1)
    }
}
