import RaveboxAudio
import RaveboxIPC

/// Publishes the playback state and the light thread's newest report as `Telemetry` in the shared segment's
/// seqlock, once per pass of the control loop, and hands the screen its cues (position, alarm). Its
/// telemetry keeps its arrays' storage, so a pass allocates nothing. Control loop only.
final class TelemetryPublisher {
    private let segment: SharedSegment
    private let lights: LightReportMailbox
    private let outputCount: Int
    private let screen: ScreenCues
    private var telemetry = Telemetry()

    init(segment: SharedSegment, lights: LightThread, screen: ScreenCues) {
        self.segment = segment
        self.lights = lights.report
        outputCount = min(lights.outputCount, Telemetry.previewOutputCapacity)
        self.screen = screen
    }

    /// Publishes the player's `status`, the session's song, volume and pause, and whether the alarm sounds
    /// (with the position the interrupted song resumes at).
    func publish(status: PlayerStatus, session: PlaybackSession, alarm: AlarmController) {
        lights.read { $0.copy(into: &telemetry, outputs: outputCount) }
        let current = session.current
        telemetry.state =
            switch status.state {
            case .idle: current != nil && session.paused ? .paused : .idle
            case .playing: .playing
            case .paused: .paused
            }
        if alarm.isSounding { telemetry.state = .alarm }
        telemetry.songID = current?.songID ?? 0
        telemetry.position = current == nil ? 0 : (alarm.resumePosition ?? status.position)
        telemetry.duration = current?.duration ?? 0
        telemetry.volume = session.volume
        telemetry.xruns = UInt64(status.xruns)
        telemetry.underruns = UInt64(status.underruns)
        telemetry.updatedNanos = SharedSegment.monotonicNanos()
        segment.telemetry.publish(telemetry)
        screen.position = telemetry.position
        screen.alarm.store(alarm.isSounding, ordering: .relaxed)
    }
}
