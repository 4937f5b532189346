import Foundation
import RaveboxSetup
import RaveboxTestSupport
import Testing

/// The files `ravebox setup` writes and reads as root, in folders the box's user could plant things in.
@Suite struct SafeFolderTests {
    final class Scratch {
        let root: TemporaryFolder
        init() throws {
            root = try TemporaryFolder("safe-folder")
            try "victim, untouched\n".write(toFile: root.file("victim"), atomically: false, encoding: .utf8)
        }
        deinit { root.remove() }

        var victim: String { (try? String(contentsOfFile: root.file("victim"), encoding: .utf8)) ?? "" }
        func link(_ name: String, to target: String) throws {
            try FileManager.default.createSymbolicLink(atPath: root.file(name), withDestinationPath: target)
        }
        func kind(_ name: String) -> mode_t {
            var info = stat()
            return lstat(root.file(name), &info) == 0 ? info.st_mode & S_IFMT : 0
        }
    }

    /// The finding: setup wrote `secrets.json.new` with O_CREAT and no O_NOFOLLOW, so a symlink of that name
    /// made root overwrite any file.
    @Test func aSymlinkWhereTheTemporaryGoesIsRemovedNotFollowed() throws {
        let scratch = try Scratch()
        try scratch.link("secrets.json.new", to: scratch.root.file("victim"))
        let folder = try SafeFolder(path: scratch.root.path)
        try folder.write("secrets.json", "{\"wifi_password\": \"secret\"}\n", mode: 0o600)
        #expect(scratch.victim == "victim, untouched\n")
        #expect(scratch.kind("secrets.json") == S_IFREG)
        #expect(!folder.contains("secrets.json.new"))
        #expect(try folder.read("secrets.json")?.contains("secret") == true)
    }

    @Test func aSymlinkNamedLikeTheFileIsReplacedNotFollowed() throws {
        let scratch = try Scratch()
        try scratch.link("ravebox.yaml", to: scratch.root.file("victim"))
        try SafeFolder(path: scratch.root.path).write("ravebox.yaml", "port: 80\n", mode: 0o640)
        #expect(scratch.victim == "victim, untouched\n")
        #expect(scratch.kind("ravebox.yaml") == S_IFREG)
        var info = stat()
        stat(scratch.root.file("ravebox.yaml"), &info)
        #expect(info.st_mode & 0o7777 == 0o640)
    }

    @Test func aSymlinkedFolderIsRefused() throws {
        let scratch = try Scratch()
        try FileManager.default.createDirectory(atPath: scratch.root.file("real"), withIntermediateDirectories: true)
        try scratch.link("data", to: scratch.root.file("real"))
        #expect(throws: SafeFileError(path: scratch.root.file("data"), reason: .symbolicLink)) {
            try SafeFolder(path: scratch.root.file("data"))
        }
        let parent = try SafeFolder(path: scratch.root.path)
        #expect(throws: SafeFileError(path: scratch.root.file("data"), reason: .symbolicLink)) {
            try parent.folder("data", creating: 0o700)
        }
        #expect(throws: SafeFileError(path: scratch.root.file("data"), reason: .symbolicLink)) {
            try parent.privateFolder("data")
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: scratch.root.file("real")).isEmpty)
    }

    /// Root must not disclose or parse a file a symlink points at, nor hang on a FIFO.
    @Test func aSymlinkOrAFIFOIsNeverRead() throws {
        let scratch = try Scratch()
        try scratch.link("secrets.json", to: scratch.root.file("victim"))
        #expect(mkfifo(scratch.root.file("last-good.yaml"), 0o600) == 0)
        let folder = try SafeFolder(path: scratch.root.path)
        #expect(throws: SafeFileError(path: scratch.root.file("secrets.json"), reason: .symbolicLink)) {
            try folder.read("secrets.json")
        }
        #expect(throws: SafeFileError(path: scratch.root.file("last-good.yaml"), reason: .notRegularFile)) {
            try folder.read("last-good.yaml")
        }
        #expect(try folder.read("missing") == nil)
        #expect(throws: SafeFileError(path: scratch.root.file("big"), reason: .tooLarge(4))) {
            try folder.write("big", "12345", mode: 0o600)
            return try folder.read("big", maximumBytes: 4)
        }
    }

    @Test func aFolderNameThatLeavesTheFolderIsRefused() throws {
        let scratch = try Scratch()
        let folder = try SafeFolder(path: scratch.root.path)
        for name in ["../victim", "", ".", "..", "a/b"] {
            #expect(throws: SafeFileError.self) { try folder.write(name, "x", mode: 0o600) }
        }
        #expect(scratch.victim == "victim, untouched\n")
    }

    /// A folder the box's user made and put in place of root's own is not taken for it: its secrets are not
    /// used, it is moved aside, and root gets a new folder of its own.
    @Test func aPlantedSetupFolderIsMovedAsideAndNotTrusted() throws {
        let scratch = try Scratch()
        let planted = scratch.root.file(SetupStore.folderName)
        try FileManager.default.createDirectory(atPath: planted, withIntermediateDirectories: true)
        try "{\"wifi_password\": \"planted-password\"}".write(
            toFile: planted + "/secrets.json", atomically: false, encoding: .utf8)
        if geteuid() == 0 {
            chown(planted, 65534, 65534)  // nobody, as the box's user would own it
            chmod(planted, 0o700)
        } else {
            chmod(planted, 0o755)
        }
        let data = try SafeFolder(path: scratch.root.path)
        let store = try SetupStore(data: data)
        #expect(store.notice?.contains("moved it aside") == true)
        #expect(store.secrets().isEmpty)
        try store.storeSecrets(["wifi_password": "the real one"])
        #expect(try SetupStore(data: data).secrets() == ["wifi_password": "the real one"])
        var info = stat()
        lstat(planted, &info)
        #expect(info.st_mode & 0o7777 == 0o700 && info.st_uid == geteuid())
        let names = try FileManager.default.contentsOfDirectory(atPath: scratch.root.path)
        #expect(names.contains { $0.hasPrefix(SetupStore.folderName + ".refused-") }, "\(names)")
    }

    @Test func namesListEveryEntryOnceAndRemoveTakesTheLinkNotItsTarget() throws {
        let scratch = try Scratch()
        try scratch.link("hostapd-wlan1.conf", to: scratch.root.file("victim"))
        let folder = try SafeFolder(path: scratch.root.path)
        #expect(try folder.names().sorted() == ["hostapd-wlan1.conf", "victim"])
        #expect(try folder.names().sorted() == ["hostapd-wlan1.conf", "victim"])
        try folder.remove("hostapd-wlan1.conf")
        try folder.remove("never-there")
        #expect(try folder.names() == ["victim"])
        #expect(scratch.victim == "victim, untouched\n")
    }
}
