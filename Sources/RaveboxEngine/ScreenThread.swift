import Atomics
import Foundation
import Logging
import RaveboxCore
import RaveboxDisplay
import RaveboxIPC
import RaveboxScreen
import RaveboxStore

/// Draws the box's screen on its own thread: the program chosen on the lights page (or the join codes for a
/// while after the play+skip chord), from the light thread's spectrum and the store, at
/// `screenFramesPerSecond`, presented on vblank through DRM/KMS. Without a screen (no DRM device) it never
/// starts; the web process draws the same frames for `GET /api/screen.png` itself.
///
/// It shares nothing mutable with the other threads: the control loop's cues arrive as atomics
/// (``ScreenCues``), the spectrum straight from the light thread (a ``SpectrumMailbox``), and the song and
/// queue from the store when their change counters move.
final class ScreenThread: @unchecked Sendable {
    // @unchecked: `display`, `model` and the counters belong to the thread once started; the rest is
    // immutable, atomic or the spectrum mailbox, whose reading side is this thread alone.

    private let display: DRMDisplay
    private let font: ScreenFont
    private let cues: ScreenCues
    private let spectrum: SpectrumMailbox
    private let store: Store
    private let segment: SharedSegment
    private let logger: Logger
    private let join: (url: String, wifi: ScreenModel.WiFi?)
    private let stopping = ManagedAtomic(false)
    private let finished = DispatchSemaphore(value: 0)
    private var model = ScreenModel()
    private var queueCount: UInt64 = .max
    private var songCount: UInt64 = .max
    /// When (monotonic nanoseconds) to look for the setup code again: every few seconds until someone claims
    /// the box.
    private var nextSetupCheck: UInt64 = 0
    private var settingsCount: UInt64 = .max
    /// When the mod code on the screen stops being valid (Unix seconds).
    private var modCodeExpiry = 0.0

    /// A screen thread for the first DRM screen, or nil (after one log line) when there is none or no font.
    static func open(
        configuration: EngineConfiguration, cues: ScreenCues, spectrum: SpectrumMailbox, store: Store,
        segment: SharedSegment, logger: Logger
    ) -> ScreenThread? {
        guard configuration.screen else { return nil }
        let font: ScreenFont
        do {
            font = try ScreenFont.standard()
        } catch {
            logger.error("screen: \(error); no screen")
            return nil
        }
        guard let display = DRMDisplay.open(settings: ScreenSettings(), logger: logger) else { return nil }
        return ScreenThread(
            display: display, font: font, configuration: configuration, cues: cues, spectrum: spectrum, store: store,
            segment: segment, logger: logger)
    }

    private init(
        display: DRMDisplay, font: ScreenFont, configuration: EngineConfiguration, cues: ScreenCues,
        spectrum: SpectrumMailbox, store: Store, segment: SharedSegment, logger: Logger
    ) {
        self.display = display
        self.font = font
        self.cues = cues
        self.spectrum = spectrum
        self.store = store
        self.segment = segment
        self.logger = logger
        join = (
            configuration.joinURL,
            configuration.wifiName.map { ScreenModel.WiFi(name: $0, password: configuration.wifiPassword) }
        )
        model.url = join.url
        model.wifi = join.wifi
    }

    func start() {
        let thread = Thread { [self] in
            run()
            finished.signal()
        }
        thread.name = "ravebox-screen"
        thread.start()
    }

    func stop() {
        stopping.store(true, ordering: .releasing)
        finished.wait()
    }

    private func run() {
        defer { display.close() }
        var renderer = makeRenderer()
        var pixels = [UInt32](repeating: 0, count: display.width * display.height)
        var nextProbe = SharedSegment.monotonicNanos() + 1_000_000_000
        while !stopping.load(ordering: .acquiring) {
            let started = SharedSegment.monotonicNanos()
            if started >= nextProbe {
                nextProbe = started + 1_000_000_000
                if (try? display.reprobe()) == true {
                    renderer = makeRenderer()
                    pixels = [UInt32](repeating: 0, count: display.width * display.height)
                }
            }
            let chosen = ScreenProgram.allCases[cues.program.load(ordering: .relaxed)]
            let showJoin = cues.showJoinUntil.load(ordering: .relaxed) > started
            refreshModel()
            pixels.withUnsafeMutableBufferPointer { frame in
                if chosen == .disabled && !showJoin {
                    frame.update(repeating: 0)
                } else {
                    let layout = showJoin ? .join : ScreenLayout(rawValue: chosen.rawValue) ?? .nowPlaying
                    renderer.render(model, layout: layout, into: frame)
                }
            }
            do {
                try pixels.withUnsafeBufferPointer { try display.present($0) }
            } catch {
                logger.error("screen: \(error); the screen stays as it is until the engine restarts")
                return
            }
            let period = 1_000_000_000 / UInt64(max(1, cues.framesPerSecond.load(ordering: .relaxed)))
            let elapsed = SharedSegment.monotonicNanos() - started
            if elapsed < period { usleep(UInt32((period - elapsed) / 1000)) }
        }
    }

    private func makeRenderer() -> ScreenRenderer {
        let size = ScreenSettings().renderSize(forDisplayWidth: display.width, height: display.height)
        return ScreenRenderer(
            width: display.width, height: display.height, renderWidth: size.width, renderHeight: size.height, font: font
        )
    }

    /// The spectrum and the cues every frame (copied in place: nothing allocates); the song, queue and hashtag
    /// when their change counters moved.
    private func refreshModel() {
        spectrum.read { frame in
            // Sized once, with storage of its own (sharing the mailbox's would copy on the light thread).
            if model.bands.count != frame.bands.count {
                model.bands = [Float](repeating: 0, count: frame.bands.count)
            }
            for index in frame.bands.indices { model.bands[index] = frame.bands[index] }
            model.level = frame.level
        }
        model.alarmFactor = cues.alarm.load(ordering: .relaxed) ? 1 : nil
        model.partyMode = cues.partyMode.load(ordering: .relaxed)
        let queue = segment.changeCount(.queue)
        let song = segment.changeCount(.currentSong)
        if queue != queueCount || song != songCount {
            queueCount = queue
            songCount = song
            model.upcoming = ((try? store.queue()) ?? []).prefix(ScreenModel.maximumUpcoming).map(ScreenModel.Song.init)
            model.hashtag = (try? store.activeHashtags().last) ?? ""
            model.current = (try? store.currentSong()).flatMap { $0 }.map { ScreenModel.Playing($0, elapsed: 0) }
        }
        if model.current != nil { model.current?.elapsed = cues.position }
        let now = SharedSegment.monotonicNanos()
        // The codes change rarely: read every 5 s, and at once when a process rang the settings bell (a mod
        // code asked for or used).
        let settings = segment.changeCount(.settings)
        if now >= nextSetupCheck || settings != settingsCount {
            nextSetupCheck = now + 5_000_000_000
            settingsCount = settings
            let codes = Self.codes(in: store, now: Date().timeIntervalSince1970)
            model.setupCode = codes.setup
            model.modCode = codes.mod
            modCodeExpiry = codes.modExpiresAt
        }
        if !model.modCode.isEmpty && Date().timeIntervalSince1970 >= modCodeExpiry { model.modCode = "" }
    }

    /// The codes the screen shows over every layout: the setup code while the box is unclaimed, and a mod's
    /// log-in code while one is live and the admin allows them (with when it stops being valid, Unix seconds).
    static func codes(in store: Store, now: Double) -> (setup: String, mod: String, modExpiresAt: Double) {
        let setup = ((try? AdminCredentials.setupCode(in: store)) ?? nil)?.description ?? ""
        guard (try? store.boxSettings())?.modScreenCodes == true,
            let shown = (try? AdminCredentials.modCodeToShow(now: now, in: store)) ?? nil
        else { return (setup, "", 0) }
        return (setup, shown.code.description, shown.expiresAt)
    }
}
