import RaveboxButtons
import Testing

@Suite struct DebouncerTests {
    @Test func bouncingPressSettlesOnceAtTheLastEdge() {
        var debouncer = Debouncer(window: ms(20), initialLevels: [17: true])
        var settled: [LineEvent] = []
        for event in bouncing(17, to: 0, at: ms(100)) { settled += debouncer.handle(event) }
        #expect(settled.isEmpty)
        #expect(debouncer.nextDeadline == ms(101.8) + ms(20))
        settled += debouncer.advance(to: ms(121.7))
        #expect(settled.isEmpty)
        settled += debouncer.advance(to: ms(121.8))
        #expect(settled == [LineEvent(17, 0, at: ms(101.8))])
        #expect(debouncer.level(of: 17) == false)
        #expect(debouncer.nextDeadline == nil)
    }

    @Test func spikeShorterThanTheWindowIsDropped() {
        var debouncer = Debouncer(window: ms(20), initialLevels: [17: true])
        let settled =
            debouncer.handle(LineEvent(17, 0, at: ms(10))) + debouncer.handle(LineEvent(17, 1, at: ms(15)))
            + debouncer.advance(to: ms(100))
        #expect(settled.isEmpty)
        #expect(debouncer.level(of: 17) == true)
    }

    @Test func linesSettleInTheOrderTheyChanged() {
        var debouncer = Debouncer(window: ms(20), initialLevels: [17: true, 27: true])
        var settled = debouncer.handle(LineEvent(27, 0, at: ms(1)))
        settled += debouncer.handle(LineEvent(17, 0, at: ms(5)))
        settled += debouncer.handle(LineEvent(17, 1, at: ms(40)))  // both settle before this edge
        #expect(settled == [LineEvent(27, 0, at: ms(1)), LineEvent(17, 0, at: ms(5))])
    }

    @Test func zeroWindowPassesEveryChangeThrough() {
        var debouncer = Debouncer(window: 0, initialLevels: [17: true])
        #expect(debouncer.handle(LineEvent(17, 0, at: 5)) == [LineEvent(17, 0, at: 5)])
        #expect(debouncer.handle(LineEvent(17, 0, at: 6)).isEmpty)
        #expect(debouncer.handle(LineEvent(17, 1, at: 7)) == [LineEvent(17, 1, at: 7)])
    }
}
