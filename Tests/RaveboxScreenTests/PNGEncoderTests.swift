import Testing

@testable import RaveboxScreen

@Suite struct PNGEncoderTests {
    @Test func encodedFrameDecodesToTheSamePixels() throws {
        let pixels: [UInt32] = (0..<(37 * 11)).map { 0xFF00_0000 | UInt32($0 &* 2_654_435_761 & 0xFF_FFFF) }
        let png = try PNGEncoder.encode(pixels, width: 37, height: 11)
        let decoded = try #require(ScreenFixtures.decodePNG(png))
        #expect(decoded.width == 37 && decoded.height == 11 && decoded.pixels == pixels)
    }

    @Test func tooFewPixelsIsAnError() {
        #expect(throws: PNGEncoder.EncodeError.badSize(width: 4, height: 4, pixels: 3)) {
            try PNGEncoder.encode([0, 0, 0], width: 4, height: 4)
        }
    }
}
