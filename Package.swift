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
        .target(name: "ConveneCore"),
        .target(name: "ConveneService", dependencies: ["ConveneCore", "CCurl"]),
        .executableTarget(name: "convene", dependencies: ["ConveneCore", "ConveneService"]),
        .testTarget(name: "ConveneCoreTests", dependencies: ["ConveneCore"], exclude: ["Template/Golden"]),
        .testTarget(name: "ConveneServiceTests", dependencies: ["ConveneService", "ConveneCore"]),
        .testTarget(name: "ConveneCLITests", dependencies: ["ConveneCore"]),
    ],
    swiftLanguageModes: [.v6]
)
