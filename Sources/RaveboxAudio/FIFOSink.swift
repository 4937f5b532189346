import Atomics
import Logging

#if canImport(Glibc)
    import Glibc
#endif

/// A second output for the same frames the device plays: raw interleaved S16LE at the player's format
/// (48 kHz stereo by default), written to a named pipe, for Snapcast's `pipe` source
/// (`source = pipe:///tmp/snapfifo?name=Ravebox&sampleformat=48000:16:2`) or any reader.
///
/// Writes never block and never allocate: with no reader the pipe is not open (it is retried at most
/// once a second); when the reader is slow, a whole period is dropped (`droppedFrames`), so the party
/// never waits for a stream listener. Each write is one period (≤ 4 KiB, so atomic on a pipe).
public final class FIFOSink: @unchecked Sendable {
    // @unchecked: `descriptor` and `nextOpenAttempt` are used only by the output thread (after the player
    // hands the sink to it); counters are atomic.
    public let path: String
    private var descriptor: Int32 = -1
    private var nextOpenAttempt: Int64 = 0
    private let dropped = ManagedAtomic<Int>(0)
    private let written = ManagedAtomic<Int>(0)

    /// Creates the pipe at `path` if nothing is there (mode 0666), and ignores SIGPIPE for the process
    /// so a reader going away is an error code, not a crash.
    ///
    /// - Throws: `FIFOSinkError` when the path exists and is not a pipe, or cannot be created.
    public init(path: String, logger: Logger) throws(FIFOSinkError) {
        self.path = path
        signal(SIGPIPE, SIG_IGN)
        var info = stat()
        if stat(path, &info) == 0 {
            guard info.st_mode & S_IFMT == S_IFIFO else { throw .notAPipe(path: path) }
        } else if mkfifo(path, 0o666) != 0 {
            throw .cannotCreate(path: path, reason: String(cString: strerror(errno)))
        }
        logger.info("streaming what plays to the pipe \(path) (raw s16le; add it to snapserver as a pipe source)")
    }

    deinit {
        if descriptor >= 0 { close(descriptor) }
    }

    /// Frames dropped because no reader was there or it was too slow.
    public var droppedFrames: Int { dropped.load(ordering: .relaxed) }
    /// Frames delivered to a reader.
    public var writtenFrames: Int { written.load(ordering: .relaxed) }

    /// Writes one period; output thread only.
    func write(_ samples: UnsafePointer<Int16>, frames: Int, channels: Int) {
        if descriptor < 0 && !reopen() {
            dropped.wrappingIncrement(by: frames, ordering: .relaxed)
            return
        }
        let bytes = frames * channels * MemoryLayout<Int16>.size
        let result = Glibc.write(descriptor, samples, bytes)
        if result == bytes {
            written.wrappingIncrement(by: frames, ordering: .relaxed)
            return
        }
        dropped.wrappingIncrement(by: frames, ordering: .relaxed)
        if result < 0 && errno != EAGAIN {
            // EPIPE: the reader went away. Close and wait for the next one.
            close(descriptor)
            descriptor = -1
        }
    }

    /// Opens the pipe for writing without blocking; fails with ENXIO while nobody reads. At most one
    /// attempt a second.
    private func reopen() -> Bool {
        let now = Pacer.now()
        guard now >= nextOpenAttempt else { return false }
        nextOpenAttempt = now + 1_000_000_000
        descriptor = open(path, O_WRONLY | O_NONBLOCK | O_CLOEXEC)
        return descriptor >= 0
    }
}

public enum FIFOSinkError: Error, Sendable, Equatable, CustomStringConvertible {
    case notAPipe(path: String)
    case cannotCreate(path: String, reason: String)

    public var description: String {
        switch self {
        case .notAPipe(let path):
            "\(path) exists and is not a named pipe; remove it or choose another snapcast_fifo path"
        case .cannotCreate(let path, let reason):
            "cannot create the pipe \(path): \(reason); check that its folder exists and is writable"
        }
    }
}
