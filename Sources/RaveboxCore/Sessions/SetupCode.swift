/// The one-time code that proves the person setting up a new box is next to it: eight characters of
/// Crockford's base32 (no I, L, O, U), shown as `K7QM-2XWD` on the box's screen, written to the boot
/// partition and printed in the log. Whoever claims the box (sets the admin password) must type it, so the
/// first stranger on the open Wi-Fi cannot. 40 bits: with the login limits, guessing takes longer than any
/// party.
public struct SetupCode: Sendable, Equatable, CustomStringConvertible {
    /// The eight characters, without the dash.
    public let characters: String

    /// Crockford's base32 alphabet.
    static let alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

    /// A fresh random code.
    public static func make() -> SetupCode {
        var generator = SystemRandomNumberGenerator()
        return SetupCode(characters: randomText(count: 8, alphabet: alphabet, using: &generator))
    }

    private init(characters: String) {
        self.characters = characters
    }

    /// Reads a code as a person types or a file holds it: case, spaces and dashes do not matter, and the
    /// letters people confuse with digits count as those digits (O as 0, I and L as 1). `nil` when it is not
    /// eight characters of the alphabet.
    public init?(_ text: String) {
        let mapped = text.uppercased().compactMap { character -> Character? in
            switch character {
            case " ", "-", "\n", "\t", "\r": nil
            case "O": "0"
            case "I", "L": "1"
            default: character
            }
        }
        guard mapped.count == 8, mapped.allSatisfy(Self.alphabet.contains) else { return nil }
        characters = String(mapped)
    }

    /// `K7QM-2XWD`.
    public var description: String { "\(characters.prefix(4))-\(characters.suffix(4))" }

    /// Whether `typed` is this code, comparing every character whatever the first difference, so the time
    /// taken says nothing of how much was right.
    public func matches(_ typed: String) -> Bool {
        guard let other = SetupCode(typed) else { return false }
        return zip(characters.utf8, other.characters.utf8).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
    }
}
