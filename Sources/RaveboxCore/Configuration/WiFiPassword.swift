/// Wi-Fi passwords: what hostapd and wpa_supplicant can take, and the hotspot password a box makes up for itself.
///
/// Both daemons read their files line by line, so no password may hold a line break; beyond that:
/// - hostapd reads `wpa_passphrase=` as every byte after `=` up to the end of the line, 8 to 63 of them
///   (WPA2 and SAE use the same passphrase). The box writes the password there as it is.
/// - wpa_supplicant's quoted `psk="…"` stops at the last `"` and its line reader drops a `#` that it takes to
///   be outside quotes, so `"` and `#` in a password broke the home Wi-Fi. The box writes the 256-bit key
///   instead (`psk=` and 64 hex digits, ``WPAKey``), which carries any passphrase; a password of exactly 64 hex
///   digits already is such a key (IEEE 802.11 allows either).
public enum WiFiPassword {
    /// Accepted length of a passphrase, in bytes (IEEE 802.11 Annex J; hostapd and wpa_supplicant count bytes).
    public static let passphraseBytes = 8...63

    /// Why `password` cannot be a hotspot passphrase (`wifi_password`), or nil when it can.
    public static func hotspotProblem(_ password: String) -> String? {
        if let problem = lineProblem(password) { return problem }
        guard passphraseBytes.contains(password.utf8.count) else {
            return "8 to 63 bytes (letters, digits, spaces and punctuation; a letter like é counts twice)"
        }
        return nil
    }

    /// Why `password` cannot be a home Wi-Fi password (`wifi_client_password`), or nil when it can: a passphrase
    /// as for the hotspot, or the network's key as 64 hex digits.
    public static func clientProblem(_ password: String) -> String? {
        if isHexKey(password) { return nil }
        guard hotspotProblem(password) == nil else {
            return lineProblem(password)
                ?? "8 to 63 bytes (a letter like é counts twice), or the network's key as 64 hex digits"
        }
        return nil
    }

    /// A line break or another control character, which no daemon's file can carry in a password.
    static func lineProblem(_ password: String) -> String? {
        password.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F }
            ? "a password on one line, without line breaks, tabs or other control characters" : nil
    }

    /// Whether `text` is a 256-bit key written as 64 hex digits.
    public static func isHexKey(_ text: String) -> Bool {
        text.utf8.count == 64 && text.allSatisfy(\.isHexDigit)
    }

    /// Characters of made-up passwords: lower-case letters and digits without the ones read as others
    /// (0 o, 1 i l), so a password read off the screen is typed right. 31 symbols: about 4.95 bits each.
    public static let alphabet = Array("abcdefghjkmnpqrstuvwxyz23456789")

    /// A new hotspot password: 12 random characters of ``alphabet`` in groups of four (`k7tq-mn4x-c9ra`), about
    /// 59 bits. Against someone who records the handshake and guesses offline at a million passphrases a second
    /// (WPA2's PBKDF2 on a GPU) that is thousands of years; WPA3 does not allow offline guessing at all.
    public static func generate<Generator: RandomNumberGenerator>(using generator: inout Generator) -> String {
        (0..<3).map { _ in
            String((0..<4).map { _ in alphabet[Int.random(in: 0..<alphabet.count, using: &generator)] })
        }.joined(separator: "-")
    }

    /// ``generate(using:)`` with the system's random source (getrandom(2) on Linux).
    public static func generate() -> String {
        var generator = SystemRandomNumberGenerator()
        return generate(using: &generator)
    }
}
