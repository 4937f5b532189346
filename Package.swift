// swift-tools-version:6.1
import PackageDescription

/// Ravebox: firmware for a Raspberry Pi party box.
///
/// Module layout and the rules about who may import whom are in docs/architecture.md (a test holds this
/// graph to its table): arrows point down the table only, so `RaveboxCore` knows nothing of SQLite, HTTP or
/// ALSA, and the web process's modules reach no ALSA, FFmpeg or DRM.
let package = Package(
    name: "ravebox",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "ravebox", targets: ["ravebox"]),
        // For the package-benchmark suite in Benchmarks/ (a separate package, so CI never builds it).
        .library(name: "RaveboxDSP", targets: ["RaveboxDSP"]),
        .library(name: "RaveboxLights", targets: ["RaveboxLights"]),
        .library(name: "RaveboxEngine", targets: ["RaveboxEngine"]),
        .library(name: "RaveboxStore", targets: ["RaveboxStore"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-websocket.git", from: "2.8.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth.git", from: "2.5.0"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-atomics.git", from: "1.3.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/x-sheep/swift-property-based.git", from: "2.0.1"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache.git", from: "2.1.1"),
        // Already under Hummingbird; the web process's connection guards are NIO channel handlers.
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.3"),
    ],
    targets: [
        // System libraries (module map + pkg-config + apt provider).
        .systemLibrary(name: "CALSA", pkgConfig: "alsa", providers: [.apt(["libasound2-dev"])]),
        .systemLibrary(name: "CGPIOD", pkgConfig: "libgpiod", providers: [.apt(["libgpiod-dev"])]),
        .systemLibrary(name: "CDRM", pkgConfig: "libdrm", providers: [.apt(["libdrm-dev"])]),
        .systemLibrary(name: "CFFTW3F", pkgConfig: "fftw3f", providers: [.apt(["libfftw3-dev"])]),
        // FFmpeg's headers (libavformat-dev, libavcodec-dev, libavutil-dev, libswresample-dev); its libraries are
        // opened when first used (Sources/CFFmpeg/loader.c), not linked.
        .target(name: "CFFmpeg"),
        .systemLibrary(name: "CQRencode", pkgConfig: "libqrencode", providers: [.apt(["libqrencode-dev"])]),
        .systemLibrary(name: "CFreeType", pkgConfig: "freetype2", providers: [.apt(["libfreetype-dev"])]),
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        .systemLibrary(name: "CEBUR128", pkgConfig: "libebur128", providers: [.apt(["libebur128-dev"])]),
        // Small C helpers for what Swift cannot call directly (futex, fork/exec with a parent-death signal).
        .target(name: "CRaveboxSys"),
        // libgpiod v1 (Debian 12) and v2 (Debian 13) behind one set of rb_gpio_* functions, chosen at compile time.
        .target(name: "CRaveboxGPIO", dependencies: ["CGPIOD"], linkerSettings: [.linkedLibrary("gpiod")]),

        .target(
            name: "RaveboxCore",
            dependencies: [.product(name: "Yams", package: "Yams")]
        ),
        .target(
            name: "RaveboxStore",
            dependencies: [
                "RaveboxCore", .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
            ]
        ),
        .target(
            name: "RaveboxIPC",
            dependencies: ["CRaveboxSys", .product(name: "Atomics", package: "swift-atomics")]
        ),
        .target(name: "RaveboxDSP", dependencies: ["CFFTW3F"]),
        // Media files: probing and tags, the FFmpeg decoder, sample formats. No ALSA: the library scan and the
        // web's upload checks use it.
        .target(name: "RaveboxMedia", dependencies: ["RaveboxCore", "CFFmpeg"]),
        .target(
            name: "RaveboxAudio",
            dependencies: [
                "RaveboxCore", "RaveboxMedia", "CALSA", "CRaveboxSys", "CEBUR128",
                .product(name: "Atomics", package: "swift-atomics"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(name: "RaveboxLights", dependencies: ["RaveboxCore", "RaveboxDSP", "CRaveboxSys"]),
        // QR codes (libqrencode) for the join page and the box's screen.
        .target(name: "RaveboxQR", dependencies: ["CQRencode"]),
        // The music folders: scanning and watching them into the store.
        .target(
            name: "RaveboxLibrary",
            dependencies: [
                "RaveboxCore", "RaveboxStore", "RaveboxMedia", .product(name: "Logging", package: "swift-log"),
                .product(name: "Atomics", package: "swift-atomics"),
            ]
        ),
        // New songs from outside: guests' uploads, online providers (yt-dlp, Jamendo), the download cache, the
        // connectivity check. Files are checked through Core's `TrackProbing`, so it links no decoder.
        .target(
            name: "RaveboxIntake",
            dependencies: ["RaveboxCore", .product(name: "Logging", package: "swift-log")]
        ),
        // Screen frames: software renderer (FreeType text, libqrencode join codes) and PNG, no display device.
        .target(name: "RaveboxScreen", dependencies: ["RaveboxCore", "RaveboxQR", "CFreeType", "CZlib"]),
        // The DRM/KMS display the engine presents frames on.
        .target(
            name: "RaveboxDisplay",
            dependencies: ["RaveboxScreen", "CDRM", .product(name: "Logging", package: "swift-log")]
        ),
        .target(
            name: "RaveboxButtons",
            dependencies: [
                "RaveboxCore", "CRaveboxGPIO", .product(name: "Logging", package: "swift-log"),
                .product(name: "Yams", package: "Yams"),
            ]
        ),
        // The status LED (a GPIO line from the buttons' mapping, or an onboard LED) and its blink patterns,
        // driven by the supervisor.
        .target(name: "RaveboxStatusLight", dependencies: ["RaveboxButtons", "RaveboxLights", "CRaveboxGPIO"]),
        .target(
            name: "RaveboxEngine",
            dependencies: [
                "RaveboxCore", "RaveboxStore", "RaveboxIPC", "RaveboxMedia", "RaveboxAudio", "RaveboxDSP",
                "RaveboxLights", "RaveboxScreen", "RaveboxDisplay", "RaveboxButtons", "RaveboxLibrary", "CRaveboxSys",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Atomics", package: "swift-atomics"),
            ]
        ),
        .target(
            name: "RaveboxWeb",
            dependencies: [
                "RaveboxCore", "RaveboxStore", "RaveboxIPC", "RaveboxQR", "RaveboxIntake", "RaveboxScreen", "CZlib",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            // Pages, styles and scripts are compiled into the binary: one file to install, nothing to lose.
            resources: [
                .embedInCode("Assets/party.mustache"), .embedInCode("Assets/page.mustache"),
                .embedInCode("Assets/login.mustache"), .embedInCode("Assets/join.mustache"),
                .embedInCode("Assets/settings.mustache"), .embedInCode("Assets/lights.mustache"),
                .embedInCode("Assets/ravebox.css"), .embedInCode("Assets/party.js"),
                .embedInCode("Assets/common.js"), .embedInCode("Assets/settings.js"),
                .embedInCode("Assets/lights.js"), .embedInCode("Assets/icon.svg"),
                .embedInCode("Assets/entry.mustache"),
            ]
        ),
        .target(
            name: "RaveboxSupervisor",
            dependencies: [
                "RaveboxCore", "RaveboxStore", "RaveboxIPC", "CRaveboxSys",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // What `ravebox setup` touches as root: folders and files opened without following symlinks, and the
        // root-only folder for its secrets on the data partition. No dependencies: it trusts nothing.
        .target(name: "RaveboxSetup"),
        .executableTarget(
            name: "ravebox",
            dependencies: [
                "RaveboxCore", "RaveboxStore", "RaveboxIPC", "RaveboxMedia", "RaveboxAudio", "RaveboxEngine",
                "RaveboxLibrary", "RaveboxLights", "RaveboxButtons", "RaveboxStatusLight", "RaveboxWeb",
                "RaveboxSupervisor", "RaveboxSetup",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),

        // Shared test helpers (temporary folders, WAV writer, the built `ravebox` binary, free ports).
        .target(
            name: "RaveboxTestSupport",
            dependencies: [.product(name: "PropertyBased", package: "swift-property-based")],
            path: "Tests/RaveboxTestSupport"),
        .testTarget(
            name: "RaveboxCoreTests",
            dependencies: [
                "RaveboxCore", "RaveboxTestSupport", .product(name: "PropertyBased", package: "swift-property-based"),
            ]),
        .testTarget(
            name: "RaveboxStoreTests",
            dependencies: [
                "RaveboxStore", "RaveboxCore", "RaveboxTestSupport",
                .product(name: "PropertyBased", package: "swift-property-based"),
            ]),
        .testTarget(name: "RaveboxIPCTests", dependencies: ["RaveboxIPC", "RaveboxTestSupport"]),
        .testTarget(name: "RaveboxDSPTests", dependencies: ["RaveboxDSP"]),
        .testTarget(name: "RaveboxLightsTests", dependencies: ["RaveboxLights", "RaveboxDSP", "RaveboxTestSupport"]),
        .testTarget(
            name: "RaveboxAudioTests",
            dependencies: [
                "RaveboxAudio", "RaveboxMedia", "RaveboxCore", "RaveboxTestSupport",
                .product(name: "Logging", package: "swift-log"),
            ]),
        .testTarget(name: "RaveboxQRTests", dependencies: ["RaveboxQR", "RaveboxTestSupport"]),
        .testTarget(
            name: "RaveboxScreenTests",
            dependencies: ["RaveboxScreen", "RaveboxTestSupport", .product(name: "Logging", package: "swift-log")],
            resources: [.copy("Golden")]
        ),
        .testTarget(
            name: "RaveboxIntakeTests",
            dependencies: ["RaveboxIntake", "RaveboxCore", "RaveboxMedia", "RaveboxTestSupport"]
        ),
        .testTarget(
            name: "RaveboxLibraryTests",
            dependencies: [
                "RaveboxLibrary", "RaveboxStore", "RaveboxCore", "RaveboxTestSupport",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(
            name: "RaveboxDisplayTests",
            dependencies: [
                "RaveboxDisplay", "RaveboxScreen", "RaveboxTestSupport",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(
            name: "RaveboxStatusLightTests",
            dependencies: ["RaveboxStatusLight", "RaveboxButtons", "RaveboxLights", "RaveboxTestSupport"]
        ),
        .testTarget(
            name: "RaveboxEngineTests",
            dependencies: [
                "RaveboxEngine", "RaveboxStore", "RaveboxIPC", "RaveboxAudio", "RaveboxCore", "RaveboxDSP",
                "RaveboxTestSupport",
            ]
        ),
        .testTarget(
            name: "RaveboxWebTests",
            dependencies: [
                "RaveboxWeb", "RaveboxStore", "RaveboxIPC", "RaveboxCore", "RaveboxMedia", "RaveboxIntake",
                "RaveboxTestSupport", .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "HummingbirdWSClient", package: "hummingbird-websocket"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Yams", package: "Yams"),
            ]
        ),
        .testTarget(
            name: "RaveboxSupervisorTests",
            dependencies: [
                "RaveboxSupervisor", "RaveboxIPC", "RaveboxCore", "RaveboxStore", "RaveboxTestSupport",
                .product(name: "GRDB", package: "GRDB.swift"),
            ]),
        .testTarget(name: "RaveboxSetupTests", dependencies: ["RaveboxSetup", "RaveboxTestSupport"]),
        // Holds Package.swift's graph and the sources' imports to docs/architecture.md's module table.
        .testTarget(name: "RaveboxArchitectureTests"),
        .testTarget(
            name: "RaveboxButtonsTests",
            dependencies: ["RaveboxButtons", "RaveboxCore", "RaveboxTestSupport"]),
    ],
    swiftLanguageModes: [.v6]
)

// Warnings are errors in our own Swift targets, never in dependencies.
for target in package.targets where target.type != .system && !target.name.hasPrefix("C") {
    target.swiftSettings = (target.swiftSettings ?? []) + [.unsafeFlags(["-warnings-as-errors"])]
}

// RAVEBOX_FUZZ=1: the libFuzzer targets in Fuzz/ (`make fuzz`, `make fuzz-ci`), each an executable whose
// `LLVMFuzzerTestOneInput` feeds bytes to one parser of what strangers send, and whose `@main` starts libFuzzer's
// driver (CFuzzDriver). Only these and what they import are built (the subset below): RaveboxCore, RaveboxStore and
// RaveboxIntake with Yams, GRDB and bcrypt, no swift-nio or Hummingbird. docs/security.md, "Fuzzing".
if Context.environment["RAVEBOX_FUZZ"] != nil {
    package.targets.append(.target(name: "CFuzzDriver", path: "Fuzz/Sources/CFuzzDriver"))
    let fuzzTargets: [(name: String, dependencies: [Target.Dependency])] = [
        ("fuzz-configuration", ["RaveboxCore"]),
        ("fuzz-m3u", ["RaveboxCore"]),
        ("fuzz-upload", ["RaveboxIntake", "RaveboxCore"]),
        ("fuzz-search", ["RaveboxStore", "RaveboxCore", .product(name: "GRDB", package: "GRDB.swift")]),
        ("fuzz-settings", ["RaveboxCore"]),
    ]
    for (name, dependencies) in fuzzTargets {
        package.targets.append(
            .executableTarget(
                name: name, dependencies: ["CFuzzDriver"] + dependencies, path: "Fuzz/Sources/\(name)",
                swiftSettings: [.unsafeFlags(["-warnings-as-errors"])]))
    }
    package.products = fuzzTargets.map { .executable(name: $0.name, targets: [$0.name]) }
    precondition(
        Context.environment["RAVEBOX_SANITIZE_SUBSET"] == nil,
        "RAVEBOX_FUZZ and RAVEBOX_SANITIZE_SUBSET exclude each other")
}

// RAVEBOX_SANITIZE_SUBSET="RaveboxIPCTests RaveboxAudioTests ...": declare only those test targets and the targets
// they need, for CI's sanitizer runs (`make test-tsan-ci`, `make test-asan-ci`). `--sanitize` instruments every
// module it builds, dependencies too, and the test runner links every test target, so a `--filter` alone still
// builds the whole package under the sanitizer; a subset without the web tests leaves swift-nio, Hummingbird and
// the CLI out of the build. The package dependencies stay declared, so Package.resolved is the same either way.
if let subset = Context.environment["RAVEBOX_SANITIZE_SUBSET"]
    ?? (Context.environment["RAVEBOX_FUZZ"] != nil ? package.products.map(\.name).joined(separator: " ") : nil)
{
    let targetsByName = Dictionary(uniqueKeysWithValues: package.targets.map { ($0.name, $0) })
    var needed = Set<String>()
    var pending = subset.split(whereSeparator: { $0 == " " || $0 == "," }).map(String.init)
    while let name = pending.popLast() {
        guard let target = targetsByName[name] else {
            fatalError("RAVEBOX_SANITIZE_SUBSET names \(name), which is not a target of this package")
        }
        guard needed.insert(name).inserted else { continue }
        for dependency in target.dependencies {
            switch dependency {
            case .targetItem(let name, _), .byNameItem(let name, _): pending.append(name)
            case .productItem: break
            @unknown default: break
            }
        }
    }
    package.targets.removeAll { !needed.contains($0.name) }
    package.products.removeAll { product in
        let targets = (product as? Product.Executable)?.targets ?? (product as? Product.Library)?.targets ?? []
        return !targets.allSatisfy(needed.contains)
    }
}
