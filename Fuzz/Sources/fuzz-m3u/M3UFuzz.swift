import CFuzzDriver
import Foundation
import RaveboxCore

/// libFuzzer target: a playlist file's bytes, as the library scan reads an `.m3u`/`.m3u8` from a music folder (a
/// guest's USB stick), into ``M3UPlaylist/parse(_:relativeTo:)``.
///
/// Checks: every entry is an absolute path already in normal form (no `.`, `..` or empty components), there are no
/// more entries than lines, and a playlist rendered from the entries reads back as the same entries.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzM3U(_ bytes: UnsafePointer<UInt8>, _ count: Int) -> Int32 {
    let text = String(decoding: UnsafeBufferPointer(start: bytes, count: count), as: UTF8.self)
    let folder = "/media/ravebox/Stick/Party Mix"
    let entries = M3UPlaylist.parse(text, relativeTo: folder)
    precondition(entries.count <= text.split(whereSeparator: \.isNewline).count, "more entries than lines")
    for entry in entries {
        precondition(entry.hasPrefix("/"), "relative entry \(entry.debugDescription)")
        precondition(M3UPlaylist.normalized(entry) == entry, "entry not normalized: \(entry.debugDescription)")
        precondition(!entry.contains { $0.isNewline || $0 == "\0" }, "line break or NUL in \(entry.debugDescription)")
    }
    // The play-log export writes paths the scanner found; a path `parse` would read differently (a backslash, a
    // component with spaces at an end that trimming eats) cannot come out of it unchanged, so only the others.
    let exportable = entries.filter { entry in
        !entry.contains("\\") && !entry.contains("://")
            && entry.split(separator: "/").allSatisfy {
                $0.first?.isWhitespace != true && $0.last?.isWhitespace != true
            }
    }
    let rendered = M3UPlaylist.render(exportable.map { (path: $0, title: "Title", artist: "Artist", duration: 60) })
    let reread = M3UPlaylist.parse(rendered, relativeTo: "/")
    precondition(
        reread == exportable, "render/parse changed \(exportable.debugDescription) to \(reread.debugDescription)")
    return 0
}

/// libFuzzer's command line (see the Makefile's `fuzz` targets).
@main
enum M3UFuzz {
    static func main() {
        exit(rb_fuzz_main(CommandLine.argc, CommandLine.unsafeArgv))
    }
}
