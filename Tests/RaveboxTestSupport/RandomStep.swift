import PropertyBased

/// One step of a random sequence in a model-based property test: which operation (`kind`) and three small
/// numbers the operation picks its arguments from, so the shrinker can simplify a failing sequence by
/// simplifying numbers.
///
/// ```swift
/// await propertyCheck(input: RandomStep.sequences(kinds: 0...12, length: 1...80)) { steps in
///     for step in steps { try party.apply(step) }
/// }
/// ```
public struct RandomStep: Sendable, CustomStringConvertible {
    public var kind: Int
    public var a: Int
    public var b: Int
    public var c: Int

    public var description: String { "(\(kind),\(a),\(b),\(c))" }

    /// Sequences of steps, their count drawn from `length`, each kind from `kinds` and each number from 0...63.
    public static func sequences(
        kinds: ClosedRange<Int>, length: ClosedRange<Int>
    ) -> Generator<[RandomStep], some SendableSequenceType> {
        zip(Gen.int(in: kinds), Gen.int(in: 0...63), Gen.int(in: 0...63), Gen.int(in: 0...63))
            .map { RandomStep(kind: $0.0, a: $0.1, b: $0.2, c: $0.3) }.array(of: length)
    }
}
