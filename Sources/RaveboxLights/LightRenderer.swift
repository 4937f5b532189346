import RaveboxCore

/// Renders one LED output's frames from the music: the program, then monochrome, gamma, brightness and colour order.
///
/// Each call to ``render(_:into:)`` fills a caller-owned frame in place:
///
/// 1. the program writes perceptual colours (what the eye should see);
/// 2. `monochrome` replaces every LED with the frame's mean colour;
/// 3. the ``GammaTable`` turns them into linear PWM values;
/// 4. `brightness` scales the linear values;
/// 5. ``ColorOrder/wireOrdered(_:)`` reorders each LED in place, so afterwards `red` holds the first byte to send,
///    `green` the second, `blue` the third. With `colorOrder = .rgb` (the default) nothing moves; use that for
///    outputs that order the bytes themselves.
///
/// While ``LightInput/alarmFactor`` is set, every program except `disabled` shows the alarm instead (Raveberry
/// switches all LED devices to pulsing red during an alarm); `disabled` stays dark because its owner turned the
/// lights off.
///
/// Rendering neither allocates nor locks, so it runs on the light thread; changing ``settings`` rebuilds the gamma
/// table (one allocation) when the gamma changes. One instance per output, used by one thread at a time.
///
/// ```swift
/// var renderer = LightRenderer(settings: LightSettings(program: .rave, colorOrder: .grb))
/// let frame = UnsafeMutableBufferPointer<LEDColor>.allocate(capacity: output.ledCount)
/// renderer.render(input, into: frame)
/// try output.show(UnsafeBufferPointer(frame))
/// ```
public struct LightRenderer: Sendable {
    /// The output's settings; takes effect on the next frame.
    public var settings: LightSettings {
        didSet {
            if settings.gamma != gammaTable.gamma { gammaTable = GammaTable(gamma: settings.gamma) }
        }
    }
    /// The table in use for ``LightSettings/gamma``.
    public private(set) var gammaTable: GammaTable

    /// Seconds a pulse takes to decay from its beat's strength to 0.
    public static let pulseDecay: Double = 0.15
    /// Seconds rave and pulse take to fade to black once the input is silent.
    public static let silenceFade: Double = 0.5
    /// Fraction of the strip (lowest bands) that rave shows in pure red, like Raveberry's spectrum hues.
    public static let raveRedFraction: Float = 1.0 / 8
    /// Fraction of the strip (highest bands) that rave shows in pure blue: treble reads as blue, not cyan.
    public static let raveBlueFraction: Float = 1.0 / 8
    /// Hue of the highest band in rave, in turns (2/3 = blue).
    public static let raveTopHue: Float = 2.0 / 3

    private var previousTime: Double?
    private var rainbowPhase: Double = 0
    private var beatTime: Double = -.infinity
    private var beatStrength: Float = 0
    private var silentSince: Double?

    /// A renderer starting with `settings`.
    public init(settings: LightSettings = LightSettings()) {
        self.settings = settings
        gammaTable = GammaTable(gamma: settings.gamma)
    }

    /// Fills `frame` (one entry per LED) for the moment `input.time`. Does not allocate.
    public mutating func render(_ input: LightInput, into frame: UnsafeMutableBufferPointer<LEDColor>) {
        renderPicture(input, into: frame)
        finish(frame)
    }

    /// Steps 1 and 2 only: the picture as the eye should see it (program, alarm, monochrome), before gamma,
    /// brightness and colour order. ``render(_:into:)`` is this followed by ``finish(_:)``; call them separately to
    /// look at the picture in between (the lights page's preview). Does not allocate.
    public mutating func renderPicture(_ input: LightInput, into frame: UnsafeMutableBufferPointer<LEDColor>) {
        advance(to: input)
        guard !frame.isEmpty else { return }
        if settings.program != .disabled, let alarm = input.alarmFactor {
            fill(frame, with: Self.red(alarm))
        } else {
            renderProgram(input, into: frame)
        }
        if settings.monochrome { fill(frame, with: Self.mean(of: frame)) }
    }

    // MARK: - State over time

    private mutating func advance(to input: LightInput) {
        let elapsed = previousTime.map { max(0, min(1, input.time - $0)) } ?? 0
        previousTime = input.time
        rainbowPhase = (rainbowPhase + elapsed * Double(settings.speed)).truncatingRemainder(dividingBy: 1)
        if rainbowPhase < 0 { rainbowPhase += 1 }
        if input.beat {
            beatTime = input.time
            beatStrength = max(0, min(1, input.beatStrength))
        }
        if input.isSilent {
            if silentSince == nil { silentSince = input.time }
        } else {
            silentSince = nil
        }
    }

    /// 1 while music plays, falling linearly to 0 over ``silenceFade`` once the input is silent.
    private func musicFactor(at time: Double) -> Float {
        guard let since = silentSince else { return 1 }
        return Float(max(0, 1 - (time - since) / Self.silenceFade))
    }

    // MARK: - Programs

    private func renderProgram(_ input: LightInput, into frame: UnsafeMutableBufferPointer<LEDColor>) {
        switch settings.program {
        case .disabled:
            fill(frame, with: .black)
        case .fixed:
            fill(frame, with: settings.color)
        case .rainbow:
            let count = Double(frame.count)
            for index in frame.indices {
                let hue = (rainbowPhase + Double(index) / count).truncatingRemainder(dividingBy: 1)
                frame[index] = Self.hue(Float(hue))
            }
        case .rave:
            renderRave(input, into: frame)
        case .pulse:
            let age = input.time - beatTime
            let decay = age >= 0 ? Float(max(0, 1 - age / Self.pulseDecay)) : 0
            fill(frame, with: settings.color.scaled(by: decay * beatStrength * musicFactor(at: input.time)))
        case .strobe:
            let rate = Double(max(0, settings.strobeRate))
            let phase = (input.time * rate).truncatingRemainder(dividingBy: 1)
            let on = rate > 0 && (phase >= 0 ? phase : phase + 1) < 0.5
            fill(frame, with: on ? LEDColor(red: 255, green: 255, blue: 255) : .black)
        case .alarm:
            fill(frame, with: Self.red(AlarmEnvelope.cycleFactor(at: input.time)))
        }
    }

    /// LED `i` of `n` sits at position `i/(n-1)` across the bands; its brightness is the loudest band of its share
    /// when there are more bands than LEDs, else the linearly interpolated band value. Its hue goes from red (lowest
    /// ``raveRedFraction`` of the strip) through yellow, green and cyan to blue (highest ``raveBlueFraction``).
    private func renderRave(_ input: LightInput, into frame: UnsafeMutableBufferPointer<LEDColor>) {
        let music = musicFactor(at: input.time)
        input.bands.withUnsafeBufferPointer { bands in
            let last = Float(max(1, frame.count - 1))
            for index in frame.indices {
                let position = frame.count == 1 ? 0 : Float(index) / last
                // More bands than LEDs: each LED shows the loudest band of its share, so a single tone never falls
                // between two LEDs. Fewer: LEDs between two bands blend them.
                let value =
                    bands.count > frame.count
                    ? Self.loudest(bands, share: index, of: frame.count) : Self.interpolate(bands, at: position)
                let span = 1 - Self.raveRedFraction - Self.raveBlueFraction
                let hue = min(1, max(0, position - Self.raveRedFraction) / span) * Self.raveTopHue
                frame[index] = Self.hue(hue).scaled(by: value * music)
            }
        }
    }

    /// The loudest of the bands in LED `share`'s equal part of `bands` (`count` parts in all).
    private static func loudest(_ bands: UnsafeBufferPointer<Float>, share: Int, of count: Int) -> Float {
        let lower = share * bands.count / count
        let upper = max(lower + 1, (share + 1) * bands.count / count)
        var loudest: Float = 0
        for index in lower..<min(upper, bands.count) { loudest = max(loudest, bands[index]) }
        return max(0, min(1, loudest))
    }

    /// The band value at `position` in 0...1 across `bands`, linearly interpolated; 0 without bands.
    private static func interpolate(_ bands: UnsafeBufferPointer<Float>, at position: Float) -> Float {
        guard bands.count > 1 else { return bands.first.map { max(0, min(1, $0)) } ?? 0 }
        let scaled = position * Float(bands.count - 1)
        let lower = min(bands.count - 2, max(0, Int(scaled)))
        let fraction = scaled - Float(lower)
        let value = bands[lower] + (bands[lower + 1] - bands[lower]) * fraction
        return max(0, min(1, value))
    }

    // MARK: - Finishing

    /// Steps 3 to 5 in place: gamma, brightness and colour order, turning a picture into what goes on the wire.
    public func finish(_ frame: UnsafeMutableBufferPointer<LEDColor>) {
        guard !frame.isEmpty else { return }
        let brightness = max(0, min(1, settings.brightness))
        let order = settings.colorOrder
        gammaTable.values.withUnsafeBufferPointer { table in
            for index in frame.indices {
                let color = frame[index]
                let corrected = LEDColor(
                    red: table[Int(color.red)], green: table[Int(color.green)], blue: table[Int(color.blue)])
                frame[index] = order.wireOrdered(brightness < 1 ? corrected.scaled(by: brightness) : corrected)
            }
        }
    }

    private func fill(_ frame: UnsafeMutableBufferPointer<LEDColor>, with color: LEDColor) {
        for index in frame.indices { frame[index] = color }
    }

    private static func mean(of frame: UnsafeMutableBufferPointer<LEDColor>) -> LEDColor {
        var red = 0
        var green = 0
        var blue = 0
        for color in frame {
            red += Int(color.red)
            green += Int(color.green)
            blue += Int(color.blue)
        }
        let count = frame.count
        func average(_ sum: Int) -> UInt8 { UInt8((sum + count / 2) / count) }
        return LEDColor(red: average(red), green: average(green), blue: average(blue))
    }

    private static func red(_ factor: Float) -> LEDColor {
        LEDColor(red: 255, green: 0, blue: 0).scaled(by: factor)
    }

    /// Fully saturated, full-value colour of `hue` in turns (0 red, 1/3 green, 2/3 blue).
    static func hue(_ hue: Float) -> LEDColor {
        let sector = (hue - hue.rounded(.down)) * 6
        let index = min(5, Int(sector))
        let rising = UInt8((255 * (sector - Float(index))).rounded())
        let falling = 255 - rising
        switch index {
        case 0: return LEDColor(red: 255, green: rising, blue: 0)
        case 1: return LEDColor(red: falling, green: 255, blue: 0)
        case 2: return LEDColor(red: 0, green: 255, blue: rising)
        case 3: return LEDColor(red: 0, green: falling, blue: 255)
        case 4: return LEDColor(red: rising, green: 0, blue: 255)
        default: return LEDColor(red: 255, green: 0, blue: falling)
        }
    }
}
