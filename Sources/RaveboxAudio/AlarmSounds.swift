import Foundation

/// The alarm and the buzzer's answers, made by the box itself on first start (no sound files to ship or
/// license): a two-tone siren for the alarm, a rising arpeggio for "yes" and a falling buzz for "no",
/// written as 48 kHz stereo WAV files into the data folder, where an admin may replace them.
public enum AlarmSounds {
    public enum Sound: String, Sendable, CaseIterable {
        /// The alarm: party mode's random alarm and the alarm button without a yes/no answer.
        case alarm
        /// The buzzer's "yes" (`buzzerSuccessProbability`).
        case yes
        /// The buzzer's "no".
        case no

        public var fileName: String { "\(rawValue).wav" }
    }

    static let sampleRate = 48_000

    /// Writes any sound missing in `directory` (creating the folder) and returns the path of each.
    public static func prepare(in directory: String) throws -> [Sound: String] {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        var paths: [Sound: String] = [:]
        for sound in Sound.allCases {
            let path = (directory as NSString).appendingPathComponent(sound.fileName)
            if !FileManager.default.fileExists(atPath: path) {
                try wav(samples(of: sound)).write(to: URL(fileURLWithPath: path), options: .atomic)
            }
            paths[sound] = path
        }
        return paths
    }

    /// The sound's mono samples (−1...1).
    static func samples(of sound: Sound) -> [Float] {
        switch sound {
        case .alarm:
            // Four cycles of a siren sweeping 650 → 1300 → 650 Hz, 1 s each, with square-ish harmonics.
            return tone(seconds: 4) { time, _ in
                let cycle = time.truncatingRemainder(dividingBy: 1)
                return 650 * (1 + (cycle < 0.5 ? cycle * 2 : 2 - cycle * 2))
            } shape: {
                sin($0) + 0.3 * sin(3 * $0)
            }
        case .yes:
            // C5 E5 G5 C6, 0.15 s each, the last held.
            let notes: [Double] = [523.25, 659.25, 783.99, 1046.5]
            return tone(seconds: 0.9) { time, _ in
                notes[min(notes.count - 1, Int(time / 0.15))]
            } shape: {
                sin($0)
            }
        case .no:
            // Two low buzzes falling a semitone.
            return tone(seconds: 0.8) { time, _ in
                time < 0.4 ? 155.56 : 146.83
            } shape: { phase in
                sin(phase) + 0.5 * sin(2 * phase) + 0.25 * sin(3 * phase)
            }
        }
    }

    /// A tone whose frequency follows `frequency(time, index)`, phase-continuous, with 10 ms fades.
    private static func tone(
        seconds: Double, frequency: (Double, Int) -> Double, shape: (Double) -> Double
    ) -> [Float] {
        let count = Int(seconds * Double(sampleRate))
        var phase = 0.0
        var result = [Float](repeating: 0, count: count)
        let fade = Double(sampleRate) * 0.01
        for index in 0..<count {
            let time = Double(index) / Double(sampleRate)
            phase += 2 * .pi * frequency(time, index) / Double(sampleRate)
            let envelope = min(1, Double(index) / fade, Double(count - index) / fade)
            result[index] = Float(0.35 * envelope * shape(phase))
        }
        return result
    }

    /// A 16-bit stereo WAV file of `samples` on both channels.
    static func wav(_ samples: [Float]) -> Data {
        var pcm = Data(capacity: samples.count * 4)
        for sample in samples {
            let value = Int16(max(-1, min(1, sample)) * 32_767)
            withUnsafeBytes(of: value.littleEndian) { pcm.append(contentsOf: $0) }
            withUnsafeBytes(of: value.littleEndian) { pcm.append(contentsOf: $0) }
        }
        var header = Data("RIFF".utf8)
        func append32(_ value: Int) {
            withUnsafeBytes(of: UInt32(value).littleEndian) { header.append(contentsOf: $0) }
        }
        func append16(_ value: Int) {
            withUnsafeBytes(of: UInt16(value).littleEndian) { header.append(contentsOf: $0) }
        }
        append32(36 + pcm.count)
        header.append(contentsOf: Data("WAVEfmt ".utf8))
        append32(16)
        append16(1)  // PCM
        append16(2)
        append32(sampleRate)
        append32(sampleRate * 4)
        append16(4)
        append16(16)
        header.append(contentsOf: Data("data".utf8))
        append32(pcm.count)
        return header + pcm
    }
}
