/// Brightness envelope of the alarm, shared by the LEDs and the screen.
///
/// Raveberry's timings (reference/raveberry.md §6, "Alarm (utility)"): four cycles of 2.5 s, each ramping up
/// linearly over 0.45 s, holding full until 1.3 s, ramping down until 2.1 s and staying off until 2.5 s; 0 after
/// the fourth cycle (10 s).
public enum AlarmEnvelope {
    /// Length of one cycle in seconds.
    public static let cycleDuration = 2.5
    /// Number of cycles before the envelope stays at 0.
    public static let cycleCount = 4
    /// Total length in seconds (10 s).
    public static var duration: Double { cycleDuration * Double(cycleCount) }

    /// The envelope in 0...1 at `seconds` after the alarm started; 0 before the start and after ``duration``.
    public static func factor(at seconds: Double) -> Float {
        guard seconds >= 0, seconds < duration else { return 0 }
        return cycleFactor(at: seconds.truncatingRemainder(dividingBy: cycleDuration))
    }

    /// The envelope of one cycle at `seconds` in `0..<2.5`, repeating for ever; used by the `alarm` program when no
    /// alarm is playing, as a preview.
    public static func cycleFactor(at seconds: Double) -> Float {
        let phase = seconds - (seconds / cycleDuration).rounded(.down) * cycleDuration
        switch phase {
        case ..<0.45: return Float(phase / 0.45)
        case ..<1.3: return 1
        case ..<2.1: return Float(1 - (phase - 1.3) / 0.8)
        default: return 0
        }
    }
}
