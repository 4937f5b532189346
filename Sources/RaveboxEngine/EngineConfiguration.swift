import Foundation
import RaveboxAudio
import RaveboxButtons
import RaveboxCore
import RaveboxLights
import RaveboxMedia

/// What the engine needs to know from the box configuration.
public struct EngineConfiguration: Sendable {
    /// ALSA PCM name.
    public var audioDevice: String
    /// Pace writes to real time on devices without a clock (`.auto`), or never (`.off`, benchmarks).
    public var pacing: Pacing
    /// Music folders scanned at start.
    public var libraries: [String]
    /// Seconds between two saves of the playback position.
    public var positionSaveInterval: Double
    /// Folder of the alarm and buzzer sounds (made on first start when missing).
    public var soundsDirectory: String?
    /// A named pipe that also gets what plays, for Snapcast.
    public var snapcastFIFO: String?
    /// ALSA capture device the analysis listens to instead of the music played (`audio_source: capture`).
    public var captureDevice: String?
    /// The format songs are played at, the ALSA period and periods per buffer.
    public var format: AudioFormat
    public var periodMilliseconds: Int
    public var periods: Int
    /// LED outputs, WLED audio sync and onboard LEDs.
    public var lights: LightsConfiguration
    /// Where the onboard LEDs live (`/sys/class/leds`; tests use a folder laid out the same way).
    public var onboardLEDRoot: String
    /// Whether the engine drives a DRM/KMS screen (it looks for one; none is one log line).
    public var screen = false
    /// The party page's address and the Wi-Fi, for the screen's join codes.
    public var joinURL = "http://localhost:8080/"
    public var wifiName: String?
    public var wifiPassword: String?
    /// The box's buttons: off, the default wiring, or a mapping from ravebox.yaml.
    public var buttons: ButtonsSetting = .off
    /// What the power button runs to shut the box down (`systemctl poweroff` on the box); nil = only a log line.
    public var powerOffCommand: [String]?
    /// The web process's cache of downloaded songs: a song from it that starts playing gets its modification
    /// time set to now, which the cache reads as "last played" when it evicts.
    public var downloadCache: String?

    public init(
        audioDevice: String, pacing: Pacing = .auto, libraries: [String] = [], positionSaveInterval: Double = 1,
        soundsDirectory: String? = nil, snapcastFIFO: String? = nil, captureDevice: String? = nil,
        format: AudioFormat = AudioFormat(), periodMilliseconds: Int = 5, periods: Int = 4,
        lights: LightsConfiguration = LightsConfiguration(), onboardLEDRoot: String = OnboardLED.defaultRoot,
        downloadCache: String? = nil, buttons: ButtonsSetting = .off, powerOffCommand: [String]? = nil,
        screen: Bool = false, joinURL: String = "http://localhost:8080/", wifiName: String? = nil,
        wifiPassword: String? = nil
    ) {
        self.screen = screen
        self.joinURL = joinURL
        self.wifiName = wifiName
        self.wifiPassword = wifiPassword
        self.buttons = buttons
        self.powerOffCommand = powerOffCommand
        self.downloadCache = downloadCache
        self.lights = lights
        self.onboardLEDRoot = onboardLEDRoot
        self.format = format
        self.periodMilliseconds = periodMilliseconds
        self.periods = periods
        self.audioDevice = audioDevice
        self.pacing = pacing
        self.libraries = libraries
        self.positionSaveInterval = positionSaveInterval
        self.soundsDirectory = soundsDirectory
        self.snapcastFIFO = snapcastFIFO
        self.captureDevice = captureDevice
    }
}
