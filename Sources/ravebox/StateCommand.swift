import ArgumentParser
import Foundation
import RaveboxCore
import RaveboxStore

/// `ravebox state`: print the queue and current song from the database (for scripts and debugging).
struct StateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "state",
        abstract: "Print the current song and the queue from the database as JSON.")

    @OptionGroup var options: BoxOptions

    struct Output: Encodable {
        var currentSong: RaveboxCore.CurrentSong?
        var queue: [RaveboxCore.QueueEntry]
    }

    func run() async throws {
        let config = try options.resolve()
        let store: Store
        do {
            store = try Store(path: BoxPaths(config).database)
        } catch {
            FileHandle.standardError.write(Data("ravebox: \(error)\n".utf8))
            throw ExitCode(3)
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let output = Output(currentSong: try store.currentSong(), queue: try await store.queue())
        print(String(decoding: try encoder.encode(output), as: UTF8.self))
    }
}
