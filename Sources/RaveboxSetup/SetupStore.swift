import Foundation

/// What `ravebox setup` keeps from one boot to the next, in a folder on the data partition that only root may
/// enter (`DATA/.ravebox-setup`, mode 0700): the secrets typed into ravebox.yaml (`secrets.json`) and the last
/// ravebox.yaml that was valid (`last-good.yaml`).
///
/// The data folder itself belongs to the box's user, so root keeps nothing directly in it: that user could
/// plant a symlink where root writes, or a file of its own where root reads. A folder of its own that it
/// renamed into place fails the ownership check and is moved aside; what is then lost is only what the box
/// had stored, and setup says so.
public struct SetupStore {
    /// The folder's name in the data folder.
    public static let folderName = ".ravebox-setup"
    static let secretsFile = "secrets.json"
    static let lastGoodFile = "last-good.yaml"

    let folder: SafeFolder
    /// A line for the journal when the folder found in the data folder was not root's own and was moved aside.
    public private(set) var notice: String?

    /// Opens (or creates) the folder in `data`. When something else has its name (a symlink, a file, a folder of
    /// another user's or open to others), that is renamed to `.ravebox-setup.refused-<time>` and a new folder made.
    public init(data: SafeFolder) throws(SafeFileError) {
        do {
            folder = try data.privateFolder(Self.folderName)
        } catch {
            let aside = "\(Self.folderName).refused-\(Int(Date().timeIntervalSince1970))-\(getpid())"
            try data.rename(Self.folderName, to: aside)
            folder = try data.privateFolder(Self.folderName)
            notice = "\(error); moved it aside to \(data.path)/\(aside), the secrets stored there are not used"
        }
    }

    /// The stored secrets by key; empty when none were stored or the file cannot be read.
    public func secrets() -> [String: String] {
        guard let text = try? folder.read(Self.secretsFile),
            let secrets = try? JSONDecoder().decode([String: String].self, from: Data(text.utf8))
        else { return [:] }
        return secrets
    }

    /// Replaces the stored secrets (mode 0600).
    public func storeSecrets(_ secrets: [String: String]) throws(SafeFileError) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        let text = ((try? encoder.encode(secrets)).map { String(decoding: $0, as: UTF8.self) } ?? "{}") + "\n"
        try folder.write(Self.secretsFile, text, mode: 0o600)
    }

    /// The last valid ravebox.yaml (its secrets masked), or nil.
    public func lastGood() -> String? {
        try? folder.read(Self.lastGoodFile)
    }

    /// Keeps `text` as the last valid ravebox.yaml (mode 0600).
    public func storeLastGood(_ text: String) throws(SafeFileError) {
        try folder.write(Self.lastGoodFile, text, mode: 0o600)
    }
}
