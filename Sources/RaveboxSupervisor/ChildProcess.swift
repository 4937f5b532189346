import CRaveboxSys
import Foundation

/// A running child process of the supervisor (`ravebox engine` or `ravebox web`), with its standard
/// output and error forwarded line by line to the supervisor's, each line prefixed with the child's name.
final class ChildProcess: Sendable {
    let name: String
    let pid: pid_t
    /// Monotonic seconds at which it was started.
    let startedAt: Double

    /// Starts `executable` with `arguments` (without argv[0]).
    init(name: String, executable: String, arguments: [String], startedAt: Double) throws {
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else { throw SupervisorError.spawnFailed(name: name, errno: errno) }
        let readEnd = fds[0]
        let writeEnd = fds[1]
        let argv = [executable] + arguments
        var cArguments: [UnsafeMutablePointer<CChar>?] = argv.map { strdup($0) }
        cArguments.append(nil)
        defer { for pointer in cArguments { free(pointer) } }
        let pid = rb_spawn(executable, &cArguments, writeEnd, writeEnd)
        let spawnErrno = errno
        close(writeEnd)
        guard pid > 0 else {
            close(readEnd)
            throw SupervisorError.spawnFailed(name: name, errno: spawnErrno)
        }
        self.name = name
        self.pid = pid
        self.startedAt = startedAt
        Self.forward(fd: readEnd, prefix: "[\(name)] ")
    }

    /// Reads lines from `fd` until end of file and writes them to standard error with `prefix`.
    private static func forward(fd: Int32, prefix: String) {
        let thread = Thread {
            let handle = FileHandle(fileDescriptor: fd, closeOnDealloc: true)
            var pending = Data()
            while true {
                let chunk = handle.availableData
                if chunk.isEmpty { break }
                pending.append(chunk)
                while let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                    let line = pending[pending.startIndex...newline]
                    FileHandle.standardError.write(Data(prefix.utf8) + line)
                    pending.removeSubrange(pending.startIndex...newline)
                }
            }
            if !pending.isEmpty { FileHandle.standardError.write(Data(prefix.utf8) + pending + Data("\n".utf8)) }
        }
        thread.name = "forward-\(prefix)"
        thread.start()
    }

    func signal(_ signal: Int32) {
        kill(pid, signal)
    }

    /// Reaps the child if it exited. Returns its exit description, or `nil` while it runs.
    func reap() -> ExitStatus? {
        var status: Int32 = 0
        let result = waitpid(pid, &status, WNOHANG)
        if result == 0 { return nil }
        if result < 0 { return .unknown }
        // WIFEXITED / WEXITSTATUS / WTERMSIG are macros Swift cannot import; decode the status word.
        let termSignal = status & 0x7f
        if termSignal == 0 { return .exited(code: (status >> 8) & 0xff) }
        return .killed(signal: termSignal)
    }

    enum ExitStatus: Equatable, CustomStringConvertible {
        case exited(code: Int32)
        case killed(signal: Int32)
        case unknown

        var description: String {
            switch self {
            case .exited(let code): "exited with code \(code)"
            case .killed(let signal): "killed by signal \(signal) (\(String(cString: strsignal(signal))))"
            case .unknown: "vanished"
            }
        }
    }
}

/// Why the supervisor could not do its job.
public enum SupervisorError: Error, CustomStringConvertible {
    case spawnFailed(name: String, errno: Int32)

    public var description: String {
        switch self {
        case .spawnFailed(let name, let errno):
            "cannot start the \(name) process: \(String(cString: strerror(errno)))"
        }
    }
}
