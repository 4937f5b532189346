import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Runs a program with an argument vector (never through a shell), captures its output and bounds its run time.
///
/// ```swift
/// let result = try await Subprocess(
///     executable: "yt-dlp", arguments: ["--dump-json", "--", "ytsearch1:daft punk"], timeout: .seconds(30)
/// ).run()
/// if result.succeeded { print(String(decoding: result.standardOutput, as: UTF8.self)) }
/// ```
///
/// The child starts in its own process group with standard input from `/dev/null`, default signal handling and
/// no file descriptors of ours but its standard output and error. On timeout or task cancellation the whole group
/// gets SIGTERM, then SIGKILL after `gracePeriod`; helpers the program left behind (yt-dlp's ffmpeg, a shell
/// script's `sleep`) are killed when it exits, so no process outlives its run and the output pipes always close.
public struct Subprocess: Sendable {
    /// A path ("/usr/bin/yt-dlp") or a bare name looked up in `PATH` ("yt-dlp").
    public var executable: String
    /// Arguments after the program name, passed as they are.
    public var arguments: [String]
    /// The child's whole environment; nil inherits this process's.
    public var environment: [String: String]?
    /// How long the program may run before it is stopped; nil waits for ever.
    public var timeout: Duration?
    /// Time between SIGTERM and SIGKILL when the program is stopped.
    public var gracePeriod: Duration
    /// Bytes kept of each of standard output and error; the rest is read and dropped (so the child never blocks).
    public var outputLimit: Int

    /// Describes a run; nothing starts until `run()`.
    public init(
        executable: String, arguments: [String] = [], environment: [String: String]? = nil,
        timeout: Duration? = nil, gracePeriod: Duration = .seconds(2), outputLimit: Int = 4 << 20
    ) {
        self.executable = executable
        self.arguments = arguments
        self.environment = environment
        self.timeout = timeout
        self.gracePeriod = gracePeriod
        self.outputLimit = outputLimit
    }

    /// Starts the program and waits for it to end.
    ///
    /// A non-zero exit status is not an error: look at `SubprocessResult.termination`.
    /// - Throws: `SubprocessError.executableNotFound`, `.spawnFailed`, `.timedOut` (after the program was stopped)
    ///   or `.cancelled` (the calling task was cancelled; the program was stopped).
    public func run() async throws(SubprocessError) -> SubprocessResult {
        let environment = environment ?? ProcessInfo.processInfo.environment
        guard let path = Subprocess.resolve(executable, searchPath: environment["PATH"]) else {
            throw .executableNotFound(executable)
        }
        let child = try await Self.spawnRetryingBusyText(path: path, arguments: arguments, environment: environment)
        let limit = outputLimit
        let grace = gracePeriod
        let timeout = timeout
        let watchdog = Task {
            guard let timeout else { return }
            try await Task.sleep(for: timeout)
            child.stop(reason: .timedOut, grace: grace)
        }
        let outcome = await withTaskCancellationHandler {
            async let output = OnThread.run("subprocess-out") { Self.drain(child.output, limit: limit) }
            async let errors = OnThread.run("subprocess-err") { Self.drain(child.errors, limit: limit) }
            async let status = OnThread.run("subprocess-wait") { child.waitForExit() }
            return await (status, output, errors)
        } onCancel: {
            child.stop(reason: .cancelled, grace: grace)
        }
        watchdog.cancel()
        let (status, output, errors) = outcome
        switch child.stopReason {
        case .timedOut:
            throw .timedOut(
                executable: executable, after: timeout ?? .zero,
                standardError: String(decoding: errors.data, as: UTF8.self))
        case .cancelled: throw .cancelled(executable: executable)
        case nil: break
        }
        return SubprocessResult(
            termination: status, standardOutput: output.data, standardError: errors.data,
            outputTruncated: output.truncated || errors.truncated)
    }

    /// The absolute path `name` runs as: itself when it contains a "/", else the first executable file of that
    /// name in `searchPath` (a PATH-style list; nil uses this process's PATH). Nil when there is none.
    public static func resolve(_ name: String, searchPath: String? = nil) -> String? {
        if name.contains("/") { return FileManager.default.isExecutableFile(atPath: name) ? name : nil }
        let folders = (searchPath ?? ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin")
            .split(separator: ":")
        for folder in folders where !folder.isEmpty {
            let candidate = "\(folder)/\(name)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    /// `spawn`, retried a few times on ETXTBSY: an executable written a moment ago (an updated yt-dlp) stays
    /// "busy" while any child forked meanwhile by another thread still holds the writer's descriptor.
    private static func spawnRetryingBusyText(
        path: String, arguments: [String], environment: [String: String]
    ) async throws(SubprocessError) -> RunningChild {
        var attempt = 0
        while true {
            do {
                return try spawn(path: path, arguments: arguments, environment: environment)
            } catch {
                attempt += 1
                guard case .spawnFailed(_, ETXTBSY) = error, attempt < 10 else { throw error }
                try? await Task.sleep(for: .milliseconds(20 * attempt))
            }
        }
    }

    private static func spawn(
        path: String, arguments: [String], environment: [String: String]
    ) throws(SubprocessError) -> RunningChild {
        var outPipe: [Int32] = [-1, -1]
        var errPipe: [Int32] = [-1, -1]
        guard openPipe(&outPipe) else { throw .spawnFailed(executable: path, errno: errno) }
        guard openPipe(&errPipe) else {
            let code = errno
            close(outPipe[0])
            close(outPipe[1])
            throw .spawnFailed(executable: path, errno: code)
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, outPipe[1], 1)
        posix_spawn_file_actions_adddup2(&actions, errPipe[1], 2)
        // Descriptors of ours that lack O_CLOEXEC (sockets, database files) must not leak into the child.
        if let closeFrom = Self.addCloseFrom { _ = closeFrom(&actions, 3) }

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        posix_spawnattr_setflags(
            &attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        posix_spawnattr_setpgroup(&attributes, 0)
        var mask = sigset_t()
        sigemptyset(&mask)
        posix_spawnattr_setsigmask(&attributes, &mask)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGPIPE, SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGCHLD] { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)

        let argv = ([path] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            for pointer in argv { free(pointer) }
            for pointer in envp { free(pointer) }
        }
        var pid: pid_t = 0
        let result = posix_spawn(&pid, path, &actions, &attributes, argv, envp)
        close(outPipe[1])
        close(errPipe[1])
        guard result == 0 else {
            close(outPipe[0])
            close(errPipe[0])
            throw .spawnFailed(executable: path, errno: result)
        }
        return RunningChild(pid: pid, output: outPipe[0], errors: errPipe[0])
    }

    /// glibc's `posix_spawn_file_actions_addclosefrom_np` (2.34+), looked up at run time: Swift's Glibc module
    /// does not export it, and an older C library simply goes without.
    private static let addCloseFrom:
        (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>?, Int32) -> Int32)? = {
            guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addclosefrom_np")
            else { return nil }
            return unsafeBitCast(
                symbol, to: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>?, Int32) -> Int32).self)
        }()

    /// A pipe whose ends close on exec (Glibc's module does not export `pipe2`).
    private static func openPipe(_ ends: inout [Int32]) -> Bool {
        guard pipe(&ends) == 0 else { return false }
        for end in ends { _ = fcntl(end, F_SETFD, FD_CLOEXEC) }
        return true
    }

    /// Reads `descriptor` to its end, keeping at most `limit` bytes, then closes it.
    private static func drain(_ descriptor: Int32, limit: Int) -> (data: Data, truncated: Bool) {
        defer { close(descriptor) }
        var kept = Data()
        var truncated = false
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            if count <= 0 { break }
            let room = max(0, limit - kept.count)
            if count > room { truncated = true }
            if room > 0 { kept.append(contentsOf: buffer[0..<min(count, room)]) }
        }
        return (kept, truncated)
    }
}

/// How a finished program ended and what it printed.
public struct SubprocessResult: Sendable {
    /// How the program ended.
    public enum Termination: Sendable, Equatable, CustomStringConvertible {
        /// It exited with this status.
        case exited(Int32)
        /// A signal ended it.
        case signalled(Int32)

        /// "exit status 1", "signal 9".
        public var description: String {
            switch self {
            case .exited(let status): "exit status \(status)"
            case .signalled(let signal): "signal \(signal)"
            }
        }
    }

    /// How the program ended.
    public var termination: Termination
    /// Its standard output, at most `Subprocess.outputLimit` bytes.
    public var standardOutput: Data
    /// Its standard error, at most `Subprocess.outputLimit` bytes.
    public var standardError: Data
    /// Whether output was dropped because it went past the limit.
    public var outputTruncated: Bool

    /// Whether the program exited with status 0.
    public var succeeded: Bool { termination == .exited(0) }
}

/// Why a program could not be run to its end.
public enum SubprocessError: Error, Sendable, Equatable, CustomStringConvertible {
    /// No executable file by that name (or on PATH).
    case executableNotFound(String)
    /// The kernel refused to start it (`errno` from posix_spawn: permissions, no memory, not an executable).
    case spawnFailed(executable: String, errno: Int32)
    /// It ran past its timeout and was stopped; what it had written to standard error.
    case timedOut(executable: String, after: Duration, standardError: String)
    /// The calling task was cancelled and the program was stopped.
    case cancelled(executable: String)

    /// What happened, for the log.
    public var description: String {
        switch self {
        case .executableNotFound(let name): "\(name): no such executable (not found or not executable, PATH searched)"
        case .spawnFailed(let executable, let code): "\(executable): cannot start (\(String(cString: strerror(code))))"
        case .timedOut(let executable, let after, let standardError):
            "\(executable): stopped after running longer than \(after)"
                + (standardError.isEmpty ? "" : "; stderr: \(standardError.suffix(500))")
        case .cancelled(let executable): "\(executable): stopped because its task was cancelled"
        }
    }
}

/// A spawned child: its pid and the read ends of its output pipes, plus what the waiter and the stoppers share.
private final class RunningChild: Sendable {
    enum StopReason: Sendable {
        case timedOut
        case cancelled
    }

    struct State {
        /// Set once the child has exited (before it is reaped, so its pid and group id cannot be reused while
        /// `exited` is false and a signal is sent under the lock).
        var exited = false
        var stopReason: StopReason?
    }

    let pid: pid_t
    let output: Int32
    let errors: Int32
    private let state = Mutex(State())

    init(pid: pid_t, output: Int32, errors: Int32) {
        self.pid = pid
        self.output = output
        self.errors = errors
    }

    var stopReason: StopReason? { state.withLock { $0.stopReason } }

    /// Sends SIGTERM to the group now and SIGKILL after `grace`, unless the child has exited by then.
    func stop(reason: StopReason, grace: Duration) {
        let first = state.withLock { state -> Bool in
            guard !state.exited, state.stopReason == nil else { return false }
            state.stopReason = reason
            kill(-pid, SIGTERM)
            return true
        }
        guard first else { return }
        Task.detached { [self] in
            try? await Task.sleep(for: grace)
            state.withLock { state in
                if !state.exited { kill(-pid, SIGKILL) }
            }
        }
    }

    /// Blocks until the child exits, kills what is left of its process group, reaps it.
    func waitForExit() -> SubprocessResult.Termination {
        var info = siginfo_t()
        while waitid(P_PID, id_t(pid), &info, WEXITED | WNOWAIT) != 0 && errno == EINTR {}
        state.withLock { state in
            state.exited = true
            kill(-pid, SIGKILL)
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let signal = status & 0x7f
        return signal == 0 ? .exited((status >> 8) & 0xff) : .signalled(signal)
    }
}
