import Foundation
import Hummingbird
import HummingbirdTesting
import RaveboxIntake
import RaveboxTestSupport
import Testing

@testable import RaveboxWeb

/// Uploads that are playlists, not songs: FFmpeg recognises HLS and `ffconcat` lists by their text whatever the
/// file is called, and would probe and play the files they name. The box refuses them with a sentence and
/// nothing joins the library or the queue.
@Suite struct PlaylistUploadAPITests {
    private func expectRefused(_ reply: Guest.Reply, _ sentence: String = "That file is not music the box can play.") {
        #expect(reply.status == .unsupportedMediaType, "\(reply.text)")
        #expect(reply.error == sentence)
    }

    /// An HLS playlist naming an MP3 in the test folder, uploaded as `.m3u8` and as `.mp3`.
    @Test func anHLSPlaylistIsRefusedWhateverItIsCalled() async throws {
        let box = try WebTestBox(withMusicFolders: true)
        try await box.set(["uploads": .string("everybody")])
        let named = box.folder.file("named.mp3")
        let ffmpeg = try #require(Subprocess.resolve("ffmpeg"), "these tests need the ffmpeg command")
        let made = try ProcessRunner.run(
            ffmpeg, ["-loglevel", "error", "-nostdin", "-f", "lavfi", "-i", "sine=duration=1", named])
        #expect(made.status == 0, "\(made.standardError)")
        let playlist = "#EXTM3U\n#EXT-X-TARGETDURATION:10\n#EXTINF:1.0,\n\(named)\n#EXT-X-ENDLIST\n"
        let songs = try await box.store.songCount()
        try await Application(router: box.web.router()).test(.router) { client in
            expectRefused(
                try await Guest().upload(Data(playlist.utf8), name: "party.m3u8", client),
                "The box accepts only music files (mp3, flac, ogg, opus, m4a, aac, wav, wma).")
            expectRefused(try await Guest().upload(Data(playlist.utf8), name: "Party Hit.mp3", client))
        }
        #expect(try await box.store.songCount() == songs)
        #expect(try await box.store.queue().isEmpty)
        #expect(FolderListing.names(in: box.folder.file("uploads")).isEmpty)
    }

    /// An `ffconcat` list naming an earlier upload: FFmpeg's safe mode allows a name in the list's own folder.
    @Test func aConcatListNamingAnotherUploadIsRefused() async throws {
        let box = try WebTestBox(withMusicFolders: true)
        try await box.set(["uploads": .string("everybody")])
        let song = WAVFile.bytes(WAVFile.sine(frequency: 440, seconds: 0.3))
        try await Application(router: box.web.router()).test(.router) { client in
            #expect(try await Guest().upload(song, name: "tone.wav", client).status == .created)
            let list = Data("ffconcat version 1.0\nfile tone.wav\n".utf8)
            expectRefused(try await Guest().upload(list, name: "b.mp3", client))
        }
        #expect(try await box.store.queue().count == 1)
        #expect(FolderListing.names(in: box.folder.file("uploads")) == ["tone.wav"])
    }
}

/// The files in a folder, hidden ones included.
enum FolderListing {
    static func names(in folder: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).sorted()
    }
}
