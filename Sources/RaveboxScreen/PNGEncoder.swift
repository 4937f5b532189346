import CZlib

/// Encodes XRGB8888 frames as PNG (8-bit RGB, no interlace) for `GET /api/screen.png` and the golden tests;
/// zlib does the deflate and the CRCs.
public enum PNGEncoder {
    /// Why a frame could not be encoded.
    public enum EncodeError: Error, Equatable {
        /// `pixels` holds fewer than `width * height` values, or a side is not positive.
        case badSize(width: Int, height: Int, pixels: Int)
        /// zlib returned this status.
        case zlib(Int32)
    }

    /// The PNG file for `width`×`height` pixels of `pixels` (row-major XRGB8888).
    public static func encode(
        _ pixels: UnsafeBufferPointer<UInt32>, width: Int, height: Int
    ) throws(EncodeError)
        -> [UInt8]
    {
        guard width > 0, height > 0, pixels.count >= width * height else {
            throw .badSize(width: width, height: height, pixels: pixels.count)
        }
        // Each row: filter type 0 (None), then R, G, B.
        let rowBytes = 1 + width * 3
        var raw = [UInt8](repeating: 0, count: rowBytes * height)
        for y in 0..<height {
            var offset = y * rowBytes + 1
            for x in 0..<width {
                let pixel = pixels[y * width + x]
                raw[offset] = UInt8(truncatingIfNeeded: pixel >> 16)
                raw[offset + 1] = UInt8(truncatingIfNeeded: pixel >> 8)
                raw[offset + 2] = UInt8(truncatingIfNeeded: pixel)
                offset += 3
            }
        }
        var compressedSize = compressBound(uLong(raw.count))
        var compressed = [UInt8](repeating: 0, count: Int(compressedSize))
        let status = compress2(&compressed, &compressedSize, raw, uLong(raw.count), Z_DEFAULT_COMPRESSION)
        guard status == Z_OK else { throw .zlib(status) }
        compressed.removeSubrange(Int(compressedSize)...)

        var file: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        var header = [UInt8]()
        appendBigEndian(UInt32(width), to: &header)
        appendBigEndian(UInt32(height), to: &header)
        header += [8, 2, 0, 0, 0]  // 8 bits a channel, truecolour, deflate, adaptive filtering, no interlace
        appendChunk("IHDR", header, to: &file)
        appendChunk("IDAT", compressed, to: &file)
        appendChunk("IEND", [], to: &file)
        return file
    }

    /// The PNG file for a whole frame array.
    public static func encode(_ pixels: [UInt32], width: Int, height: Int) throws(EncodeError) -> [UInt8] {
        let result = pixels.withUnsafeBufferPointer { buffer in
            Result { () throws(EncodeError) in try encode(buffer, width: width, height: height) }
        }
        return try result.get()
    }

    private static func appendChunk(_ type: String, _ data: [UInt8], to file: inout [UInt8]) {
        appendBigEndian(UInt32(data.count), to: &file)
        let typeAndData = Array(type.utf8) + data
        file += typeAndData
        let crc = typeAndData.withUnsafeBufferPointer { UInt32(crc32(0, $0.baseAddress, uInt($0.count))) }
        appendBigEndian(crc, to: &file)
    }

    private static func appendBigEndian(_ value: UInt32, to bytes: inout [UInt8]) {
        bytes += [UInt8(value >> 24), UInt8(value >> 16 & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)]
    }
}
