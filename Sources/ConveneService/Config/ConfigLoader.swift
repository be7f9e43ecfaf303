import ConveneCore
import Foundation

/// Why a load failed, in the terms the exit codes need: the rules file/templates (78) or the roster (65).
public struct LoadFailure: Error, Sendable {
    /// Which input was bad.
    public enum Kind: Sendable { case config, data }
    /// `config` (rules file, holidays or templates: exit 78) or `data` (the roster: exit 65); config wins when both.
    public var kind: Kind
    /// Every problem found, errors and warnings, from every file read, to print all at once.
    public var diagnostics: [Diagnostic]
}

/// Everything convene reads from the admin's files, checked and ready to plan with.
public struct Workspace: Sendable {
    /// The rules file with the holidays from `service.holidays` filled into the send window.
    public var config: Config
    /// The roster's people, checked against the rules file's grades, forums and roles.
    public var roster: Roster
    /// Who is in each forum, resolved once from `config` and `roster`.
    public var audience: Audience
    /// Every template a rule names plus `update` and `cancellation`, by name; all present when the load succeeds.
    public var templates: [String: MessageTemplate]
    /// Warnings found while loading (errors make the load fail instead).
    public var warnings: [Diagnostic]
    /// The folder holding the rules file; relative paths in it are resolved against this.
    public var configDirectory: String
    /// A hash of the rules file's and the roster's bytes: what `convene approve` approves.
    public var fingerprint: String = ""
    /// The files of `kind: message` rules (`attach:`), read at load, by SHA-256.
    public var attachments = AttachmentBytes()

    /// Reconcile over these files and `state`, knowing which files an admin approved.
    public func reconciler(state: JournalState) -> Reconciler {
        var reconciler = Reconciler(config: config, roster: roster, audience: audience, state: state)
        reconciler.fingerprint = fingerprint
        return reconciler
    }

    /// A composer for these rules and templates, finding attachments among the rules' files and, with a state folder,
    /// the copies queued one-offs keep there.
    public func composer(stateDirectory: String?) -> MessageComposer {
        let source: any AttachmentSource =
            stateDirectory.map { AttachmentStore(stateDirectory: $0, preloaded: attachments) } ?? attachments
        return MessageComposer(config: config, templates: templates, attachments: source)
    }

    /// Resolves a path from the rules file against the config folder.
    public func resolve(_ path: String) -> String {
        ConfigLoader.resolve(path, against: configDirectory)
    }
}

/// Reads the rules file, the roster and the templates from disk and checks them together.
public enum ConfigLoader {
    /// The templates used without a notification rule naming them.
    public static let builtInTemplates = ["update", "cancellation"]

    /// `--config`, else `$CONVENE_CONFIG`, else `/etc/convene/convene.yaml`.
    public static func configPath(option: String?, environment: [String: String]) -> String {
        option ?? environment["CONVENE_CONFIG"] ?? "/etc/convene/convene.yaml"
    }

    /// The journal (and the moment) a load checks the roster against, found from the rules file and its folder; nil
    /// when there is no journal to read.
    public typealias JournalProbe = @Sendable (Config, _ configDirectory: String) -> (state: JournalState, now: Date)?

    /// Loads and checks everything; all problems are reported at once, config problems taking precedence. `journal`:
    /// when a hosted series cannot be allocated from the roster, the journal says whether the roster lost more of
    /// the people holding invitations than `max_roster_shrink` allows (a cut-short export): then that is the error
    /// reported, a data error, with the series' problems as its consequences.
    public static func load(configPath: String, journal: JournalProbe? = nil) -> Result<Workspace, LoadFailure> {
        guard let text = readText(configPath) else {
            return .failure(
                LoadFailure(
                    kind: .config,
                    diagnostics: [
                        Diagnostic(
                            file: configPath, line: 1, column: 1, message: "cannot read the rules file: \(lastError())",
                            hint: "pass --config PATH or set CONVENE_CONFIG")
                    ]))
        }
        let (parsed, configDiagnostics) = ConfigParser.parse(text, file: configPath)
        guard var config = parsed else { return .failure(LoadFailure(kind: .config, diagnostics: configDiagnostics)) }
        // A config with errors is still read for its template names, so every problem is reported in one run.
        let directory = (configPath as NSString).deletingLastPathComponent
        var diagnostics = configDiagnostics

        // Public holidays: closed days of the send window, read before anything can fail so that their mistakes are
        // reported in the same run as the rules file's.
        if let file = config.service.holidays {
            let path = resolve(file, against: directory)
            if let bytes = FileManager.default.contents(atPath: path) {
                let (holidays, holidayDiagnostics) = Holidays.parse([UInt8](bytes), file: path)
                diagnostics += holidayDiagnostics
                config.service.sendWindow.holidays = holidays
            } else {
                diagnostics.append(
                    Diagnostic(
                        file: configPath, location: config.service.holidaysLocation,
                        message: "cannot read the holidays file \(path): \(lastError())",
                        hint: "one 'YYYY-MM-DD name' per line; the path is relative to the rules file"))
            }
        }

        // Templates: every one a rule names, plus update and cancellation.
        var templates: [String: MessageTemplate] = [:]
        var templatePaths: [String: String] = [:]
        let templateDirectory = resolve(config.service.templates, against: directory)
        var needed: [(String, Diagnostic)] = config.notifications.map {
            ($0.template, Diagnostic(file: configPath, location: $0.templateLocation, message: ""))
        }
        // A hosted series offers freed places with the `offer` template.
        for event in config.events {
            guard let hosting = event.hosting else { continue }
            needed.append(
                (Hosting.offerTemplate, Diagnostic(file: configPath, location: hosting.location, message: "")))
        }
        for name in builtInTemplates {
            needed.append((name, Diagnostic(file: configPath, line: 1, column: 1, message: "")))
        }
        // Each template is read once, however many rules name it, so each of its mistakes is reported once.
        // A missing one is reported at every rule that names it.
        var found: [String: Bool] = [:]
        for (name, site) in needed {
            let path = (templateDirectory as NSString).appendingPathComponent("\(name).txt")
            if found[name] == true { continue }
            let source = found[name] == nil ? readText(path) : nil
            found[name] = source != nil
            guard let source else {
                var missing = site
                missing.message = "template '\(name)' not found: cannot read \(path)"
                missing.hint = "create \(path) (a 'subject:' line, '---', then the body)"
                if !diagnostics.contains(missing) { diagnostics.append(missing) }
                continue
            }
            let (template, templateDiagnostics) = MessageTemplate.parse(source, name: name, file: path)
            diagnostics += templateDiagnostics
            if let template { (templates[name], templatePaths[name]) = (template, path) }
        }
        // Every other template in the folder too: `convene send --template NAME` may name any of them, and the daemon
        // renders the one-offs it queued; a mistake in one is reported now, not when a one-off goes.
        let others = ((try? FileManager.default.contentsOfDirectory(atPath: templateDirectory)) ?? [])
            .filter { $0.hasSuffix(".txt") && !$0.hasPrefix(".") }.sorted()
        for file in others {
            let name = String(file.dropLast(4))
            let isName =
                name.first != "-"
                && name.utf8.allSatisfy { byte in
                    (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
                        || "-_.".utf8.contains(byte)
                }
            guard found[name] == nil, isName else { continue }
            let path = (templateDirectory as NSString).appendingPathComponent(file)
            guard let source = readText(path) else { continue }
            found[name] = true
            let (template, templateDiagnostics) = MessageTemplate.parse(source, name: name, file: path)
            diagnostics += templateDiagnostics
            if let template { (templates[name], templatePaths[name]) = (template, path) }
        }
        let attachments = readAttachments(&config, directory: directory, file: configPath, into: &diagnostics)
        // The roster is read even when the rules or templates have errors, so one `validate` reports every mistake;
        // a config error still decides the exit status (78).
        let configBroken = diagnostics.hasErrors
        let rosterPath = resolve(config.service.roster, against: directory)
        guard let bytes = FileManager.default.contents(atPath: rosterPath) else {
            return .failure(
                LoadFailure(
                    kind: configBroken ? .config : .data,
                    diagnostics: diagnostics + [
                        Diagnostic(
                            file: rosterPath, line: 1, column: 1, message: "cannot read the roster: \(lastError())")
                    ]))
        }
        let forumRoles = Set(config.forums.flatMap(\.roles).map { $0.lowercased() })
        var (roster, rosterDiagnostics) = RosterParser.parse(
            [UInt8](bytes), file: rosterPath, grades: config.gradeTable, forumIDs: Set(config.forums.map(\.id)),
            roles: forumRoles)
        // The team's own file goes over the roster before anything uses it: every fact the planner sees is merged.
        var peopleBytes = Data()
        if let file = config.service.people {
            let path = resolve(file, against: directory)
            if let data = FileManager.default.contents(atPath: path) {
                peopleBytes = data
                let overlaid = PeopleOverlay.apply(
                    [UInt8](data), file: path, to: roster, forumIDs: Set(config.forums.map(\.id)))
                roster = overlaid.roster
                rosterDiagnostics += overlaid.diagnostics
            } else {
                rosterDiagnostics.append(
                    Diagnostic(
                        file: configPath, location: config.service.peopleLocation,
                        message: "cannot read the people file \(path): \(lastError())",
                        hint: "the team's CSV (employee_id or email, then opt_out, delegate, forums…); the path is "
                            + "relative to the rules file"))
            }
        }
        diagnostics += rosterDiagnostics
        // A forum whose roles nobody in the roster holds: a misspelling there leaves the forum without those people.
        let heldRoles = Set(roster.people.flatMap(\.roles))
        for forum in config.forums {
            for role in forum.roles where !heldRoles.contains(role.lowercased()) {
                diagnostics.append(
                    Diagnostic(
                        file: configPath, location: forum.location, severity: .warning,
                        message: "forum '\(forum.id)' names role '\(role)', which nobody in the roster holds",
                        hint: heldRoles.isEmpty
                            ? "the roster's 'roles' column is empty or missing"
                            : "roles in the roster: " + heldRoles.sorted().joined(separator: ", ")))
            }
        }
        if configBroken { return .failure(LoadFailure(kind: .config, diagnostics: diagnostics)) }
        if rosterDiagnostics.hasErrors { return .failure(LoadFailure(kind: .data, diagnostics: diagnostics)) }
        let audience = Audience(config: config, roster: roster)
        // A hosted series the audience cannot fill as asked is refused before anything is sent.
        var seriesProblems: [Diagnostic] = []
        for event in config.events {
            for problem in CohortSchedule.problems(of: event, config: config, roster: roster, audience: audience) {
                seriesProblems.append(
                    Diagnostic(
                        file: configPath, location: event.hosting?.location ?? event.sourceLocation,
                        message: problem.message, hint: problem.hint))
            }
        }
        // Roster-dependent: when the roster shrank past max_roster_shrink, the shrink is the admin's problem (a
        // cut-short export), not the series' settings; said first, as the data error it is.
        if !seriesProblems.isEmpty, let (state, now) = journal?(config, directory),
            let refusal = Reconciler(config: config, roster: roster, audience: audience, state: state)
                .rosterRefusal(now: now)
        {
            diagnostics.append(
                Diagnostic(
                    file: rosterPath, line: 1, column: 1, message: refusal,
                    hint: "a cut-short export? restore the whole roster; if these people really left, raise "
                        + "service.max_roster_shrink for one run"))
            for var problem in seriesProblems {
                problem.hint =
                    "the roster shrank (see the roster error): restore it first"
                    + (problem.hint.map { "; if it is right, " + $0 } ?? "")
                diagnostics.append(problem)
            }
            return .failure(LoadFailure(kind: .data, diagnostics: diagnostics))
        }
        diagnostics += seriesProblems
        if diagnostics.hasErrors { return .failure(LoadFailure(kind: .config, diagnostics: diagnostics)) }
        // Which events use which template depends on who is in each audience, so this check waits for the roster.
        let eventsByTemplate = events(byTemplate: config, audience: audience)
        for (name, template) in templates.sorted(by: { $0.key < $1.key }) {
            diagnostics += template.emptyPlaceholderWarnings(
                events: eventsByTemplate[name] ?? [], file: templatePaths[name] ?? name)
        }
        return .success(
            Workspace(
                config: config, roster: roster, audience: audience, templates: templates,
                warnings: diagnostics, configDirectory: directory,
                fingerprint: fingerprint(rules: text, roster: bytes, people: peopleBytes), attachments: attachments))
    }

    /// Reads the files of every `kind: message` rule's `attach:`, fills in the rules' `attachments` and returns the
    /// bytes; a file that cannot be read, or is too large (`AttachedFile.maximumFileSize`, `maximumTotalSize` for one
    /// message), is an error at the line that names it.
    static func readAttachments(
        _ config: inout Config, directory: String, file: String, into diagnostics: inout [Diagnostic]
    ) -> AttachmentBytes {
        var bytesBySHA: [String: [UInt8]] = [:]
        func megabytes(_ count: Int) -> String { String(format: "%.1f MB", Double(count) / 1_000_000) }
        for index in config.notifications.indices where !config.notifications[index].attach.isEmpty {
            let rule = config.notifications[index]
            var total = 0
            var files: [(name: String, bytes: [UInt8])] = []
            var tooLarge = false
            for item in rule.attach {
                let path = resolve(item.path, against: directory)
                var isFolder: ObjCBool = false
                let exists = FileManager.default.fileExists(atPath: path, isDirectory: &isFolder)
                guard exists, !isFolder.boolValue, let data = FileManager.default.contents(atPath: path) else {
                    diagnostics.append(
                        Diagnostic(
                            file: file, location: item.location,
                            message: "notification '\(rule.id)': cannot read attachment \(path): "
                                + (isFolder.boolValue ? "it is a folder" : lastError()),
                            hint: "the path is relative to the rules file"))
                    continue
                }
                if data.count > AttachedFile.maximumFileSize {
                    tooLarge = true
                    diagnostics.append(
                        Diagnostic(
                            file: file, location: item.location,
                            message: "notification '\(rule.id)': attachment \(path) is \(megabytes(data.count)); "
                                + "one file may be at most \(megabytes(AttachedFile.maximumFileSize))",
                            hint: "link to a large document instead of attaching it"))
                }
                total += data.count
                files.append(((item.path as NSString).lastPathComponent, [UInt8](data)))
            }
            if total > AttachedFile.maximumTotalSize {
                tooLarge = true
                diagnostics.append(
                    Diagnostic(
                        file: file, location: rule.location,
                        message: "notification '\(rule.id)': its attachments add up to \(megabytes(total)); one "
                            + "message may carry at most \(megabytes(AttachedFile.maximumTotalSize))",
                        hint: "base64 makes them about 37% larger on the wire, and many relays refuse a message of "
                            + "10 MB (Postfix's default)"))
            }
            // Hashed only when they can be sent: the load fails otherwise.
            if tooLarge { continue }
            let attachments = files.map { AttachedFile(filename: $0.name, bytes: $0.bytes) }
            for (attachment, file) in zip(attachments, files) { bytesBySHA[attachment.sha256] = file.bytes }
            config.notifications[index].attachments = attachments
        }
        return AttachmentBytes(bytesBySHA)
    }

    /// FNV-1a over the rules file, a separator, the roster and, when there is one, a separator and the team's people
    /// file: any edit to any of them gives another hash (and without a people file the hash is what it always was).
    static func fingerprint(rules: String, roster: Data, people: Data = Data()) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        func mix(_ byte: UInt8) {
            hash ^= UInt64(byte)
            hash = hash &* 0x100_0000_01b3
        }
        for byte in rules.utf8 { mix(byte) }
        mix(0)
        for byte in roster { mix(byte) }
        if !people.isEmpty {
            mix(0)
            for byte in people { mix(byte) }
        }
        return FNV1a.hex(hash)
    }

    /// The events each template is used for, in file order, by template name: `cancellation` for every event, `update`
    /// for every event going ahead, and a notification rule's template for the events going ahead where someone is
    /// sent that rule's message. As the planner does it, a person gets the first invitation rule whose `forums:`
    /// and `grades:` filters let them through and every reminder rule that does, and people who opted out of
    /// everything get nothing. A cancelled event gets only its cancellation.
    static func events(byTemplate config: Config, audience: Audience) -> [String: [Event]] {
        let invitations = config.notifications.filter { $0.kind == .invitation }
        let reminders = config.notifications.filter { $0.kind != .invitation }
        let ruleTemplates = Set(config.notifications.map(\.template))
        func passes(_ rule: NotificationRule, _ person: Person, in forums: [String]) -> Bool {
            (rule.grades.isEmpty || rule.grades.contains(person.grade))
                && (rule.forums.isEmpty || forums.contains { rule.forums.contains($0) })
        }
        var result: [String: [Event]] = [:]
        for event in config.events {
            var used: Set<String> = ["cancellation"]
            if event.status == .confirmed {
                used.insert("update")
                // Stops at the first members when the rules have no filters: they already use every template.
                members: for forum in event.forums {
                    for member in audience.members(of: forum) where member.person.optOut != .all {
                        let forums = audience.forums(of: member.person)
                        if let rule = invitations.first(where: { passes($0, member.person, in: forums) }) {
                            used.insert(rule.template)
                        }
                        for rule in reminders where passes(rule, member.person, in: forums) {
                            used.insert(rule.template)
                        }
                        if used.isSuperset(of: ruleTemplates) { break members }
                    }
                }
            }
            for name in used { result[name, default: []].append(event) }
        }
        return result
    }

    static func readText(_ path: String) -> String? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        return String(decoding: data, as: UTF8.self)
    }

    static func lastError() -> String { String(cString: strerror(errno)) }

    /// An absolute path stays; a relative one is taken from `directory`.
    static func resolve(_ path: String, against directory: String) -> String {
        if path.hasPrefix("/") || directory.isEmpty { return path }
        return (directory as NSString).appendingPathComponent(path)
    }
}
