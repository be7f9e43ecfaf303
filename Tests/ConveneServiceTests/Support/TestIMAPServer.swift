import ConveneTesting
import Foundation
import Glibc

/// A real Dovecot (Debian `dovecot-imapd`) on 127.0.0.1, started as the current user in a temporary directory: IMAP
/// with STARTTLS and IMAPS with the shared test CA's certificate, one passwd-file user, and a Maildir messages can be
/// dropped into. Stopped (SIGTERM) and removed when it goes away.
final class TestIMAPServer {
    static let username = "organizer@example.gov.uk"
    let password: String
    /// Port of `imap://` (STARTTLS required: plain-text logins are refused).
    let imapPort: Int
    /// Port of `imaps://` (implicit TLS).
    let imapsPort: Int
    let directory: URL
    let configFile: String
    private let maildir: URL
    private let mailOwner: (uid: uid_t, gid: gid_t)
    private let process: ChildProcess
    private var delivered = 0

    /// Starts Dovecot. `capabilities` replaces what it advertises after login (to leave out MOVE, say).
    /// `separator` is the hierarchy delimiter of its one namespace (Dovecot's own default is `.`).
    init(password: String = "correct horse battery", capabilities: String? = nil, separator: String = "/") async throws
    {
        let executable = "/usr/sbin/dovecot"
        guard FileManager.default.isExecutableFile(atPath: executable) else {
            throw TestSetupError("\(executable) is missing; run scripts/setup (Debian package dovecot-imapd)")
        }
        self.password = password
        let certificates = try TestCertificates.get()
        let directory = try TestEnvironment.temporaryDirectory("imap")
        self.directory = directory
        chmod(directory.path, 0o755)
        let home = directory.appendingPathComponent("home")
        let maildir = home.appendingPathComponent("Maildir")
        self.maildir = maildir
        for sub in ["cur", "new", "tmp"] {
            try FileManager.default.createDirectory(
                at: maildir.appendingPathComponent(sub), withIntermediateDirectories: true)
        }
        try FileManager.default.createDirectory(
            at: directory.appendingPathComponent("run"), withIntermediateDirectories: true)
        // Dovecot refuses to run its login and mail processes as root: as root, they run as the packaged
        // unprivileged users and `nobody` owns the mail; otherwise everything runs as the current user.
        let user = String(cString: getpwuid(getuid())!.pointee.pw_name)
        let group = String(cString: getgrgid(getgid())!.pointee.gr_name)
        let isRoot = getuid() == 0
        let mailOwner: (uid: uid_t, gid: gid_t) = isRoot ? (65534, 65534) : (getuid(), getgid())
        self.mailOwner = mailOwner
        let passwd = "\(Self.username):{PLAIN}\(password):\(mailOwner.uid):\(mailOwner.gid)::\(home.path)\n"
        let passwdFile = directory.appendingPathComponent("passwd").path
        try passwd.write(toFile: passwdFile, atomically: true, encoding: .utf8)
        let capabilityLine = capabilities.map { "imap_capability = \($0)\n" } ?? ""
        // Each port is free when chosen, but another test's server can take it before Dovecot binds it: on "Address
        // already in use" Dovecot is started again on new ports (three tries).
        func config(imapPort: Int, imapsPort: Int) -> String {
            """
            base_dir = \(directory.path)/run
            state_dir = \(directory.path)/run/state
            instance_name = convene-test-\(imapsPort)
            listen = 127.0.0.1
            protocols = imap
            default_internal_user = \(isRoot ? "dovecot" : user)
            default_internal_group = \(isRoot ? "dovecot" : group)
            default_login_user = \(isRoot ? "dovenull" : user)
            first_valid_uid = 0
            first_valid_gid = 0
            mail_location = maildir:~/Maildir
            log_path = \(directory.path)/dovecot.log
            ssl = required
            ssl_cert = <\(certificates.certificateFile)
            ssl_key = <\(certificates.keyFile)
            disable_plaintext_auth = yes
            auth_mechanisms = plain login
            auth_failure_delay = 0
            \(capabilityLine)passdb {
              driver = passwd-file
              args = scheme=PLAIN username_format=%u \(passwdFile)
            }
            userdb {
              driver = passwd-file
              args = username_format=%u \(passwdFile)
            }
            namespace inbox {
              inbox = yes
              separator = \(separator)
            }
            service imap-login {
              chroot =
              inet_listener imap {
                address = 127.0.0.1
                port = \(imapPort)
              }
              inet_listener imaps {
                address = 127.0.0.1
                port = \(imapsPort)
                ssl = yes
              }
            }
            service anvil {
              chroot =
            }
            service stats {
              unix_listener stats-writer {
                mode = 0666
              }
            }

            """
        }
        let configFile = directory.appendingPathComponent("dovecot.conf").path
        self.configFile = configFile
        try Self.chown(home, mailOwner)
        var attempt = 0
        while true {
            attempt += 1
            let imap = try TestEnvironment.freePort()
            var imaps = try TestEnvironment.freePort()
            while imaps == imap { imaps = try TestEnvironment.freePort() }
            try config(imapPort: imap, imapsPort: imaps).write(toFile: configFile, atomically: true, encoding: .utf8)
            let process = try TestEnvironment.launch(
                [executable, "-F", "-c", configFile], captureStdout: false,
                stderrFile: directory.appendingPathComponent("stderr.log"))
            do {
                try await TestEnvironment.waitForPort(imaps, while: process)
                try await TestEnvironment.waitForPort(imap, while: process)
                (imapPort, imapsPort, self.process) = (imap, imaps, process)
                return
            } catch {
                await process.stop()
                let log = Self.log(in: directory)
                guard attempt < 3, log.contains("Address already in use") else {
                    try? FileManager.default.removeItem(at: directory)
                    throw TestSetupError("dovecot did not start: \(log)")
                }
                for file in ["dovecot.log", "stderr.log"] {
                    try? FileManager.default.removeItem(at: directory.appendingPathComponent(file))
                }
            }
        }
    }

    deinit {
        process.stopBlocking()
        try? FileManager.default.removeItem(at: directory)
    }

    /// Dovecot's log and stderr, for failure messages.
    func log() -> String { Self.log(in: directory) }

    private static func log(in directory: URL) -> String {
        ["dovecot.log", "stderr.log"].compactMap {
            try? String(contentsOf: directory.appendingPathComponent($0), encoding: .utf8)
        }.joined(separator: "\n")
    }

    /// Delivers `bytes` into INBOX (Maildir `new/`, as an MDA would); Dovecot sees it on the next SELECT.
    func deliver(_ bytes: [UInt8]) throws {
        delivered += 1
        let name = "\(Int(Date().timeIntervalSince1970)).M\(delivered)P\(getpid()).convene-test"
        let temporary = maildir.appendingPathComponent("tmp/\(name)")
        try Data(bytes).write(to: temporary)
        Glibc.chown(temporary.path, mailOwner.uid, mailOwner.gid)
        try FileManager.default.moveItem(at: temporary, to: maildir.appendingPathComponent("new/\(name)"))
    }

    /// The bytes of the messages in `folder` (`INBOX` or a name with `/` levels), in no particular order, read
    /// from the Maildir (Dovecot's Maildir++ layout: `.convene.processed`).
    func messages(in folder: String) -> [[UInt8]] {
        let base =
            folder == "INBOX"
            ? maildir : maildir.appendingPathComponent("." + folder.replacingOccurrences(of: "/", with: "."))
        var found: [[UInt8]] = []
        for sub in ["cur", "new"] {
            let dir = base.appendingPathComponent(sub)
            for name in (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? [] {
                if let data = FileManager.default.contents(atPath: dir.appendingPathComponent(name).path) {
                    found.append(Array(data))
                }
            }
        }
        return found
    }

    /// True when `folder` exists as a Maildir++ folder.
    func hasFolder(_ folder: String) -> Bool {
        let path = maildir.appendingPathComponent("." + folder.replacingOccurrences(of: "/", with: ".")).path
        return FileManager.default.fileExists(atPath: path)
    }

    /// Gives INBOX a new UIDVALIDITY (`doveadm mailbox update`), as a server does when it rebuilds a folder.
    func renumberInbox(to validity: UInt32) throws {
        try TestEnvironment.run(
            "/usr/bin/doveadm",
            ["-c", configFile, "mailbox", "update", "-u", Self.username, "--uid-validity", String(validity), "INBOX"])
    }

    private static func chown(_ url: URL, _ owner: (uid: uid_t, gid: gid_t)) throws {
        Glibc.chown(url.path, owner.uid, owner.gid)
        let enumerator = FileManager.default.enumerator(atPath: url.path)
        while let relative = enumerator?.nextObject() as? String {
            Glibc.chown(url.appendingPathComponent(relative).path, owner.uid, owner.gid)
        }
    }
}
