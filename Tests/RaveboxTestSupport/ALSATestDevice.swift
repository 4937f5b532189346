import Foundation

/// ALSA devices for tests, from ALSA's own `file` plugin over its `null` device (`Tests/Fixtures/asoundrc`):
/// the code under test makes real `snd_pcm_*` calls and the frames it plays land in a raw file.
///
/// ```swift
/// let device = ALSATestDevice.file(at: folder.file("out.raw"))   // "rbtestfile:FILE=/tmp/.../out.raw"
/// ```
///
/// Each test passes its own file, so tests run in parallel. The device has no clock; the player paces it.
/// The configuration is appended to ALSA's through `ALSA_CONFIG_PATH` (which replaces the search list, so
/// `alsa.conf` comes first), once per process and before ALSA reads its configuration: get every device
/// name from here.
public enum ALSATestDevice {
    /// Path of the test configuration: `RAVEBOX_TEST_ASOUNDRC` (set by `make test`) or the fixture next to
    /// this source file.
    public static let configurationPath: String = {
        let path =
            ProcessInfo.processInfo.environment["RAVEBOX_TEST_ASOUNDRC"]
            ?? URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/asoundrc").path
        precondition(FileManager.default.fileExists(atPath: path), "the test ALSA configuration \(path) is missing")
        setenv("ALSA_CONFIG_PATH", "/usr/share/alsa/alsa.conf:\(path)", 1)
        return path
    }()

    /// Makes sure the configuration is installed. Call before any other ALSA use in the process.
    public static func install() {
        _ = configurationPath
    }

    /// The device that writes everything played to `path`.
    public static func file(at path: String) -> String {
        install()
        return "rbtestfile:FILE=\(path)"
    }

    /// Environment for a child process so it sees the test devices too.
    public static var environment: [String: String] {
        ["ALSA_CONFIG_PATH": "/usr/share/alsa/alsa.conf:\(configurationPath)"]
    }
}
