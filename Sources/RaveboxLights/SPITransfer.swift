/// Splits one frame into spidev transfers: spidev refuses a transfer larger than its buffer (`bufsiz` module
/// parameter, default 4096 bytes, readable at `/sys/module/spidev/parameters/bufsiz`).
public enum SPITransfer {
    /// spidev's default buffer size in bytes.
    public static let defaultMaxTransferSize = 4096
    /// Where the running kernel reports spidev's buffer size.
    public static let bufferSizePath = "/sys/module/spidev/parameters/bufsiz"

    /// Consecutive byte ranges covering `0..<totalBytes`, none longer than `maxTransferSize`. Does not allocate.
    public static func chunks(totalBytes: Int, maxTransferSize: Int = defaultMaxTransferSize) -> Chunks {
        precondition(maxTransferSize > 0, "SPI transfer size must be positive")
        return Chunks(totalBytes: max(0, totalBytes), maxTransferSize: maxTransferSize)
    }

    /// The ranges of ``chunks(totalBytes:maxTransferSize:)``, in order.
    public struct Chunks: Sequence, IteratorProtocol, Sendable {
        public let totalBytes: Int
        public let maxTransferSize: Int
        private var start = 0

        init(totalBytes: Int, maxTransferSize: Int) {
            self.totalBytes = totalBytes
            self.maxTransferSize = maxTransferSize
        }

        public mutating func next() -> Range<Int>? {
            guard start < totalBytes else { return nil }
            let end = Swift.min(start + maxTransferSize, totalBytes)
            defer { start = end }
            return start..<end
        }
    }
}
