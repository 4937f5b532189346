import Foundation
import Testing

@testable import RaveboxScreen

/// Frame render time per layout, run on demand (timings in a debug build mean nothing):
///
///     RAVEBOX_SCREEN_BENCH=1 swift test -c release -Xswiftc -enable-testing --filter RenderBenchmark
///
/// `RAVEBOX_SCREEN_BENCH_FRAMES` sets the frames per case (default 200). Prints one line per layout and
/// output size: the mean and the slowest frame in milliseconds, the frame fed to `render` with a changing
/// spectrum and beat like the engine's. Figures and the command go in docs/performance.md.
@Suite(.serialized, .enabled(if: ProcessInfo.processInfo.environment["RAVEBOX_SCREEN_BENCH"] == "1"))
struct RenderBenchmark {
    static let frames = Int(ProcessInfo.processInfo.environment["RAVEBOX_SCREEN_BENCH_FRAMES"] ?? "") ?? 200

    /// (label, output size, internal size): 640×360 direct, 1080p scaled from 640×360 (the default
    /// `ScreenSettings`) and 1080p rendered at full size for comparison.
    static let sizes: [(String, Int, Int, Int?, Int?)] = [
        ("640x360", 640, 360, nil, nil),
        ("1920x1080 from 640x360", 1920, 1080, 640, 360),
        ("1920x1080 full", 1920, 1080, nil, nil),
    ]

    @Test func renderTimePerLayout() {
        ScreenFixtures.withFont { font in print(Self.measure(font), terminator: "") }
    }

    static func measure(_ font: ScreenFont) -> String {
        var report = ""
        for (label, width, height, renderWidth, renderHeight) in Self.sizes {
            let renderer = ScreenRenderer(
                width: width, height: height, renderWidth: renderWidth, renderHeight: renderHeight,
                font: font)
            var frame = [UInt32](repeating: 0, count: width * height)
            for layout in ScreenLayout.allCases {
                var model = ScreenFixtures.model
                var total: UInt64 = 0
                var worst: UInt64 = 0
                frame.withUnsafeMutableBufferPointer { output in
                    renderer.render(model, layout: layout, into: output)  // warm the glyph cache and QR codes
                    for index in 0..<Self.frames {
                        for band in model.bands.indices {
                            model.bands[band] = Float((band * 37 + index * 11) % 23 + 2) / 25
                        }
                        model.beat = Float(index % 8) / 8
                        model.current?.elapsed = Double(index) / 30
                        let start = DispatchTime.now().uptimeNanoseconds
                        renderer.render(model, layout: layout, into: output)
                        let elapsed = DispatchTime.now().uptimeNanoseconds - start
                        total += elapsed
                        worst = max(worst, elapsed)
                    }
                }
                let mean = Double(total) / Double(Self.frames) / 1e6
                let line =
                    "\(label) \(layout.rawValue): mean \(String(format: "%.2f", mean)) ms, "
                    + "max \(String(format: "%.2f", Double(worst) / 1e6)) ms"
                report += line + "\n"
            }
        }
        return report
    }
}
