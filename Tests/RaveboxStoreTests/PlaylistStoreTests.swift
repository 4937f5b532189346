import Foundation
import GRDB
import RaveboxCore
import Testing

@testable import RaveboxStore

@Suite struct PlaylistStoreTests {
    /// Songs /music/a.mp3 ("Alpha"), b ("Bravo"), c ("Charlie"), and /usb/d.mp3 ("Delta").
    static func library() throws -> TemporaryStore {
        let temporary = try TemporaryStore()
        try temporary.store.upsert(
            [
                ("/music/a.mp3", "Alpha"), ("/music/b.mp3", "Bravo"), ("/music/c.mp3", "Charlie"),
                ("/usb/d.mp3", "Delta"),
            ]
            .map { path, title in
                ScannedFile(path: path, size: 1, mtime: 1, title: title, artist: "X", album: "", duration: 60)
            })
        return temporary
    }

    static let party = ScannedPlaylist(
        source: "/music/party.m3u", name: "Party Hits", kind: .m3u,
        paths: ["/music/c.mp3", "/music/a.mp3", "/music/missing.mp3", "/music/c.mp3"])
    static let album = ScannedPlaylist(
        source: "/music/Album", name: "Album", kind: .folder, paths: ["/music/a.mp3", "/music/b.mp3"])

    @Test func replaceStoresPlaylistsInOrderAndCountsMissingEntries() async throws {
        let temporary = try Self.library()
        let result = try temporary.store.replacePlaylists(under: "/music", with: [Self.party, Self.album])
        #expect(result.playlists == 2)
        #expect(result.missingEntries == 1)
        let all = try await temporary.store.playlists(matching: "", limit: 10)
        #expect(all.map(\.name) == ["Album", "Party Hits"])
        #expect(all.map(\.kind) == [.folder, .m3u])
        #expect(all.map(\.songCount) == [2, 3])
        let party = try #require(all.last)
        #expect(
            try await temporary.store.playlistSongs(id: party.id, limit: 10).map(\.title) == [
                "Charlie", "Alpha", "Charlie",
            ])
        #expect(try await temporary.store.playlistSongs(id: party.id, limit: 1).map(\.title) == ["Charlie"])
        #expect(try await temporary.store.playlistSongs(id: 999, limit: 10).isEmpty)
    }

    @Test func replaceUpdatesKeepsIdsAndMarksGonePlaylistsUnavailableUntilTheyReturn() async throws {
        let temporary = try Self.library()
        try temporary.store.replacePlaylists(under: "/music", with: [Self.party, Self.album])
        let before = try await temporary.store.playlists(matching: "", limit: 10)
        var changed = Self.party
        changed.name = "Party Hits 2"
        changed.paths = ["/music/b.mp3"]
        let result = try temporary.store.replacePlaylists(under: "/music/", with: [changed])
        #expect(result == (1, 0))
        let after = try await temporary.store.playlists(matching: "", limit: 10)
        #expect(after.map(\.name) == ["Party Hits 2"])
        #expect(after.first?.id == before.last?.id)
        #expect(try await temporary.store.playlistSongs(id: before[0].id, limit: 10).isEmpty)
        // Kept, not deleted: it comes back with its id.
        let count = try await temporary.store.pool.read { db in
            try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM playlist")
        }
        #expect(count == 2)
        try temporary.store.replacePlaylists(under: "/music", with: [changed, Self.album])
        let back = try await temporary.store.playlists(matching: "album", limit: 10)
        #expect(back.map(\.id) == [before[0].id])
        #expect(
            try await temporary.store.playlistSongs(id: before[0].id, limit: 10).map(\.title) == ["Alpha", "Bravo"])
    }

    @Test func replaceLeavesPlaylistsOfOtherRootsAlone() async throws {
        let temporary = try Self.library()
        let usb = ScannedPlaylist(source: "/usb", name: "USB stick", kind: .folder, paths: ["/usb/d.mp3"])
        try temporary.store.replacePlaylists(under: "/usb", with: [usb])
        try temporary.store.replacePlaylists(under: "/music", with: [Self.album])
        try temporary.store.replacePlaylists(under: "/mus", with: [])
        #expect(try await temporary.store.playlists(matching: "", limit: 10).map(\.name) == ["Album", "USB stick"])
        // The root folder itself is "under" the root.
        try temporary.store.replacePlaylists(under: "/usb", with: [])
        #expect(try await temporary.store.playlists(matching: "", limit: 10).map(\.name) == ["Album"])
    }

    @Test func playlistsWithoutAvailableSongsAreHidden() async throws {
        let temporary = try Self.library()
        let gone = ScannedPlaylist(
            source: "/music/old.m3u", name: "Old", kind: .m3u, paths: ["/music/x.mp3", "/usb/d.mp3"])
        let result = try temporary.store.replacePlaylists(under: "/music", with: [gone, Self.album])
        #expect(result.missingEntries == 1)
        #expect(try await temporary.store.playlists(matching: "", limit: 10).map(\.name) == ["Album", "Old"])
        try temporary.store.setAvailable(false, songIDs: [try temporary.id(path: "/usb/d.mp3")])
        #expect(try await temporary.store.playlists(matching: "", limit: 10).map(\.name) == ["Album"])
        // A song the library learns later joins the playlist by its path.
        try temporary.store.upsert([
            ScannedFile(path: "/music/x.mp3", size: 1, mtime: 1, title: "Xray", artist: "X", album: "", duration: 1)
        ])
        let old = try #require(try await temporary.store.playlists(matching: "old", limit: 10).first)
        #expect(old.songCount == 1)
        #expect(try await temporary.store.playlistSongs(id: old.id, limit: 10).map(\.title) == ["Xray"])
    }

    @Test(arguments: [
        ("fete", ["Fête de la Musique"]), ("FÊTE", ["Fête de la Musique"]), ("fê", ["Fête de la Musique"]),
        ("musique fete", ["Fête de la Musique"]), ("party", ["Party Hits"]), ("hits 🎉", ["Party Hits"]),
        ("zzz", []), ("\"(", []),
    ])
    func playlistSearchIgnoresCaseAndAccents(query: String, names: [String]) async throws {
        let temporary = try Self.library()
        let fete = ScannedPlaylist(
            source: "/music/Fête", name: "Fête de la Musique", kind: .folder, paths: ["/music/b.mp3"])
        try temporary.store.replacePlaylists(under: "/music", with: [Self.party, fete])
        #expect(try await temporary.store.playlists(matching: query, limit: 10).map(\.name) == names)
    }
}
