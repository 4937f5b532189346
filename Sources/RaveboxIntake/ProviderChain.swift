import Foundation
import Logging

/// Tries the enabled providers in order for a guest's request, with Raveberry's fallback rules (reference §4.3).
///
/// ```swift
/// let chain = ProviderChain(providers: [youtube, jamendo, LocalLibrary(search: librarySearch)],
///                           connectivity: connectivity)
/// let found = try await chain.request("daft punk one more time")
/// toast(found.message())                                  // "song queued (used fallback)"
/// if case .online(let track) = found.song { let file = try await chain.download(track) }
/// ```
///
/// Routing: a link of one of our platforms goes only to that platform's provider; a link of another service
/// (Spotify, SoundCloud, any web address) goes to none; words go to all. The preferred platform moves to the
/// front. While the box is offline the online providers are skipped. When a provider fails the next one is
/// tried (unless fallback is off, as with `new_music_only`); when all fail the guest gets the last error.
public struct ProviderChain: Sendable {
    /// The result of a request.
    public struct Found: Sendable, Equatable {
        /// What was found.
        public var song: FoundSong
        /// Which provider found it.
        public var platform: MusicPlatform
        /// Whether an earlier provider failed first.
        public var usedFallback: Bool

        /// `base` plus " (used fallback)" when an earlier provider failed (Raveberry's `ok_message`).
        public func message(_ base: String = "song queued") -> String {
            usedFallback ? base + " (used fallback)" : base
        }
    }

    /// The enabled providers, in priority order (the box uses YouTube, Jamendo, local library).
    public var providers: [any MusicProvider]
    /// Decides whether online providers are tried; nil assumes online.
    public let connectivity: Connectivity?
    private let logger: Logger

    /// A chain over `providers` in this order.
    public init(
        providers: [any MusicProvider], connectivity: Connectivity?,
        logger: Logger = Logger(label: "ravebox.sources.chain")
    ) {
        self.providers = providers
        self.connectivity = connectivity
        self.logger = logger
    }

    /// Finds a song for `query` (words or a link).
    /// - Parameters:
    ///   - preferred: the guest's preferred platform, tried first.
    ///   - allowFallback: false stops at the first failure (the `new_music_only` setting).
    /// - Throws: `SourceError`: `.noProvider` ("No backend configured to handle your request."), `.offline`
    ///   when only online providers could have answered and the box is offline, else the last provider's error.
    public func request(
        _ query: String, preferred: MusicPlatform? = nil, allowFallback: Bool = true
    ) async throws(SourceError) -> Found {
        var candidates: [any MusicProvider]
        switch RequestTarget(query) {
        case .url(let platform): candidates = providers.filter { $0.platform == platform }
        case .otherService: candidates = []
        case .search: candidates = providers
        }
        if let preferred, let index = candidates.firstIndex(where: { $0.platform == preferred }) {
            candidates.insert(candidates.remove(at: index), at: 0)
        }
        var offlineReason: String?
        if candidates.contains(where: { $0.platform.isOnline }), let connectivity {
            let state = await connectivity.current()
            if !state.isOnline {
                offlineReason = state.description
                candidates.removeAll { $0.platform.isOnline }
            }
        }
        guard !candidates.isEmpty else {
            if let offlineReason { throw .offline(detail: "online providers skipped: \(offlineReason)") }
            throw .noProvider(query: query)
        }
        var failures = 0
        for (index, provider) in candidates.enumerated() {
            do {
                let song = try await provider.find(query)
                return Found(song: song, platform: provider.platform, usedFallback: failures > 0)
            } catch {
                failures += 1
                logger.info(
                    "provider failed",
                    metadata: ["platform": "\(provider.platform.rawValue)", "error": "\(error.details)"])
                guard allowFallback, index < candidates.count - 1 else {
                    if let offlineReason {
                        throw .offline(detail: "online providers skipped (\(offlineReason)); then \(error.details)")
                    }
                    throw error
                }
            }
        }
        throw .noProvider(query: query)
    }

    /// Downloads `track` with the provider of its platform.
    /// - Throws: `SourceError` (`.noProvider` when that platform is not in the chain).
    public func download(_ track: OnlineTrack) async throws(SourceError) -> URL {
        guard
            let provider = providers.lazy.compactMap({ $0 as? any OnlineMusicProvider })
                .first(where: { $0.platform == track.platform })
        else { throw .noProvider(query: track.url) }
        return try await provider.download(track)
    }
}
