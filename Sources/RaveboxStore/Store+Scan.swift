import Foundation
import GRDB
import RaveboxCore

extension Store {
    /// Saves the scan's progress (replacing the last one); failures beyond ``ScanProgress/failureLimit``
    /// are dropped, ``ScanProgress/failureCount`` still counts them.
    public func setScanProgress(_ progress: ScanProgress) throws(StoreError) {
        var capped = progress
        capped.failures = Array(progress.failures.prefix(ScanProgress.failureLimit))
        capped.failureCount = max(progress.failureCount, progress.failures.count)
        let json: String
        do {
            json = String(decoding: try JSONEncoder().encode(capped), as: UTF8.self)
        } catch {
            throw .database("cannot encode the scan progress: \(error)")
        }
        try write { db in
            try db.cachedStatement(
                sql: """
                    INSERT INTO scan_progress (id, json) VALUES (1, ?)
                    ON CONFLICT(id) DO UPDATE SET json = excluded.json
                    """
            ).execute(arguments: [json])
        }
    }

    /// The last saved scan progress, or an idle one when no scan ever ran (or the saved one is from a
    /// firmware whose `ScanProgress` had other fields: it only describes a past scan, the next one
    /// replaces it).
    public func scanProgress() async throws(StoreError) -> ScanProgress {
        let json = try await read { db in
            try String.fetchOne(db.cachedStatement(sql: "SELECT json FROM scan_progress WHERE id = 1"))
        }
        guard let json else { return ScanProgress() }
        return (try? JSONDecoder().decode(ScanProgress.self, from: Data(json.utf8))) ?? ScanProgress()
    }
}
