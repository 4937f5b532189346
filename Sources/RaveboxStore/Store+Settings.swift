import GRDB

extension Store {
    /// A stored setting's raw value, or `nil` when never set.
    public func setting(_ key: String) throws(StoreError) -> String? {
        try Self.wrap {
            try pool.read { db in
                try String.fetchOne(db, sql: "SELECT value FROM setting WHERE key = ?", arguments: [key])
            }
        }
    }

    /// Stores a setting's raw value.
    public func setSetting(_ key: String, to value: String) throws(StoreError) {
        try Self.wrap {
            try pool.write { db in
                try db.execute(
                    sql:
                        "INSERT INTO setting (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                    arguments: [key, value])
            }
        }
    }
}
