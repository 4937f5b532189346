import Foundation

/// The party's hashtags: guests submit them, the navbar shows a random active one.
///
/// A submitted text is trimmed, runs of whitespace inside become one space, any leading `#`s are dropped
/// and one `#` is put back, so `"  ##summer   vibes "` is stored as `#summer vibes`. Whether a new hashtag
/// shows at once is the setting `hashtagsActive` (otherwise the admin activates it).
public enum Hashtag {
    /// Longest hashtag in Unicode code points, including the `#` (Raveberry's `Tag.text` column, 100); also the
    /// longest text a guest may submit. Code points, not `Character`s: one letter can carry any number of
    /// combining marks and still be one `Character`, so only code points bound what is stored and drawn.
    public static let maximumLength = 100

    /// What the navbar shows when no hashtag is active yet.
    public static let placeholder = "Add your first hashtag!"

    /// The hashtag as it is stored and shown.
    ///
    /// - Throws: ``RuleError/badRequest(_:)`` when the text or the hashtag is longer than ``maximumLength`` code
    ///   points, when nothing is left after trimming, or when it holds control characters.
    public static func normalize(_ text: String) throws(RuleError) -> String {
        guard text.unicodeScalars.count <= maximumLength else { throw tooLong }
        let words = text.split(whereSeparator: { $0.isWhitespace || $0.isNewline })
        var body = words.joined(separator: " ")
        while body.hasPrefix("#") {
            body.removeFirst()
        }
        body = body.trimmingCharacters(in: .whitespaces)
        guard !body.isEmpty else {
            throw .badRequest("A hashtag needs at least one letter or digit after the #.")
        }
        guard !body.unicodeScalars.contains(where: { CharacterSet.controlCharacters.contains($0) }) else {
            throw .badRequest("A hashtag cannot contain control characters.")
        }
        let tag = "#" + body
        guard tag.unicodeScalars.count <= maximumLength else { throw tooLong }
        return tag
    }

    static let tooLong = RuleError.badRequest("A hashtag can be at most \(maximumLength) characters long.")

    /// A random hashtag among the active ones, or ``placeholder`` when there are none.
    public static func pick(from active: [String], using generator: inout some RandomNumberGenerator) -> String {
        active.randomElement(using: &generator) ?? placeholder
    }
}
