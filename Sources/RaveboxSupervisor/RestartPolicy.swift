/// When to restart a child that exited or hung.
///
/// Back-off starts at 100 ms and doubles with each crash in the last minute, up to 5 s. After
/// ``crashLoopThreshold`` crashes within ``window`` seconds the child is in a crash loop: it is
/// still retried, every ``crashLoopDelay`` seconds, and the supervisor says so.
public struct RestartPolicy: Sendable, Equatable {
    public static let initialDelay = 0.1
    public static let maximumDelay = 5.0
    public static let window = 60.0
    public static let crashLoopThreshold = 5
    public static let crashLoopDelay = 30.0

    /// Times (seconds, monotonic) of the crashes inside the window.
    public private(set) var recentCrashes: [Double] = []

    public init() {}

    /// Whether the child has crashed ``crashLoopThreshold`` times in the ``window`` before `time`.
    public func isInCrashLoop(at time: Double) -> Bool {
        recentCrashes.filter { time - $0 <= Self.window }.count >= Self.crashLoopThreshold
    }

    /// Records a crash at `time` and returns how long to wait before the restart, in seconds.
    public mutating func recordCrash(at time: Double) -> Double {
        recentCrashes.removeAll { time - $0 > Self.window }
        recentCrashes.append(time)
        if isInCrashLoop(at: time) { return Self.crashLoopDelay }
        let doublings = recentCrashes.count - 1
        var delay = Self.initialDelay
        for _ in 0..<doublings { delay = min(Self.maximumDelay, delay * 2) }
        return delay
    }
}
