/// Decodes a quadrature rotary encoder (two contacts, A and B, a quarter cycle apart) into detent steps.
///
/// Each edge moves the 2-bit state (A, B) one position along the Gray-code cycle, forward or back. The decoder
/// counts those quarter steps and reports a detent step only when the encoder arrives at a rest state, then starts
/// counting again. Contact bounce moves the state back and forth between two neighbours, which adds up to nothing;
/// an edge that repeats the current level (a bounce too short for the kernel to see both halves of) changes
/// nothing; a jump over two positions (an edge lost) is ignored. No time window is involved, so fast spins with
/// edges microseconds apart decode as well as slow ones.
///
/// Clockwise (+1) is A leading B: with the usual pull-ups and common pin to ground, A falls first,
/// `11 → 01 → 00 → 10 → 11`. Swap the lines (``ButtonMapping/RotaryEncoder/reversed``) if the box turns the other way.
///
/// ```swift
/// var encoder = RotaryDecoder(lineA: 5, lineB: 6)
/// encoder.handle(LineEvent(5, 0, at: 0))  // 0
/// encoder.handle(LineEvent(6, 0, at: 1))  // 0
/// encoder.handle(LineEvent(5, 1, at: 2))  // 0
/// encoder.handle(LineEvent(6, 1, at: 3))  // +1: back at rest, one detent clockwise
/// ```
public struct RotaryDecoder: Sendable {
    /// How many quarter steps (edges) one detent spans.
    public enum Resolution: String, Sendable, Codable, CaseIterable {
        /// One full quadrature cycle (4 edges) per detent, resting with both contacts open (e.g. EC11, KY-040).
        case full
        /// Half a cycle (2 edges) per detent, resting at both `00` and `11`.
        case half
        /// Every edge is a detent. Every state is a rest state here, so bounce shows as steps back and forth;
        /// they cancel in the sum (a batch read together is merged into one volume change) but are not filtered.
        case quarter

        var quarterSteps: Int {
            switch self {
            case .full: 4
            case .half: 2
            case .quarter: 1
            }
        }
    }

    /// The A and B lines' offsets on the chip.
    public let lineA: UInt32
    public let lineB: UInt32
    /// Quarter steps per detent.
    public let resolution: Resolution
    /// The level both contacts rest at in a detent (`true` = high: open contacts with pull-ups).
    public let restLevel: Bool

    private var a: Bool
    private var b: Bool
    /// Quarter steps since the last rest state: + clockwise.
    private var quarterSteps = 0

    /// A decoder whose lines are at `a` and `b` now (read them when the lines are requested).
    public init(
        lineA: UInt32, lineB: UInt32, resolution: Resolution = .full, restLevel: Bool = true, a: Bool = true,
        b: Bool = true
    ) {
        self.lineA = lineA
        self.lineB = lineB
        self.resolution = resolution
        self.restLevel = restLevel
        self.a = a
        self.b = b
    }

    /// Position of a state along the clockwise cycle `11 → 01 → 00 → 10` (indices 0...3).
    private static func phase(a: Bool, b: Bool) -> Int {
        switch (a, b) {
        case (true, true): 0
        case (false, true): 1
        case (false, false): 2
        case (true, false): 3
        }
    }

    private var isAtRest: Bool {
        switch resolution {
        case .full: a == restLevel && b == restLevel
        case .half: a == b
        case .quarter: true
        }
    }

    /// Takes one edge on A or B (other lines are ignored); returns the detent steps it completes: +1 clockwise,
    /// −1 counter-clockwise, 0 most of the time.
    public mutating func handle(_ event: LineEvent) -> Int {
        let before = Self.phase(a: a, b: b)
        switch event.line {
        case lineA: a = event.high
        case lineB: b = event.high
        default: return 0
        }
        let after = Self.phase(a: a, b: b)
        switch (after - before + 4) % 4 {
        case 1: quarterSteps += 1
        case 3: quarterSteps -= 1
        default: break  // no change, or two positions at once: direction unknown
        }
        guard isAtRest else { return 0 }
        let steps = quarterSteps / resolution.quarterSteps
        quarterSteps = 0
        return steps
    }
}
