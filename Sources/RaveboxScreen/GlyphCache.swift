import CFreeType

/// Rendered glyphs of one font at one pixel size, in memory allocated once: a fixed number of fixed-size
/// cells and an open-addressing table from Unicode scalar to cell. A miss renders the glyph with FreeType
/// into a free cell; when every cell is taken the cache starts over (a title in a new script evicts the
/// old one). Steady-state frames therefore neither allocate nor call FreeType.
final class GlyphCache {
    /// One cached glyph: where its coverage sits relative to the pen and how far the pen moves.
    struct Glyph {
        var scalar: UInt32 = 0
        var width: Int32 = 0
        var height: Int32 = 0
        /// Pixels from the pen to the bitmap's left edge.
        var left: Int32 = 0
        /// Pixels from the baseline up to the bitmap's top edge.
        var top: Int32 = 0
        /// Pen advance in pixels.
        var advance: Int32 = 0
    }

    let font: ScreenFont
    let pixelSize: Int
    let cellWidth: Int
    let cellHeight: Int
    let capacity: Int
    /// Pixels from the baseline up to the tallest ascender of the primary face.
    let ascent: Int
    /// Pixels from the baseline down to the lowest descender (positive).
    let descent: Int
    private var coverage: [UInt8]
    private var glyphs: [Glyph]
    private var table: [Int32]
    private let tableMask: Int
    private var count = 0

    init(font: ScreenFont, pixelSize: Int, capacity: Int = 256) {
        self.font = font
        self.pixelSize = max(4, pixelSize)
        cellWidth = self.pixelSize * 3 / 2 + 2
        cellHeight = self.pixelSize * 3 / 2 + 2
        self.capacity = capacity
        coverage = [UInt8](repeating: 0, count: capacity * cellWidth * cellHeight)
        glyphs = [Glyph](repeating: Glyph(), count: capacity)
        var tableSize = 1
        while tableSize < capacity * 2 { tableSize <<= 1 }
        table = [Int32](repeating: -1, count: tableSize)
        tableMask = tableSize - 1
        let face = font.faces[0]
        FT_Set_Pixel_Sizes(face, 0, FT_UInt(self.pixelSize))
        let metrics = face.pointee.size.pointee.metrics
        ascent = Int((metrics.ascender + 63) >> 6)
        descent = Int((-metrics.descender + 63) >> 6)
    }

    /// Height of a line of text in pixels.
    var lineHeight: Int { ascent + descent }

    /// The cell of `scalar`, rendering it on a miss.
    func cell(for scalar: Unicode.Scalar) -> Int {
        let key = scalar.value
        var slot = Int(truncatingIfNeeded: (UInt64(key) &* 0x9E37_79B9) >> 7) & tableMask
        while true {
            let cell = Int(table[slot])
            if cell < 0 { break }
            if glyphs[cell].scalar == key { return cell }
            slot = (slot + 1) & tableMask
        }
        if count == capacity {
            for index in table.indices { table[index] = -1 }
            count = 0
            return self.cell(for: scalar)
        }
        let cell = count
        count += 1
        table[slot] = Int32(cell)
        load(scalar, into: cell)
        return cell
    }

    /// The metrics of the glyph in `cell`.
    func glyph(at cell: Int) -> Glyph { glyphs[cell] }

    /// Calls `body` with the coverage bytes of `cell` (row-major, `cellWidth` bytes a row).
    func withCoverage<Result>(of cell: Int, _ body: (UnsafePointer<UInt8>) -> Result) -> Result {
        coverage.withUnsafeBufferPointer { body($0.baseAddress! + cell * cellWidth * cellHeight) }
    }

    private func load(_ scalar: Unicode.Scalar, into cell: Int) {
        var glyph = Glyph()
        glyph.scalar = scalar.value
        let base = cell * cellWidth * cellHeight
        for index in base..<(base + cellWidth * cellHeight) { coverage[index] = 0 }
        defer { glyphs[cell] = glyph }
        // Controls and format characters (newline, bidi marks, zero-width joiners) take no space.
        switch scalar.properties.generalCategory {
        case .control, .format, .lineSeparator, .paragraphSeparator, .surrogate: return
        default: break
        }
        var face = font.faces[0]
        var index: FT_UInt = 0
        for candidate in font.faces {
            let found = FT_Get_Char_Index(candidate, FT_ULong(scalar.value))
            if found != 0 {
                face = candidate
                index = found
                break
            }
        }
        // Index 0 is the primary face's missing-glyph box.
        FT_Set_Pixel_Sizes(face, 0, FT_UInt(pixelSize))
        guard FT_Load_Glyph(face, index, Int32(FT_LOAD_RENDER)) == 0 else { return }
        let slot = face.pointee.glyph!.pointee
        glyph.advance = Int32(truncatingIfNeeded: (slot.advance.x + 32) >> 6)
        glyph.left = slot.bitmap_left
        glyph.top = slot.bitmap_top
        let bitmap = slot.bitmap
        guard bitmap.pixel_mode == UInt8(FT_PIXEL_MODE_GRAY.rawValue), let buffer = bitmap.buffer else { return }
        let width = min(Int(bitmap.width), cellWidth)
        let height = min(Int(bitmap.rows), cellHeight)
        glyph.width = Int32(width)
        glyph.height = Int32(height)
        let pitch = Int(bitmap.pitch)
        for row in 0..<height {
            let source = buffer + row * pitch
            for column in 0..<width { coverage[base + row * cellWidth + column] = source[column] }
        }
    }
}
