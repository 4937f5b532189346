import Foundation
import RaveboxCore

/// The check every download and upload goes through before it is offered to the player: within the size limit
/// and audio the box can decode (asked of the ``TrackProbing`` the executable hands in). A download that fails
/// is removed.
public struct AudioCheck: Sendable {
    let prober: any TrackProbing

    public init(prober: any TrackProbing) {
        self.prober = prober
    }

    /// Probes `file`; removes it and throws when it is too large or not audio.
    @discardableResult
    func verify(_ file: URL, platform: MusicPlatform, limit: DownloadSizeLimit) async throws(SourceError) -> TrackInfo {
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

    /// The probe on a thread of its own (it blocks on file I/O).
    func probe(_ path: String) async -> Result<TrackInfo, DecodeError> {
        await OnThread.run("probe") { [prober] () -> Result<TrackInfo, DecodeError> in
            do throws(DecodeError) {
                return .success(try prober.probe(path: path))
            } catch {
                return .failure(error)
            }
        }
    }
}
