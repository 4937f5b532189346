import Foundation
import Synchronization

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// Streams an HTTP response body into a file, stopping as soon as it goes past a size limit.
///
/// URLSession calls the delegate methods on its own queue; the state they share with the waiting task is behind
/// a lock, and the continuation is resumed exactly once, when the task completes.
final class StreamToFile: NSObject, URLSessionDataDelegate, @unchecked Sendable {
    // @unchecked Sendable: every mutable property is inside `state`, which is only touched under its lock;
    // `descriptor`, `limit` and `platform` never change.
    private struct State {
        var written: Int64 = 0
        var failure: SourceError?
        var continuation: CheckedContinuation<Void, Never>?
    }

    private let descriptor: Int32
    private let limit: Int64?
    private let platform: MusicPlatform
    private let state = Mutex(State())

    private init(descriptor: Int32, limit: Int64?, platform: MusicPlatform) {
        self.descriptor = descriptor
        self.limit = limit
        self.platform = platform
    }

    /// Downloads `url` into `file` (created or truncated). On any failure `file` is removed.
    static func fetch(
        _ url: URL, to file: URL, limit: Int64?, timeout: Duration, platform: MusicPlatform
    ) async throws(SourceError) {
        let descriptor = open(file.path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw .storage(detail: "\(file.path): \(String(cString: strerror(errno)))")
        }
        let stream = StreamToFile(descriptor: descriptor, limit: limit, platform: platform)
        let session = URLSession(
            configuration: .ephemeral(timeout: timeout), delegate: stream, delegateQueue: nil)
        let task = session.dataTask(with: URLRequest(url: url, timeoutInterval: timeout.seconds))
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                stream.state.withLock { $0.continuation = continuation }
                task.resume()
            }
        } onCancel: {
            task.cancel()
        }
        session.finishTasksAndInvalidate()
        close(descriptor)
        if let failure = stream.state.withLock({ $0.failure }) {
            try? FileManager.default.removeItem(at: file)
            throw failure
        }
    }

    func urlSession(
        _ session: URLSession, dataTask: URLSessionDataTask, didReceive response: URLResponse,
        completionHandler: @escaping @Sendable (URLSession.ResponseDisposition) -> Void
    ) {
        let status = (response as? HTTPURLResponse)?.statusCode ?? 0
        var failure: SourceError?
        if status == 401 || status == 403 {
            failure = .badCredentials(platform, detail: "HTTP \(status) for \(response.url?.path ?? "audio")")
        } else if status != 200 {
            failure = .failed(platform, detail: "HTTP \(status) for \(response.url?.path ?? "audio")")
        } else if let limit, response.expectedContentLength > limit {
            failure = .tooLarge(size: response.expectedContentLength, limit: limit)
        }
        if let failure { fail(failure) }
        completionHandler(failure == nil ? .allow : .cancel)
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
        let tooMuch = state.withLock { state -> Bool in
            guard state.failure == nil else { return false }
            state.written += Int64(data.count)
            if let limit, state.written > limit {
                state.failure = .tooLarge(size: nil, limit: limit)
                return true
            }
            let ok = data.withUnsafeBytes { buffer -> Bool in
                var offset = 0
                while offset < buffer.count {
                    let count = write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
                    if count < 0 && errno == EINTR { continue }
                    if count <= 0 { return false }
                    offset += count
                }
                return true
            }
            if !ok { state.failure = .storage(detail: "write failed: \(String(cString: strerror(errno)))") }
            return !ok
        }
        if tooMuch { dataTask.cancel() }
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: (any Error)?) {
        let continuation = state.withLock { state in
            if state.failure == nil, let error { state.failure = StreamToFile.networkError(error, platform: platform) }
            defer { state.continuation = nil }
            return state.continuation
        }
        continuation?.resume()
    }

    private func fail(_ error: SourceError) {
        state.withLock { state in
            if state.failure == nil { state.failure = error }
        }
    }

    /// A URLSession error as a `SourceError`.
    static func networkError(_ error: any Error, platform: MusicPlatform) -> SourceError {
        guard let urlError = error as? URLError else { return .unreachable(platform, detail: "\(error)") }
        switch urlError.code {
        case .timedOut: return .timedOut(platform, detail: urlError.localizedDescription)
        case .cancelled: return .failed(platform, detail: "cancelled")
        default: return .unreachable(platform, detail: "\(urlError.code.rawValue): \(urlError.localizedDescription)")
        }
    }
}
