/// The secret a browser holds in its `rb_session` cookie: 32 random bytes (256 bits) from the system's
/// cryptographic generator, as 43 characters of unpadded base64url. Only the server makes them; a value
/// the server did not issue finds no session.
public enum SessionToken {
    /// Length of a token the server issues.
    public static let length = 43

    /// A fresh token.
    public static func make() -> String {
        var generator = SystemRandomNumberGenerator()
        return randomText(count: length, alphabet: base64URL, using: &generator)
    }

    /// Whether `value` has the shape of a token (the length and alphabet of ``make()``), or of the 36-character
    /// ids older versions issued; anything else is not looked up at all.
    public static func isWellFormed(_ value: String) -> Bool {
        let bytes = value.utf8
        if bytes.count == length { return bytes.allSatisfy(isBase64URL) }
        return bytes.count == 36 && bytes.allSatisfy { $0 == UInt8(ascii: "-") || isHexDigit($0) }
    }

    static let base64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"

    /// A byte of ``base64URL``, by ranges (searching the alphabet for every byte of every request's cookie was
    /// a measurable share of a vote).
    static func isBase64URL(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) || (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte)
            || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || byte == UInt8(ascii: "-")
            || byte == UInt8(ascii: "_")
    }

    static func isHexDigit(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(byte)
    }
}

/// `count` characters drawn uniformly from `alphabet` (whose size must divide 256, so no character is more
/// likely than another).
func randomText(count: Int, alphabet: String, using generator: inout some RandomNumberGenerator) -> String {
    let symbols = Array(alphabet)
    precondition(256 % symbols.count == 0, "the alphabet's size must divide 256")
    return String((0..<count).map { _ in symbols[Int(generator.next() as UInt8) % symbols.count] })
}
