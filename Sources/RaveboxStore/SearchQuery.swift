/// What a guest typed into the search box, as FTS5 queries that cannot fail to parse, and the ranking of
/// the songs they match.
///
/// Only letters and digits count: everything else (quotes, `*`, `-`, parentheses, emoji) separates words,
/// and every word is quoted, so FTS5 operators a guest types (`OR`, `NEAR`, `NOT`) are plain words too.
///
/// ```swift
/// SearchQuery("Bohem rhap").prefixMatch  // "bohem"* AND "rhap"*
/// ```
///
/// `package`, like ``SearchTokenizer``: the search fuzz target (Fuzz/) checks its bounds and its FTS5 syntax.
package struct SearchQuery: Sendable, Equatable {
    /// At most this many words count; a long paste costs no more than a short query.
    package static let maxWords = 8
    /// Longer words are cut to this many characters (no song title needs more to be found).
    package static let maxWordLength = 40

    /// The words, lowercased, in the order typed.
    package let words: [String]

    package init(_ text: String) {
        words = Array(
            text.split { !($0.isLetter || $0.isNumber) }
                .prefix(Self.maxWords)
                .map { String($0.prefix(Self.maxWordLength)).lowercased() })
    }

    package var isEmpty: Bool { words.isEmpty }

    /// Every word as a prefix, all required, in any column: `"bohem"* AND "rhap"*`.
    package var prefixMatch: String {
        words.map { "\"\($0)\"*" }.joined(separator: " AND ")
    }

    /// Every word as a whole word, all required, in any column: `"queen" AND "bohemian"`.
    package var wholeWordMatch: String {
        words.map { "\"\($0)\"" }.joined(separator: " AND ")
    }

    /// ``prefixMatch`` where the first word starts the title or the artist:
    /// `{title artist} : ^"bohem"* AND "rhap"*`.
    package var leadingMatch: String {
        (["{title artist} : ^\"\(words[0])\"*"] + words.dropFirst().map { "\"\($0)\"*" }).joined(separator: " AND ")
    }

    /// ``prefixMatch`` limited to the tag columns of `song_fts` (not what guests typed before).
    package var tagPrefixMatch: String {
        "{title artist album} : (\(prefixMatch))"
    }

    /// The words joined by single spaces: how a request text is remembered.
    package var normalizedText: String { words.joined(separator: " ") }

    /// How well a song's fields match, higher is better: for each word, its best column (title 4, artist 3,
    /// what guests typed for it 2, album 1), doubled when the word is a whole word there rather than the
    /// start of a longer one; plus 2 when the first word starts the title or the artist ("love" ranks
    /// "Love Me Do" above "All You Need Is Love").
    ///
    /// Whole numbers on purpose: songs that match equally well tie, and popularity decides between them.
    ///
    /// - Parameter tokens: the index's own tokenizer (``SearchTokenizer``), so "é" typed compares equal to
    ///   the "e" of "Beyoncé" exactly when the index says it matches.
    package func quality(
        title: String, artist: String, album: String, requests: String, tokens: (String) throws -> [String]
    ) rethrows -> Int {
        let columns = [
            (try tokens(title), 4), (try tokens(artist), 3), (try tokens(requests), 2), (try tokens(album), 1),
        ]
        let folded = try words.flatMap(tokens)
        var total = 0
        for word in folded {
            var best = 0
            for (columnTokens, weight) in columns where 2 * weight > best {
                for token in columnTokens where token.hasPrefix(word) {
                    best = max(best, token.utf8.count == word.utf8.count ? 2 * weight : weight)
                }
            }
            total += best
        }
        if let first = folded.first,
            columns[0].0.first?.hasPrefix(first) == true || columns[1].0.first?.hasPrefix(first) == true
        {
            total += 2
        }
        return total
    }
}
