import Atomics
import Foundation
import RaveboxAudio
import RaveboxButtons
import RaveboxCore
import RaveboxIPC

extension Engine {
    /// The voter key of votes cast with the box's own vote-up button.
    static let buttonVoter = "box-button"
    /// Volume change per encoder detent.
    static let volumeStep = 0.05

    /// Queues what a button asked for; the control loop does it on its next pass (within a tick).
    /// Safe from any thread.
    public func perform(_ action: ButtonAction) {
        if case .shutdown = action {
            powerOff()
            return
        }
        buttonActions.withLock { $0.append(action) }
    }

    /// The power button: the configured power-off command (the box's `systemctl poweroff`, which stops the
    /// supervisor cleanly first), or one log line where there is none (desktop mode).
    private func powerOff() {
        guard let command = configuration.powerOffCommand, let executable = command.first else {
            logger.notice("power button held: shutting down is only done on the box")
            return
        }
        logger.notice("power button held: shutting the box down")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = Array(command.dropFirst())
        do {
            try process.run()
        } catch {
            logger.error("cannot shut down with \(command.joined(separator: " ")): \(error)")
        }
    }

    /// Does the queued button actions (control loop).
    func handleButtonActions() {
        let actions = buttonActions.withLock { queued -> [ButtonAction] in
            defer { queued.removeAll(keepingCapacity: true) }
            return queued
        }
        for action in actions { handle(action) }
    }

    private func handle(_ action: ButtonAction) {
        logger.info("button: \(action)")
        switch action {
        case .playPause:
            handle(Command(kind: session.paused ? .play : .pause))
        case .skip:
            handle(Command(kind: .skip))
        case .voteUp:
            guard let song = session.current, song.entryID != 0 else { return }
            do {
                // The party's kick rule, as for a guest's vote: an upvote only reaches the threshold when the
                // threshold dropped below the song's votes since (fewer guests, a changed setting).
                let threshold = try store.kickThreshold(settings: settings, now: Date().timeIntervalSince1970)
                let result = try store.vote(
                    entryID: song.entryID, voter: Self.buttonVoter, vote: .up, kickThreshold: threshold)
                segment.bump(.queue)
                if result.kicked, let playID = result.playID { handle(Command(kind: .skip, value: Double(playID))) }
            } catch {
                logger.error("the vote-up button could not vote: \(error)")
            }
        case .alarm:
            handle(Command(kind: .alarm))
        case .volume(let steps):
            handle(Command(kind: .setVolume, value: min(1, max(0, session.volume + Double(steps) * Self.volumeStep))))
        case .showJoinQR(let seconds):
            showJoinUntil.store(SharedSegment.monotonicNanos() + UInt64(seconds) * 1_000_000_000, ordering: .relaxed)
        case .shutdown:
            powerOff()
        }
    }
}
