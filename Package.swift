// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "convene",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "convene", targets: ["convene"])
    ],
    targets: [
        .systemLibrary(
            name: "CCurl",
            pkgConfig: "libcurl",
            providers: [.apt(["libcurl4-openssl-dev"])]
        ),
        .systemLibrary(name: "CLinux"),
        // The core and the service are optimized in debug builds too: the tests' fuzzing, planning and journal replays
        // and every run of the debug `convene` spend most of their time in them, and unoptimized they cost several
        // times the CPU (`swift test` must stay fast on two CPUs). Neither uses `assert`, so no check is lost.
        .target(name: "ConveneCore", swiftSettings: [.unsafeFlags(["-O"], .when(configuration: .debug))]),
        .target(
            name: "ConveneService", dependencies: ["ConveneCore", "CCurl", "CLinux"],
            swiftSettings: [.unsafeFlags(["-O"], .when(configuration: .debug))]),
        .executableTarget(name: "convene", dependencies: ["ConveneCore", "ConveneService"]),
        // The process helpers the three test targets share: child processes, the built binary, temp folders, the
        // long-lived Python validator (request_pool.py is the protocol its Python helpers share), and waits that do not
        // block Swift concurrency's cooperative threads.
        .target(name: "ConveneTesting", path: "Tests/ConveneTesting", exclude: ["request_pool.py"]),
        .testTarget(
            name: "ConveneCoreTests", dependencies: ["ConveneCore", "ConveneTesting"],
            exclude: [
                "Template/Golden", "YAML/Fixtures", "Support/check_message.py", "Support/check_ical.py",
                "Support/validator.py", "Incoming/Replies",
            ]),
        .testTarget(
            name: "ConveneServiceTests", dependencies: ["ConveneService", "ConveneCore", "ConveneTesting"],
            exclude: ["Support/smtp_server.py", "Support/token_server.py", "Support/delivered_reader.py"]),
        .testTarget(name: "ConveneCLITests", dependencies: ["ConveneCore", "ConveneTesting"], exclude: ["Fixtures"]),
    ],
    swiftLanguageModes: [.v6]
)
