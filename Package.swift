// swift-tools-version:6.0
import PackageDescription

// The layout is the architecture (data flows one way):
//   PlateauCore  – everything but the terminal: generate, discover, read, parse, aggregate, analyse
//   CNcursesW    – system-library binding of ncursesw (wide characters)
//   CPrefetch    – software prefetch for the per-line table lookups (Swift has no spelling for it)
//   PlateauTUI   – the in-memory frame, widgets and the ncurses backend (sole importer of CNcursesW)
//   plateau      – the executable: argument parsing, wiring and exit codes only
let package = Package(
    name: "plateau",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "plateau", targets: ["plateau"]),
        .executable(name: "plateau-fuzz", targets: ["plateau-fuzz"]),
        .library(name: "PlateauCore", targets: ["PlateauCore"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/LebJe/TOMLKit.git", from: "0.6.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "3.12.3"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
    ],
    targets: [
        .systemLibrary(name: "CZlib", path: "Sources/CZlib"),
        .systemLibrary(name: "CNcursesW", path: "Sources/CNcursesW"),
        .target(name: "CPrefetch", path: "Sources/CPrefetch"),
        .target(
            name: "PlateauCore",
            dependencies: [
                "CZlib", "CPrefetch", .product(name: "TOMLKit", package: "TOMLKit"),
                .product(name: "Crypto", package: "swift-crypto"), .product(name: "GRDB", package: "GRDB.swift"),
            ],
            // Hot byte loops live in classes (writers, parsers): dynamic exclusivity checks cost
            // ~25 % of generation time (perf), 14-21 % of the CPU of a snapshot (README, Reliability:
            // measured with the sanitizer runs of issue 16). Static checks still run; release builds only.
            swiftSettings: [.unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release))]
        ),
        .target(
            name: "PlateauTUI",
            dependencies: ["PlateauCore", "CNcursesW"]
        ),
        .executableTarget(
            name: "plateau",
            dependencies: [
                "PlateauCore", "PlateauTUI",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // What both test targets share: spawning children the test runner can signal, and real
        // ClickHouse servers for the integration tests (a library, not tests of its own).
        .target(name: "PlateauTestSupport", dependencies: ["PlateauCore", "CZlib"], path: "Tests/PlateauTestSupport"),
        // libFuzzer targets with their property checks (Tests/fuzz/README: `make fuzz`), and the
        // driver: libFuzzer's entry point when built with -D PLATEAU_FUZZ, a corpus replayer else.
        .target(name: "PlateauFuzz", dependencies: ["PlateauCore"], path: "Tests/fuzz/PlateauFuzz"),
        .executableTarget(name: "plateau-fuzz", dependencies: ["PlateauFuzz"], path: "Tests/fuzz/Driver"),
        .testTarget(name: "PlateauCoreTests", dependencies: ["PlateauCore", "PlateauTestSupport", "PlateauFuzz", .product(name: "Crypto", package: "swift-crypto")]),
        .testTarget(name: "PlateauTUITests", dependencies: ["PlateauTUI", "PlateauCore", "PlateauTestSupport"]),
        .testTarget(name: "PlateauCLITests", dependencies: ["PlateauCore", "PlateauTestSupport"]),
    ],
    swiftLanguageModes: [.v6]
)
