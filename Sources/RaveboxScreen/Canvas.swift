/// Drawing primitives on an XRGB8888 pixel buffer it does not own. Everything clips to the buffer and to
/// `clip`; coordinates are integer pixels. No primitive allocates.
struct Canvas {
    let pixels: UnsafeMutablePointer<UInt32>
    let width: Int
    let height: Int
    /// Drawing outside this rectangle is dropped (used to keep text inside its box).
    var clip: Rect

    init(pixels: UnsafeMutablePointer<UInt32>, width: Int, height: Int) {
        self.pixels = pixels
        self.width = width
        self.height = height
        clip = Rect(x: 0, y: 0, width: width, height: height)
    }

    /// An axis-aligned rectangle in pixels.
    struct Rect: Equatable {
        var x: Int
        var y: Int
        var width: Int
        var height: Int

        var maxX: Int { x + width }
        var maxY: Int { y + height }

        func intersection(_ other: Rect) -> Rect {
            let left = max(x, other.x)
            let top = max(y, other.y)
            let right = min(maxX, other.maxX)
            let bottom = min(maxY, other.maxY)
            return Rect(x: left, y: top, width: max(0, right - left), height: max(0, bottom - top))
        }

        func contains(x px: Int, y py: Int) -> Bool { px >= x && px < maxX && py >= y && py < maxY }
    }

    func fill(_ rect: Rect, _ color: UInt32) {
        let area = rect.intersection(clip)
        guard area.width > 0, area.height > 0 else { return }
        for y in area.y..<area.maxY {
            (pixels + y * width + area.x).update(repeating: color, count: area.width)
        }
    }

    /// Fills `rect` mixing `color` over what is there with `alpha` 0...256.
    func blend(_ rect: Rect, _ color: UInt32, alpha: Int) {
        let area = rect.intersection(clip)
        guard area.width > 0, area.height > 0 else { return }
        for y in area.y..<area.maxY {
            let row = pixels + y * width
            for x in area.x..<area.maxX { row[x] = Self.mix(row[x], color, alpha) }
        }
    }

    /// A horizontal span from `x0` up to (excluding) `x1` on row `y`.
    @inline(__always)
    func span(y: Int, from x0: Int, to x1: Int, _ color: UInt32) {
        guard y >= clip.y, y < clip.maxY else { return }
        let left = max(x0, clip.x)
        let right = min(x1, clip.maxX)
        guard right > left else { return }
        (pixels + y * width + left).update(repeating: color, count: right - left)
    }

    /// A disc of `radius` around (`cx`, `cy`).
    func fillCircle(cx: Int, cy: Int, radius: Int, _ color: UInt32) {
        fillRing(cx: cx, cy: cy, inner: 0, outer: radius, color)
    }

    /// The area between two circles around (`cx`, `cy`).
    func fillRing(cx: Int, cy: Int, inner: Int, outer: Int, _ color: UInt32) {
        guard outer > 0 else { return }
        let outerSquared = outer * outer
        let innerSquared = inner * inner
        for dy in -outer...outer {
            let outerHalf = Self.squareRoot(outerSquared - dy * dy)
            if dy * dy >= innerSquared || inner <= 0 {
                span(y: cy + dy, from: cx - outerHalf, to: cx + outerHalf + 1, color)
            } else {
                let innerHalf = Self.squareRoot(innerSquared - dy * dy)
                span(y: cy + dy, from: cx - outerHalf, to: cx - innerHalf, color)
                span(y: cy + dy, from: cx + innerHalf + 1, to: cx + outerHalf + 1, color)
            }
        }
    }

    /// A line `thickness` pixels wide from (`x0`, `y0`) to (`x1`, `y1`), as squares stepped along it.
    func line(x0: Int, y0: Int, x1: Int, y1: Int, thickness: Int, _ color: UInt32) {
        let steps = max(abs(x1 - x0), abs(y1 - y0), 1)
        let half = thickness / 2
        for step in 0...steps {
            let x = x0 + (x1 - x0) * step / steps
            let y = y0 + (y1 - y0) * step / steps
            fill(Rect(x: x - half, y: y - half, width: thickness, height: thickness), color)
        }
    }

    /// Draws 8-bit coverage (a glyph) in `color` with its top-left at (`x`, `y`).
    func coverage(
        _ source: UnsafePointer<UInt8>, pitch: Int, width glyphWidth: Int, height glyphHeight: Int, x: Int, y: Int,
        _ color: UInt32
    ) {
        let area = Rect(x: x, y: y, width: glyphWidth, height: glyphHeight).intersection(clip)
        guard area.width > 0, area.height > 0 else { return }
        for row in area.y..<area.maxY {
            let target = pixels + row * width
            let sourceRow = source + (row - y) * pitch - x
            for column in area.x..<area.maxX {
                let alpha = Int(sourceRow[column])
                if alpha == 0 { continue }
                target[column] = alpha == 255 ? color : Self.mix(target[column], color, alpha + alpha >> 7)
            }
        }
    }

    /// `over` mixed onto `under` with `alpha` 0...256, per channel, integer math.
    @inline(__always)
    static func mix(_ under: UInt32, _ over: UInt32, _ alpha: Int) -> UInt32 {
        let a = UInt32(alpha)
        let inverse = 256 - a
        let redBlue = ((under & 0xFF00FF) &* inverse &+ (over & 0xFF00FF) &* a) >> 8 & 0xFF00FF
        let green = ((under & 0x00FF00) &* inverse &+ (over & 0x00FF00) &* a) >> 8 & 0x00FF00
        return 0xFF00_0000 | redBlue | green
    }

    /// ⌊√value⌋ for small non-negative integers.
    @inline(__always)
    static func squareRoot(_ value: Int) -> Int {
        guard value > 0 else { return 0 }
        var root = Int(Float(value).squareRoot())
        while root * root > value { root -= 1 }
        while (root + 1) * (root + 1) <= value { root += 1 }
        return root
    }
}

/// XRGB8888 from 8-bit channels.
@inline(__always)
func rgb(_ red: Int, _ green: Int, _ blue: Int) -> UInt32 {
    0xFF00_0000 | UInt32(min(max(red, 0), 255)) << 16 | UInt32(min(max(green, 0), 255)) << 8
        | UInt32(min(max(blue, 0), 255))
}
