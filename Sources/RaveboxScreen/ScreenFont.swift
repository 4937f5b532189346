import CFreeType
import Foundation

/// Why the screen's font could not be loaded.
public enum FontError: Error, Equatable, CustomStringConvertible {
    /// FreeType itself did not start (out of memory).
    case freeTypeUnavailable(code: Int32)
    /// The file exists but FreeType cannot read it as a font.
    case unreadable(path: String, code: Int32)
    /// None of the paths holds a font.
    case notFound(searched: [String])

    /// One sentence naming the file and what to check.
    public var description: String {
        switch self {
        case .freeTypeUnavailable(let code): "FreeType failed to start (error \(code))."
        case .unreadable(let path, let code):
            "\(path) is not a font FreeType can read (error \(code)): use a TrueType or OpenType file."
        case .notFound(let searched):
            "No font found (looked at \(searched.joined(separator: ", "))): install fonts-dejavu-core."
        }
    }
}

/// A font loaded with FreeType: a primary face (DejaVu Sans from Debian's fonts-dejavu-core) and optional
/// fallback faces tried for characters the primary one lacks. Characters no face has are drawn as the
/// primary face's missing-glyph box, never skipped or crashed on.
///
/// Not thread-safe (FreeType's library object is not): one font per rendering thread.
///
/// ```swift
/// let font = try ScreenFont.standard()
/// let renderer = ScreenRenderer(width: 1920, height: 1080, renderWidth: 640, renderHeight: 360, font: font)
/// ```
public final class ScreenFont {
    /// DejaVu Sans Bold, then DejaVu Sans (fonts-dejavu-core).
    public static let standardPaths = [
        "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf", "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    ]
    /// Faces with wide coverage, used as fallbacks when installed (CJK from fonts-droid-fallback or
    /// fonts-noto-cjk); the box works without them, drawing boxes instead.
    public static let standardFallbackPaths = [
        "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
        "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc",
    ]

    let library: OpaquePointer
    /// Primary face first, then the fallbacks.
    let faces: [FT_Face]
    /// The primary face's file.
    public let path: String

    /// Loads the font at `path`, plus each of `fallbackPaths` that exists and loads.
    public init(path: String, fallbackPaths: [String] = []) throws(FontError) {
        var library: OpaquePointer?
        let started = FT_Init_FreeType(&library)
        guard started == 0, let library else { throw .freeTypeUnavailable(code: started) }
        var primary: FT_Face?
        let opened = FT_New_Face(library, path, 0, &primary)
        guard opened == 0, let primary else {
            FT_Done_FreeType(library)
            if !FileManager.default.fileExists(atPath: path) { throw .notFound(searched: [path]) }
            throw .unreadable(path: path, code: opened)
        }
        var faces = [primary]
        for fallback in fallbackPaths where FileManager.default.fileExists(atPath: fallback) {
            var face: FT_Face?
            if FT_New_Face(library, fallback, 0, &face) == 0, let face { faces.append(face) }
        }
        self.library = library
        self.faces = faces
        self.path = path
    }

    /// The first of `standardPaths` that loads, with the installed `standardFallbackPaths`.
    public static func standard() throws(FontError) -> ScreenFont {
        for path in standardPaths where FileManager.default.fileExists(atPath: path) {
            return try ScreenFont(path: path, fallbackPaths: standardFallbackPaths)
        }
        throw .notFound(searched: standardPaths)
    }

    deinit {
        for face in faces { FT_Done_Face(face) }
        FT_Done_FreeType(library)
    }
}
