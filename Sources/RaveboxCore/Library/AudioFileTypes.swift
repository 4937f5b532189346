/// File name extensions the library scan considers audio.
public enum AudioFileTypes {
    public static let extensions: Set<String> = ["mp3", "flac", "ogg", "oga", "opus", "m4a", "aac", "wav", "wma"]

    /// Whether a file name looks like audio, by its extension (case-insensitive).
    public static func isAudio(fileName: String) -> Bool {
        guard let dot = fileName.lastIndex(of: "."), dot != fileName.startIndex else { return false }
        return extensions.contains(fileName[fileName.index(after: dot)...].lowercased())
    }
}
