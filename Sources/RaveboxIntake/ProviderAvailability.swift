/// Whether a provider can be used on this box, and if not, what to fix.
public enum ProviderAvailability: Sendable, Equatable {
    /// Ready.
    case available
    /// Cannot work here; the sentence says why and what to do ("yt-dlp is not installed: ...").
    case unavailable(String)
}
