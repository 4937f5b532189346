import Foundation
import RaveboxCore

/// Finds and downloads songs from YouTube with the `yt-dlp` command (reference §8.2).
///
/// ```swift
/// let youtube = YouTubeProvider(cache: cache, configuration: .init(maxDownloadSize: .init(megabytes: 30)))
/// guard youtube.availability == .available else { ... }
/// let track = try await youtube.search("daft punk one more time")
/// let file = try await youtube.download(track)      // <cache>/<id>.m4a, probed, admitted to the cache
/// ```
///
/// Every call runs yt-dlp as a child process with an argument vector (no shell) and a timeout. yt-dlp's
/// configuration files are ignored (`--ignore-config`) so the box behaves the same whatever is in `~/.config`.
/// Cheap to copy and safe to share between tasks.
public struct YouTubeProvider: Sendable {
    /// How yt-dlp is run.
    public struct Configuration: Sendable {
        /// The yt-dlp executable: a path, or a name looked up in PATH.
        public var executable: String
        /// The `max_download_size` setting.
        public var maxDownloadSize: DownloadSizeLimit
        /// Limit for a search or a URL lookup.
        public var lookupTimeout: Duration
        /// Limit for a download.
        public var downloadTimeout: Duration
        /// Time yt-dlp gets between SIGTERM and SIGKILL when it runs past a limit.
        public var gracePeriod: Duration
        /// yt-dlp's environment; nil inherits the box's.
        public var environment: [String: String]?

        /// A configuration; the defaults suit a Raspberry Pi on a home connection.
        public init(
            executable: String = "yt-dlp", maxDownloadSize: DownloadSizeLimit = .none,
            lookupTimeout: Duration = .seconds(30), downloadTimeout: Duration = .seconds(300),
            gracePeriod: Duration = .seconds(2), environment: [String: String]? = nil
        ) {
            self.executable = executable
            self.maxDownloadSize = maxDownloadSize
            self.lookupTimeout = lookupTimeout
            self.downloadTimeout = downloadTimeout
            self.gracePeriod = gracePeriod
            self.environment = environment
        }
    }

    /// yt-dlp's format choice: m4a audio when there is one (what the box decodes best), else the best audio.
    static let audioFormat = "bestaudio[ext=m4a]/bestaudio"

    /// Where downloads go.
    public let cache: DownloadCache
    /// How yt-dlp is run.
    public var configuration: Configuration

    /// Checks each download before it is offered.
    let check: AudioCheck

    /// A provider downloading into `cache`, checking downloads with `prober`.
    public init(cache: DownloadCache, configuration: Configuration = Configuration(), prober: any TrackProbing) {
        self.cache = cache
        self.configuration = configuration
        self.check = AudioCheck(prober: prober)
    }

    /// Whether yt-dlp can be found.
    public var availability: ProviderAvailability {
        let searchPath = configuration.environment?["PATH"]
        guard Subprocess.resolve(configuration.executable, searchPath: searchPath) != nil else {
            return .unavailable(
                "\(configuration.executable) is not installed or not executable: install yt-dlp "
                    + "(e.g. `apt install yt-dlp`) or set the path to it")
        }
        return .available
    }

    /// The first YouTube result for `text` (`ytsearch1:`).
    /// - Throws: `SourceError` (`.notFound` when YouTube has no result).
    public func search(_ text: String) async throws(SourceError) -> OnlineTrack {
        let query = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !query.isEmpty else { throw .notFound(.youtube, query: text) }
        return try await lookUp("ytsearch1:\(query)", query: query)
    }

    /// The video behind a YouTube link (`www`, `music`, `m.` and `youtu.be` forms; music.youtube.com is
    /// normalised to www).
    /// - Throws: `SourceError` (`.notFound` when the link names no video).
    public func track(url: String) async throws(SourceError) -> OnlineTrack {
        guard let id = YouTubeProvider.videoID(in: url) else { throw .notFound(.youtube, query: url) }
        return try await lookUp(YouTubeProvider.watchURL(id), query: url)
    }

    /// Downloads the audio of `track` into the cache and returns the file, or the cached file when it is there.
    ///
    /// Refuses before downloading when yt-dlp reported a size over `maxDownloadSize`; yt-dlp also gets
    /// `--max-filesize`, and the file is checked again afterwards. The file is probed with FFmpeg: a download
    /// that is not playable audio is removed and refused.
    /// - Throws: `SourceError` (`.tooLarge`, `.notAudio`, yt-dlp failures, `.timedOut`).
    public func download(_ track: OnlineTrack) async throws(SourceError) -> URL {
        guard YouTubeProvider.isSafeID(track.id) else {
            throw .unreadableAnswer(.youtube, detail: "video id '\(track.id)' is not a YouTube id")
        }
        if let cached = await cache.cachedFile(stem: track.id) { return cached }
        let limit = configuration.maxDownloadSize
        if limit.refuses(track.estimatedSize), let bytes = limit.bytes {
            throw .tooLarge(size: track.estimatedSize, limit: bytes)
        }
        var arguments = [
            "--ignore-config", "--no-playlist", "--no-progress", "-f", YouTubeProvider.audioFormat,
            "-o", cache.folder.appendingPathComponent("\(track.id).%(ext)s").path,
        ]
        if let bytes = limit.bytes { arguments += ["--max-filesize", String(bytes)] }
        arguments += ["--", YouTubeProvider.watchURL(track.id)]
        let result: SubprocessResult
        do {
            result = try await run(arguments, timeout: configuration.downloadTimeout)
        } catch {
            await cache.removeLeftovers(stem: track.id)
            throw error
        }
        let output = String(decoding: result.standardOutput + result.standardError, as: UTF8.self)
        guard result.succeeded else {
            await cache.removeLeftovers(stem: track.id)
            throw YouTubeProvider.failure(result)
        }
        guard let file = await cache.cachedFile(stem: track.id) else {
            if output.contains("max-filesize"), let bytes = limit.bytes { throw .tooLarge(size: nil, limit: bytes) }
            throw .failed(.youtube, detail: "yt-dlp finished but wrote no file for \(track.id): \(output.suffix(300))")
        }
        try await check.verify(file, platform: .youtube, limit: limit)
        await cache.admit(file)
        return file
    }

    /// The video id in a YouTube link: `watch?v=ID`, `youtu.be/ID`, `/shorts/ID`, `/embed/ID`, `/live/ID`.
    public static func videoID(in url: String) -> String? {
        guard case .url(.youtube) = RequestTarget(url), let components = URLComponents(string: url) else {
            return nil
        }
        var id: String?
        if let value = components.queryItems?.first(where: { $0.name == "v" })?.value {
            id = value
        } else {
            let parts = components.path.split(separator: "/").map(String.init)
            if RequestTarget.host(of: url.lowercased()) == "youtu.be" {
                id = parts.first
            } else if parts.count >= 2, ["shorts", "embed", "live", "v"].contains(parts[0]) {
                id = parts[1]
            }
        }
        guard let id, isSafeID(id) else { return nil }
        return id
    }

    /// The canonical page of video `id` (every YouTube form normalised to www).
    public static func watchURL(_ id: String) -> String { "https://www.youtube.com/watch?v=\(id)" }

    /// YouTube ids are letters, digits, "-" and "_": safe as file names.
    static func isSafeID(_ id: String) -> Bool {
        !id.isEmpty && id.count <= 64
            && id.unicodeScalars.allSatisfy {
                $0.isASCII && (CharacterSet.alphanumerics.contains($0) || "-_".contains(Character($0)))
            }
    }

    private func lookUp(_ target: String, query: String) async throws(SourceError) -> OnlineTrack {
        let arguments = [
            "--ignore-config", "--dump-json", "--no-playlist", "--no-progress", "-f", YouTubeProvider.audioFormat,
            "--", target,
        ]
        let result = try await run(arguments, timeout: configuration.lookupTimeout)
        guard result.succeeded else { throw YouTubeProvider.failure(result) }
        let lines = String(decoding: result.standardOutput, as: UTF8.self).split(whereSeparator: \.isNewline)
        guard let line = lines.first(where: { !$0.trimmingCharacters(in: .whitespaces).isEmpty }) else {
            throw .notFound(.youtube, query: query)
        }
        return try YouTubeProvider.parse(Data(line.utf8))
    }

    /// Reads one `--dump-json` object: id, title, uploader/artist/channel, duration, webpage_url,
    /// filesize/filesize_approx.
    static func parse(_ json: Data) throws(SourceError) -> OnlineTrack {
        guard let object = try? JSONSerialization.jsonObject(with: json) as? [String: Any] else {
            throw .unreadableAnswer(.youtube, detail: "not JSON: \(String(decoding: json.prefix(200), as: UTF8.self))")
        }
        guard let id = object["id"] as? String, isSafeID(id) else {
            throw .unreadableAnswer(.youtube, detail: "no usable 'id' in yt-dlp's JSON")
        }
        let title = (object["track"] as? String) ?? (object["title"] as? String) ?? id
        let artist =
            [object["artist"], object["uploader"], object["channel"]].lazy.compactMap { $0 as? String }
            .first { !$0.isEmpty } ?? ""
        let duration = (object["duration"] as? NSNumber)?.doubleValue
        let size = ((object["filesize"] as? NSNumber) ?? (object["filesize_approx"] as? NSNumber))?.int64Value
        let page = (object["webpage_url"] as? String) ?? watchURL(id)
        return OnlineTrack(
            platform: .youtube, id: id, title: title, artist: artist, duration: duration,
            url: RequestTarget.host(of: page.lowercased()) == "music.youtube.com" ? watchURL(id) : page,
            estimatedSize: size)
    }

    private func run(_ arguments: [String], timeout: Duration) async throws(SourceError) -> SubprocessResult {
        let subprocess = Subprocess(
            executable: configuration.executable, arguments: arguments, environment: configuration.environment,
            timeout: timeout, gracePeriod: configuration.gracePeriod)
        do {
            return try await subprocess.run()
        } catch {
            switch error {
            case .executableNotFound, .spawnFailed: throw .unavailable(.youtube, why: error.description)
            case .timedOut: throw .timedOut(.youtube, detail: error.description)
            case .cancelled: throw .failed(.youtube, detail: error.description)
            }
        }
    }

    /// Turns a failed yt-dlp run into an error, from its last "ERROR:" line.
    static func failure(_ result: SubprocessResult) -> SourceError {
        let text = String(decoding: result.standardError, as: UTF8.self)
        let line =
            text.split(whereSeparator: \.isNewline).last { $0.contains("ERROR") }.map(String.init)
            ?? String(text.suffix(300))
        let detail = "yt-dlp \(result.termination): \(line)"
        let lower = line.lowercased()
        if lower.contains("429") || lower.contains("403") || lower.contains("sign in to confirm") {
            return .refused(.youtube, detail: detail)
        }
        if lower.contains("unable to download webpage") || lower.contains("name or service not known")
            || lower.contains("temporary failure in name resolution") || lower.contains("network is unreachable")
        {
            return .unreachable(.youtube, detail: detail)
        }
        if lower.contains("video unavailable") || lower.contains("private video") || lower.contains("not available")
            || lower.contains("does not exist")
        {
            return .notFound(.youtube, query: detail)
        }
        return .failed(.youtube, detail: detail)
    }
}
