import Foundation

/// Polls `condition` every `interval` (20 ms unless said) until it returns true (then returns true) or `seconds`
/// pass (then returns false). A condition that throws counts as not yet true.
///
/// ```swift
/// #expect(await eventually(within: 5) { try await box.state().currentSong != nil })
/// ```
public func eventually(
    within seconds: Double, every interval: Duration = .milliseconds(20), _ condition: () async throws -> Bool
) async -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if (try? await condition()) == true { return true }
        try? await Task.sleep(for: interval)
    }
    return false
}
