import Foundation
import Testing

@testable import RaveboxCore

@Suite struct WPAKeyTests {
    func hex(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02x", $0) }.joined() }

    @Test func sha1MatchesFIPS180Vectors() {
        #expect(hex(SHA1.digest(Array("abc".utf8))) == "a9993e364706816aba3e25717850c26c9cd0d89d")
        #expect(
            hex(SHA1.digest(Array(repeating: UInt8(ascii: "a"), count: 1000)))
                == "291e9a6c66994949b57ba5e650361e98fc36b1ba")
        #expect(hex(SHA1.digest([])) == "da39a3ee5e6b4b0d3255bfef95601890afd80709")
    }

    @Test func pbkdf2MatchesRFC6070() {
        let password = Array("password".utf8)
        let salt = Array("salt".utf8)
        #expect(
            hex(WPAKey.pbkdf2(password: password, salt: salt, rounds: 1, length: 20))
                == "0c60c80f961f0e71f3a9b524af6012062fe037a6")
        #expect(
            hex(WPAKey.pbkdf2(password: password, salt: salt, rounds: 4096, length: 20))
                == "4b007901b765489abead49d926f721d065a429c1")
    }

    @Test func wpaKeysMatchIEEE80211AnnexJ() {
        #expect(
            WPAKey.hex(passphrase: "password", ssid: Array("IEEE".utf8))
                == "f42c6fc52df0ebef9ebb4b90b38a5f902e83fe1b135a70e23aed762e9710a12e")
        #expect(
            WPAKey.hex(passphrase: "ThisIsAPassword", ssid: Array("ThisIsASSID".utf8))
                == "0dc0d6eb90555ed6419756b9a15ec3e3209b63df707dd508d14581f8982721af")
    }
}
