import Foundation
import Logging
import RaveboxCore
import RaveboxIntake
import Synchronization

/// Where the web process keeps the music guests bring, and the tools it uses to get it.
public struct MusicFolders: Sendable {
    /// Guests' uploads (`<data>/uploads`).
    public var uploads: String
    /// Songs downloaded from YouTube and Jamendo (`<data>/cache`).
    public var cache: String
    /// The `yt-dlp` executable (a name looked up on PATH, or a path).
    public var ytDLP: String
    /// Jamendo's API (tests point it at a local server).
    public var jamendoAPI: URL
    /// Tells whether an upload or a download is audio the box can play (RaveboxMedia's FFmpeg probe).
    public var prober: any TrackProbing
    /// How many online requests run and wait at once (constants that suit a Pi; tests make them small).
    public var onlineLimits: OnlineRequestLimiter.Limits

    public init(
        uploads: String, cache: String, prober: any TrackProbing, ytDLP: String = "yt-dlp",
        jamendoAPI: URL = URL(string: "https://api.jamendo.com/v3.0/")!,
        onlineLimits: OnlineRequestLimiter.Limits = .init()
    ) {
        self.prober = prober
        self.uploads = uploads
        self.cache = cache
        self.ytDLP = ytDLP
        self.jamendoAPI = jamendoAPI
        self.onlineLimits = onlineLimits
    }

    /// The folders under a data folder.
    public init(dataDirectory: String, prober: any TrackProbing) {
        self.init(uploads: dataDirectory + "/uploads", cache: dataDirectory + "/cache", prober: prober)
    }
}

/// The upload intake, the download cache and the connectivity check, made once per web process and adjusted to
/// the settings before each use.
final class MusicSources: Sendable {
    let folders: MusicFolders
    let uploads: UploadIntake
    let cache: DownloadCache
    /// Bounds the online requests (yt-dlp processes) under way.
    let online: OnlineRequestLimiter
    private let connectivity = Mutex<(host: String, check: Connectivity)?>(nil)
    private let logger: Logger

    init(folders: MusicFolders, logger: Logger) throws {
        self.folders = folders
        self.logger = logger
        uploads = try UploadIntake(
            folder: URL(fileURLWithPath: folders.uploads), limits: .init(), prober: folders.prober)
        cache = try DownloadCache(folder: URL(fileURLWithPath: folders.cache), sizeLimit: nil, logger: logger)
        online = OnlineRequestLimiter(limits: folders.onlineLimits)
    }

    /// A place for `guest`'s request among the online requests under way, when `chain` may fetch online (YouTube
    /// or Jamendo enabled); nil when only the library can answer. Release it when the request is done.
    /// - Throws: `APIError` 429 "The box is busy fetching songs: try again in N s." with `Retry-After` N.
    func onlineSlot(guest: String, chain: ProviderChain) async throws -> OnlineRequestLimiter.Slot? {
        guard chain.providers.contains(where: { $0.platform.isOnline }) else { return nil }
        do {
            return try await online.admit(guest: guest)
        } catch let busy as OnlineRequestLimiter.Busy {
            logger.info("online request refused: \(busy.details)")
            throw APIError(.tooManyRequests, busy.reason, retryAfter: Double(busy.retryAfter))
        }
    }

    /// The upload limits of `settings`.
    func applyUploadLimits(_ settings: BoxSettings) {
        uploads.setLimits(
            UploadIntake.Limits(
                maxFileSizeMegabytes: Double(settings.uploadMaxSize), maxUploadsPerGuest: settings.uploadsPerGuest,
                quotaMegabytes: Double(settings.uploadQuota)))
    }

    /// The connectivity check for the `connectivityHost` setting (`host:port`, `localhost` or empty).
    func connectivity(_ settings: BoxSettings) -> Connectivity {
        let host = settings.connectivityHost
        return connectivity.withLock { current in
            if let current, current.host == host { return current.check }
            let parts = host.split(separator: ":", maxSplits: 1)
            let port = parts.count == 2 ? Int(parts[1]) ?? 443 : 443
            let check = Connectivity(host: parts.first.map(String.init) ?? "", port: port)
            current = (host, check)
            return check
        }
    }

    /// The providers the settings enable, in Raveberry's order (YouTube, Jamendo), then the local library.
    func chain(_ settings: BoxSettings, local: @escaping LocalLibrary.Search) async -> ProviderChain {
        let evicted = await cache.setSizeLimit(Int64(settings.downloadCacheSize) * 1_048_576)
        if !evicted.isEmpty { logger.info("download cache over its limit: removed \(evicted.count) songs") }
        let size = DownloadSizeLimit(megabytes: Double(settings.maxDownloadSize))
        var providers: [any MusicProvider] = []
        if settings.youtubeEnabled {
            providers.append(
                YouTubeProvider(
                    cache: cache, configuration: .init(executable: folders.ytDLP, maxDownloadSize: size),
                    prober: folders.prober))
        }
        if settings.jamendoEnabled, !settings.jamendoClientID.isEmpty {
            providers.append(
                JamendoClient(
                    cache: cache,
                    configuration: .init(
                        clientID: settings.jamendoClientID, baseURL: folders.jamendoAPI, maxDownloadSize: size),
                    prober: folders.prober))
        }
        providers.append(LocalLibrary(search: local))
        return ProviderChain(providers: providers, connectivity: connectivity(settings), logger: logger)
    }
}
