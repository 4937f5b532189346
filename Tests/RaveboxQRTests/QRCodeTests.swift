import Foundation
import RaveboxTestSupport
import Testing

@testable import RaveboxQR

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

@Suite struct JoinCodeTests {
    @Test func wifiPayloadEscapesTheSpecialCharacters() {
        #expect(QRCode.wifiPayload(name: "Ravebox", password: "party-time") == "WIFI:T:WPA;S:Ravebox;P:party-time;;")
        #expect(QRCode.wifiPayload(name: "Open Box", password: nil) == "WIFI:T:nopass;S:Open Box;;")
        #expect(QRCode.wifiPayload(name: "Open", password: "") == "WIFI:T:nopass;S:Open;;")
        #expect(
            QRCode.wifiPayload(name: #"a;b,c:d"e\f"#, password: "p;w")
                == #"WIFI:T:WPA;S:a\;b\,c\:d\"e\\f;P:p\;w;;"#)
    }

    /// A real QR reader (zbarimg, Debian's zbar-tools, installed by `make test`) reads back what was encoded.
    @Test(arguments: ["WIFI:T:WPA;S:Party\\; Box;P:dance-all-night;;", "http://ravebox.lan/", "Ünïcödé 🎉"])
    func aQRReaderReadsTheCodeBack(text: String) throws {
        let code = try #require(QRCode(text: text))
        let folder = try TemporaryFolder("qr")
        defer { folder.remove() }
        let image = folder.file("code.pgm")
        try Data(code.pgm(pixelsPerModule: 4)).write(to: URL(fileURLWithPath: image))
        let result = try ProcessRunner.run("/usr/bin/zbarimg", ["--quiet", "--raw", "-Sbinary", image])
        #expect(result.status == 0, "zbarimg: \(result.standardError)")
        #expect(result.standardOutput.trimmingSuffix("\n") == text)
    }
}

extension String {
    fileprivate func trimmingSuffix(_ suffix: String) -> String {
        hasSuffix(suffix) ? String(dropLast(suffix.count)) : self
    }
}
