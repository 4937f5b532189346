import GRDB

/// The database schema, one migration per change. Migrations only ever get appended.
enum StoreMigrations {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: library, queue, current song, votes, settings, logs") { db in
            try db.create(table: "song") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("path", .text).notNull().unique()
                t.column("title", .text).notNull()
                t.column("artist", .text).notNull().defaults(to: "")
                t.column("album", .text).notNull().defaults(to: "")
                t.column("duration", .double).notNull()
                t.column("size", .integer).notNull().defaults(to: 0)
                t.column("mtime", .double).notNull().defaults(to: 0)
                t.column("available", .boolean).notNull().defaults(to: true)
                t.column("addedAt", .datetime).notNull().defaults(sql: "CURRENT_TIMESTAMP")
            }
            try db.create(table: "queue_entry") { t in
                t.autoIncrementedPrimaryKey("id")
                t.belongsTo("song", onDelete: .cascade).notNull()
                t.column("position", .integer).notNull()
                t.column("votes", .integer).notNull().defaults(to: 0)
                t.column("manuallyRequested", .boolean).notNull().defaults(to: true)
                t.column("requestedBy", .text)
                t.column("createdAt", .datetime).notNull().defaults(sql: "CURRENT_TIMESTAMP")
            }
            try db.create(index: "queue_entry_position", on: "queue_entry", columns: ["position"])
            try db.create(table: "vote") { t in
                t.belongsTo("queue_entry", onDelete: .cascade).notNull()
                t.column("voter", .text).notNull()
                t.column("value", .integer).notNull()
                t.primaryKey(["queue_entryId", "voter"])
            }
            try db.create(table: "play_log") { t in
                t.autoIncrementedPrimaryKey("id")
                t.belongsTo("song", onDelete: .setNull)
                // Millisecond precision: how long a failed song took to be skipped matters.
                t.column("startedAt", .datetime).notNull().defaults(sql: "(strftime('%Y-%m-%d %H:%M:%f', 'now'))")
                t.column("endedAt", .datetime)
                t.column("outcome", .text).notNull()
                t.column("reason", .text)
                t.column("manuallyRequested", .boolean).notNull().defaults(to: true)
                t.column("votes", .integer).notNull().defaults(to: 0)
            }
            try db.create(table: "current_song") { t in
                t.primaryKey("id", .integer).check { $0 == 1 }
                t.belongsTo("play_log").notNull()
                t.belongsTo("song", onDelete: .cascade).notNull()
                t.column("votes", .integer).notNull().defaults(to: 0)
                t.column("position", .double).notNull().defaults(to: 0)
            }
            try db.create(table: "request_log") { t in
                t.autoIncrementedPrimaryKey("id")
                t.belongsTo("song", onDelete: .setNull)
                t.column("createdAt", .datetime).notNull().defaults(sql: "CURRENT_TIMESTAMP")
                t.column("session", .text)
            }
            try db.create(table: "setting") { t in
                t.primaryKey("key", .text)
                t.column("value", .text).notNull()
            }
            try db.create(table: "player_state") { t in
                t.primaryKey("id", .integer).check { $0 == 1 }
                t.column("paused", .boolean).notNull().defaults(to: false)
                t.column("volume", .double).notNull().defaults(to: 1.0)
            }
            try db.execute(sql: "INSERT INTO player_state (id) VALUES (1)")
        }
        return migrator
    }
}
