import ConveneCore
import ConveneService
import Foundation

/// `convene plan`: what reconcile would do, in due order. Sends nothing.
enum PlanCommand {
    static let subcommand = Subcommand(
        name: "plan", abstract: "show every action due now or later, in due order; sends nothing",
        usage: """
            Usage: convene plan [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--recipients | --diff] [--json]
                                [--config PATH] [--state DIR] [--now 'YYYY-MM-DD HH:MM']

            Computes, from the rules file, the roster, the journal and the clock, every invitation,
            reminder, calendar update, cancellation and skip that is due or will be due, in due order.
            With no journal it plans from scratch. Nothing is sent.

              --from DATE     only actions due on or after this date (service time zone)
              --to DATE       only actions due on or before this date
              --recipients    one line per delivery instead of one per group
              --diff          what the files would change in recipients' calendars beyond what the
                              journal holds, grouped: "cancel 25 × your-agenda 2027-03-04 — why"
              --json          one object per delivery: due, kind, event, occurrence, notification,
                              recipient, cc, uid, sequence, key, message_id (and reason for skips
                              and for invitations re-sent to a new address)

            A change that would cancel or update the calendars of more than service.max_calendar_changes
            (default 10%) of the people holding invitations is held: plan says so, and nothing of it is
            sent until `convene approve`.

            \(CommonOptions.help)
            """, run: run)

    static func run(_ arguments: inout Arguments) throws(CommandError) -> ExitCode {
        let options = try CommonOptions(&arguments)
        let from = try arguments.option("from").map { text throws(CommandError) in try date(text, "--from") }
        let to = try arguments.option("to").map { text throws(CommandError) in try date(text, "--to") }
        let perRecipient = arguments.flag("recipients")
        let diff = arguments.flag("diff")
        try arguments.finish()
        if diff && perRecipient { throw .usage("--diff and --recipients cannot be combined") }
        let workspace = try options.loadWorkspace()
        let zone = workspace.config.service.timeZone
        let now = try options.instant(in: zone)
        let state = try options.journalState(workspace)
        let plan = workspace.reconciler(state: state).plan(now: now)
        if let refusal = plan.refusal { throw CommandError(exitCode: .dataError, message: refusal) }
        // The window is checked while writing, not by copying the plan: a year's plan holds millions of actions.
        var window = DueWindow(from: from, to: to, zone: zone)
        if diff {
            let composer = workspace.composer(stateDirectory: options.stateDirectory(workspace))
            let groups = PlanDiff.groups(plan, composer: composer, zone: zone)
            if options.json {
                Output.json(
                    groups.map {
                        [
                            "change": $0.verb, "event": $0.eventID, "occurrence": $0.occurrence.description,
                            "detail": $0.detail,
                            "count": $0.count, "held": $0.held,
                        ] as [String: Any]
                    })
            } else {
                for group in groups { Output.line(group.line) }
                if groups.isEmpty { Output.line("no calendar changes: recipients' calendars already match the files") }
                if let held = plan.held { Output.line(held.summary + ": " + held.why) }
            }
            return .ok
        }
        if let held = plan.held { Output.error("convene plan: warning: \(held.summary): \(held.why)") }
        if options.json {
            PlanFormat.writeJSONArray(plan.actions, window: window, zone: zone, to: FileHandle.standardOutput)
            // Freed by the process exit at once: releasing a national plan and roster object by object would take
            // about a tenth of the run (compilers skip it the same way, e.g. clang's -disable-free).
            LeftToExit.keep((plan, workspace))
            return .ok
        }
        let actions = plan.actions.filter { window.contains($0.due) }
        Output.line(PlanFormat.table(actions, zone: zone, perRecipient: perRecipient).joined(separator: "\n"))
        return .ok
    }

    static func date(_ text: String, _ option: String) throws(CommandError) -> LocalDate {
        guard let date = LocalDate(parsing: text) else { throw .usage("\(option) must be YYYY-MM-DD; got '\(text)'") }
        return date
    }
}

/// Values a command leaves for the process exit to reclaim, instead of releasing them object by object on return.
/// Only for a command's last use of values it holds until it returns.
enum LeftToExit {
    private final class Box<Value> {
        let value: Value
        init(_ value: Value) { self.value = value }
    }

    static func keep<Value>(_ value: Value) { _ = Unmanaged.passRetained(Box(value)) }
}

/// The days of `--from` and `--to`, both included, in the service zone.
struct DueWindow {
    let from: LocalDate?
    let to: LocalDate?
    let zone: TimeZone
    private var lastDue: Date?
    private var lastContained = false

    init(from: LocalDate?, to: LocalDate?, zone: TimeZone) {
        self.from = from
        self.to = to
        self.zone = zone
    }

    /// Whether an action due at `due` is shown. Actions come in due order, so runs share a due instant and its local
    /// day is worked out once per run.
    mutating func contains(_ due: Date) -> Bool {
        if due != lastDue {
            let day = LocalDateTime(instant: due, in: zone).date
            lastDue = due
            lastContained = (from.map { day >= $0 } ?? true) && (to.map { day <= $0 } ?? true)
        }
        return lastContained
    }
}

/// How actions are shown: a readable table, or stable JSON.
enum PlanFormat {
    /// ISO 8601 with the service zone's offset, e.g. `2027-01-20T09:00:00+00:00`.
    static func iso(_ instant: Date, zone: TimeZone) -> String {
        let local = LocalDateTime(instant: instant, in: zone)
        let offset = zone.secondsFromGMT(for: instant)
        let sign = offset < 0 ? "-" : "+"
        return "\(local.date)T\(local.time):00" + sign + digits2(abs(offset) / 3600) + ":"
            + digits2(abs(offset) % 3600 / 60)
    }

    static func digits2(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }

    /// One action as JSON bytes.
    static func json(_ a: Action, zone: TimeZone) -> [UInt8] {
        var out: [UInt8] = []
        var encoder = PlanJSONEncoder(zone: zone)
        withUnsafePointer(to: a) { encoder.append($0, to: &out) }
        return out
    }

    /// Writes the actions in `window` as a JSON array, one action per line. A national-scale plan is hundreds of
    /// megabytes of JSON: slices of it are encoded two at a time on both cores, and written (on a thread of their own)
    /// while the next two are encoded.
    static func writeJSONArray(_ actions: DueOrderedActions, window: DueWindow, zone: TimeZone, to handle: FileHandle) {
        let slice = 1 << 12
        let writer = ChunkWriter(handle)
        var started = false
        for pair in stride(from: 0, to: actions.count, by: 2 * slice) {
            let encoded = EncodedSlices(count: 2)
            DispatchQueue.concurrentPerform(iterations: 2) { half in
                let start = min(pair + half * slice, actions.count)
                let end = min(start + slice, actions.count)
                encoded.store(encode(actions, start..<end, window: window, zone: zone), at: half)
            }
            for var chunk in encoded.all where !chunk.isEmpty {
                // Every object was written after ",\n  "; the very first opens the array instead.
                if !started { chunk[0] = UInt8(ascii: "[") }
                started = true
                writer.write(chunk)
            }
        }
        writer.write(Array((started ? "\n]\n" : "[]\n").utf8))
        writer.finish()
    }

    /// The actions at `positions` that are in `window`, each as `,\n  ` and one JSON object.
    private static func encode(
        _ actions: DueOrderedActions, _ positions: Range<Int>, window: DueWindow, zone: TimeZone
    ) -> [UInt8] {
        var window = window
        var encoder = PlanJSONEncoder(zone: zone)
        var out: [UInt8] = []
        out.reserveCapacity(positions.count * 512)
        actions.forEach(in: positions) { action in
            guard window.contains(action.pointee.due) else { return }
            out.append(contentsOf: ",\n  ".utf8)
            encoder.append(action, to: &out)
        }
        return out
    }

    static func table(_ actions: [Action], zone: TimeZone, perRecipient: Bool) -> [String] {
        guard !actions.isEmpty else { return ["Nothing to do."] }
        var rows: [[String]] = []
        if perRecipient {
            rows = actions.map { a in
                let to =
                    a.sentInPlace
                    ? a.ccAddresses.joined(separator: ", ") + " (instead of \(a.recipient.address))"
                    : ([a.recipient.address] + a.cc.map { "cc " + $0.address }).joined(separator: ", ")
                return [
                    LocalDateTime(instant: a.due, in: zone).description, a.label, a.eventID, a.occurrence.description,
                    a.notification, "\(a.sequence)",
                    to + ((a.skipReason ?? (a.isAddressChange ? a.reason : nil)).map { " (\($0))" } ?? ""),
                ]
            }
        } else {
            var groups: [(key: [String], count: Int)] = []
            var index: [[String]: Int] = [:]
            for a in actions {
                let key = [
                    LocalDateTime(instant: a.due, in: zone).description, a.label, a.eventID, a.occurrence.description,
                    a.notification, "\(a.sequence)",
                ]
                if let i = index[key] {
                    groups[i].count += 1
                } else {
                    index[key] = groups.count
                    groups.append((key, 1))
                }
            }
            rows = groups.map { $0.key + ["\($0.count)"] }
        }
        let header = [
            "DUE", "KIND", "EVENT", "OCCURRENCE", "NOTIFICATION", "SEQ", perRecipient ? "RECIPIENT" : "RECIPIENTS",
        ]
        let all = [header] + rows
        let widths = (0..<header.count).map { column in all.map { $0[column].count }.max() ?? 0 }
        let lines = all.map { row in
            row.enumerated().map { i, cell in
                i == row.count - 1 ? cell : cell.padding(toLength: widths[i], withPad: " ", startingAt: 0)
            }
            .joined(separator: "  ")
        }
        let count = actions.count
        return lines + ["\(count) deliver\(count == 1 ? "y" : "ies")"]
    }
}

/// The JSON of slices of a plan, handed from the threads that encode them to the one that writes them.
final class EncodedSlices: @unchecked Sendable {
    // @unchecked: `slices` is only touched while `lock` is held.
    private let lock = NSLock()
    private var slices: [[UInt8]]

    init(count: Int) { slices = Array(repeating: [], count: count) }

    func store(_ bytes: [UInt8], at index: Int) { lock.withLock { slices[index] = bytes } }

    /// Every slice, in order.
    var all: [[UInt8]] { lock.withLock { slices } }
}

/// Writes chunks of output on a thread of its own, so that on two cores the kernel copies one chunk into the file
/// while the next is encoded.
final class ChunkWriter: Sendable {
    private let handle: FileHandle
    private let queue = DispatchQueue(label: "convene.plan.output")
    /// At most two chunks wait to be written, so memory stays bounded however fast they are encoded.
    private let slots = DispatchSemaphore(value: 2)

    init(_ handle: FileHandle) { self.handle = handle }

    /// Queues `bytes`; waits while two chunks are already waiting.
    func write(_ bytes: [UInt8]) {
        slots.wait()
        queue.async { [handle, slots] in
            // Written from the array's own storage: copying hundreds of megabytes of JSON into `Data` first would cost
            // a copy and fresh pages per chunk.
            bytes.withUnsafeBytes { buffer in
                guard let base = buffer.baseAddress else { return }
                handle.write(
                    Data(bytesNoCopy: UnsafeMutableRawPointer(mutating: base), count: buffer.count, deallocator: .none))
            }
            slots.signal()
        }
    }

    /// Returns once every queued chunk is written.
    func finish() { queue.sync {} }
}

/// Writes actions as plan JSON objects (due, kind, event, occurrence, notification, recipient, cc, uid, sequence, key,
/// message_id, then reason and message_kind for skips, reason for an address change, and late_joiner when set), keys in
/// that fixed order.
///
/// In a plan in due order, consecutive actions nearly always belong to one occurrence and notification and share
/// everything but the recipient: those shared parts are formatted once per run and copied as bytes, so a year's plan
/// for a national roster (millions of objects) costs little more than copying its recipients.
struct PlanJSONEncoder {
    let zone: TimeZone
    private var run: Run?

    /// The bytes shared by a run of actions, around the recipient-specific parts.
    private struct Run {
        let occurrence: ObjectIdentifier
        let notification: String
        let sequence: Int
        let kind: MessageKind
        let skipped: Bool
        let due: Date
        /// True for delegate copies, which go to the delegate alone.
        let delegateCopy: Bool
        /// True for invitations re-sent to a new address, which carry their reason. Decided once per run: asking each
        /// action (`Action.isAddressChange`, not inlinable here) would copy every action out of the plan.
        let addressChange: Bool
        /// From `{` to the `"recipient":` key.
        var head: [UInt8] = []
        /// From `,"uid":` to the opening quote of the key's recipient part.
        var keyPrefix: [UInt8] = []
        /// From the key's closing quote to the Message-ID's recipient hash.
        var messageIDPrefix: [UInt8] = []
        /// From `@` to the Message-ID's closing quote.
        var messageIDSuffix: [UInt8] = []

        func formats(_ action: UnsafePointer<Action>) -> Bool {
            occurrence == ObjectIdentifier(action.pointee.occurrenceRef) && due == action.pointee.due
                && sequence == action.pointee.sequence && kind == action.pointee.kind
                && skipped == (action.pointee.skipReason != nil) && notification == action.pointee.notification
        }
    }

    init(zone: TimeZone) { self.zone = zone }

    /// Appends the action at `action` as one JSON object to `out`. Its fields are read through the pointer, not from a
    /// copy of the whole action (see `DueOrderedActions.forEach(in:_:)`).
    mutating func append(_ action: UnsafePointer<Action>, to out: inout [UInt8]) {
        if run?.formats(action) != true { run = Self.run(of: action.pointee, zone: zone) }
        // Ids, dates and addresses were validated at load (no quotes, backslashes or controls): copied verbatim. The
        // run's parts are read where they are (`run!.head`), not from a copy that would retain each of them.
        let recipient = action.pointee.recipientKey
        out.append(contentsOf: run!.head)
        JSONLine.appendQuoted(action.pointee.recipientAddress, to: &out)
        out.append(contentsOf: #","cc":["#.utf8)
        let cc = action.pointee.ccAddresses
        for (index, address) in cc.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            JSONLine.appendQuoted(address, to: &out)
        }
        // Who the message is handed to (`Action.envelopeRecipients`, without building it): the principal and the
        // delegates, or the delegates alone (a delegate copy, or `delegate_mode: instead`).
        out.append(contentsOf: #"],"envelope":["#.utf8)
        let inPlace = !cc.isEmpty && action.pointee.delegateMode == .instead
        if !run!.delegateCopy && !inPlace {
            JSONLine.appendQuoted(action.pointee.recipientAddress, to: &out)
            if !cc.isEmpty { out.append(UInt8(ascii: ",")) }
        }
        for (index, address) in cc.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            JSONLine.appendQuoted(address, to: &out)
        }
        out.append(UInt8(ascii: "]"))
        out.append(contentsOf: run!.keyPrefix)
        out.append(contentsOf: recipient.utf8)
        out.append(contentsOf: run!.messageIDPrefix)
        MessageIdentity.appendRecipientHash(of: recipient, to: &out)
        out.append(contentsOf: run!.messageIDSuffix)
        if let reason = action.pointee.skipReason {
            out.append(contentsOf: #","reason":"#.utf8)
            JSONLine.appendQuoted(reason, to: &out)
            out.append(contentsOf: #","message_kind":""#.utf8)
            out.append(contentsOf: action.pointee.kind.rawValue.utf8)
            out.append(UInt8(ascii: "\""))
        } else if run!.addressChange, let reason = action.pointee.reason {
            out.append(contentsOf: #","reason":"#.utf8)
            JSONLine.appendQuoted(reason, to: &out)
        }
        if action.pointee.lateJoiner { out.append(contentsOf: #","late_joiner":true"#.utf8) }
        out.append(UInt8(ascii: "}"))
    }

    /// Formats the parts every action like `a` shares.
    private static func run(of a: Action, zone: TimeZone) -> Run {
        let ref = a.occurrenceRef
        var run = Run(
            occurrence: ObjectIdentifier(ref), notification: a.notification, sequence: a.sequence, kind: a.kind,
            skipped: a.skipReason != nil, due: a.due, delegateCopy: a.isDelegateCopy,
            addressChange: a.isAddressChange)
        run.head.append(contentsOf: #"{"due":""#.utf8)
        run.head.append(contentsOf: PlanFormat.iso(a.due, zone: zone).utf8)
        run.head.append(contentsOf: #"","kind":""#.utf8)
        run.head.append(contentsOf: (a.skipReason == nil ? a.kind.rawValue : "skip").utf8)
        run.head.append(contentsOf: #"","event":""#.utf8)
        run.head.append(contentsOf: ref.eventID.utf8)
        run.head.append(contentsOf: #"","occurrence":""#.utf8)
        run.head.append(contentsOf: ref.date.description.utf8)
        run.head.append(contentsOf: #"","notification":""#.utf8)
        run.head.append(contentsOf: a.notification.utf8)
        run.head.append(contentsOf: #"","recipient":"#.utf8)
        run.keyPrefix.append(contentsOf: #","uid":""#.utf8)
        run.keyPrefix.append(contentsOf: ref.uid.utf8)
        run.keyPrefix.append(contentsOf: #"","sequence":"#.utf8)
        run.keyPrefix.append(contentsOf: String(a.sequence).utf8)
        run.keyPrefix.append(contentsOf: #","key":""#.utf8)
        // Key and Message-ID as `MessageIdentity` builds them, split around the recipient's part.
        run.keyPrefix.append(
            contentsOf: MessageIdentity.keyPrefix(
                eventID: ref.eventID, compactDate: ref.compactDate, notification: a.notification
            ).utf8)
        run.messageIDPrefix.append(contentsOf: #"","message_id":""#.utf8)
        run.messageIDPrefix.append(
            contentsOf: MessageIdentity.messageIDPrefix(
                eventID: ref.eventID, compactDate: ref.compactDate, notification: a.notification, sequence: a.sequence
            ).utf8)
        run.messageIDSuffix.append(contentsOf: (MessageIdentity.messageIDSuffix(domain: ref.domain) + "\"").utf8)
        return run
    }
}
