/// Why a store operation was refused. Messages are sentences a guest can read.
public enum StoreError: Error, Equatable, CustomStringConvertible {
    /// No library song has this id, or its file is currently unavailable.
    case unknownSong(id: Int64)
    /// No queued or playing request has this id (it may have just left the queue).
    case unknownEntry(id: Int64)
    /// The database could not be opened or written.
    case database(String)

    public var description: String {
        switch self {
        case .unknownSong(let id): "There is no song \(id) in the library."
        case .unknownEntry: "That song is no longer in the queue."
        case .database(let detail): "The box could not save that: \(detail)"
        }
    }
}
