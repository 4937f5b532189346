/// How the box answers the connectivity probes phones send after joining its Wi-Fi
/// (see `docs/captive-portal.md`).
public enum CaptivePortalMode: String, Sendable, Codable, CaseIterable {
    /// Probes from a phone that has not opened the party page yet are redirected to it, so the phone
    /// opens its captive-portal sheet; after the first visit they get the "online" answer.
    case popup
    /// Probes always get the "online" answer: no pop-up, guests come through the QR code.
    case quiet
}
