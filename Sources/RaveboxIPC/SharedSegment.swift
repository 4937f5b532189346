import Atomics
import Glibc

/// The POSIX shared-memory segment that the supervisor, the engine and the web process all map.
///
/// It holds, at fixed offsets (`SegmentLayout`): a header (magic number, layout version, size, creator pid),
/// a heartbeat per process, a change counter per group of SQLite tables, three doorbells (commands, changes,
/// telemetry), the command ring (web → engine) and the telemetry snapshot
/// (engine → web).
///
/// The supervisor creates it before starting the children; each child opens it by name:
///
/// ```swift
/// // supervisor
/// let segment = try SharedSegment.create(name: "/ravebox-main")
/// // engine or web
/// let segment = try SharedSegment.open(name: "/ravebox-main")
/// try segment.commands.push(Command(kind: .skip))        // web
/// while let command = segment.commands.pop() { ... }     // engine
/// ```
///
/// The segment outlives the processes (it lives in `/dev/shm` until `unlink()` or a reboot), so a child that
/// restarts finds the rings and counters where its predecessor left them. Dropping the object unmaps the
/// memory but does not remove the segment.
///
/// Linux only: the doorbells are futexes.
///
/// ## Why `@unchecked Sendable` is safe
/// Every stored property is an immutable `let`: the name, the mapping's base address (fixed for the object's
/// lifetime; `munmap` happens only in `deinit`, when no other reference can exist) and `Sendable`
/// tripwires. The mapped memory itself is only touched through atomics (indices, counters, sequence words,
/// seqlock fields) or through ring slots whose ownership is handed over by an acquire/release pair on the
/// ring's indices, so no two threads or processes ever access the same non-atomic byte without a
/// happens-before edge between them. The single-producer/single-consumer rule of each ring endpoint is the one
/// obligation left to callers; `EndpointTripwire` turns a violation within one process into a crash.
public final class SharedSegment: @unchecked Sendable {
    /// "RBOXIPC1" as a big-endian number: identifies a Ravebox segment.
    public static let magic: UInt64 = 0x5242_4F58_4950_4331
    /// Version of the binary layout. Bump it whenever `SegmentLayout` or a record encoding changes.
    public static let layoutVersion: UInt32 = 4
    /// Bytes mapped by every process.
    public static let size = SegmentLayout.totalSize

    /// The normalised name, always starting with `/` (for example `/ravebox-main`).
    public let name: String
    let base: UnsafeMutableRawPointer

    let commandProducer = EndpointTripwire("CommandRing.push")
    let commandConsumer = EndpointTripwire("CommandRing.pop")
    let telemetryPublisher = EndpointTripwire("TelemetrySnapshot.publish")

    private init(name: String, base: UnsafeMutableRawPointer) {
        self.name = name
        self.base = base
    }

    deinit {
        munmap(base, Self.size)
    }

    // MARK: Creating and opening

    /// Creates the segment, replacing any segment of the same name left over from an earlier run.
    ///
    /// Processes that still map the old segment keep their (now orphaned) copy; the supervisor calls this
    /// before starting the children. The memory is zero-filled and the header written; the magic number is
    /// stored last, so a process opening the segment concurrently sees either nothing valid or everything.
    ///
    /// - Parameter name: `/ravebox-<something>`; a missing leading `/` is added.
    public static func create(name: String) throws(IPCError) -> SharedSegment {
        try create(name: name, stampingLayoutVersion: layoutVersion)
    }

    /// `create(name:)` with another layout version in the header; tests use it to play a process from
    /// another build.
    static func create(name: String, stampingLayoutVersion version: UInt32) throws(IPCError) -> SharedSegment {
        let name = try normalized(name)
        _ = try unlink(normalizedName: name)
        let descriptor = shm_open(name, O_CREAT | O_EXCL | O_RDWR | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw .systemCall(operation: "shm_open(O_CREAT)", name: name, errno: errno)
        }
        defer { close(descriptor) }
        guard ftruncate(descriptor, off_t(size)) == 0 else {
            let code = errno
            shm_unlink(name)
            throw .systemCall(operation: "ftruncate", name: name, errno: code)
        }
        let base: UnsafeMutableRawPointer
        do {
            base = try map(descriptor: descriptor, length: size, name: name)
        } catch {
            shm_unlink(name)
            throw error
        }
        memset(base, 0, size)
        let segment = SharedSegment(name: name, base: base)
        segment.bindAtomics(initialize: true)
        base.storeBytes(of: version, toByteOffset: SegmentLayout.versionOffset, as: UInt32.self)
        base.storeBytes(of: UInt64(size), toByteOffset: SegmentLayout.totalSizeOffset, as: UInt64.self)
        base.storeBytes(of: getpid(), toByteOffset: SegmentLayout.creatorPIDOffset, as: Int32.self)
        segment.magicWord.store(magic, ordering: .releasing)
        return segment
    }

    /// Opens a segment the supervisor created, checking that it speaks this binary's layout.
    ///
    /// - Throws: `IPCError.notFound` when there is no such segment, `.layoutVersionMismatch` (naming both
    ///   versions) when it comes from another build, `.notRaveboxSegment` or `.sizeMismatch` when it is not
    ///   ours or damaged.
    public static func open(name: String) throws(IPCError) -> SharedSegment {
        let name = try normalized(name)
        let descriptor = shm_open(name, O_RDWR | O_CLOEXEC, 0)
        guard descriptor >= 0 else {
            let code = errno
            if code == ENOENT { throw .notFound(name: name) }
            throw .systemCall(operation: "shm_open", name: name, errno: code)
        }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else {
            throw .systemCall(operation: "fstat", name: name, errno: errno)
        }
        let foundSize = Int(status.st_size)
        guard foundSize >= SegmentLayout.headerSize else {
            throw .notRaveboxSegment(name: name, foundMagic: 0)
        }
        // Map what is there first: a segment from another build may have another size, and the version
        // message is the one that tells the person what to do.
        let probe = try map(descriptor: descriptor, length: SegmentLayout.headerSize, name: name)
        let magicStorage = probe.assumingMemoryBound(to: UnsafeAtomic<UInt64>.Storage.self)
        let foundMagic = UnsafeAtomic<UInt64>(at: magicStorage).load(ordering: .acquiring)
        let foundVersion = probe.load(fromByteOffset: SegmentLayout.versionOffset, as: UInt32.self)
        let recordedSize = probe.load(fromByteOffset: SegmentLayout.totalSizeOffset, as: UInt64.self)
        munmap(probe, SegmentLayout.headerSize)
        guard foundMagic == magic else {
            throw .notRaveboxSegment(name: name, foundMagic: foundMagic)
        }
        guard foundVersion == layoutVersion else {
            throw .layoutVersionMismatch(name: name, found: foundVersion, expected: layoutVersion)
        }
        guard recordedSize == UInt64(size), foundSize >= size else {
            throw .sizeMismatch(name: name, found: min(foundSize, Int(clamping: recordedSize)), expected: size)
        }
        let base = try map(descriptor: descriptor, length: size, name: name)
        let segment = SharedSegment(name: name, base: base)
        segment.bindAtomics(initialize: false)
        return segment
    }

    /// Whether a segment of that name exists (whatever its version).
    public static func exists(name: String) -> Bool {
        guard let name = try? normalized(name) else { return false }
        let descriptor = shm_open(name, O_RDONLY | O_CLOEXEC, 0)
        if descriptor >= 0 {
            close(descriptor)
            return true
        }
        return errno != ENOENT
    }

    /// Removes the segment's name; processes that map it keep using their mapping until they drop it.
    ///
    /// - Returns: `false` when there was no segment of that name.
    @discardableResult
    public static func unlink(name: String) throws(IPCError) -> Bool {
        try unlink(normalizedName: normalized(name))
    }

    /// Removes this segment's name (see `unlink(name:)`); the mapping stays valid until the object goes away.
    @discardableResult
    public func unlink() throws(IPCError) -> Bool {
        try Self.unlink(normalizedName: name)
    }

    /// Pid of the process that created the segment (the supervisor, in production).
    public var creatorPID: Int32 {
        base.load(fromByteOffset: SegmentLayout.creatorPIDOffset, as: Int32.self)
    }

    // MARK: Helpers

    private static func unlink(normalizedName name: String) throws(IPCError) -> Bool {
        if shm_unlink(name) == 0 { return true }
        let code = errno
        if code == ENOENT { return false }
        throw .systemCall(operation: "shm_unlink", name: name, errno: code)
    }

    /// Adds the leading `/` and checks the rules of shm_open(3): one leading slash, no other, at most
    /// NAME_MAX (255) bytes.
    static func normalized(_ name: String) throws(IPCError) -> String {
        let withSlash = name.hasPrefix("/") ? name : "/" + name
        let body = withSlash.utf8.dropFirst()
        if body.isEmpty {
            throw .invalidName(name, reason: "it is empty; use a name like /ravebox-main")
        }
        if body.contains(UInt8(ascii: "/")) || body.contains(0) {
            throw .invalidName(name, reason: "only the first character may be \"/\" and NUL is not allowed")
        }
        if withSlash.utf8.count > 255 {
            throw .invalidName(name, reason: "it is longer than 255 bytes")
        }
        return withSlash
    }

    private static func map(
        descriptor: Int32, length: Int, name: String
    ) throws(IPCError)
        -> UnsafeMutableRawPointer
    {
        // MAP_POPULATE maps every page now, so the realtime threads never take a page fault on first touch.
        let address = mmap(nil, length, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, descriptor, 0)
        guard let address, address != UnsafeMutableRawPointer(bitPattern: -1) else {
            throw .systemCall(operation: "mmap", name: name, errno: errno)
        }
        return address
    }

    /// Binds every atomic word of the layout to its atomic representation type (and, in the creator,
    /// initialises them to zero) so that `UnsafeAtomic(at:)` may use them.
    private func bindAtomics(initialize: Bool) {
        precondition(MemoryLayout<UnsafeAtomic<UInt64>.Storage>.size == 8)
        precondition(MemoryLayout<UnsafeAtomic<UInt32>.Storage>.size == 4)
        func bind64(_ offset: Int, bytes: Int) {
            let words = (base + offset).bindMemory(to: UnsafeAtomic<UInt64>.Storage.self, capacity: bytes / 8)
            if initialize { words.initialize(repeating: .init(0), count: bytes / 8) }
        }
        func bind32(_ offset: Int, bytes: Int) {
            let words = (base + offset).bindMemory(to: UnsafeAtomic<UInt32>.Storage.self, capacity: bytes / 4)
            if initialize { words.initialize(repeating: .init(0), count: bytes / 4) }
        }
        let line = SegmentLayout.line
        bind64(SegmentLayout.magicOffset, bytes: 8)
        bind64(SegmentLayout.heartbeatsOffset, bytes: SegmentLayout.commandBellOffset - SegmentLayout.heartbeatsOffset)
        bind32(SegmentLayout.commandBellOffset, bytes: SegmentLayout.bellCount * line)
        bind64(SegmentLayout.commandRing.offset, bytes: 2 * line)
        bind64(
            SegmentLayout.telemetrySequenceOffset,
            bytes: SegmentLayout.telemetryBandsOffset - SegmentLayout.telemetrySequenceOffset)
        bind32(SegmentLayout.telemetryBandsOffset, bytes: SegmentLayout.end - SegmentLayout.telemetryBandsOffset)
    }

    @inline(__always)
    func atomic64(at offset: Int) -> UnsafeAtomic<UInt64> {
        UnsafeAtomic(at: (base + offset).assumingMemoryBound(to: UnsafeAtomic<UInt64>.Storage.self))
    }

    @inline(__always)
    func atomic32(at offset: Int) -> UnsafeAtomic<UInt32> {
        UnsafeAtomic(at: (base + offset).assumingMemoryBound(to: UnsafeAtomic<UInt32>.Storage.self))
    }

    private var magicWord: UnsafeAtomic<UInt64> { atomic64(at: SegmentLayout.magicOffset) }
}
