import Foundation
import RaveboxCore

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// Finds and downloads Creative Commons music from Jamendo's REST API (reference §8.5).
///
/// ```swift
/// let jamendo = JamendoClient(cache: cache, configuration: .init(clientID: settings.jamendoClientID))
/// let track = try await jamendo.search("lofi beach")
/// let file = try await jamendo.download(track)      // <cache>/jamendo-<id>.mp3, probed, admitted to the cache
/// ```
///
/// Requests go through URLSession with a time limit per request and per download. The audio is streamed into
/// a hidden file in the cache and renamed when complete, so a half-downloaded song is never played.
public struct JamendoClient: Sendable {
    /// Where and how Jamendo is asked.
    public struct Configuration: Sendable {
        /// The API's client id (the `jamendo_client_id` setting).
        public var clientID: String
        /// The API root, "https://api.jamendo.com/v3.0/"; tests point it at a local server.
        public var baseURL: URL
        /// The `max_download_size` setting; songs are estimated at 96 kbit/s before downloading.
        public var maxDownloadSize: DownloadSizeLimit
        /// Limit for one API request.
        public var requestTimeout: Duration
        /// Limit for one download.
        public var downloadTimeout: Duration
        /// How many results a search asks for (the first downloadable one is used).
        public var searchLimit: Int

        /// A configuration for `clientID`.
        public init(
            clientID: String, baseURL: URL = URL(string: "https://api.jamendo.com/v3.0/")!,
            maxDownloadSize: DownloadSizeLimit = .none, requestTimeout: Duration = .seconds(10),
            downloadTimeout: Duration = .seconds(120), searchLimit: Int = 10
        ) {
            self.clientID = clientID
            self.baseURL = baseURL
            self.maxDownloadSize = maxDownloadSize
            self.requestTimeout = requestTimeout
            self.downloadTimeout = downloadTimeout
            self.searchLimit = searchLimit
        }
    }

    /// Bytes per second of Jamendo's MP3 stream, for the size estimate (96 kbit/s, reference §4.3.6).
    static let estimatedBytesPerSecond = 96_000.0 / 8

    /// Where downloads go.
    public let cache: DownloadCache
    /// Where and how Jamendo is asked.
    public var configuration: Configuration

    /// Checks each download before it is offered.
    let check: AudioCheck

    /// A client downloading into `cache`, checking downloads with `prober`.
    public init(cache: DownloadCache, configuration: Configuration, prober: any TrackProbing) {
        self.cache = cache
        self.configuration = configuration
        self.check = AudioCheck(prober: prober)
    }

    /// Whether a client id is configured.
    public var availability: ProviderAvailability {
        configuration.clientID.trimmingCharacters(in: .whitespaces).isEmpty
            ? .unavailable("no Jamendo client id: create one at https://devportal.jamendo.com and enter it in Settings")
            : .available
    }

    /// The first downloadable result of a text search.
    /// - Throws: `SourceError` (`.notFound`, `.downloadNotAllowed` when only non-downloadable songs match,
    ///   `.badCredentials` for a refused client id, network errors).
    public func search(_ text: String) async throws(SourceError) -> OnlineTrack {
        let query = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !query.isEmpty else { throw .notFound(.jamendo, query: text) }
        let results = try await tracks([
            URLQueryItem(name: "search", value: query),
            URLQueryItem(name: "limit", value: String(configuration.searchLimit)),
        ])
        guard let first = results.first else { throw .notFound(.jamendo, query: query) }
        guard let allowed = results.first(where: \.downloadAllowed) else {
            throw .downloadNotAllowed(.jamendo, id: first.track.id)
        }
        return allowed.track
    }

    /// The track with Jamendo id `id`.
    /// - Throws: `SourceError` (`.notFound` "id not found", `.downloadNotAllowed`, ...).
    public func track(id: String) async throws(SourceError) -> OnlineTrack {
        guard !id.isEmpty, id.allSatisfy(\.isASCII), id.allSatisfy(\.isNumber) else {
            throw .notFound(.jamendo, query: "id \(id)")
        }
        let results = try await tracks([URLQueryItem(name: "id", value: id)])
        guard let result = results.first else { throw .notFound(.jamendo, query: "id \(id) not found") }
        guard result.downloadAllowed else { throw .downloadNotAllowed(.jamendo, id: id) }
        return result.track
    }

    /// The track a Jamendo link points to ("https://www.jamendo.com/track/1234/name": the first numeric path
    /// segment).
    public func track(url: String) async throws(SourceError) -> OnlineTrack {
        guard let id = JamendoClient.trackID(in: url) else { throw .notFound(.jamendo, query: url) }
        return try await track(id: id)
    }

    /// The first numeric path segment of a Jamendo link.
    public static func trackID(in url: String) -> String? {
        guard case .url(.jamendo) = RequestTarget(url), let components = URLComponents(string: url) else {
            return nil
        }
        return components.path.split(separator: "/").first { $0.allSatisfy { $0.isASCII && $0.isNumber } }
            .map(String.init)
    }

    /// Streams the track's `audio` into the cache and returns the file, or the cached file when it is there.
    ///
    /// Refused before downloading when 96 kbit/s × duration is over `maxDownloadSize`; stopped (and the partial
    /// file removed) when the server sends more than the limit. The file is probed with FFmpeg: anything but
    /// playable audio is removed and refused.
    /// - Throws: `SourceError`.
    public func download(_ track: OnlineTrack) async throws(SourceError) -> URL {
        let stem = "jamendo-\(track.id)"
        guard track.id.allSatisfy({ $0.isASCII && $0.isNumber }), !track.id.isEmpty else {
            throw .unreadableAnswer(.jamendo, detail: "track id '\(track.id)' is not numeric")
        }
        if let cached = await cache.cachedFile(stem: stem) { return cached }
        let limit = configuration.maxDownloadSize
        if limit.refuses(track.estimatedSize), let bytes = limit.bytes {
            throw .tooLarge(size: track.estimatedSize, limit: bytes)
        }
        guard let audio = track.audioURL.flatMap(URL.init(string:)) else {
            throw .unreadableAnswer(.jamendo, detail: "track \(track.id) has no audio URL")
        }
        let partial = cache.folder.appendingPathComponent(".\(stem).download")
        let file = cache.folder.appendingPathComponent("\(stem).mp3")
        try await StreamToFile.fetch(
            audio, to: partial, limit: limit.bytes, timeout: configuration.downloadTimeout, platform: .jamendo)
        do {
            try? FileManager.default.removeItem(at: file)
            try FileManager.default.moveItem(at: partial, to: file)
        } catch {
            try? FileManager.default.removeItem(at: partial)
            throw .storage(detail: "\(file.path): \(error)")
        }
        try await check.verify(file, platform: .jamendo, limit: limit)
        await cache.admit(file)
        return file
    }

    /// One entry of `results`, with the download permission kept apart.
    struct Result {
        var track: OnlineTrack
        var downloadAllowed: Bool
    }

    /// GET `tracks/` with `items` plus client_id and format=json; the decoded results.
    func tracks(_ items: [URLQueryItem]) async throws(SourceError) -> [Result] {
        guard
            var components = URLComponents(
                url: configuration.baseURL.appendingPathComponent("tracks/"), resolvingAgainstBaseURL: false)
        else { throw .unavailable(.jamendo, why: "bad base URL \(configuration.baseURL)") }
        components.queryItems =
            [
                URLQueryItem(name: "client_id", value: configuration.clientID),
                URLQueryItem(name: "format", value: "json"),
            ] + items
        guard let url = components.url else { throw .unavailable(.jamendo, why: "bad base URL") }
        var request = URLRequest(url: url, timeoutInterval: configuration.requestTimeout.seconds)
        request.setValue("application/json", forHTTPHeaderField: "Accept")
        let session = URLSession(configuration: .ephemeral(timeout: configuration.requestTimeout))
        defer { session.finishTasksAndInvalidate() }
        let data: Data
        let response: URLResponse
        do {
            (data, response) = try await session.data(for: request)
        } catch {
            throw StreamToFile.networkError(error, platform: .jamendo)
        }
        let status = (response as? HTTPURLResponse)?.statusCode ?? 0
        if status == 401 || status == 403 {
            throw .badCredentials(.jamendo, detail: "HTTP \(status) from \(url.host ?? "")")
        }
        guard status == 200 else { throw .failed(.jamendo, detail: "HTTP \(status) for tracks/") }
        return try JamendoClient.parse(data)
    }

    /// Decodes `{"headers": {"status", "code", "error_message"}, "results": [...]}`.
    static func parse(_ data: Data) throws(SourceError) -> [Result] {
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw .unreadableAnswer(.jamendo, detail: "not JSON: \(String(decoding: data.prefix(200), as: UTF8.self))")
        }
        let headers = object["headers"] as? [String: Any] ?? [:]
        let code = (headers["code"] as? NSNumber)?.intValue ?? 0
        if (headers["status"] as? String).map({ $0 != "success" }) ?? false || code != 0 {
            let message = headers["error_message"] as? String ?? ""
            // Jamendo's code 5 is "invalid client id".
            if code == 5 || message.lowercased().contains("client") {
                throw .badCredentials(.jamendo, detail: "code \(code): \(message)")
            }
            throw .failed(.jamendo, detail: "code \(code): \(message)")
        }
        guard let results = object["results"] as? [[String: Any]] else {
            throw .unreadableAnswer(.jamendo, detail: "no 'results' array")
        }
        return try results.map { entry throws(SourceError) in
            let id = (entry["id"] as? String) ?? (entry["id"] as? NSNumber)?.stringValue
            guard let id, !id.isEmpty, let name = entry["name"] as? String else {
                throw .unreadableAnswer(.jamendo, detail: "a result lacks 'id' or 'name'")
            }
            let duration =
                (entry["duration"] as? NSNumber)?.doubleValue ?? (entry["duration"] as? String).flatMap(Double.init)
            let allowed =
                (entry["audiodownload_allowed"] as? Bool) ?? (entry["audiodownload_allowed"] as? NSNumber)?.boolValue
                ?? false
            let track = OnlineTrack(
                platform: .jamendo, id: id, title: name, artist: entry["artist_name"] as? String ?? "",
                duration: duration, url: entry["shareurl"] as? String ?? "https://www.jamendo.com/track/\(id)",
                estimatedSize: duration.map { Int64($0 * estimatedBytesPerSecond) },
                audioURL: entry["audio"] as? String)
            return Result(track: track, downloadAllowed: allowed)
        }
    }
}

extension Duration {
    /// The duration in seconds, for Foundation's `TimeInterval` APIs.
    var seconds: TimeInterval {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}

extension URLSessionConfiguration {
    /// No cookies, no cache, `timeout` for the whole transfer.
    static func ephemeral(timeout: Duration) -> URLSessionConfiguration {
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = timeout.seconds
        configuration.timeoutIntervalForResource = timeout.seconds
        configuration.requestCachePolicy = .reloadIgnoringLocalCacheData
        return configuration
    }
}
