/// A guest's colour for vote indication, picked from a fixed palette of twelve distinct colours.
///
/// The store gives each new voter the next number of a counter (Raveberry's `next_color_index`) and
/// keeps one random offset per party (Raveberry's `color_offset`), so the first guest is not always red;
/// this maps the two to a colour without hashing anything.
///
/// Every colour has a relative luminance of about 0.2, which gives a contrast of at least 4:1 both on white
/// and on the dark theme's `#121212` (WCAG asks 3:1 for icons), so a thumb is readable in light and dark
/// mode. Consecutive numbers are 150° apart on the colour wheel, so guests who arrive together differ
/// clearly. The thirteenth guest gets the first guest's colour again.
public struct GuestColor: Sendable, Equatable, Hashable, Codable {
    /// `#rrggbb`, lower-case.
    public var hex: String

    /// The palette, in the order numbers are given out: hues 0°, 150°, 300°, 90°, ... (steps of 150°).
    public static let palette: [GuestColor] = [
        "#e93535", "#108e4f", "#d718d7", "#4d8b0f", "#6c6cef", "#b96715",
        "#0f8a8a", "#e72586", "#109010", "#a055ec", "#80800e", "#197cdf",
    ].map { GuestColor(hex: $0) }

    public init(hex: String) {
        self.hex = hex
    }

    /// The colour of the `number`th voter of a party whose random offset is `offset`.
    ///
    /// - Parameters:
    ///   - number: the voter's number from the store's counter (0, 1, 2, ...).
    ///   - offset: the party's random offset, any integer (the store draws it once).
    public init(number: Int, offset: Int = 0) {
        let count = Self.palette.count
        let index = ((number % count) + (offset % count) + 2 * count) % count
        self = Self.palette[index]
    }
}
