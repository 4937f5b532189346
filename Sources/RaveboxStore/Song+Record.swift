import GRDB
import RaveboxCore

/// A library song is a GRDB record of the `song` table: one column list (``databaseSelection``) for every query
/// that reads songs, written into SQL with `\(columnsOf: Song.self)`.
extension Song: FetchableRecord, TableRecord {
    public static let databaseTableName = "song"

    public static var databaseSelection: [any SQLSelectable] {
        [Column("id"), Column("path"), Column("title"), Column("artist"), Column("album"), Column("duration")]
    }

    public init(row: Row) {
        self.init(
            id: row["id"], path: row["path"], title: row["title"], artist: row["artist"], album: row["album"],
            duration: row["duration"])
    }
}
