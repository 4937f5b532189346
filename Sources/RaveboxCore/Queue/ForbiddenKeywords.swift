import Foundation

/// The setting `forbiddenKeywords` read as a list of words, and the check of a song's title and artist
/// against it.
///
/// Words are separated by commas or whitespace and matched case-insensitively, literally and as whole
/// words: `rick` forbids "Rick Astley" but not "Rickroll" or "Patrick". Raveberry searched each word as a
/// regular expression, so `.` forbade everything and `(` broke every search; here punctuation is just a
/// character (`ac/dc`, `feat.` work as written). "Whole word" means what a regex `\b` means: where the
/// word starts or ends with a letter or digit, the neighbouring character must not be one.
public struct ForbiddenKeywords: Sendable, Equatable {
    /// The words, in setting order, without duplicates (compared case-insensitively).
    public let words: [String]

    /// Reads the setting's text.
    public init(_ setting: String) {
        var seen = Set<String>()
        words = setting.split(whereSeparator: { $0 == "," || $0.isWhitespace || $0.isNewline })
            .map(String.init)
            .filter { seen.insert($0.lowercased()).inserted }
    }

    public var isEmpty: Bool { words.isEmpty }

    /// The first forbidden word found in the title or the artist, or `nil` when the song may be requested.
    public func match(title: String, artist: String) -> String? {
        words.first { Self.contains(word: $0, in: title) || Self.contains(word: $0, in: artist) }
    }

    /// Whether a song may be requested and shown in suggestions.
    public func allows(title: String, artist: String) -> Bool { match(title: title, artist: artist) == nil }

    /// Whether `text` contains `word` as a whole word, ignoring case.
    static func contains(word: String, in text: String) -> Bool {
        guard let firstOfWord = word.first, let lastOfWord = word.last else { return false }
        let checkStart = isWordCharacter(firstOfWord)
        let checkEnd = isWordCharacter(lastOfWord)
        var searchStart = text.startIndex
        while searchStart < text.endIndex,
            let found = text.range(of: word, options: .caseInsensitive, range: searchStart..<text.endIndex)
        {
            let startsClean =
                !checkStart || found.lowerBound == text.startIndex
                || !isWordCharacter(text[text.index(before: found.lowerBound)])
            let endsClean = !checkEnd || found.upperBound == text.endIndex || !isWordCharacter(text[found.upperBound])
            if startsClean, endsClean { return true }
            searchStart = text.index(after: found.lowerBound)
        }
        return false
    }

    private static func isWordCharacter(_ character: Character) -> Bool {
        character.isLetter || character.isNumber
    }
}
