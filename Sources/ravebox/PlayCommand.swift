import ArgumentParser
import Foundation
import Logging
import RaveboxAudio

/// `ravebox play FILE`: play one file through the engine's decoder and ALSA output, then report.
struct PlayCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "play",
        abstract: "Play one audio file through the engine's audio path and print a JSON report.",
        discussion: """
            For checking a sound card or a file, and for benchmarks: `ravebox play song.mp3 --audio-device null \
            --no-pacing` decodes and plays as fast as the CPU allows and reports CPU seconds per audio second.
            """)

    @Argument(help: "Audio file (MP3, FLAC, Ogg, Opus, M4A, WAV ...).")
    var file: String

    @Option(help: "ALSA device.")
    var audioDevice = "default"

    @Flag(help: "Do not pace a clockless device (null, file) to real time.")
    var noPacing = false

    struct Report: Encodable {
        var file: String
        var outcome: String
        var reason: String?
        var audioSeconds: Double
        var wallSeconds: Double
        var cpuSeconds: Double
        var cpuSecondsPerAudioSecond: Double
        var xruns: Int
        var underruns: Int
    }

    func run() throws {
        BoxLogging.bootstrap()
        let logger = Logger(label: "ravebox.play")
        let player = Player(device: audioDevice, pacing: noPacing ? .off : .auto, logger: logger)
        do {
            try player.start()
        } catch {
            FileHandle.standardError.write(Data("ravebox: \(error)\n".utf8))
            throw ExitCode(3)
        }
        let cpuBefore = Self.cpuSeconds()
        let started = Date()
        player.play(path: file, from: 0, token: 1)
        var outcome = "finished"
        var reason: String?
        var audioSeconds = 0.0
        waiting: while true {
            while let event = player.nextEvent() {
                switch event {
                case .started: continue
                case .finished: break waiting
                case .stopped:
                    outcome = "stopped"
                    break waiting
                case .failed(_, let why):
                    outcome = "failed"
                    reason = why
                    break waiting
                }
            }
            audioSeconds = max(audioSeconds, player.status.position)
            Thread.sleep(forTimeInterval: 0.005)
        }
        let status = player.status
        audioSeconds = max(audioSeconds, status.duration ?? 0)
        player.shutdown()
        let cpu = Self.cpuSeconds() - cpuBefore
        let report = Report(
            file: file, outcome: outcome, reason: reason, audioSeconds: audioSeconds,
            wallSeconds: Date().timeIntervalSince(started), cpuSeconds: cpu,
            cpuSecondsPerAudioSecond: audioSeconds > 0 ? cpu / audioSeconds : 0, xruns: status.xruns,
            underruns: status.underruns)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        print(String(decoding: try encoder.encode(report), as: UTF8.self))
        if outcome == "failed" { throw ExitCode(1) }
    }

    /// User + system CPU seconds this process used so far.
    static func cpuSeconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6 + Double(usage.ru_stime.tv_sec)
            + Double(usage.ru_stime.tv_usec) / 1e6
    }
}
