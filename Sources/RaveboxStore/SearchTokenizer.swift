import GRDB

/// Splits text into the tokens `song_fts` indexes (`unicode61 remove_diacritics 2`: lowercased, accents of
/// Latin letters removed, letters and digits only), for ranking search results in Swift exactly as the
/// index matched them. `package`: the search fuzz target (Fuzz/) holds its ASCII path to unicode61's output.
package struct SearchTokenizer {
    private let tokenizer: any FTS5Tokenizer

    /// A tokenizer for one search; `db` must stay open while it is used.
    package init(_ db: Database) throws {
        tokenizer = try db.makeTokenizer(.unicode61(diacritics: .remove))
    }

    /// The tokens of `text`. ASCII, most of a library, is split in Swift: unicode61 does the same to it.
    package func tokens(_ text: String) throws -> [String] {
        if text.utf8.allSatisfy({ $0 < 0x80 }) {
            return text.utf8.split { !Self.isASCIITokenByte($0) }.map {
                String(decoding: $0, as: UTF8.self).lowercased()
            }
        }
        return try tokenizer.tokenize(document: text).map(\.token)
    }

    private static func isASCIITokenByte(_ byte: UInt8) -> Bool {
        (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
    }
}
