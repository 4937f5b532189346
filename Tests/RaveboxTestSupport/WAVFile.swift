import Foundation

/// Writes PCM WAV files for tests: signed 16-bit little-endian, interleaved.
public enum WAVFile {
    /// Samples of a sine at `frequency` Hz, `amplitude` of full scale, the same on every channel.
    public static func sine(
        frequency: Double, seconds: Double, sampleRate: Int = 48_000, channels: Int = 2, amplitude: Double = 0.5
    ) -> [Int16] {
        let frames = Int(seconds * Double(sampleRate))
        var samples = [Int16]()
        samples.reserveCapacity(frames * channels)
        for frame in 0..<frames {
            let value = Int16(
                (sin(2 * Double.pi * frequency * Double(frame) / Double(sampleRate)) * amplitude * 32767).rounded())
            for _ in 0..<channels { samples.append(value) }
        }
        return samples
    }

    /// Samples as little-endian bytes, the way ALSA's file plugin writes S16_LE.
    public static func pcmBytes(_ samples: [Int16]) -> Data {
        var pcm = Data(capacity: samples.count * 2)
        for sample in samples { withUnsafeBytes(of: sample.littleEndian) { pcm.append(contentsOf: $0) } }
        return pcm
    }

    /// The bytes of a canonical 44-byte-header PCM WAV file holding `samples`.
    public static func bytes(_ samples: [Int16], sampleRate: Int = 48_000, channels: Int = 2) -> Data {
        let pcm = pcmBytes(samples)
        var header = Data()
        func u32(_ value: Int) { withUnsafeBytes(of: UInt32(value).littleEndian) { header.append(contentsOf: $0) } }
        func u16(_ value: Int) { withUnsafeBytes(of: UInt16(value).littleEndian) { header.append(contentsOf: $0) } }
        header.append(contentsOf: Array("RIFF".utf8))
        u32(36 + pcm.count)
        header.append(contentsOf: Array("WAVEfmt ".utf8))
        u32(16)
        u16(1)  // PCM
        u16(channels)
        u32(sampleRate)
        u32(sampleRate * channels * 2)
        u16(channels * 2)
        u16(16)
        header.append(contentsOf: Array("data".utf8))
        u32(pcm.count)
        return header + pcm
    }

    /// Writes `samples` as a WAV file and returns the PCM payload bytes (what a decoder must reproduce).
    @discardableResult
    public static func write(
        _ samples: [Int16], to path: String, sampleRate: Int = 48_000, channels: Int = 2
    ) throws
        -> Data
    {
        try bytes(samples, sampleRate: sampleRate, channels: channels).write(to: URL(fileURLWithPath: path))
        return pcmBytes(samples)
    }

    /// Writes `samples` as the WAV file `name` in `folder` and returns the file's path.
    @discardableResult
    public static func write(
        _ samples: [Int16], in folder: String, name: String = "tone.wav", sampleRate: Int = 48_000, channels: Int = 2
    ) throws -> String {
        let path = folder + "/" + name
        try write(samples, to: path, sampleRate: sampleRate, channels: channels)
        return path
    }
}
