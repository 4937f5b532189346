/// Where each LED of a rendered picture sits on the physical strip: a rotation (`offset`) and a direction.
///
/// Programs render a picture whose LED 0 is "the start" (the lowest band in rave). A ring mounted with its data
/// input at another angle, or a strip wired from the other end, maps that picture with an offset and a reverse:
/// picture LED `i` goes to strip LED `(offset + i) mod n`, or `(offset − i) mod n` reversed. Raveberry's 16-LED
/// ring (`(16 − i + 14) % 16`) is `offset: 14, reverse: true`.
///
/// ```swift
/// let layout = StripLayout(ledCount: 16, offset: 14, reverse: true)
/// layout.place(UnsafeBufferPointer(picture), into: wire)   // no allocation
/// ```
public struct StripLayout: Sendable, Equatable {
    public let ledCount: Int
    public let offset: Int
    public let reverse: Bool

    public init(ledCount: Int, offset: Int = 0, reverse: Bool = false) {
        self.ledCount = max(0, ledCount)
        self.offset = ledCount > 0 ? ((offset % ledCount) + ledCount) % ledCount : 0
        self.reverse = reverse
    }

    /// Whether the layout moves nothing.
    public var isIdentity: Bool { offset == 0 && !reverse }

    /// The strip index of picture LED `index`.
    @inline(__always)
    public func stripIndex(of index: Int) -> Int {
        let position = reverse ? offset - index : offset + index
        return ((position % ledCount) + ledCount) % ledCount
    }

    /// Copies `picture` into `strip` in strip order; both hold ``ledCount`` LEDs (extra entries are ignored).
    public func place(_ picture: UnsafeBufferPointer<LEDColor>, into strip: UnsafeMutableBufferPointer<LEDColor>) {
        let count = min(ledCount, picture.count, strip.count)
        for index in 0..<count { strip[stripIndex(of: index)] = picture[index] }
    }
}
