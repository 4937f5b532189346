/// Who may upload song files from the party page (setting `uploads`).
public enum UploadPermission: String, Sendable, Codable, CaseIterable {
    /// Nobody: the upload button is hidden and the API refuses.
    case off
    /// Mods and the admin.
    case mod
    /// Every guest, within the size, count and quota limits.
    case everybody

    /// Whether someone with `privilege` may upload.
    public func allows(_ privilege: Privilege) -> Bool {
        switch self {
        case .off: false
        case .mod: privilege >= .mod
        case .everybody: true
        }
    }
}
