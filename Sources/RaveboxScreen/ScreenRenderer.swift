import Foundation
import RaveboxQR

/// Draws a `ScreenModel` in a `ScreenLayout` into an XRGB8888 frame.
///
/// It renders at an internal size (`renderWidth`×`renderHeight`) and scales up to the output with nearest
/// neighbour, so a 1080p screen costs a 640×360 render plus a copy. Everything a frame needs — the internal
/// frame, the column map, glyph caches, palettes, text scratch — is allocated in `init`; `render` does not
/// allocate in steady state (a glyph seen for the first time is rendered once into its preallocated cell,
/// and the join layout's QR codes are rebuilt only when the Wi-Fi or the address changes).
///
/// Not thread-safe: one renderer per rendering thread.
///
/// ```swift
/// let renderer = ScreenRenderer(width: 1920, height: 1080, renderWidth: 640, renderHeight: 360,
///                               font: try ScreenFont.standard())
/// var frame = [UInt32](repeating: 0, count: 1920 * 1080)
/// frame.withUnsafeMutableBufferPointer { renderer.render(model, layout: .bars, into: $0) }
/// ```
public final class ScreenRenderer {
    /// Output size in pixels: the buffer passed to `render` holds `width * height` pixels, row-major.
    public let width: Int
    /// Output height in pixels.
    public let height: Int
    /// Internal size the layouts are drawn at before scaling up.
    public let renderWidth: Int
    /// Internal height.
    public let renderHeight: Int

    let large: GlyphCache
    let medium: GlyphCache
    let small: GlyphCache
    /// The internal frame, when it differs from the output's size.
    let frame: UnsafeMutablePointer<UInt32>?
    /// For each output column, the internal column it shows.
    let columnMap: UnsafeMutablePointer<Int32>
    let background: UnsafeMutablePointer<UInt32>
    let partyBackground: UnsafeMutablePointer<UInt32>
    /// 256 fully saturated hues.
    let palette: UnsafeMutablePointer<UInt32>
    var scratch: [Unicode.Scalar]
    var wifiCode: (wifi: ScreenModel.WiFi?, code: QRCode?) = (nil, nil)
    var urlCode: (url: String, code: QRCode?) = ("", nil)

    static let text = rgb(242, 240, 250)
    static let secondaryText = rgb(172, 168, 196)
    static let track = rgb(58, 52, 84)
    static let dark = rgb(0, 0, 0)
    static let light = rgb(255, 255, 255)
    static let alarm = rgb(255, 16, 16)

    /// A renderer drawing at `renderWidth`×`renderHeight` (default: the output size) and scaling to
    /// `width`×`height`.
    public init(width: Int, height: Int, renderWidth: Int? = nil, renderHeight: Int? = nil, font: ScreenFont) {
        precondition(width > 0 && height > 0, "screen size must be positive")
        self.width = width
        self.height = height
        self.renderWidth = min(max(renderWidth ?? width, 16), width)
        self.renderHeight = min(max(renderHeight ?? height, 16), height)
        let unit = self.renderHeight
        large = GlyphCache(font: font, pixelSize: unit * 9 / 100)
        medium = GlyphCache(font: font, pixelSize: unit * 6 / 100)
        small = GlyphCache(font: font, pixelSize: unit * 45 / 1000)
        let scaled = self.renderWidth != width || self.renderHeight != height
        frame = scaled ? .allocate(capacity: self.renderWidth * self.renderHeight) : nil
        frame?.initialize(repeating: 0, count: self.renderWidth * self.renderHeight)
        columnMap = .allocate(capacity: width)
        for x in 0..<width { columnMap[x] = Int32(x * self.renderWidth / width) }
        background = .allocate(capacity: self.renderHeight)
        partyBackground = .allocate(capacity: self.renderHeight)
        for y in 0..<self.renderHeight {
            let t = y * 256 / self.renderHeight
            background[y] = rgb(10 + 14 * t / 256, 8 + 2 * t / 256, 26 + 20 * t / 256)
            partyBackground[y] = rgb(40 + 36 * t / 256, 6 + 6 * t / 256, 24 + 16 * t / 256)
        }
        palette = .allocate(capacity: 256)
        for hue in 0..<256 { palette[hue] = Self.hueColor(hue) }
        scratch = []
        scratch.reserveCapacity(64)
    }

    /// A renderer for a `width`×`height` display with the internal size `settings` asks for.
    public convenience init(width: Int, height: Int, settings: ScreenSettings, font: ScreenFont) {
        let size = settings.renderSize(forDisplayWidth: width, height: height)
        self.init(width: width, height: height, renderWidth: size.width, renderHeight: size.height, font: font)
    }

    deinit {
        frame?.deallocate()
        columnMap.deallocate()
        background.deallocate()
        partyBackground.deallocate()
        palette.deallocate()
    }

    /// Draws one frame of `model` in `layout` into `output` (`width * height` pixels, XRGB8888, row-major).
    public func render(_ model: ScreenModel, layout: ScreenLayout, into output: UnsafeMutableBufferPointer<UInt32>) {
        precondition(output.count >= width * height, "output holds \(output.count) pixels, needs \(width * height)")
        guard let outputBase = output.baseAddress else { return }
        var canvas = Canvas(pixels: frame ?? outputBase, width: renderWidth, height: renderHeight)
        let rows = model.partyMode ? partyBackground : background
        for y in 0..<renderHeight { (canvas.pixels + y * renderWidth).update(repeating: rows[y], count: renderWidth) }
        switch layout {
        case .bars:
            drawHeader(model, &canvas)
            drawBars(model.bands, in: visualArea, hueOffset: model.partyMode ? 224 : 150, &canvas)
            drawSongStrip(model, &canvas)
        case .circle:
            drawHeader(model, &canvas)
            drawCircle(model, &canvas)
            drawSongStrip(model, &canvas)
        case .pulse:
            drawPulse(model, &canvas)
            drawHeader(model, &canvas)
            drawSongStrip(model, &canvas)
        case .nowPlaying:
            drawHeader(model, &canvas)
            drawNowPlaying(model, &canvas)
        case .join:
            drawJoin(model, &canvas)
        }
        if !model.setupCode.isEmpty { drawSetupBanner(model, &canvas) }
        if !model.modCode.isEmpty { drawBanner("Mod log-in code ", model.modCode, &canvas) }
        if let factor = model.alarmFactor, factor > 0 {
            canvas.clip = Canvas.Rect(x: 0, y: 0, width: renderWidth, height: renderHeight)
            canvas.blend(canvas.clip, Self.alarm, alpha: Int(min(factor, 1) * 208))
        }
        if let frame { scale(frame, into: outputBase) }
    }

    // MARK: Geometry (internal pixels)

    var padding: Int { max(2, renderHeight / 40) }
    var headerArea: Canvas.Rect { Canvas.Rect(x: 0, y: 0, width: renderWidth, height: renderHeight * 12 / 100) }
    var visualArea: Canvas.Rect {
        let top = headerArea.maxY
        return Canvas.Rect(x: padding, y: top, width: renderWidth - 2 * padding, height: renderHeight * 76 / 100 - top)
    }

    /// Where the current song's title goes in `layout` (text never leaves it); `nil` for the join layout.
    func titleBox(_ layout: ScreenLayout) -> Canvas.Rect? {
        switch layout {
        case .bars, .circle, .pulse:
            let top = renderHeight * 78 / 100
            return Canvas.Rect(x: padding, y: top, width: renderWidth - 2 * padding, height: medium.lineHeight)
        case .nowPlaying:
            let top = headerArea.maxY + small.lineHeight + padding
            return Canvas.Rect(x: padding, y: top, width: renderWidth * 58 / 100 - padding, height: large.lineHeight)
        case .join: return nil
        }
    }

    // MARK: Parts

    func drawHeader(_ model: ScreenModel, _ canvas: inout Canvas) {
        let area = headerArea
        let baseline = area.y + (area.height + medium.ascent - medium.descent) / 2
        var right = renderWidth - padding
        if model.partyMode {
            let label = "PARTY".unicodeScalars
            let labelWidth = measure(label, small)
            let badge = Canvas.Rect(
                x: right - labelWidth - 2 * padding, y: baseline - small.ascent - padding / 2,
                width: labelWidth + 2 * padding, height: small.lineHeight + padding)
            canvas.fill(badge, palette[232])
            drawText(label, small, x: badge.x + padding, baseline: baseline, maxWidth: labelWidth, Self.dark, &canvas)
            right = badge.x - padding
        }
        guard !model.hashtag.isEmpty else { return }
        let end = drawText(
            "#".unicodeScalars, medium, x: padding, baseline: baseline, maxWidth: right, palette[40], &canvas)
        drawText(
            model.hashtag.unicodeScalars, medium, x: end, baseline: baseline, maxWidth: right - end, Self.text, &canvas)
    }

    func drawSongStrip(_ model: ScreenModel, _ canvas: inout Canvas) {
        guard let box = titleBox(.bars) else { return }
        let baseline = box.y + medium.ascent
        guard let current = model.current else {
            drawText(
                "Nothing playing: request a song!".unicodeScalars, medium, x: box.x, baseline: baseline,
                maxWidth: box.width, Self.secondaryText, &canvas)
            return
        }
        drawText(current.song.title.unicodeScalars, medium, box, Self.text, &canvas)
        let artistBaseline = box.maxY + small.ascent
        drawText(
            current.song.artist.unicodeScalars, small, x: box.x, baseline: artistBaseline, maxWidth: box.width,
            Self.secondaryText, &canvas)
        let barTop = artistBaseline + small.descent + padding / 2
        let barHeight = max(2, renderHeight / 90)
        drawProgress(current, x: box.x, y: barTop, width: box.width, barHeight: barHeight, &canvas)
    }

    /// A progress bar with "elapsed / duration" right-aligned under it when there is room.
    func drawProgress(
        _ current: ScreenModel.Playing, x: Int, y: Int, width: Int, barHeight: Int, _ canvas: inout Canvas
    ) {
        canvas.fill(Canvas.Rect(x: x, y: y, width: width, height: barHeight), Self.track)
        let done = Int(Double(width) * current.progress)
        canvas.fill(Canvas.Rect(x: x, y: y, width: done, height: barHeight), palette[Self.progressHue])
        scratch.removeAll(keepingCapacity: true)
        Self.appendTime(current.elapsed, to: &scratch)
        if current.duration > 0 {
            scratch.append(" ")
            scratch.append("/")
            scratch.append(" ")
            Self.appendTime(current.duration, to: &scratch)
        }
        let timeWidth = measure(scratch, small)
        let baseline = y + barHeight + small.ascent + 1
        guard baseline + small.descent <= renderHeight else { return }
        drawText(
            scratch, small, x: x + width - timeWidth, baseline: baseline, maxWidth: timeWidth, Self.secondaryText,
            &canvas)
    }

    static let progressHue = 200

    func drawBars(_ bands: [Float], in area: Canvas.Rect, hueOffset: Int, _ canvas: inout Canvas) {
        let count = min(bands.count, 256)
        guard count > 0, area.width > 0 else { return }
        let barWidth = max(1, area.width / count)
        let gap = barWidth >= 4 ? max(1, barWidth / 5) : 0
        let shown = min(count, area.width / barWidth)
        let left = area.x + (area.width - barWidth * shown) / 2
        for index in 0..<shown {
            let value = min(max(bands[index], 0), 1)
            let barHeight = Int(value * Float(area.height))
            guard barHeight > 0 else { continue }
            let color = palette[(hueOffset + index * 96 / shown) & 255]
            canvas.fill(
                Canvas.Rect(
                    x: left + index * barWidth, y: area.maxY - barHeight, width: barWidth - gap, height: barHeight),
                color)
        }
    }

    func drawCircle(_ model: ScreenModel, _ canvas: inout Canvas) {
        let area = visualArea
        let centerX = area.x + area.width / 2
        let centerY = area.y + area.height / 2
        let size = min(area.width, area.height)
        let inner = size * 22 / 100
        let reach = Float(size * 27 / 100)
        let hueOffset = model.partyMode ? 224 : 150
        canvas.fillCircle(
            cx: centerX, cy: centerY, radius: inner - max(2, size / 60),
            Canvas.mix(Self.track, palette[hueOffset & 255], Int(min(max(model.level, 0), 1) * 160)))
        let count = min(model.bands.count, 256)
        guard count > 0 else { return }
        let circumference = Float(inner) * 2 * .pi
        let thickness = min(max(2, Int(circumference / Float(count) / 2)), max(2, size / 30))
        for index in 0..<count {
            let value = min(max(model.bands[index], 0), 1)
            let angle = Float(index) / Float(count) * 2 * .pi - .pi / 2
            let cosine = cos(angle)
            let sine = sin(angle)
            let length = Float(inner) + max(1, value * reach)
            canvas.line(
                x0: centerX + Int(cosine * Float(inner)), y0: centerY + Int(sine * Float(inner)),
                x1: centerX + Int(cosine * length), y1: centerY + Int(sine * length), thickness: thickness,
                palette[(hueOffset + index * 128 / count) & 255])
        }
    }

    func drawPulse(_ model: ScreenModel, _ canvas: inout Canvas) {
        let beat = min(max(model.beat, 0), 1)
        let level = min(max(model.level, 0), 1)
        let hue = (model.partyMode ? 224 : 170) + Int(beat * 40)
        let full = Canvas.Rect(x: 0, y: 0, width: renderWidth, height: renderHeight)
        canvas.blend(full, palette[hue & 255], alpha: Int(beat * 72))
        let area = visualArea
        let centerX = area.x + area.width / 2
        let centerY = area.y + area.height / 2
        let size = Float(min(area.width, area.height))
        let radius = Int(size * (0.16 + 0.14 * level + 0.08 * beat))
        let ringWidth = max(2, Int(size * (0.015 + 0.03 * beat)))
        let ringRadius = radius + Int(size * 0.08) + ringWidth
        canvas.fillRing(
            cx: centerX, cy: centerY, inner: ringRadius - ringWidth, outer: ringRadius,
            Canvas.mix(palette[(hue + 24) & 255], Self.light, Int(beat * 96)))
        canvas.fillCircle(
            cx: centerX, cy: centerY, radius: radius, Canvas.mix(palette[hue & 255], Self.light, Int(beat * 128)))
    }

    func drawNowPlaying(_ model: ScreenModel, _ canvas: inout Canvas) {
        guard let box = titleBox(.nowPlaying) else { return }
        let labelBaseline = box.y - padding - small.descent
        drawText(
            "Now playing".unicodeScalars, small, x: box.x, baseline: labelBaseline, maxWidth: box.width, palette[40],
            &canvas)
        if let current = model.current {
            drawText(current.song.title.unicodeScalars, large, box, Self.text, &canvas)
            let artistBaseline = box.maxY + medium.ascent
            drawText(
                current.song.artist.unicodeScalars, medium, x: box.x, baseline: artistBaseline, maxWidth: box.width,
                Self.secondaryText, &canvas)
            drawProgress(
                current, x: box.x, y: artistBaseline + medium.descent + padding, width: box.width,
                barHeight: max(3, renderHeight / 60), &canvas)
        } else {
            drawText(
                "Nothing playing".unicodeScalars, large, box, Self.secondaryText, &canvas)
        }
        // Up next, with votes right-aligned.
        let columnX = renderWidth * 62 / 100
        let columnWidth = renderWidth - padding - columnX
        var baseline = labelBaseline
        drawText(
            "Up next".unicodeScalars, small, x: columnX, baseline: baseline, maxWidth: columnWidth, palette[40], &canvas
        )
        let rowHeight = small.lineHeight * 2 + padding
        let bottom = renderHeight * 80 / 100
        for song in model.upcoming.prefix(ScreenModel.maximumUpcoming) {
            guard baseline + rowHeight <= bottom else { break }
            baseline += small.descent + padding + small.ascent
            scratch.removeAll(keepingCapacity: true)
            Self.appendVotes(song.votes, to: &scratch)
            let votesWidth = measure(scratch, small)
            drawText(
                scratch, small, x: columnX + columnWidth - votesWidth, baseline: baseline, maxWidth: votesWidth,
                song.votes > 0 ? palette[90] : song.votes < 0 ? palette[0] : Self.secondaryText, &canvas)
            let textWidth = columnWidth - votesWidth - padding
            drawText(
                song.title.unicodeScalars, small, x: columnX, baseline: baseline, maxWidth: textWidth, Self.text,
                &canvas)
            baseline += small.lineHeight
            drawText(
                song.artist.unicodeScalars, small, x: columnX, baseline: baseline, maxWidth: textWidth,
                Self.secondaryText, &canvas)
        }
        if model.upcoming.isEmpty {
            baseline += small.descent + padding + small.ascent
            drawText(
                "Request a song!".unicodeScalars, small, x: columnX, baseline: baseline, maxWidth: columnWidth,
                Self.secondaryText, &canvas)
        }
        let spectrum = Canvas.Rect(
            x: padding, y: renderHeight * 82 / 100, width: renderWidth - 2 * padding,
            height: renderHeight * 18 / 100 - padding)
        drawBars(model.bands, in: spectrum, hueOffset: model.partyMode ? 224 : 150, &canvas)
    }

    // MARK: Output

    func scale(_ source: UnsafeMutablePointer<UInt32>, into output: UnsafeMutablePointer<UInt32>) {
        var previousRow = -1
        for y in 0..<height {
            let sourceRow = y * renderHeight / height
            let target = output + y * width
            if sourceRow == previousRow {
                target.update(from: target - width, count: width)
            } else {
                let row = source + sourceRow * renderWidth
                for x in 0..<width { target[x] = row[Int(columnMap[x])] }
            }
            previousRow = sourceRow
        }
    }

    /// Hue 0...255 around the colour wheel at full saturation, integer math.
    static func hueColor(_ hue: Int) -> UInt32 {
        let sector = hue * 6 / 256
        let fraction = (hue * 6 % 256)
        let rising = fraction
        let falling = 255 - fraction
        switch sector {
        case 0: return rgb(255, rising, 40)
        case 1: return rgb(falling, 255, 40)
        case 2: return rgb(40, 255, rising)
        case 3: return rgb(40, falling, 255)
        case 4: return rgb(rising, 40, 255)
        default: return rgb(255, 40, falling)
        }
    }
}
