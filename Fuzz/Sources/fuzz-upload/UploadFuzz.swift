import CFuzzDriver
import Foundation
import RaveboxCore
import RaveboxIntake
import Synchronization

/// libFuzzer target: a guest's upload (`POST /api/uploads?name=…` with the file as the body) through the real
/// ``UploadIntake`` in a temporary uploads folder: the name, the announced size, the body in chunks, the limits.
///
/// The input is one byte of limits, one of chunk size, the file name up to the first line feed, then the body.
/// FFmpeg's probe is left out (FFmpeg is not instrumented here and is fuzzed by its own project): ``MagicProbe``
/// calls a file audio by its first bytes, so both outcomes of the check are reached.
///
/// Checks: an accepted file lies directly in the uploads folder under a visible name with the guest's (lower-cased)
/// extension, holds exactly the body, and keeps to the size limit and the announced size; a refused one leaves
/// nothing behind, and no upload holds bytes against the quota once it ended.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzUpload(_ bytes: UnsafePointer<UInt8>, _ count: Int) -> Int32 {
    let input = UnsafeBufferPointer(start: bytes, count: count)
    guard input.count >= 2 else { return 0 }
    let (settings, chunkSize) = (input[0], Int(input[1]) + 1)
    let rest = input[2...]
    let newline = rest.firstIndex(of: 0x0A) ?? rest.endIndex
    let name = String(decoding: rest[..<newline], as: UTF8.self)
    let body = Array(rest[newline...].dropFirst())
    let limits = UploadIntake.Limits(
        maxFileSize: [nil, 16, 256, 4096][Int(settings & 3)], maxUploadsPerGuest: 1,
        quota: settings & 0x10 == 0 ? nil : 512)
    let announced: Int64? =
        switch (settings >> 2) & 3 {
        case 0: nil
        case 1: Int64(body.count)
        case 2: Int64(body.count) + 1
        default: Int64(body.count) - 1
        }
    let fixture = UploadFixture.shared
    fixture.intake.setLimits(limits)
    let outcome = fixture.upload(name: name, announced: announced, body: body, chunkSize: chunkSize)

    let left = try! FileManager.default.contentsOfDirectory(atPath: fixture.intake.folder.path)
    switch outcome {
    case .success(let accepted):
        let file = accepted.file
        precondition(file.deletingLastPathComponent().path == fixture.intake.folder.path, "filed outside: \(file)")
        precondition(!file.lastPathComponent.hasPrefix("."), "hidden file name \(file.lastPathComponent)")
        precondition(AudioFileTypes.isAudio(fileName: file.lastPathComponent), "not an audio name: \(file)")
        let base = name.split(whereSeparator: { $0 == "/" || $0 == "\\" }).last ?? ""
        precondition(
            file.pathExtension == (base.split(separator: ".").last?.lowercased() ?? ""),
            "extension \(file.pathExtension) of \(name.debugDescription)")
        precondition(left == [file.lastPathComponent], "other files in the folder: \(left)")
        precondition(FileManager.default.contents(atPath: file.path) == Data(body), "stored bytes differ")
        precondition(accepted.size == Int64(body.count), "size \(accepted.size) of \(body.count) bytes")
        precondition(announced == nil || announced == accepted.size, "accepted against the announced size")
        if let max = limits.maxFileSize { precondition(accepted.size <= max, "larger than the limit") }
        try! FileManager.default.removeItem(at: file)
    case .failure:
        precondition(left.isEmpty, "a refused upload left \(left)")
    }
    // (`stored` counts the file just removed until the next upload rescans the folder.)
    precondition(fixture.intake.usage().inFlight == 0, "an ended upload still holds bytes against the quota")
    return 0
}

/// The uploads folder and its intake, made once per fuzzing process.
final class UploadFixture: Sendable {
    static let shared = UploadFixture()

    let intake: UploadIntake
    private let guests = Atomic<Int>(0)

    private init() {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("fuzz-upload-\(getpid())")
        try? FileManager.default.removeItem(at: folder)
        intake = try! UploadIntake(folder: folder, limits: .init(), prober: MagicProbe())
    }

    /// One upload by a new guest, as the upload route feeds it: `begin`, `append` per chunk, `finish`.
    func upload(name: String, announced: Int64?, body: [UInt8], chunkSize: Int) -> Result<AcceptedUpload, UploadError> {
        let guest = "guest-\(guests.add(1, ordering: .relaxed).newValue)"
        let upload: Upload
        do throws(UploadError) {
            upload = try intake.begin(guest: guest, filename: name, expectedSize: announced)
            var offset = 0
            while offset < body.count {
                try upload.append(body[offset..<min(offset + chunkSize, body.count)])
                offset += chunkSize
            }
        } catch {
            return .failure(error)
        }
        let result = Mutex<Result<AcceptedUpload, UploadError>?>(nil)
        let done = DispatchSemaphore(value: 0)
        Task {
            do throws(UploadError) {
                let accepted = try await upload.finish()
                result.withLock { $0 = .success(accepted) }
            } catch {
                result.withLock { $0 = .failure(error) }
            }
            done.signal()
        }
        done.wait()
        return result.withLock { $0 }!
    }
}

/// Audio when the file starts as an MP3 with tags, a FLAC or an Ogg file does; the title is the file's name, as
/// FFmpeg's probe gives it for a file without a title tag.
struct MagicProbe: TrackProbing {
    func probe(path: String) throws(DecodeError) -> TrackInfo {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw .fileNotFound(path: path, detail: "cannot open")
        }
        defer { try? handle.close() }
        let head = (try? handle.read(upToCount: 4)) ?? Data()
        guard head.starts(with: Data("ID3".utf8)) || head == Data("fLaC".utf8) || head == Data("OggS".utf8) else {
            throw .notAudio(path: path, detail: "no audio header")
        }
        return TrackInfo(title: URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent)
    }
}

/// libFuzzer's command line (see the Makefile's `fuzz` targets).
@main
enum UploadFuzz {
    static func main() {
        exit(rb_fuzz_main(CommandLine.argc, CommandLine.unsafeArgv))
    }
}
