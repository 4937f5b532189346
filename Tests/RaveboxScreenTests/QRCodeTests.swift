import Foundation
import Testing

@testable import RaveboxScreen

@Suite struct QRCodeTests {
    @Test func wifiJoinTextEncodesToAValidSizedCode() throws {
        let code = try #require(QRCode(text: "WIFI:T:WPA;S:Ravebox;P:party-time;;"))
        // QR versions are 21 + 4 (v - 1) modules wide.
        #expect((code.size - 21) % 4 == 0)
        #expect(code.size >= 25)
        // The three finder patterns: the top-left corner module is dark, the one inside the separator light.
        #expect(code.isDark(x: 0, y: 0))
        #expect(code.isDark(x: code.size - 1, y: 0))
        #expect(code.isDark(x: 0, y: code.size - 1))
        #expect(!code.isDark(x: 7, y: 7))
    }

    @Test func longerTextNeedsALargerCode() throws {
        let short = try #require(QRCode(text: "http://ravebox.local/"))
        let long = try #require(QRCode(text: String(repeating: "http://ravebox.local/", count: 10)))
        #expect(long.size > short.size)
    }

    @Test func svgDrawsOneSquarePerDarkModule() throws {
        let code = try #require(QRCode(text: "ravebox"))
        let squares = code.svg().components(separatedBy: "h1v1h-1z").count - 1
        #expect(squares == code.modules.filter { $0 }.count)
    }
}
