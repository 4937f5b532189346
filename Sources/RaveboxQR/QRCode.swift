import CQRencode
import Foundation

/// A QR code made with libqrencode: a square of dark and light modules, for the join panel and page.
public struct QRCode: Sendable, Equatable {
    /// Modules per side.
    public let size: Int
    /// Row-major, `true` = dark module.
    public let modules: [Bool]

    /// Encodes `text` as 8-bit data with error-correction level M. Returns `nil` when the text is too
    /// long for any QR version.
    public init?(text: String) {
        guard let code = QRcode_encodeString(text, 0, QR_ECLEVEL_M, QR_MODE_8, 1) else { return nil }
        defer { QRcode_free(code) }
        let width = Int(code.pointee.width)
        size = width
        modules = (0..<(width * width)).map { code.pointee.data[$0] & 1 == 1 }
    }

    /// Whether the module at column `x`, row `y` is dark.
    public func isDark(x: Int, y: Int) -> Bool { modules[y * size + x] }

    /// The code as SVG, one path of unit squares inside a quiet zone of 4 modules.
    public func svg(pixelsPerModule: Int = 4, label: String? = nil) -> String {
        let side = size + 8
        var path = ""
        for y in 0..<size {
            for x in 0..<size where isDark(x: x, y: y) { path += "M\(x + 4) \(y + 4)h1v1h-1z" }
        }
        let pixels = side * pixelsPerModule
        return """
            <svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 \(side) \(side)" width="\(pixels)" \
            \(label.map { "role=\"img\" aria-label=\"\(Self.escapeAttribute($0))\" " } ?? "")\
            height="\(pixels)" shape-rendering="crispEdges"><rect width="\(side)" height="\(side)" fill="#fff"/>\
            <path d="\(path)" fill="#000"/></svg>
            """
    }

    /// The code as a binary PGM image (`P5`), `pixelsPerModule` pixels a module with the 4-module quiet
    /// zone: what a QR reader such as `zbarimg` reads back in tests.
    public func pgm(pixelsPerModule: Int = 4) -> [UInt8] {
        let side = (size + 8) * pixelsPerModule
        var pixels = [UInt8](repeating: 255, count: side * side)
        for y in 0..<side {
            for x in 0..<side {
                let moduleX = x / pixelsPerModule - 4
                let moduleY = y / pixelsPerModule - 4
                if (0..<size).contains(moduleX), (0..<size).contains(moduleY), isDark(x: moduleX, y: moduleY) {
                    pixels[y * side + x] = 0
                }
            }
        }
        return Array("P5\n\(side) \(side)\n255\n".utf8) + pixels
    }

    static func escapeAttribute(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "\"", with: "&quot;")
            .replacingOccurrences(of: "<", with: "&lt;")
    }

    /// The text of a Wi-Fi QR code (the `WIFI:` scheme phones' cameras understand): `T:WPA` with a
    /// password, `T:nopass` without; `\`, `;`, `,`, `:` and `"` in the name or password are escaped.
    public static func wifiPayload(name: String, password: String?) -> String {
        func escaped(_ text: String) -> String {
            var result = ""
            for character in text {
                if "\\;,:\"".contains(character) { result.append("\\") }
                result.append(character)
            }
            return result
        }
        guard let password, !password.isEmpty else { return "WIFI:T:nopass;S:\(escaped(name));;" }
        return "WIFI:T:WPA;S:\(escaped(name));P:\(escaped(password));;"
    }
}
