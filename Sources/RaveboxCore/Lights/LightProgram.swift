/// What an LED output shows. Raw values are the names used in settings and on the lights page.
public enum LightProgram: String, CaseIterable, Codable, Sendable {
    /// All LEDs off.
    case disabled
    /// All LEDs in ``LightSettings/color`` (Raveberry's Fixed).
    case fixed
    /// Hues moving along the strip and over time at ``LightSettings/speed`` (Raveberry's Rainbow).
    case rainbow
    /// The spectrum across the strip, low bands red to high bands blue, brightness by band energy (Raveberry's
    /// Rave, class Adaptive).
    case rave
    /// ``LightSettings/color`` flashing on each beat, scaled by its strength and decaying over 150 ms.
    case pulse
    /// White flashes at ``LightSettings/strobeRate`` with 50 % duty, for party mode.
    ///
    /// - Warning: Flashing between 3 and 60 Hz can trigger seizures in people with photosensitive epilepsy
    ///   (WCAG 2.3.1 allows at most three flashes per second). Only offer it behind an explicit opt-in and warn
    ///   guests where the box plays.
    case strobe
    /// Red following the alarm envelope (``AlarmEnvelope``).
    case alarm
}
