import Foundation
import RaveboxTestSupport

/// Audio and helper files for the RaveboxIntake tests.
enum SourcesFixtures {
    /// A short real WAV file (0.3 s of 440 Hz): what FFmpeg accepts as music.
    static func wav(seconds: Double = 0.3) -> Data {
        WAVFile.bytes(
            WAVFile.sine(frequency: 440, seconds: seconds, sampleRate: 8_000, channels: 1), sampleRate: 8_000,
            channels: 1)
    }

    /// A WAV file with RIFF INFO tags (INAM title, IART artist), which FFmpeg reads as "title" and "artist".
    static func taggedWAV(title: String, artist: String) -> Data {
        let plain = wav()
        func chunk(_ id: String, _ payload: Data) -> Data {
            var data = Data(id.utf8)
            withUnsafeBytes(of: UInt32(payload.count).littleEndian) { data.append(contentsOf: $0) }
            data.append(payload)
            if payload.count % 2 == 1 { data.append(0) }
            return data
        }
        let info =
            Data("INFO".utf8) + chunk("INAM", Data((title + "\0").utf8)) + chunk("IART", Data((artist + "\0").utf8))
        let list = chunk("LIST", info)
        // plain = "RIFF" size "WAVE" fmt-chunk(24 bytes) data-chunk...
        let body = plain[12..<36] + list + plain[36...]
        var file = Data("RIFF".utf8)
        withUnsafeBytes(of: UInt32(4 + body.count).littleEndian) { file.append(contentsOf: $0) }
        return file + Data("WAVE".utf8) + body
    }

    /// Names of every entry of `folder`, hidden ones included, sorted.
    static func entries(_ folder: URL) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []).sorted()
    }

    /// Writes an executable /bin/sh script and returns its path.
    @discardableResult
    static func script(_ path: String, _ body: String) throws -> String {
        try ("#!/bin/sh\n" + body).write(toFile: path, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path)
        return path
    }
}
