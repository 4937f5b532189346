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
        migrator.registerMigration("v2: votes outlive the queue entry, sessions, hashtags, counters") { db in
            // A vote belongs to a request (queue entry id) for as long as the song is queued *or playing*,
            // so the row must survive the entry leaving the queue when the song starts.
            try db.drop(table: "vote")
            try db.create(table: "vote") { t in
                t.column("entryId", .integer).notNull()
                t.column("voter", .text).notNull()
                t.column("value", .integer).notNull()
                t.primaryKey(["entryId", "voter"])
            }
            try db.alter(table: "current_song") { t in
                t.add(column: "entryId", .integer).notNull().defaults(to: 0)
            }
            try db.alter(table: "queue_entry") { t in
                t.add(column: "requesterVoter", .text)
            }
            // Who requested what was played (fairness), and who requested when (active guests).
            try db.alter(table: "play_log") { t in t.add(column: "requester", .text) }
            try db.alter(table: "request_log") { t in t.add(column: "voter", .text) }
            try db.alter(table: "player_state") { t in
                t.add(column: "shuffle", .boolean).notNull().defaults(to: false)
                t.add(column: "repeat", .boolean).notNull().defaults(to: false)
                t.add(column: "autoplay", .boolean).notNull().defaults(to: false)
            }
            try db.create(table: "guest_session") { t in
                t.primaryKey("id", .text)
                t.column("privilege", .text).notNull().defaults(to: "guest")
                t.column("device", .text)
                t.column("colorIndex", .integer).notNull()
                t.column("createdAt", .datetime).notNull().defaults(sql: "CURRENT_TIMESTAMP")
            }
            try db.create(table: "hashtag") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("text", .text).notNull().unique(onConflict: .ignore)
                t.column("active", .boolean).notNull().defaults(to: true)
                t.column("createdAt", .datetime).notNull().defaults(sql: "CURRENT_TIMESTAMP")
            }
            try db.create(table: "counter") { t in
                t.primaryKey("key", .text)
                t.column("value", .integer).notNull()
            }
        }
        migrator.registerMigration("v3: a colour number per voter") { db in
            try db.create(table: "voter_color") { t in
                t.primaryKey("voter", .text)
                t.column("number", .integer).notNull()
            }
        }
        migrator.registerMigration("v4: loudness per song") { db in
            // EBU R128 integrated loudness (LUFS) and true peak (linear); NULL until measured. A changed
            // file (new size or mtime) is measured again: the scanner clears them on update.
            try db.alter(table: "song") { t in
                t.add(column: "loudness", .double)
                t.add(column: "truePeak", .double)
            }
        }
        return migrator
    }
}
