import Foundation
import RaveboxIntake
import RaveboxMedia
import RaveboxTestSupport
import Testing

@Suite struct UploadIntakeTests {
    /// Sends `data` in chunks of `chunk` bytes.
    private func send(_ data: Data, to upload: Upload, chunk: Int = 1000) throws {
        var offset = 0
        while offset < data.count {
            try upload.append(data[offset..<min(offset + chunk, data.count)])
            offset += chunk
        }
    }

    @Test func acceptedAudioIsFiledUnderItsNameWithItsTags() async throws {
        let folder = try TemporaryFolder("uploads")
        defer { folder.remove() }
        let intake = try UploadIntake(
            folder: folder.url, limits: .init(maxFileSize: 1 << 20), prober: FFmpegTrackProbe())
        let data = SourcesFixtures.taggedWAV(title: "Sunrise", artist: "The Guests")
        let upload = try intake.begin(
            guest: "guest-1", filename: "C:\\Users\\me\\My Song.WAV", expectedSize: Int64(data.count))
        try send(data, to: upload)
        let accepted = try await upload.finish()
        #expect(accepted.file.lastPathComponent == "My Song.wav")
        #expect(accepted.info.title == "Sunrise")
        #expect(accepted.info.artist == "The Guests")
        #expect(accepted.info.duration.map { abs($0 - 0.3) < 0.05 } == true)
        #expect(accepted.size == Int64(data.count))
        #expect(accepted.guest == "guest-1")
        #expect(try Data(contentsOf: accepted.file) == data)
        #expect(SourcesFixtures.entries(folder.url) == ["My Song.wav"])
        #expect(intake.usage() == (stored: Int64(data.count), inFlight: 0))
    }

    @Test func namesAreSanitisedAndMadeUnique() async throws {
        let folder = try TemporaryFolder("uploads")
        defer { folder.remove() }
        let intake = try UploadIntake(folder: folder.url, limits: .init(), prober: FFmpegTrackProbe())
        var names: [String] = []
        for filename in ["../../etc/Cool Song?.MP3", "Cool Song_.mp3", ".hidden.mp3", "a/\u{7}*|<>.flac"] {
            let upload = try intake.begin(guest: "g", filename: filename)
            try send(SourcesFixtures.wav(), to: upload)
            names.append(try await upload.finish().file.lastPathComponent)
        }
        #expect(names == ["Cool Song.mp3", "Cool Song (2).mp3", "hidden.mp3", "upload.flac"])
    }

    @Test func fileWithoutTagsTakesItsTitleFromTheGuestsName() async throws {
        let folder = try TemporaryFolder("uploads")
        defer { folder.remove() }
        let intake = try UploadIntake(folder: folder.url, limits: .init(), prober: FFmpegTrackProbe())
        let upload = try intake.begin(guest: "g", filename: "Night Drive.wav")
        try send(SourcesFixtures.wav(), to: upload)
        #expect(try await upload.finish().info.title == "Night Drive")
    }

    @Test func nonAudioIsRefusedAndRemoved() async throws {
        let folder = try TemporaryFolder("uploads")
        defer { folder.remove() }
        let intake = try UploadIntake(
            folder: folder.url, limits: .init(maxUploadsPerGuest: 1), prober: FFmpegTrackProbe())
        let upload = try intake.begin(guest: "g", filename: "song.mp3")
        try upload.append(Data("<html>definitely not music</html>".utf8))
        do {
            _ = try await upload.finish()
            Issue.record("expected .notAudio")
        } catch {
            guard case .notAudio = error else {
                Issue.record("expected .notAudio, got \(error)")
                return
            }
            #expect(error.reason == "That file is not music the box can play.")
        }
        #expect(SourcesFixtures.entries(folder.url).isEmpty)
        // A refused upload does not use up the guest's allowance.
        _ = try intake.begin(guest: "g", filename: "next.mp3")
    }

    @Test func nonAudioFileNameIsRefusedAtOnce() throws {
        let folder = try TemporaryFolder("uploads")
        defer { folder.remove() }
        let intake = try UploadIntake(folder: folder.url, limits: .init(), prober: FFmpegTrackProbe())
        #expect(throws: UploadError.notAudioName("setup.exe")) {
            _ = try intake.begin(guest: "g", filename: "setup.exe")
        }
        #expect(SourcesFixtures.entries(folder.url).isEmpty)
    }

    @Test func oversizeUploadStopsAtTheLimitAndLeavesNothing() throws {
        let folder = try TemporaryFolder("uploads")
        defer { folder.remove() }
        let intake = try UploadIntake(folder: folder.url, limits: .init(maxFileSize: 1500), prober: FFmpegTrackProbe())
        #expect(throws: UploadError.tooLarge(limit: 1500)) {
            _ = try intake.begin(guest: "g", filename: "big.mp3", expectedSize: 2000)
        }
        let upload = try intake.begin(guest: "g", filename: "big.mp3")
        try upload.append(Data(count: 1000))
        #expect(throws: UploadError.tooLarge(limit: 1500)) { try upload.append(Data(count: 1000)) }
        #expect(upload.bytesReceived == 1000)
        #expect(SourcesFixtures.entries(folder.url).isEmpty)
        #expect(throws: UploadError.tooLarge(limit: 1500)) { try upload.append(Data(count: 1)) }
        #expect(intake.usage() == (stored: 0, inFlight: 0))
    }

    @Test func guestsMayUploadOnlySoManySongs() async throws {
        let folder = try TemporaryFolder("uploads")
        defer { folder.remove() }
        let intake = try UploadIntake(
            folder: folder.url, limits: .init(maxUploadsPerGuest: 2), prober: FFmpegTrackProbe())
        let first = try intake.begin(guest: "alice", filename: "1.wav")
        try send(SourcesFixtures.wav(), to: first)
        _ = try await first.finish()
        let second = try intake.begin(guest: "alice", filename: "2.wav")
        do {
            _ = try intake.begin(guest: "alice", filename: "3.wav")
            Issue.record("expected .tooManyUploads")
        } catch {
            #expect(error == .tooManyUploads(limit: 2))
            #expect(error.reason == "You have already uploaded as many songs as the box allows (2).")
        }
        _ = try intake.begin(guest: "bob", filename: "1.wav")
        second.cancel()
        _ = try intake.begin(guest: "alice", filename: "3.wav")
    }

    @Test func quotaCountsStoredFilesAndUploadsUnderWay() throws {
        let folder = try TemporaryFolder("uploads")
        defer { folder.remove() }
        try Data(count: 4000).write(to: folder.url.appendingPathComponent("earlier.mp3"))
        let intake = try UploadIntake(folder: folder.url, limits: .init(quota: 10_000), prober: FFmpegTrackProbe())
        let a = try intake.begin(guest: "a", filename: "a.mp3")
        let b = try intake.begin(guest: "b", filename: "b.mp3")
        try a.append(Data(count: 2000))
        try b.append(Data(count: 2000))
        try a.append(Data(count: 2000))
        do {
            try b.append(Data(count: 2000))
            Issue.record("expected .quotaFull")
        } catch {
            #expect(error == .quotaFull(quota: 10_000))
            #expect(error.reason == "The box has no room left for uploads.")
        }
        #expect(intake.usage() == (stored: 4000, inFlight: 4000))
        #expect(SourcesFixtures.entries(folder.url).filter { $0.hasPrefix(".") }.count == 1)
        // An announced size is reserved up front.
        #expect(throws: UploadError.quotaFull(quota: 10_000)) {
            _ = try intake.begin(guest: "c", filename: "c.mp3", expectedSize: 2001)
        }
        a.cancel()
        _ = try intake.begin(guest: "c", filename: "c.mp3", expectedSize: 6000)
    }

    @Test func concurrentUploadsNeverTogetherExceedTheQuota() async throws {
        let folder = try TemporaryFolder("uploads")
        defer { folder.remove() }
        let quota: Int64 = 50_000
        let intake = try UploadIntake(folder: folder.url, limits: .init(quota: quota), prober: FFmpegTrackProbe())
        let uploads = try (0..<4).map { try intake.begin(guest: "g\($0)", filename: "\($0).mp3") }
        let refused = await withTaskGroup(of: Bool.self) { group in
            for upload in uploads {
                group.addTask {
                    for _ in 0..<100 {
                        do { try upload.append(Data(count: 500)) } catch { return true }
                        let usage = intake.usage()
                        if usage.stored + usage.inFlight > quota { return false }
                        await Task.yield()
                    }
                    return false
                }
            }
            return await group.reduce(0) { $0 + ($1 ? 1 : 0) }
        }
        #expect(refused >= 3)
        let usage = intake.usage()
        #expect(usage.inFlight <= quota)
        let written = SourcesFixtures.entries(folder.url).reduce(Int64(0)) { total, name in
            let size = try? FileManager.default.attributesOfItem(atPath: folder.file(name))[.size] as? NSNumber
            return total + (size?.int64Value ?? 0)
        }
        #expect(written <= quota)
        #expect(written == usage.inFlight)
    }

    @Test func cancelledUploadLeavesNothingBehind() throws {
        let folder = try TemporaryFolder("uploads")
        defer { folder.remove() }
        let intake = try UploadIntake(folder: folder.url, limits: .init(quota: 1_000_000), prober: FFmpegTrackProbe())
        let upload = try intake.begin(guest: "g", filename: "half.mp3", expectedSize: 5000)
        try upload.append(Data(count: 2500))
        #expect(SourcesFixtures.entries(folder.url).count == 1)
        upload.cancel()
        #expect(SourcesFixtures.entries(folder.url).isEmpty)
        #expect(intake.usage() == (stored: 0, inFlight: 0))
        #expect(throws: UploadError.ended) { try upload.append(Data(count: 1)) }
    }

    @Test func abandonedUploadIsCleanedUp() throws {
        let folder = try TemporaryFolder("uploads")
        defer { folder.remove() }
        let intake = try UploadIntake(folder: folder.url, limits: .init(), prober: FFmpegTrackProbe())
        do {
            let upload = try intake.begin(guest: "g", filename: "dropped.mp3")
            try upload.append(Data(count: 100))
        }
        #expect(SourcesFixtures.entries(folder.url).isEmpty)
        #expect(intake.usage() == (stored: 0, inFlight: 0))
    }

    @Test func incompleteUploadIsRefused() async throws {
        let folder = try TemporaryFolder("uploads")
        defer { folder.remove() }
        let intake = try UploadIntake(folder: folder.url, limits: .init(), prober: FFmpegTrackProbe())
        let data = SourcesFixtures.wav()
        let upload = try intake.begin(guest: "g", filename: "cut.wav", expectedSize: Int64(data.count) + 10)
        try send(data, to: upload)
        await #expect(throws: UploadError.sizeMismatch(expected: Int64(data.count) + 10, received: Int64(data.count))) {
            _ = try await upload.finish()
        }
        #expect(SourcesFixtures.entries(folder.url).isEmpty)
    }

    @Test func limitsInMegabytesFollowTheSettingsUnits() {
        let limits = UploadIntake.Limits(maxFileSizeMegabytes: 1.5, maxUploadsPerGuest: 3, quotaMegabytes: 0)
        #expect(limits == .init(maxFileSize: 1_572_864, maxUploadsPerGuest: 3, quota: nil))
    }

    @Test func partialFilesOfAnEarlierRunAreRemoved() throws {
        let folder = try TemporaryFolder("uploads")
        defer { folder.remove() }
        try Data(count: 10).write(to: folder.url.appendingPathComponent(".upload-1234.part"))
        try Data(count: 10).write(to: folder.url.appendingPathComponent("kept.mp3"))
        let intake = try UploadIntake(folder: folder.url, limits: .init(), prober: FFmpegTrackProbe())
        #expect(SourcesFixtures.entries(folder.url) == ["kept.mp3"])
        #expect(intake.usage() == (stored: 10, inFlight: 0))
    }
}
