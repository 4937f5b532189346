// swift-tools-version:6.1
import PackageDescription

/// Ravebox's benchmarks: a separate package so that CI (and `swift build` at the top) never builds
/// package-benchmark. Run from this folder:
///
///     swift package --disable-sandbox benchmark
///
/// and see docs/performance.md for the figures and bench/analysis-vs-cava.sh for `analyze-pcm`.
let package = Package(
    name: "RaveboxBenchmarks",
    platforms: [.macOS(.v14)],
    dependencies: [
        .package(name: "ravebox", path: ".."),
        // MallocInterposer alone: malloc counts without jemalloc, and without the Swift 6.3 runtime interposer.
        // (ordo-one/package-benchmark, renamed; the old identifier only earns a warning now.)
        .package(url: "https://github.com/ordo-one/benchmark.git", from: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        // Hot paths: one analysis hop, one LED frame (render + encode), one pass of the engine's light thread (all of
        // it, with real outputs), time and allocations; and the library search at 50 000 songs.
        .executableTarget(
            name: "Lights",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "RaveboxDSP", package: "ravebox"),
                .product(name: "RaveboxLights", package: "ravebox"),
                .product(name: "RaveboxEngine", package: "ravebox"),
                .product(name: "RaveboxStore", package: "ravebox"),
            ],
            path: "Benchmarks/Lights",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        // Raw s16le stereo PCM in, cava-style raw 8-bit bars out: the analysis side of bench/analysis-vs-cava.sh.
        .executableTarget(
            name: "analyze-pcm",
            dependencies: [.product(name: "RaveboxDSP", package: "ravebox")],
            path: "Sources/analyze-pcm"
        ),
    ],
    swiftLanguageModes: [.v6]
)
