import Foundation
import RaveboxIntake
import RaveboxTestSupport
import Testing

@Suite struct DownloadCacheTests {
    /// Writes a file of `size` bytes into the cache folder.
    private func put(_ name: String, size: Int, in cache: DownloadCache) throws -> URL {
        let url = cache.file(named: name)
        try Data(count: size).write(to: url)
        return url
    }

    @Test func evictsLeastRecentlyPlayedFilesFirstUntilUnderTheLimit() async throws {
        let folder = try TemporaryFolder("cache")
        defer { folder.remove() }
        let cache = try DownloadCache(folder: folder.url, sizeLimit: 250)
        let a = try put("a.m4a", size: 100, in: cache)
        let b = try put("b.m4a", size: 100, in: cache)
        let c = try put("c.m4a", size: 100, in: cache)
        let now = Date()
        await cache.markPlayed(a, at: now.addingTimeInterval(-10))
        await cache.markPlayed(b, at: now.addingTimeInterval(-300))
        await cache.markPlayed(c, at: now.addingTimeInterval(-200))
        let d = try put("d.m4a", size: 100, in: cache)
        let evicted = await cache.admit(d)
        #expect(evicted.map(\.lastPathComponent) == ["b.m4a", "c.m4a"])
        #expect(SourcesFixtures.entries(folder.url) == ["a.m4a", "d.m4a"])
        #expect(await cache.usage() == .init(files: 2, bytes: 200, limit: 250))
    }

    @Test func neverEvictsTheFileBeingAdded() async throws {
        let folder = try TemporaryFolder("cache")
        defer { folder.remove() }
        let cache = try DownloadCache(folder: folder.url, sizeLimit: 50)
        let old = try put("old.mp3", size: 40, in: cache)
        await cache.markPlayed(old, at: Date().addingTimeInterval(-60))
        let big = try put("big.mp3", size: 100, in: cache)
        #expect(await cache.admit(big).map(\.lastPathComponent) == ["old.mp3"])
        #expect(SourcesFixtures.entries(folder.url) == ["big.mp3"])
    }

    @Test func playingAFileProtectsItFromEviction() async throws {
        let folder = try TemporaryFolder("cache")
        defer { folder.remove() }
        let cache = try DownloadCache(folder: folder.url, sizeLimit: 200)
        let first = try put("first.mp3", size: 100, in: cache)
        let second = try put("second.mp3", size: 100, in: cache)
        await cache.markPlayed(first, at: Date().addingTimeInterval(-100))
        await cache.markPlayed(second, at: Date().addingTimeInterval(-50))
        await cache.markPlayed(first)
        let third = try put("third.mp3", size: 100, in: cache)
        #expect(await cache.admit(third).map(\.lastPathComponent) == ["second.mp3"])
    }

    @Test func downloadsUnderWayAreNeitherCountedNorEvicted() async throws {
        let folder = try TemporaryFolder("cache")
        defer { folder.remove() }
        let cache = try DownloadCache(folder: folder.url, sizeLimit: 10)
        _ = try put("abc.m4a.part", size: 100, in: cache)
        _ = try put(".jamendo-1.download", size: 100, in: cache)
        _ = try put("song.mp3", size: 5, in: cache)
        #expect(await cache.usage() == .init(files: 1, bytes: 5, limit: 10))
        #expect(await cache.setSizeLimit(1).map(\.lastPathComponent) == ["song.mp3"])
        #expect(SourcesFixtures.entries(folder.url) == [".jamendo-1.download", "abc.m4a.part"])
        #expect(await cache.cachedFile(stem: "abc") == nil)
    }

    @Test func withoutALimitNothingIsEvicted() async throws {
        let folder = try TemporaryFolder("cache")
        defer { folder.remove() }
        let cache = try DownloadCache(folder: folder.url, sizeLimit: nil)
        _ = try put("a.mp3", size: 1000, in: cache)
        #expect(await cache.admit(try put("b.mp3", size: 1000, in: cache)).isEmpty)
        #expect(await cache.usage() == .init(files: 2, bytes: 2000, limit: nil))
    }
}
