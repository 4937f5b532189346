import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A folder that root reads and writes files in by name, opened once and never through a symbolic link.
///
/// `ravebox setup` runs as root at boot, and some of its folders belong to the box's own user (the data folder)
/// or did in earlier images (`/run/ravebox`). Whatever that user could plant there must not steer root: so the
/// folder's last path component is opened with `O_NOFOLLOW`, and every file in it is reached through that
/// descriptor (`openat`), again with `O_NOFOLLOW`. A symlink named like the file, or like its temporary, is
/// refused or replaced, never followed; a FIFO or device is never read (`O_NONBLOCK`, then a regular-file check).
/// The components above the folder are trusted: on the box they are root's own (`/`, `/var/lib`, `/run`,
/// `/boot`).
///
/// ```swift
/// let run = try SafeFolder(path: "/run/ravebox", creating: 0o750)
/// try run.write("ravebox.yaml", text, mode: 0o640, owner: 0, group: gid)
/// let stored = try run.read("ravebox.yaml")
/// ```
public final class SafeFolder {
    /// The folder's path, for messages.
    public let path: String
    /// The open folder; every file operation is relative to it.
    let descriptor: Int32

    private init(path: String, descriptor: Int32) {
        self.path = path
        self.descriptor = descriptor
    }

    deinit { close(descriptor) }

    /// Opens the folder at `path`, creating it (and its parents) with `mode` when it is missing and `mode` is
    /// given. Throws when its last component is a symbolic link or not a folder.
    public convenience init(path: String, creating mode: mode_t? = nil) throws(SafeFileError) {
        if let mode, !FileManager.default.fileExists(atPath: path) {
            try? FileManager.default.createDirectory(
                atPath: path, withIntermediateDirectories: true, attributes: [.posixPermissions: Int(mode)])
        }
        let descriptor = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        guard descriptor >= 0 else { throw Self.openFailure(path: path, errno: errno, isFolder: true) }
        self.init(path: path, descriptor: descriptor)
    }

    /// The folder `name` in this one, created with `mode` when missing and `mode` is given.
    public func folder(_ name: String, creating mode: mode_t? = nil) throws(SafeFileError) -> SafeFolder {
        let child = try Self.checked(name, in: path)
        if let mode, mkdirat(descriptor, name, mode) != 0, errno != EEXIST {
            throw SafeFileError(path: child, reason: .system(errno))
        }
        let opened = openat(descriptor, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        guard opened >= 0 else { throw Self.openFailure(path: child, errno: errno, isFolder: true) }
        return SafeFolder(path: child, descriptor: opened)
    }

    /// The folder `name` in this one that only this process's user may enter: created with mode 0700 when
    /// missing, and refused (``SafeFileError/Reason/notPrivate(owner:mode:)``) unless it belongs to this user and
    /// nobody else may read, write or enter it. Whoever can write this folder can still rename it away, but cannot
    /// make a folder of their own pass for it, nor read or change what is in it.
    public func privateFolder(_ name: String) throws(SafeFileError) -> SafeFolder {
        let folder = try folder(name, creating: 0o700)
        let info = try folder.status()
        guard info.st_uid == geteuid(), info.st_mode & 0o077 == 0 else {
            throw SafeFileError(path: folder.path, reason: .notPrivate(owner: info.st_uid, mode: info.st_mode & 0o7777))
        }
        return folder
    }

    /// The contents of the regular file `name`, or nil when there is none. Throws when `name` is a symbolic link,
    /// a FIFO, a device or a folder, or larger than `maximumBytes`.
    public func read(_ name: String, maximumBytes: Int = 1 << 20) throws(SafeFileError) -> String? {
        let file = try Self.checked(name, in: path)
        let fd = openat(descriptor, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC)
        guard fd >= 0 else {
            if errno == ENOENT { return nil }
            throw Self.openFailure(path: file, errno: errno, isFolder: false)
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw SafeFileError(path: file, reason: .system(errno)) }
        guard info.st_mode & S_IFMT == S_IFREG else { throw SafeFileError(path: file, reason: .notRegularFile) }
        guard info.st_size <= maximumBytes else { throw SafeFileError(path: file, reason: .tooLarge(maximumBytes)) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 16_384)
        while true {
            let count = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            guard count >= 0 else { throw SafeFileError(path: file, reason: .system(errno)) }
            if count == 0 { break }
            bytes += chunk[..<count]
            guard bytes.count <= maximumBytes else { throw SafeFileError(path: file, reason: .tooLarge(maximumBytes)) }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Replaces the file `name` with `contents`, so that a power cut leaves the old file or the new one.
    ///
    /// The new file is a temporary `name.new` created with `O_CREAT | O_EXCL | O_NOFOLLOW` (whatever had that
    /// name, a leftover or a planted symlink, is unlinked first: the name, never what it points at), owned and
    /// moded through its descriptor, synced, and renamed over `name` within this folder; then the folder is
    /// synced. A symlink named `name` is replaced, not followed. `mode` nil keeps what the file system gives
    /// (FAT has no modes); `owner` and `group` nil keep this process's.
    public func write(
        _ name: String, _ contents: String, mode: mode_t?, owner: uid_t? = nil, group: gid_t? = nil
    ) throws(SafeFileError) {
        let file = try Self.checked(name, in: path)
        let temporary = name + ".new"
        let flags = O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC
        // Created for this process's user alone; opened up to `mode` once it has its owner.
        var fd = openat(descriptor, temporary, flags, 0o600)
        if fd < 0, errno == EEXIST {
            guard unlinkat(descriptor, temporary, 0) == 0 else {
                throw SafeFileError(path: file + ".new", reason: .system(errno))
            }
            fd = openat(descriptor, temporary, flags, 0o600)
        }
        guard fd >= 0 else { throw Self.openFailure(path: file + ".new", errno: errno, isFolder: false) }
        var done = false
        defer {
            close(fd)
            if !done { unlinkat(descriptor, temporary, 0) }
        }
        let bytes = Array(contents.utf8)
        var offset = 0
        while offset < bytes.count {
            let count = bytes[offset...].withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { throw SafeFileError(path: file + ".new", reason: .system(errno)) }
            offset += count
        }
        if owner != nil || group != nil {
            guard fchown(fd, owner ?? UInt32.max, group ?? UInt32.max) == 0 else {
                throw SafeFileError(path: file + ".new", reason: .system(errno))
            }
        }
        if let mode, fchmod(fd, mode) != 0 { throw SafeFileError(path: file + ".new", reason: .system(errno)) }
        guard fsync(fd) == 0 else { throw SafeFileError(path: file + ".new", reason: .system(errno)) }
        guard renameat(descriptor, temporary, descriptor, name) == 0 else {
            throw SafeFileError(path: file, reason: .system(errno))
        }
        done = true
        // The new name must survive a power cut too; some file systems cannot sync a folder, which is fine.
        _ = fsync(descriptor)
    }

    /// Removes the entry `name` (a file or a symlink itself, never what a symlink points at); nothing when there
    /// is none. A folder of that name is left and reported.
    public func remove(_ name: String) throws(SafeFileError) {
        let file = try Self.checked(name, in: path)
        guard unlinkat(descriptor, name, 0) == 0 || errno == ENOENT else {
            throw SafeFileError(path: file, reason: .system(errno))
        }
    }

    /// Renames the entry `name` to `newName` in this folder (whatever it is; a symlink is renamed, not followed).
    public func rename(_ name: String, to newName: String) throws(SafeFileError) {
        let file = try Self.checked(name, in: path)
        _ = try Self.checked(newName, in: path)
        guard renameat(descriptor, name, descriptor, newName) == 0 else {
            throw SafeFileError(path: file, reason: .system(errno))
        }
    }

    /// Whether there is an entry `name`, of any kind (a dangling symlink counts).
    public func contains(_ name: String) -> Bool {
        var info = stat()
        return fstatat(descriptor, name, &info, AT_SYMLINK_NOFOLLOW) == 0
    }

    /// The names of the entries in this folder, without `.` and `..`.
    public func names() throws(SafeFileError) -> [String] {
        let copy = dup(descriptor)
        guard copy >= 0 else { throw SafeFileError(path: path, reason: .system(errno)) }
        guard let directory = fdopendir(copy) else {
            let code = errno
            close(copy)
            throw SafeFileError(path: path, reason: .system(code))
        }
        defer { closedir(directory) }
        rewinddir(directory)
        var names: [String] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    /// Gives the folder itself `owner`, `group` and `mode` (through its descriptor). Owner and group changes
    /// that this process is not allowed to make are skipped (a test run that is not root).
    public func setAccess(mode: mode_t, owner: uid_t? = nil, group: gid_t? = nil) throws(SafeFileError) {
        if owner != nil || group != nil, fchown(descriptor, owner ?? UInt32.max, group ?? UInt32.max) != 0,
            errno != EPERM
        {
            throw SafeFileError(path: path, reason: .system(errno))
        }
        guard fchmod(descriptor, mode) == 0 else { throw SafeFileError(path: path, reason: .system(errno)) }
    }

    /// `fstat` of the folder itself.
    func status() throws(SafeFileError) -> stat {
        var info = stat()
        guard fstat(descriptor, &info) == 0 else { throw SafeFileError(path: path, reason: .system(errno)) }
        return info
    }

    /// `name` as a single path component, or an error: no `/`, not empty, not `.` or `..`.
    static func checked(_ name: String, in folder: String) throws(SafeFileError) -> String {
        let path = folder + "/" + name
        guard !name.isEmpty, name != ".", name != "..", !name.contains("/"), !name.contains("\0") else {
            throw SafeFileError(path: path, reason: .notAName)
        }
        return path
    }

    /// What an `open` with `O_NOFOLLOW` that failed with `errno` means.
    static func openFailure(path: String, errno code: Int32, isFolder: Bool) -> SafeFileError {
        var info = stat()
        if lstat(path, &info) == 0 {
            if info.st_mode & S_IFMT == S_IFLNK { return SafeFileError(path: path, reason: .symbolicLink) }
            if isFolder, info.st_mode & S_IFMT != S_IFDIR { return SafeFileError(path: path, reason: .notAFolder) }
        }
        return SafeFileError(path: path, reason: code == ELOOP ? .symbolicLink : .system(code))
    }
}

/// A file or folder root refused to use, or could not, with the path and why.
public struct SafeFileError: Error, Equatable, CustomStringConvertible {
    public enum Reason: Equatable, Sendable {
        /// A symbolic link where a file or folder was expected: never followed.
        case symbolicLink
        /// A FIFO, device, socket or folder where a regular file was expected: never read.
        case notRegularFile
        case notAFolder
        /// A folder that should be this user's alone but is not (its owner and permission bits).
        case notPrivate(owner: uid_t, mode: mode_t)
        /// Larger than the number of bytes any of root's inputs may have.
        case tooLarge(Int)
        /// Not a single file name (empty, `.`, `..`, or with a `/`).
        case notAName
        case system(Int32)
    }

    public var path: String
    public var reason: Reason

    public init(path: String, reason: Reason) {
        self.path = path
        self.reason = reason
    }

    public var description: String {
        switch reason {
        case .symbolicLink: "\(path) is a symbolic link, which is never followed"
        case .notRegularFile: "\(path) is not a regular file"
        case .notAFolder: "\(path) is not a folder"
        case .notPrivate(let owner, let mode):
            "\(path) is not a folder of user \(geteuid())'s alone (owner \(owner), mode \(String(mode, radix: 8)))"
        case .tooLarge(let limit): "\(path) is larger than \(limit) bytes"
        case .notAName: "\(path) is not a file name in its folder"
        case .system(let code): "\(path): \(String(cString: strerror(code)))"
        }
    }
}
