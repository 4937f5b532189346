import Foundation
import RaveboxCore

/// A place songs can be requested from; `ProviderChain` tries them in order.
///
/// The box has three: `YouTubeProvider`, `JamendoClient` (both `OnlineMusicProvider`s) and `LocalLibrary`.
public protocol MusicProvider: Sendable {
    /// Which platform this is; decides which links it handles and whether it needs the internet.
    var platform: MusicPlatform { get }

    /// The song for `query`: a link of this provider's platform, or words to search for.
    /// - Throws: `SourceError` with a sentence for the guest.
    func find(_ query: String) async throws(SourceError) -> FoundSong
}

/// A provider whose songs have to be downloaded before they can be played.
public protocol OnlineMusicProvider: MusicProvider {
    /// Downloads `track` (found by this provider) into the cache and returns the file.
    func download(_ track: OnlineTrack) async throws(SourceError) -> URL
}

/// A song a provider found.
public enum FoundSong: Sendable, Equatable {
    /// On an online platform; download it with `ProviderChain.download(_:)`.
    case online(OnlineTrack)
    /// In the box's library, ready to play.
    case local(Song)

    /// "Artist – Title".
    public var displayName: String {
        switch self {
        case .online(let track): track.displayName
        case .local(let song): song.displayName
        }
    }
}

extension YouTubeProvider: OnlineMusicProvider {
    /// Always `.youtube`.
    public var platform: MusicPlatform { .youtube }

    /// `track(url:)` for a YouTube link, else `search(_:)`; `.unavailable` when yt-dlp is missing.
    public func find(_ query: String) async throws(SourceError) -> FoundSong {
        if case .unavailable(let why) = availability { throw .unavailable(.youtube, why: why) }
        if case .url(.youtube) = RequestTarget(query) { return .online(try await track(url: query)) }
        return .online(try await search(query))
    }
}

extension JamendoClient: OnlineMusicProvider {
    /// Always `.jamendo`.
    public var platform: MusicPlatform { .jamendo }

    /// `track(url:)` for a Jamendo link, else `search(_:)`; `.unavailable` without a client id.
    public func find(_ query: String) async throws(SourceError) -> FoundSong {
        if case .unavailable(let why) = availability { throw .unavailable(.jamendo, why: why) }
        if case .url(.jamendo) = RequestTarget(query) { return .online(try await track(url: query)) }
        return .online(try await search(query))
    }
}

/// The music on the box, searched by a function the caller provides (the store's library search).
///
/// ```swift
/// let local = LocalLibrary { query in try await store.bestMatch(for: query) }
/// ```
public struct LocalLibrary: MusicProvider {
    /// Finds the best song for a query (words, or a `local_library/<relative path>` link); nil when none.
    public typealias Search = @Sendable (String) async throws -> Song?

    private let search: Search

    /// A library answering through `search`.
    public init(search: @escaping Search) { self.search = search }

    /// Always `.local`.
    public var platform: MusicPlatform { .local }

    /// The song `search` returns; `.notFound` when it returns nil or throws.
    public func find(_ query: String) async throws(SourceError) -> FoundSong {
        let song: Song?
        do {
            song = try await search(query)
        } catch {
            throw .notFound(.local, query: "\(query) (search failed: \(error))")
        }
        guard let song else { throw .notFound(.local, query: query) }
        return .local(song)
    }
}
