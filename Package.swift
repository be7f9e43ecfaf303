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
        .target(name: "ConveneCore"),
        .target(name: "ConveneService", dependencies: ["ConveneCore", "CCurl", "CLinux"]),
        .executableTarget(name: "convene", dependencies: ["ConveneCore", "ConveneService"]),
        .testTarget(
            name: "ConveneCoreTests", dependencies: ["ConveneCore"],
            exclude: ["Template/Golden", "YAML/Fixtures", "Support/check_message.py", "Support/check_ical.py", "Incoming/Replies"]),
        .testTarget(
            name: "ConveneServiceTests", dependencies: ["ConveneService", "ConveneCore"],
            exclude: ["Support/smtp_server.py", "Support/token_server.py"]),
        .testTarget(name: "ConveneCLITests", dependencies: ["ConveneCore"], exclude: ["Fixtures"]),
    ],
    swiftLanguageModes: [.v6]
)
