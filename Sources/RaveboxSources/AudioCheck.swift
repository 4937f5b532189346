import Foundation
import RaveboxAudio

/// The check every download goes through before it is offered to the player: within the size limit and audio
/// FFmpeg can decode. A file that fails is removed.
enum AudioCheck {
    /// Probes `file`; removes it and throws when it is too large or not audio.
    @discardableResult
    static func verify(
        _ file: URL, platform: MusicPlatform, limit: DownloadSizeLimit
    ) async throws(SourceError) -> TrackInfo {
        let size = (try? FileManager.default.attributesOfItem(atPath: file.path)[.size] as? NSNumber)?.int64Value
        if limit.refuses(size), let bytes = limit.bytes {
            try? FileManager.default.removeItem(at: file)
            throw .tooLarge(size: size, limit: bytes)
        }
        let probed = await probe(file.path)
        switch probed {
        case .success(let info): return info
        case .failure(let error):
            try? FileManager.default.removeItem(at: file)
            throw .notAudio(platform, detail: error.details)
        }
    }

    /// `TrackProbe.probe` on a thread of its own (it blocks on file I/O).
    static func probe(_ path: String) async -> Result<TrackInfo, DecodeError> {
        await OnThread.run("probe") { () -> Result<TrackInfo, DecodeError> in
            do throws(DecodeError) {
                return .success(try TrackProbe.probe(path: path))
            } catch {
                return .failure(error)
            }
        }
    }
}
