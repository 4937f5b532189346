import Atomics
import RaveboxCore

/// What the control loop and the buttons tell the screen thread, each as an atomic the screen loads once per
/// frame: the program, the frame rate, the join codes, party mode, the alarm and the song's position. Written
/// on the control loop (and the buttons thread for `showJoinUntil`), read on the screen thread.
final class ScreenCues: Sendable {
    /// The program (index into `ScreenProgram.allCases`) the lights page chose.
    let program = ManagedAtomic<Int>(ScreenProgram.allCases.firstIndex(of: .nowPlaying) ?? 0)
    /// Frames per second the lights page chose.
    let framesPerSecond = ManagedAtomic<Int>(30)
    /// Until when (monotonic nanoseconds) the screen shows the join QR codes; 0 = not asked.
    let showJoinUntil = ManagedAtomic<UInt64>(0)
    /// Whether the party is big enough for party mode.
    let partyMode = ManagedAtomic<Bool>(false)
    /// Whether the alarm sounds.
    let alarm = ManagedAtomic<Bool>(false)
    /// Seconds since the current song started (its bit pattern).
    private let positionBits = ManagedAtomic<UInt64>(0)

    /// Seconds since the current song started, excluding pauses.
    var position: Double {
        get { Double(bitPattern: positionBits.load(ordering: .relaxed)) }
        set { positionBits.store(newValue.bitPattern, ordering: .relaxed) }
    }
}
