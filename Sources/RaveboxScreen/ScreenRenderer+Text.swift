import Foundation
import RaveboxQR

/// Text on the canvas: measuring and drawing glyph runs, numbers and times without allocating.
extension ScreenRenderer {
    // MARK: Text

    /// Width in pixels of `text` in `glyphs`, without clipping.
    func measure<Text: Collection<Unicode.Scalar>>(_ text: Text, _ glyphs: GlyphCache) -> Int {
        var width = 0
        for scalar in text { width += Int(glyphs.glyph(at: glyphs.cell(for: scalar)).advance) }
        return width
    }

    /// `text` with its first line's top at `box.y`, clipped to `box`.
    @discardableResult
    func drawText<Text: Collection<Unicode.Scalar>>(
        _ text: Text, _ glyphs: GlyphCache, _ box: Canvas.Rect, _ color: UInt32, _ canvas: inout Canvas
    ) -> Int {
        drawText(text, glyphs, x: box.x, baseline: box.y + glyphs.ascent, maxWidth: box.width, color, &canvas)
    }

    /// Draws `text` left to right from (`x`, `baseline`) and returns where the pen stopped. Text wider than
    /// `maxWidth` ends with "…"; nothing is drawn outside `maxWidth` and the line's height. Scripts are
    /// drawn in logical order (no bidi reordering or shaping).
    @discardableResult
    func drawText<Text: Collection<Unicode.Scalar>>(
        _ text: Text, _ glyphs: GlyphCache, x: Int, baseline: Int, maxWidth: Int, _ color: UInt32,
        _ canvas: inout Canvas
    ) -> Int {
        guard maxWidth > 0 else { return x }
        let savedClip = canvas.clip
        defer { canvas.clip = savedClip }
        canvas.clip = savedClip.intersection(
            Canvas.Rect(x: x, y: baseline - glyphs.ascent, width: maxWidth, height: glyphs.lineHeight))
        var fits = true
        var total = 0
        for scalar in text {
            total += Int(glyphs.glyph(at: glyphs.cell(for: scalar)).advance)
            if total > maxWidth {
                fits = false
                break
            }
        }
        let ellipsis = glyphs.cell(for: "\u{2026}")
        let limit = fits ? x + maxWidth : x + maxWidth - Int(glyphs.glyph(at: ellipsis).advance)
        var pen = x
        for scalar in text {
            let cell = glyphs.cell(for: scalar)
            let advance = Int(glyphs.glyph(at: cell).advance)
            if pen + advance > limit { break }
            drawGlyph(cell, glyphs, x: pen, baseline: baseline, color, &canvas)
            pen += advance
        }
        if !fits {
            drawGlyph(ellipsis, glyphs, x: pen, baseline: baseline, color, &canvas)
            pen += Int(glyphs.glyph(at: ellipsis).advance)
        }
        return pen
    }

    func drawGlyph(
        _ cell: Int, _ glyphs: GlyphCache, x: Int, baseline: Int, _ color: UInt32, _ canvas: inout Canvas
    ) {
        let glyph = glyphs.glyph(at: cell)
        guard glyph.width > 0, glyph.height > 0 else { return }
        let target = canvas
        glyphs.withCoverage(of: cell) { coverage in
            target.coverage(
                coverage, pitch: glyphs.cellWidth, width: Int(glyph.width), height: Int(glyph.height),
                x: x + Int(glyph.left), y: baseline - Int(glyph.top), color)
        }
    }

    static func appendTime(_ seconds: Double, to text: inout [Unicode.Scalar]) {
        let total = seconds.isFinite ? max(0, Int(seconds)) : 0
        let minutes = total / 60
        let rest = total % 60
        appendNumber(minutes, to: &text)
        text.append(":")
        text.append(Unicode.Scalar(UInt8(48 + rest / 10)))
        text.append(Unicode.Scalar(UInt8(48 + rest % 10)))
    }

    static func appendVotes(_ votes: Int, to text: inout [Unicode.Scalar]) {
        if votes > 0 { text.append("+") }
        if votes < 0 { text.append("\u{2212}") }
        appendNumber(votes.magnitude > 99_999 ? 99_999 : Int(votes.magnitude), to: &text)
    }

    static func appendNumber(_ value: Int, to text: inout [Unicode.Scalar]) {
        var divisor = 1
        while value / divisor >= 10 { divisor *= 10 }
        while divisor > 0 {
            text.append(Unicode.Scalar(UInt8(48 + value / divisor % 10)))
            divisor /= 10
        }
    }
}
