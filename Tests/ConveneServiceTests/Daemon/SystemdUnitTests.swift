import ConveneTesting
import Foundation
import Testing

/// Where systemd-analyze is, if installed (outside the suite: a suite's traits cannot refer to the suite).
enum SystemdAnalyzer {
    static let path: String? = ["/usr/bin/systemd-analyze", "/bin/systemd-analyze"].first {
        FileManager.default.isExecutableFile(atPath: $0)
    }
}

/// The shipped unit files, checked by systemd's own analyzer (Debian 12: systemd 252).
@Suite(
    .ownThread,
    .enabled(
        if: SystemdAnalyzer.path != nil,
        "systemd-analyze is not installed (Debian package systemd; scripts/setup installs it)"))
struct SystemdUnitTests {

    static let units = ["convene.service", "convene.path", "convene-reload.service"]

    /// Runs systemd-analyze and returns its exit status and everything it printed (stdout and stderr together).
    static func analyze(_ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try #require(SystemdAnalyzer.path))
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        // Keep the analyzer from paging or colouring its output.
        process.environment = ["PATH": "/usr/bin:/bin", "SYSTEMD_PAGER": "", "SYSTEMD_COLORS": "0", "LANG": "C.UTF-8"]
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    /// Copies of the units in a temp folder, with ExecStart= pointing at the built binary (verify checks that
    /// the command exists and is executable; /usr/local/bin/convene is not installed here).
    static func unitCopies() throws -> URL {
        let directory = try TestEnvironment.temporaryDirectory("units")
        for unit in units {
            var text = try String(
                contentsOf: TestEnvironment.packageRoot.appendingPathComponent("systemd/\(unit)"), encoding: .utf8)
            text = text.replacingOccurrences(
                of: "ExecStart=/usr/local/bin/convene ", with: "ExecStart=\(DaemonProcess.binary) ")
            try text.write(to: directory.appendingPathComponent(unit), atomically: true, encoding: .utf8)
        }
        return directory
    }

    @Test(arguments: units)
    func verifyFindsNothingToSayAboutTheUnit(_ unit: String) throws {
        let directory = try Self.unitCopies()
        defer { try? FileManager.default.removeItem(at: directory) }
        // verify exits 0 even for unknown keys: any output at all is a finding.
        let result = try Self.analyze(["verify", "--man=no", directory.appendingPathComponent(unit).path])
        #expect(result.status == 0)
        #expect(result.output.isEmpty, "\(result.output)")
    }

    @Test func theServiceIsHardenedToAnExposureOfAtMostOnePointFive() throws {
        let path = TestEnvironment.packageRoot.appendingPathComponent("systemd/convene.service").path
        let result = try Self.analyze(["security", "--offline=true", "--no-pager", path])
        let line = try #require(
            result.output.split(separator: "\n").first { $0.contains("Overall exposure level") }, "\(result.output)")
        let match = try #require(line.firstMatch(of: /: (\d+\.\d+)/), "\(line)")
        let score = try #require(Double(match.1))
        #expect(score <= 1.5, "\(line)")
    }

    @Test func theServiceHasTheSettingsTheDaemonRelies() throws {
        let text = try String(
            contentsOf: TestEnvironment.packageRoot.appendingPathComponent("systemd/convene.service"), encoding: .utf8)
        let lines = Set(text.split(separator: "\n").map(String.init))
        for setting in [
            "Type=notify", "ExecStart=/usr/local/bin/convene run", "ExecReload=/bin/kill -HUP $MAINPID",
            "Restart=on-failure",
            "DynamicUser=yes", "StateDirectory=convene", "ConfigurationDirectory=convene",
            "LoadCredential=smtp-password:/etc/convene/smtp-password",
            "Environment=CONVENE_CONFIG=/etc/convene/convene.yaml",
        ] {
            #expect(lines.contains(setting), "missing \(setting)")
        }
        // The watchdog is on, and the stop timeout leaves room for the daemon's own 20 s stop grace.
        #expect(lines.contains { $0.hasPrefix("WatchdogSec=") })
        #expect(lines.contains("TimeoutStopSec=30s"))
    }
}
