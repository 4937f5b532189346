import ArgumentParser
import Foundation
import RaveboxIPC

/// `ravebox ipc-probe`: push commands between two processes through a shared segment and report loss,
/// order, latency and throughput (used by the IPC tests and `bench/ipc.sh`).
struct IPCProbeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ipc-probe",
        abstract: "Measure the shared-memory command ring between two processes (tests and benchmarks).",
        discussion: """
            create a segment, run `consume` in one process and `produce` in another, then `unlink`. Each prints one \
            JSON line; produce exits 1 if it gave up, consume exits 1 unless every command arrived once, in order.
            """,
        shouldDisplay: false)

    enum Action: String, ExpressibleByArgument, CaseIterable {
        case create, produce, consume, unlink
    }

    @Argument(help: "create, produce, consume or unlink.")
    var action: Action

    @Option(help: "Segment name, e.g. /ravebox-bench-1.")
    var segment: String

    @Option(help: "Commands to produce or expect.")
    var count: Int?

    @Option(help: "Commands per second for produce; 0 = as fast as possible.")
    var rate: Double = 0

    func validate() throws {
        if action == .produce || action == .consume {
            guard let count, count > 0 else { throw ValidationError("--count N (a positive integer) is required") }
        }
        guard rate >= 0 else { throw ValidationError("--rate must be >= 0") }
    }

    func run() throws {
        do {
            switch action {
            case .create:
                print(try IPCProbe.create(segmentName: segment))
            case .unlink:
                print(try IPCProbe.unlink(segmentName: segment))
            case .produce:
                let summary = try IPCProbe.produce(segmentName: segment, count: count ?? 0, rate: rate)
                print(summary)
                if summary.gaveUp { throw ExitCode(1) }
            case .consume:
                let summary = try IPCProbe.consume(segmentName: segment, count: count ?? 0)
                print(summary)
                if !summary.isPerfect { throw ExitCode(1) }
            }
        } catch let error as IPCError {
            FileHandle.standardError.write(Data("ravebox ipc-probe: \(error)\n".utf8))
            throw ExitCode(1)
        }
    }
}
