/// Reads an audio file's tags and length, and so tells whether it is audio the box can play.
///
/// The web process checks guests' uploads and downloads through this without linking the decoder: the
/// executable hands it RaveboxMedia's FFmpeg probe, the one implementation.
public protocol TrackProbing: Sendable {
    /// Blocks on file I/O for a few milliseconds: call it off the event loop.
    ///
    /// - Throws: `DecodeError.fileNotFound`, `.notAudio` or `.unsupportedCodec`.
    func probe(path: String) throws(DecodeError) -> TrackInfo
}
