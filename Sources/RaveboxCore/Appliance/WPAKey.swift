/// The WPA/WPA2 pre-shared key of a network: PBKDF2-HMAC-SHA1 of the passphrase, salted with the network name,
/// 4096 rounds, 256 bits (IEEE 802.11-2020 Annex J.4.1). wpa_supplicant takes it as `psk=` and 64 hex digits,
/// which carries a passphrase with any characters in a form its line reader cannot misread.
///
/// ```swift
/// WPAKey.hex(passphrase: "password", ssid: Array("IEEE".utf8))
/// // "f42c6fc52df0ebef9ebb4b90b38a5f902e83fe1b135a70e23aed762e9710a12e"
/// ```
public enum WPAKey {
    /// The key for `passphrase` on the network `ssid`, as 64 lower-case hex digits.
    public static func hex(passphrase: String, ssid: [UInt8]) -> String {
        pbkdf2(password: Array(passphrase.utf8), salt: ssid, rounds: 4096, length: 32)
            .map { hexDigits[Int($0 >> 4)] + hexDigits[Int($0 & 0xF)] }.joined()
    }

    private static let hexDigits = "0123456789abcdef".map(String.init)

    /// PBKDF2 (RFC 8018) with HMAC-SHA1.
    static func pbkdf2(password: [UInt8], salt: [UInt8], rounds: Int, length: Int) -> [UInt8] {
        let mac = HMACSHA1(key: password)
        var output: [UInt8] = []
        var block: UInt32 = 1
        while output.count < length {
            let index = [24, 16, 8, 0].map { UInt8(truncatingIfNeeded: block >> $0) }
            var u = mac.authenticate(salt + index)
            var t = u
            for _ in 1..<max(rounds, 1) {
                u = mac.authenticate(u)
                for i in 0..<t.count { t[i] ^= u[i] }
            }
            output += t
            block += 1
        }
        return Array(output.prefix(length))
    }
}

/// HMAC (RFC 2104) with SHA-1, the key's inner and outer pads hashed once.
struct HMACSHA1 {
    private let inner: SHA1
    private let outer: SHA1

    init(key: [UInt8]) {
        var block = key.count > 64 ? SHA1.digest(key) : key
        block += [UInt8](repeating: 0, count: 64 - block.count)
        var inner = SHA1()
        inner.compress(block.map { $0 ^ 0x36 })
        var outer = SHA1()
        outer.compress(block.map { $0 ^ 0x5C })
        self.inner = inner
        self.outer = outer
    }

    func authenticate(_ message: [UInt8]) -> [UInt8] {
        var inside = inner
        var outside = outer
        return outside.finish(inside.finish(message, after: 64), after: 64)
    }
}

/// SHA-1 (FIPS 180-4), only for PBKDF2 above: the key derivation WPA defines, not a new use of SHA-1.
struct SHA1 {
    private var state: (UInt32, UInt32, UInt32, UInt32, UInt32) = (
        0x6745_2301, 0xEFCD_AB89, 0x98BA_DCFE, 0x1032_5476, 0xC3D2_E1F0
    )

    static func digest(_ message: [UInt8]) -> [UInt8] {
        var hash = SHA1()
        return hash.finish(message, after: 0)
    }

    /// Hashes the last part of a message, `message`, of which `after` bytes (whole blocks) were compressed before.
    mutating func finish(_ message: [UInt8], after: Int) -> [UInt8] {
        let bits = UInt64(after + message.count) * 8
        var padded = message + [0x80]
        padded += [UInt8](repeating: 0, count: (120 - padded.count % 64) % 64)
        padded += (0..<8).map { UInt8(truncatingIfNeeded: bits >> (56 - 8 * $0)) }
        for start in stride(from: 0, to: padded.count, by: 64) {
            compress(Array(padded[start..<start + 64]))
        }
        return [state.0, state.1, state.2, state.3, state.4].flatMap { word in
            [24, 16, 8, 0].map { UInt8(truncatingIfNeeded: word >> $0) }
        }
    }

    /// One 64-byte block.
    mutating func compress(_ block: [UInt8]) {
        var w = [UInt32](repeating: 0, count: 80)
        for i in 0..<16 {
            w[i] =
                UInt32(block[4 * i]) << 24 | UInt32(block[4 * i + 1]) << 16 | UInt32(block[4 * i + 2]) << 8
                | UInt32(block[4 * i + 3])
        }
        for i in 16..<80 {
            let x = w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16]
            w[i] = x << 1 | x >> 31
        }
        var (a, b, c, d, e) = state
        for i in 0..<80 {
            let f: UInt32
            let k: UInt32
            switch i {
            case 0..<20: (f, k) = ((b & c) | (~b & d), 0x5A82_7999)
            case 20..<40: (f, k) = (b ^ c ^ d, 0x6ED9_EBA1)
            case 40..<60: (f, k) = ((b & c) | (b & d) | (c & d), 0x8F1B_BCDC)
            default: (f, k) = (b ^ c ^ d, 0xCA62_C1D6)
            }
            let temp = (a << 5 | a >> 27) &+ f &+ e &+ k &+ w[i]
            (e, d, c, b, a) = (d, c, b << 30 | b >> 2, a, temp)
        }
        state = (state.0 &+ a, state.1 &+ b, state.2 &+ c, state.3 &+ d, state.4 &+ e)
    }
}
