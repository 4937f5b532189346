import Foundation
import RaveboxTestSupport
import Testing

@testable import RaveboxScreen

/// Steady-state frames allocate nothing. glibc cannot count allocations, so the test runs
/// `AllocationProbe` in a child copy of this test binary with jemalloc preloaded (Debian's libjemalloc2),
/// whose `thread.allocated` counter gives the bytes the rendering thread allocated over 100 frames a layout.
///
/// Only in optimized builds (`swift test -c release -Xswiftc -enable-testing`): unoptimized generic code
/// allocates on its own (about 2 KB a frame here), which says nothing about the firmware.
@Suite struct RenderAllocationTests {
    #if DEBUG
        static let isOptimized = false
    #else
        static let isOptimized = true
    #endif
    static let jemalloc = [
        "/usr/lib/x86_64-linux-gnu/libjemalloc.so.2", "/usr/lib/aarch64-linux-gnu/libjemalloc.so.2",
    ].first { FileManager.default.fileExists(atPath: $0) }

    @Test(
        .enabled(if: jemalloc != nil, "libjemalloc2 is not installed"),
        .enabled(if: isOptimized, "allocation counts need an optimized build"))
    func steadyStateFramesDoNotAllocate() throws {
        let executable = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")
        let result = try ProcessRunner.run(
            executable, ["--testing-library", "swift-testing", "--filter", "AllocationProbe"],
            environment: ["RAVEBOX_SCREEN_ALLOCATION_PROBE": "100", "LD_PRELOAD": Self.jemalloc!])
        let lines = result.standardOutput.split(separator: "\n").filter { $0.hasPrefix("allocated ") }
        #expect(lines.count == ScreenLayout.allCases.count, "probe output: \(result.standardOutput.suffix(2000))")
        for line in lines { #expect(line.hasSuffix(": 0 bytes"), "\(line)") }
        #expect(result.status == 0)
    }
}

/// Renders every layout `RAVEBOX_SCREEN_ALLOCATION_PROBE` times with a changing model after a warm-up and
/// prints `allocated <layout>: <n> bytes`; run only as the child of `steadyStateFramesDoNotAllocate`.
@Suite(.enabled(if: ProcessInfo.processInfo.environment["RAVEBOX_SCREEN_ALLOCATION_PROBE"] != nil))
struct AllocationProbe {
    typealias Mallctl =
        @convention(c) (
            UnsafePointer<CChar>?, UnsafeMutableRawPointer?, UnsafeMutablePointer<Int>?, UnsafeMutableRawPointer?, Int
        ) -> Int32

    /// Bytes this thread has allocated so far, from jemalloc.
    static func threadAllocated(_ mallctl: Mallctl) -> UInt64 {
        var value: UInt64 = 0
        var size = MemoryLayout<UInt64>.size
        _ = mallctl("thread.allocated", &value, &size, nil, 0)
        return value
    }

    @Test func renderFrames() throws {
        let symbol = try #require(dlsym(nil, "mallctl"), "jemalloc is not preloaded")
        let mallctl = unsafeBitCast(symbol, to: Mallctl.self)
        let frames = Int(ProcessInfo.processInfo.environment["RAVEBOX_SCREEN_ALLOCATION_PROBE"] ?? "") ?? 1
        // The probe runs alone in its process, so rendering outside `withFont` races with nothing.
        let renderer = ScreenFixtures.withFont {
            ScreenRenderer(width: 640, height: 360, renderWidth: 320, renderHeight: 180, font: $0)
        }
        var frame = [UInt32](repeating: 0, count: 640 * 360)
        var model = ScreenFixtures.model
        model.partyMode = true
        model.alarmFactor = 0.5
        var report = ""
        frame.withUnsafeMutableBufferPointer { output in
            for layout in ScreenLayout.allCases {
                // Warm-up: every digit once (a glyph's first use renders it with FreeType, which allocates).
                // Changing the bands once also gives the model its own copy of the fixture's array.
                for digit in 0..<10 {
                    model.current?.elapsed = Double(digit * 11 * 60)
                    model.bands[0] = Float(digit) / 10
                    renderer.render(model, layout: layout, into: output)
                }
                let before = Self.threadAllocated(mallctl)
                for index in 0..<frames {
                    for band in model.bands.indices { model.bands[band] = Float((band + index) % 7) / 7 }
                    model.beat = Float(index % 4) / 4
                    model.level = Float(index % 5) / 5
                    model.current?.elapsed = Double(index)
                    renderer.render(model, layout: layout, into: output)
                }
                let allocated = Self.threadAllocated(mallctl) - before
                report += "allocated \(layout.rawValue): \(allocated) bytes\n"
            }
        }
        print(report, terminator: "")
    }
}
