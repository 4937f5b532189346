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
        migrator.registerMigration("v5: tags, full-text search, request texts, playlists, scan progress") { db in
            try db.alter(table: "song") { t in
                t.add(column: "track", .integer)
                t.add(column: "year", .integer)
                t.add(column: "genre", .text)
            }
            // What guests typed before requesting a song (normalised, see `Store.recordRequestText`), so the
            // same words find it again even when they are in no tag ("that song from the wedding").
            try db.create(table: "request_text") { t in
                t.belongsTo("song", onDelete: .cascade).notNull()
                t.column("text", .text).notNull()
                t.column("count", .integer).notNull().defaults(to: 1)
                t.primaryKey(["songId", "text"])
            }
            // Search index, one row per *available* song with rowid = song.id. unicode61 with
            // remove_diacritics 2 folds case and accents on both sides ("beyonce" finds "Beyoncé"); the prefix
            // index makes the one-to-three letter prefixes a guest types first as cheap as whole words.
            // Unavailable songs leave the index (and come back with their file), so a search never joins
            // `song` for every match to drop them: with a USB stick unplugged that would be most matches.
            //
            // A regular FTS5 table (it keeps its own copy of the text) rather than external content: its
            // `requests` column is the concatenation of a song's request_text rows, which an external-content
            // table could only read through an aggregating view, and whose exact old value every 'delete'
            // command would have to reproduce or the index silently corrupts. The copy costs a few MB at
            // 50 000 songs; triggers keep it in step with `song` and `request_text`, so no write path can
            // forget it.
            try db.execute(
                sql: """
                    CREATE VIRTUAL TABLE song_fts USING fts5(
                        title, artist, album, requests,
                        tokenize = 'unicode61 remove_diacritics 2', prefix = '1 2 3');
                    INSERT INTO song_fts (rowid, title, artist, album, requests)
                        SELECT id, title, artist, album, '' FROM song WHERE available;
                    CREATE TRIGGER song_fts_insert AFTER INSERT ON song WHEN new.available BEGIN
                        INSERT INTO song_fts (rowid, title, artist, album, requests)
                        VALUES (new.id, new.title, new.artist, new.album, '');
                    END;
                    CREATE TRIGGER song_fts_update AFTER UPDATE OF title, artist, album ON song
                    WHEN old.title IS NOT new.title OR old.artist IS NOT new.artist OR old.album IS NOT new.album
                    BEGIN
                        UPDATE song_fts SET title = new.title, artist = new.artist, album = new.album
                        WHERE rowid = new.id;
                    END;
                    CREATE TRIGGER song_fts_available AFTER UPDATE OF available ON song
                    WHEN new.available AND NOT old.available BEGIN
                        INSERT INTO song_fts (rowid, title, artist, album, requests)
                        VALUES (new.id, new.title, new.artist, new.album,
                            COALESCE((SELECT group_concat(text, ' ') FROM request_text WHERE songId = new.id), ''));
                    END;
                    CREATE TRIGGER song_fts_unavailable AFTER UPDATE OF available ON song
                    WHEN old.available AND NOT new.available BEGIN
                        DELETE FROM song_fts WHERE rowid = old.id;
                    END;
                    CREATE TRIGGER song_fts_delete AFTER DELETE ON song BEGIN
                        DELETE FROM song_fts WHERE rowid = old.id;
                    END;
                    CREATE TRIGGER request_text_insert AFTER INSERT ON request_text BEGIN
                        UPDATE song_fts SET requests =
                            (SELECT group_concat(text, ' ') FROM request_text WHERE songId = new.songId)
                        WHERE rowid = new.songId;
                    END;
                    CREATE TRIGGER request_text_update AFTER UPDATE OF songId, text ON request_text BEGIN
                        UPDATE song_fts SET requests =
                            COALESCE((SELECT group_concat(text, ' ') FROM request_text WHERE songId = old.songId), '')
                        WHERE rowid = old.songId;
                        UPDATE song_fts SET requests =
                            (SELECT group_concat(text, ' ') FROM request_text WHERE songId = new.songId)
                        WHERE rowid = new.songId;
                    END;
                    CREATE TRIGGER request_text_delete AFTER DELETE ON request_text BEGIN
                        UPDATE song_fts SET requests =
                            COALESCE((SELECT group_concat(text, ' ') FROM request_text WHERE songId = old.songId), '')
                        WHERE rowid = old.songId;
                    END;
                    """)
            // Ordering by artist and title without sorting the whole library (the empty search).
            try db.execute(
                sql: "CREATE INDEX song_artist_title ON song (artist COLLATE NOCASE, title COLLATE NOCASE)")
            // Playlists found by the scan: an .m3u file or a folder. Like songs they are never deleted, only
            // marked unavailable when their source goes away, and come back with it.
            try db.create(table: "playlist") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("source", .text).notNull().unique()
                t.column("name", .text).notNull()
                t.column("kind", .text).notNull()
                t.column("available", .boolean).notNull().defaults(to: true)
            }
            // Entries keep the path, not a song id: a playlist may name a file the library learns only later
            // (another folder, a USB stick), and reading joins on song.path (unique, indexed).
            try db.create(table: "playlist_entry") { t in
                t.belongsTo("playlist", onDelete: .cascade).notNull()
                t.column("position", .integer).notNull()
                t.column("path", .text).notNull()
                t.primaryKey(["playlistId", "position"])
            }
            try db.execute(
                sql: """
                    CREATE VIRTUAL TABLE playlist_fts USING fts5(
                        name, tokenize = 'unicode61 remove_diacritics 2', prefix = '1 2 3');
                    CREATE TRIGGER playlist_fts_insert AFTER INSERT ON playlist BEGIN
                        INSERT INTO playlist_fts (rowid, name) VALUES (new.id, new.name);
                    END;
                    CREATE TRIGGER playlist_fts_update AFTER UPDATE OF name ON playlist
                    WHEN old.name IS NOT new.name BEGIN
                        UPDATE playlist_fts SET name = new.name WHERE rowid = new.id;
                    END;
                    CREATE TRIGGER playlist_fts_delete AFTER DELETE ON playlist BEGIN
                        DELETE FROM playlist_fts WHERE rowid = old.id;
                    END;
                    """)
            // The latest scan progress as JSON (one row): written by the scanner, read by the admin page.
            try db.create(table: "scan_progress") { t in
                t.primaryKey("id", .integer).check { $0 == 1 }
                t.column("json", .text).notNull()
            }
        }
        migrator.registerMigration("v6: session tokens apart from voter ids, lifetimes") { db in
            // The cookie holds `token`, which rotates at every privilege change; `id` stays the guest's voter
            // identity. Sessions from before keep their cookie: their token is their id. Times are Unix seconds.
            try db.alter(table: "guest_session") { t in
                t.add(column: "token", .text)
                t.add(column: "lastSeenAt", .double)
                t.add(column: "startedAt", .double)
                t.add(column: "privilegedAt", .double)
            }
            try db.execute(
                sql: """
                    UPDATE guest_session SET token = id,
                        startedAt = (julianday(createdAt) - 2440587.5) * 86400.0,
                        lastSeenAt = (julianday(createdAt) - 2440587.5) * 86400.0,
                        privilegedAt = CASE WHEN privilege != 'guest' THEN (julianday(createdAt) - 2440587.5) * 86400.0 END
                    """)
            try db.create(index: "guest_session_token", on: "guest_session", columns: ["token"], unique: true)
            try db.create(index: "guest_session_lastSeenAt", on: "guest_session", columns: ["lastSeenAt"])
        }
        return migrator
    }
}
