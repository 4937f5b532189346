import Testing

@testable import RaveboxCore

@Suite struct M3UPlaylistTests {
    @Test func extendedPlaylistWithRelativeAbsoluteAndURLEntries() {
        let text = """
            #EXTM3U
            #EXTINF:215,Daft Punk - One More Time
            Daft Punk/One More Time.mp3
            # a comment
            #EXTINF:-1,Radio
            http://radio.example/stream.mp3

            /media/other/Absolute.flac
            ../Shared/./Song.ogg
            Sub//Deeper/../Track.m4a
            """
        #expect(
            M3UPlaylist.parse(text, relativeTo: "/media/music/Party") == [
                "/media/music/Party/Daft Punk/One More Time.mp3",
                "/media/other/Absolute.flac",
                "/media/music/Shared/Song.ogg",
                "/media/music/Party/Sub/Track.m4a",
            ])
    }

    @Test func byteOrderMarkAndCRLFLineEndsAreAccepted() {
        let text = "\u{FEFF}#EXTM3U\r\n#EXTINF:3,Artiste - Été\r\nÉté.mp3\r\n日本語/歌.flac\r\nlast.ogg"
        #expect(
            M3UPlaylist.parse(text, relativeTo: "/m") == ["/m/Été.mp3", "/m/日本語/歌.flac", "/m/last.ogg"])
    }

    @Test func byteOrderMarkBeforeAPlainEntryIsNotPartOfThePath() {
        #expect(M3UPlaylist.parse("\u{FEFF}song.mp3\n", relativeTo: "/m") == ["/m/song.mp3"])
    }

    @Test func oldMacLineEndsAndSurroundingSpacesAreAccepted() {
        #expect(M3UPlaylist.parse("  a.mp3  \rb.mp3\r", relativeTo: "/m/") == ["/m/a.mp3", "/m/b.mp3"])
    }

    @Test func fileURLsBecomePathsAndOtherURLsAreSkipped() {
        let text = """
            file:///media/music/My%20Song.mp3
            file://localhost/media/music/Caf%C3%A9.flac
            https://example.com/a.mp3
            rtsp://example.com/b
            spotify://track/123
            """
        #expect(
            M3UPlaylist.parse(text, relativeTo: "/x") == [
                "/media/music/My Song.mp3", "/media/music/Café.flac",
            ])
    }

    /// Found by fuzzing (Fuzz/Corpus/m3u/file-url-line-break.m3u): a percent-decoded line break or NUL made an
    /// entry no file can match, one that a NUL would cut short in C.
    @Test func entriesWithLineBreaksOrNULsAreSkipped() {
        let text =
            "file:///media/a%0Ab.mp3\nfile:///media/c%00.mp3\n/media/d\u{0}e.mp3\nfile:///media/e%E2%80%A8f.mp3\nok.mp3"
        #expect(M3UPlaylist.parse(text, relativeTo: "/m") == ["/m/ok.mp3"])
    }

    @Test func windowsSeparatorsCountAsSlashes() {
        #expect(M3UPlaylist.parse("Album\\01 Intro.mp3", relativeTo: "/m") == ["/m/Album/01 Intro.mp3"])
    }

    @Test func playlistWithoutEntriesIsEmpty() {
        #expect(M3UPlaylist.parse("#EXTM3U\n\n# nothing here\n", relativeTo: "/m").isEmpty)
        #expect(M3UPlaylist.parse("", relativeTo: "/m").isEmpty)
    }

    @Test(arguments: [
        ("/a/./b//../c", "/a/c"), ("/../../x", "/x"), ("a/b/", "/a/b"), ("/", "/"), ("/a/b/..", "/a"),
    ])
    func pathsAreNormalised(path: String, expected: String) {
        #expect(M3UPlaylist.normalized(path) == expected)
    }

    @Test func renderWritesExtendedM3U() {
        let text = M3UPlaylist.render([
            (path: "/media/music/one.mp3", title: "One More Time", artist: "Daft Punk", duration: 320.4),
            (path: "/media/music/日本/歌.flac", title: "歌 🎶", artist: "", duration: 59.5),
            (path: "/media/music/unknown.ogg", title: "Line\nbreak", artist: "X", duration: .nan),
        ])
        #expect(
            text == """
                #EXTM3U
                #EXTINF:320,Daft Punk - One More Time
                /media/music/one.mp3
                #EXTINF:60,歌 🎶
                /media/music/日本/歌.flac
                #EXTINF:-1,X - Line break
                /media/music/unknown.ogg

                """)
    }

    @Test func renderedPlaylistParsesBackToItsPaths() {
        let paths = ["/m/a b.mp3", "/m/Ünïcode/c.flac", "/m/#hash.ogg"]
        let text = M3UPlaylist.render(paths.map { (path: $0, title: "t", artist: "a", duration: 1) })
        #expect(M3UPlaylist.parse(text, relativeTo: "/elsewhere") == paths)
    }

    @Test(arguments: [("a.m3u", true), ("B.M3U8", true), ("c.m3u.bak", false), ("d.pls", false)])
    func playlistFilesAreRecognisedByExtension(name: String, expected: Bool) {
        #expect(M3UPlaylist.isPlaylist(fileName: name) == expected)
    }
}
