import Foundation
import RaveboxCore
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Takes in songs guests upload, streamed in chunks, and files them in the uploads folder.
///
/// ```swift
/// let intake = try UploadIntake(folder: uploads, limits: .init(maxFileSize: 50 << 20, maxUploadsPerGuest: 5,
///                                                             quota: 2 << 30))
/// let upload = try intake.begin(guest: session.id, filename: "My Song.mp3", expectedSize: contentLength)
/// for try await chunk in request.body { try upload.append(chunk.readableBytesView) }
/// let accepted = try await upload.finish()     // probed, moved to "<uploads>/My Song.mp3"
/// ```
///
/// Limits are enforced while bytes arrive: the per-file size, the number of uploads per guest (finished and
/// under way, counted since this intake started) and the folder quota, which counts the files in the folder plus
/// every upload under way, so two concurrent uploads can never together overflow it. Bytes go to a hidden
/// temporary file in the folder; any refusal, `cancel()`, or an `Upload` dropped unfinished removes it. A
/// finished upload must be audio FFmpeg can decode; it is then renamed to a sanitised, unique version of the
/// guest's file name (extension kept). Safe to use from any task or thread.
public final class UploadIntake: Sendable {
    /// The limits; 0 or nil turns one off.
    public struct Limits: Sendable, Equatable {
        /// Bytes per file; nil for no limit.
        public var maxFileSize: Int64?
        /// Uploads per guest; 0 for no limit.
        public var maxUploadsPerGuest: Int
        /// Total bytes in the uploads folder; nil for no limit.
        public var quota: Int64?

        /// Limits as given.
        public init(maxFileSize: Int64? = nil, maxUploadsPerGuest: Int = 0, quota: Int64? = nil) {
            self.maxFileSize = maxFileSize
            self.maxUploadsPerGuest = maxUploadsPerGuest
            self.quota = quota
        }

        /// Limits from settings in megabytes (1 MB = 1 048 576 bytes); 0 turns one off.
        public init(maxFileSizeMegabytes: Double, maxUploadsPerGuest: Int, quotaMegabytes: Double) {
            self.init(
                maxFileSize: DownloadSizeLimit(megabytes: maxFileSizeMegabytes).bytes,
                maxUploadsPerGuest: maxUploadsPerGuest, quota: DownloadSizeLimit(megabytes: quotaMegabytes).bytes)
        }
    }

    struct Ledger {
        var limits: Limits
        /// Bytes of finished files in the folder (rescanned at every `begin`).
        var storedBytes: Int64 = 0
        /// Bytes each upload under way holds against the quota.
        var reserved: [UUID: Int64] = [:]
        /// Uploads per guest, finished and under way.
        var perGuest: [String: Int] = [:]

        var reservedTotal: Int64 { reserved.values.reduce(0, +) }
    }

    /// The uploads folder.
    public let folder: URL
    let ledger: Mutex<Ledger>
    /// Checks that a finished upload is audio the box can play.
    let check: AudioCheck

    /// Opens (and creates) the uploads folder; removes temporary files an earlier run left behind. Finished
    /// uploads are checked with `prober`.
    public init(folder: URL, limits: Limits, prober: any TrackProbing) throws {
        check = AudioCheck(prober: prober)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        self.folder = folder.standardizedFileURL
        for name in (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        where name.hasPrefix(".upload-") && name.hasSuffix(".part") {
            try? FileManager.default.removeItem(at: folder.appendingPathComponent(name))
        }
        ledger = Mutex(Ledger(limits: limits))
        ledger.withLock { $0.storedBytes = UploadIntake.storedBytes(in: self.folder) }
    }

    /// Changes the limits; uploads under way are checked against the new ones from their next chunk.
    public func setLimits(_ limits: Limits) {
        ledger.withLock { $0.limits = limits }
    }

    /// Bytes of finished uploads in the folder and bytes held by uploads under way.
    public func usage() -> (stored: Int64, inFlight: Int64) {
        ledger.withLock { ($0.storedBytes, $0.reservedTotal) }
    }

    /// Starts an upload for `guest` (an opaque session id) of a file the guest calls `filename`.
    ///
    /// - Parameter expectedSize: the announced size (Content-Length), when known: checked against the limits
    ///   now and reserved against the quota, and `finish()` insists on it.
    /// - Throws: `UploadError` `.notAudioName`, `.tooLarge`, `.tooManyUploads`, `.quotaFull`, `.storage`.
    public func begin(guest: String, filename: String, expectedSize: Int64? = nil) throws(UploadError) -> Upload {
        guard AudioFileTypes.isAudio(fileName: UploadIntake.baseName(filename)) else {
            throw .notAudioName(filename)
        }
        let id = UUID()
        try ledger.withLock { (ledger: inout Ledger) throws(UploadError) in
            let limits = ledger.limits
            if let max = limits.maxFileSize, max > 0, let expectedSize, expectedSize > max {
                throw .tooLarge(limit: max)
            }
            if limits.maxUploadsPerGuest > 0, ledger.perGuest[guest, default: 0] >= limits.maxUploadsPerGuest {
                throw .tooManyUploads(limit: limits.maxUploadsPerGuest)
            }
            ledger.storedBytes = UploadIntake.storedBytes(in: folder)
            let want = max(0, expectedSize ?? 0)
            if let quota = limits.quota, quota > 0, ledger.storedBytes + ledger.reservedTotal + want > quota {
                throw .quotaFull(quota: quota)
            }
            ledger.reserved[id] = want
            ledger.perGuest[guest, default: 0] += 1
        }
        let temporary = folder.appendingPathComponent(".upload-\(id.uuidString).part")
        let descriptor = open(temporary.path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            let detail = "\(temporary.path): \(String(cString: strerror(errno)))"
            release(id, guest: guest, accepted: false)
            throw .storage(detail: detail)
        }
        return Upload(
            intake: self, id: id, guest: guest, filename: filename, expectedSize: expectedSize,
            temporary: temporary, descriptor: descriptor)
    }

    /// Grows upload `id`'s reservation to `total` bytes, or says which limit that would break.
    func reserve(_ id: UUID, total: Int64) throws(UploadError) {
        try ledger.withLock { (ledger: inout Ledger) throws(UploadError) in
            if let max = ledger.limits.maxFileSize, max > 0, total > max { throw .tooLarge(limit: max) }
            let current = ledger.reserved[id] ?? 0
            guard total > current else { return }
            if let quota = ledger.limits.quota, quota > 0,
                ledger.storedBytes + ledger.reservedTotal - current + total > quota
            {
                throw .quotaFull(quota: quota)
            }
            ledger.reserved[id] = total
        }
    }

    /// Ends upload `id`'s claim; a refused or cancelled upload no longer counts for its guest.
    func release(_ id: UUID, guest: String, accepted: Bool) {
        ledger.withLock { ledger in
            ledger.reserved[id] = nil
            if !accepted { ledger.perGuest[guest, default: 1] -= 1 }
        }
    }

    /// Moves a probed temporary file to a unique name derived from `filename`; returns the final file.
    func file(_ temporary: URL, as filename: String, id: UUID, guest: String, size: Int64) throws(UploadError) -> URL {
        let (stem, ext) = UploadIntake.safeName(filename)
        return try ledger.withLock { (ledger: inout Ledger) throws(UploadError) -> URL in
            for attempt in 1...1000 {
                let name = attempt == 1 ? "\(stem).\(ext)" : "\(stem) (\(attempt)).\(ext)"
                let target = folder.appendingPathComponent(name)
                // link(2) never replaces an existing file: the name is ours only if it succeeds.
                if link(temporary.path, target.path) == 0 {
                    unlink(temporary.path)
                    // The new name must survive a power cut too.
                    let directory = open(folder.path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
                    if directory >= 0 {
                        _ = fsync(directory)
                        close(directory)
                    }
                    ledger.reserved[id] = nil
                    ledger.storedBytes += size
                    return target
                }
                guard errno == EEXIST else {
                    throw .storage(detail: "\(target.path): \(String(cString: strerror(errno)))")
                }
            }
            throw .storage(detail: "no free name for \(stem).\(ext)")
        }
    }

    /// The part of a name after its last "/" or "\".
    static func baseName(_ filename: String) -> String {
        String(filename.split(whereSeparator: { $0 == "/" || $0 == "\\" }).last ?? "")
    }

    /// A safe file name from a guest's: no folders, no control or shell-special characters, no leading dot,
    /// at most 80 characters before the extension; the extension lower-cased. "../../etc/Cool Song?.MP3" →
    /// ("Cool Song", "mp3").
    static func safeName(_ filename: String) -> (stem: String, ext: String) {
        let base = baseName(filename)
        var stem = base
        var ext = ""
        if let dot = base.lastIndex(of: "."), dot != base.startIndex {
            stem = String(base[..<dot])
            ext = base[base.index(after: dot)...].lowercased()
        }
        let allowed = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: " -_.,()&'!+[]"))
        var cleaned = String(
            String.UnicodeScalarView(stem.unicodeScalars.map { allowed.contains($0) ? $0 : "_" }))
        while cleaned.contains("  ") { cleaned = cleaned.replacingOccurrences(of: "  ", with: " ") }
        cleaned = cleaned.trimmingCharacters(in: CharacterSet(charactersIn: " ._"))
        if cleaned.count > 80 { cleaned = String(cleaned.prefix(80)).trimmingCharacters(in: .whitespaces) }
        return (cleaned.isEmpty ? "upload" : cleaned, ext)
    }

    /// Bytes of the finished files in `folder` (hidden files, i.e. uploads under way, excluded).
    static func storedBytes(in folder: URL) -> Int64 {
        let urls =
            (try? FileManager.default.contentsOfDirectory(
                at: folder, includingPropertiesForKeys: [.fileSizeKey, .isRegularFileKey], options: [.skipsHiddenFiles]))
            ?? []
        return urls.reduce(0) { total, url in
            let values = try? url.resourceValues(forKeys: [.fileSizeKey, .isRegularFileKey])
            return total + (values?.isRegularFile == true ? Int64(values?.fileSize ?? 0) : 0)
        }
    }
}

/// One guest upload under way; from `UploadIntake.begin`.
///
/// Feed it with `append` as chunks arrive, then `finish()`; or `cancel()`. After a refusal every further call
/// throws the same error. Safe to call from any task, though one upload's chunks naturally come in order.
public final class Upload: Sendable {
    private enum Phase {
        case receiving
        case finishing
        case ended(UploadError?)
    }

    private struct State {
        var descriptor: Int32
        var received: Int64 = 0
        var phase = Phase.receiving
    }

    /// The guest (session) uploading.
    public let guest: String
    /// The file name the guest gave.
    public let filename: String
    /// The announced size, when there was one.
    public let expectedSize: Int64?
    private let intake: UploadIntake
    private let id: UUID
    private let temporary: URL
    private let state: Mutex<State>

    init(
        intake: UploadIntake, id: UUID, guest: String, filename: String, expectedSize: Int64?, temporary: URL,
        descriptor: Int32
    ) {
        self.intake = intake
        self.id = id
        self.guest = guest
        self.filename = filename
        self.expectedSize = expectedSize
        self.temporary = temporary
        state = Mutex(State(descriptor: descriptor))
    }

    deinit {
        abandon(with: nil)
    }

    /// Bytes received so far.
    public var bytesReceived: Int64 { state.withLock { $0.received } }

    /// Writes the next chunk (`Data`, `[UInt8]`, a ByteBuffer's `readableBytesView`, ...).
    /// - Throws: `UploadError` `.tooLarge` or `.quotaFull` (the partial file is removed), `.storage`, `.ended`.
    public func append<Bytes: Collection>(_ bytes: Bytes) throws(UploadError) where Bytes.Element == UInt8 {
        let outcome: Result<Void, UploadError> = state.withLock { state in
            switch state.phase {
            case .receiving: break
            case .finishing: return .failure(.ended)
            case .ended(let error): return .failure(error ?? .ended)
            }
            let total = state.received + Int64(bytes.count)
            do throws(UploadError) {
                try intake.reserve(id, total: total)
            } catch {
                return .failure(error)
            }
            let written =
                bytes.withContiguousStorageIfAvailable { Upload.write(state.descriptor, UnsafeRawBufferPointer($0)) }
                ?? Array(bytes).withUnsafeBytes { Upload.write(state.descriptor, $0) }
            guard written else {
                return .failure(.storage(detail: "\(temporary.path): \(String(cString: strerror(errno)))"))
            }
            state.received = total
            return .success(())
        }
        if case .failure(let error) = outcome {
            if error != .ended { abandon(with: error) }
            throw error
        }
    }

    /// Completes the upload: checks the size, probes the file with FFmpeg, moves it into place.
    /// - Throws: `UploadError` `.sizeMismatch`, `.notAudio` ("That file is not music the box can play."),
    ///   `.storage`, `.ended`. Any failure removes the file.
    public func finish() async throws(UploadError) -> AcceptedUpload {
        let (received, synced) = try state.withLock {
            (state: inout State) throws(UploadError) -> (Int64, String?) in
            switch state.phase {
            case .receiving: break
            case .finishing: throw .ended
            case .ended(let error): throw error ?? .ended
            }
            state.phase = .finishing
            // On the card before the song's row commits and the guest hears "queued": a power cut after the
            // answer must not leave a short file behind the row.
            let synced = fsync(state.descriptor) == 0 ? nil : "\(temporary.path): \(String(cString: strerror(errno)))"
            close(state.descriptor)
            state.descriptor = -1
            return (state.received, synced)
        }
        if let failure = synced { throw fail(.storage(detail: failure)) }
        if let expectedSize, expectedSize != received {
            throw fail(.sizeMismatch(expected: expectedSize, received: received))
        }
        var info: TrackInfo
        switch await intake.check.probe(temporary.path) {
        case .success(let probed): info = probed
        case .failure(let error): throw fail(.notAudio(detail: error.details))
        }
        let file: URL
        do throws(UploadError) {
            file = try intake.file(temporary, as: filename, id: id, guest: guest, size: received)
        } catch {
            throw fail(error)
        }
        // Without a title tag the probe falls back to the file name, which was the temporary one: read the
        // title (and an "Artist - Title" name) from the final name instead.
        if info.title.hasPrefix(".upload-") {
            if case .success(let again) = await intake.check.probe(file.path) {
                info = again
            } else {
                info.title = file.deletingPathExtension().lastPathComponent
            }
        }
        state.withLock { $0.phase = .ended(nil) }
        return AcceptedUpload(file: file, guest: guest, size: received, info: info)
    }

    /// Stops the upload and removes what arrived. Does nothing after it ended.
    public func cancel() {
        abandon(with: .ended)
    }

    private func fail(_ error: UploadError) -> UploadError {
        abandon(with: error)
        return error
    }

    /// Ends the upload unless it already has: closes and removes the temporary file and gives back its claims.
    private func abandon(with error: UploadError?) {
        let wasActive = state.withLock { state -> Bool in
            if case .ended = state.phase { return false }
            state.phase = .ended(error ?? .ended)
            if state.descriptor >= 0 { close(state.descriptor) }
            state.descriptor = -1
            return true
        }
        guard wasActive else { return }
        unlink(temporary.path)
        intake.release(id, guest: guest, accepted: false)
    }

    private static func write(_ descriptor: Int32, _ buffer: UnsafeRawBufferPointer) -> Bool {
        var offset = 0
        while offset < buffer.count {
            let count = Glibc.write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
            if count < 0 && errno == EINTR { continue }
            if count <= 0 { return false }
            offset += count
        }
        return true
    }
}

/// A finished, accepted upload.
public struct AcceptedUpload: Sendable, Equatable {
    /// Where it was filed in the uploads folder.
    public var file: URL
    /// The guest who uploaded it.
    public var guest: String
    /// Its size in bytes.
    public var size: Int64
    /// Tags and duration, as the library scan would read them.
    public var info: TrackInfo
}
