import Foundation

extension ConfigParser {
    /// Reads each item of a list section as a mapping with a unique `id`, reporting duplicates.
    static func readItems<T>(
        _ node: YAMLNode, _ section: String, _ reader: SchemaReader,
        _ readItem: (MappingReader, String, SourceLocation) -> T?
    ) -> [T] {
        guard let items = reader.sequence(node, "'\(section)'") else { return [] }
        var seen: [String: SourceLocation] = [:]
        var result: [T] = []
        for item in items {
            guard let map = reader.mapping(item, "each item of '\(section)'") else { continue }
            guard let idNode = map.value("id", required: true), let id = reader.identifier(idNode, "'id'") else {
                _ = readItem(map, "", item.location)
                continue
            }
            if let first = seen[id] {
                reader.error(
                    "duplicate \(section) id '\(id)' (first defined at line \(first.line))", at: idNode.location)
            }
            seen[id] = seen[id] ?? idNode.location
            if let value = readItem(map, id, idNode.location) { result.append(value) }
        }
        return result
    }

    // MARK: grades

    static func readGrades(_ node: YAMLNode, _ reader: SchemaReader) -> [Grade] {
        var names: [String: (String, SourceLocation)] = [:]
        return readItems(node, "grades", reader) { map, id, location in
            let name = map.value("name", required: true).flatMap { reader.scalar($0, "'name'") }
            let aliases = map.value("aliases").map { reader.scalarList($0, "'aliases'") } ?? []
            map.rejectUnknownKeys()
            guard !id.isEmpty else { return nil }
            // An id and every alias must name one grade only, ignoring case.
            for (label, at) in [(id, location)] + aliases {
                let key = GradeTable.key(label)
                if let (owner, first) = names[key], !(owner == id && label == id) {
                    reader.error(
                        "grade name '\(label)' is already used by grade '\(owner)' (line \(first.line))", at: at,
                        hint: "each grade id and alias must be unique")
                } else {
                    names[key] = (id, at)
                }
            }
            guard let name else { return nil }
            return Grade(id: id, name: name, aliases: aliases.map(\.0), location: location)
        }
    }

    // MARK: forums

    static func readForums(_ node: YAMLNode, _ table: GradeTable, _ reader: SchemaReader) -> [Forum] {
        var includeLocations: [String: [(String, SourceLocation)]] = [:]
        let forums: [Forum] = readItems(node, "forums", reader) { map, id, location in
            let name = map.value("name", required: true).flatMap { reader.scalar($0, "'name'") }
            let grades = map.value("grades").map { reader.scalarList($0, "'grades'") } ?? []
            let roles = map.value("roles").map { reader.scalarList($0, "'roles'") } ?? []
            let include = map.value("include").map { reader.scalarList($0, "'include'") } ?? []
            let isPublic = map.value("public").flatMap { flag($0, "'public'", reader) } ?? false
            map.rejectUnknownKeys()
            var gradeIDs: [String] = []
            for (label, at) in grades {
                if let grade = table.grade(label) {
                    gradeIDs.append(grade.id)
                } else {
                    reader.error(
                        "forum '\(id)' names unknown grade '\(label)'", at: at,
                        hint: "grades are: " + table.grades.map(\.id).joined(separator: ", "))
                }
            }
            if grades.isEmpty && roles.isEmpty && include.isEmpty {
                reader.warning(
                    "forum '\(id)' has no grades, roles or include: only the roster's forums column adds members",
                    at: location)
            }
            guard !id.isEmpty, let name else { return nil }
            includeLocations[id] = include
            return Forum(
                id: id, name: name, grades: gradeIDs, roles: roles.map { $0.0.lowercased() },
                include: include.map(\.0), location: location, isPublic: isPublic)
        }
        let ids = Set(forums.map(\.id))
        for forum in forums {
            for (other, at) in includeLocations[forum.id] ?? [] {
                if other == forum.id {
                    reader.error("forum '\(forum.id)' includes itself", at: at)
                } else if !ids.contains(other) {
                    reader.error(
                        "forum '\(forum.id)' includes unknown forum '\(other)'", at: at,
                        hint: "forums are: " + forums.map(\.id).joined(separator: ", "))
                } else if let cycle = includePath(from: other, to: forum.id, forums) {
                    reader.error(
                        "forum '\(forum.id)' includes '\(other)', which includes it back: "
                            + ([forum.id] + cycle).joined(separator: " → "), at: at,
                        hint: "includes must not form a cycle")
                }
            }
        }
        return forums
    }

    /// The chain of includes from `start` that reaches `target`, if there is one.
    static func includePath(from start: String, to target: String, _ forums: [Forum]) -> [String]? {
        var visited: Set<String> = []
        func walk(_ id: String) -> [String]? {
            if id == target { return [id] }
            guard visited.insert(id).inserted, let forum = forums.first(where: { $0.id == id }) else { return nil }
            for next in forum.include where next != id {
                if let rest = walk(next) { return [id] + rest }
            }
            return nil
        }
        return walk(start)
    }

    // MARK: events

    static func readEvents(_ node: YAMLNode, _ forumIDs: Set<String>, _ reader: SchemaReader) -> [Event] {
        readItems(node, "events", reader) { map, id, location in
            let title = map.value("title", required: true).flatMap { reader.scalar($0, "'title'") }
            let forums = map.value("forums", required: true).map { reader.scalarList($0, "'forums'") } ?? []
            let startNode = map.value("start", required: true)
            let start = startNode.flatMap { reader.phrase($0, "'start'", localDateTime) }
            let durationNode = map.value("duration")
            let endNode = map.value("end")
            let duration = durationNode.flatMap { reader.phrase($0, "'duration'", Duration.parse) }
            let end = endNode.flatMap { reader.phrase($0, "'end'", localDateTime) }
            let recurrenceNode = map.value("repeat")
            let recurrence = recurrenceNode.flatMap { reader.phrase($0, "'repeat'", Recurrence.parse) }
            let exceptNode = map.value("except")
            let (except, exceptReasonTexts) = exceptNode.map { readExcept($0, reader) } ?? ([], [:])
            let movedNode = map.value("moved")
            let movedTexts = movedNode.map { readMoved($0, reader) } ?? []
            let reasonNode = map.value("reason")
            let reason = reasonNode.flatMap { reader.scalar($0, "'reason'") }
            let place = map.value("location").flatMap { reader.scalar($0, "'location'") }
            let joinNode = map.value("join_url")
            let joinURL = joinNode.flatMap { reader.scalar($0, "'join_url'") }
            let description = map.value("description").flatMap { reader.scalar($0, "'description'", multiline: true) }
            let status = map.value("status").flatMap { choice($0, "'status'", EventStatus.self, reader) } ?? .confirmed
            let isPublic = map.value("public").flatMap { flag($0, "'public'", reader) } ?? false
            let hosting = readHosting(map, id: id, forumIDs: forumIDs, reader)
            map.rejectUnknownKeys()

            for (forum, at) in forums where !forumIDs.contains(forum) {
                reader.error(
                    "event '\(id)' is for unknown forum '\(forum)'", at: at,
                    hint: "forums are: " + forumIDs.sorted().joined(separator: ", "))
            }
            if map.has("forums") && forums.isEmpty {
                reader.error("event '\(id)' has no forums: nobody would be invited", at: location)
            }
            if let joinURL, let joinNode, !isWebURL(joinURL) {
                reader.error(
                    "'join_url' must be an http:// or https:// address; got '\(joinURL)'", at: joinNode.location)
            }
            var length = duration
            switch (durationNode, endNode) {
            case (nil, nil):
                reader.error("event '\(id)' needs 'duration' (e.g. 60m) or 'end'", at: location)
            case (.some, .some(let n)):
                reader.error("give 'duration' or 'end', not both", at: n.location)
            case (nil, .some(let n)):
                if let start, let end {
                    let minutes =
                        (end.date.dayNumber - start.date.dayNumber) * 1440
                        + end.time.minutesSinceMidnight - start.time.minutesSinceMidnight
                    if minutes <= 0 {
                        reader.error("'end' \(end) is not after 'start' \(start)", at: n.location)
                    } else {
                        length = Duration(minutes: minutes)
                    }
                }
            default: break
            }
            var exceptDates: [LocalDate] = []
            var exceptReasons: [LocalDate: String] = [:]
            for (text, at) in except {
                guard let date = LocalDate(parsing: text) else {
                    reader.error(exceptDateProblem(text), at: at)
                    continue
                }
                exceptDates.append(date)
                if let reason = exceptReasonTexts[text] { exceptReasons[date] = reason }
            }
            var moved: [LocalDate: LocalDateTime] = [:]
            for (scheduledText, scheduledAt, targetText, targetAt) in movedTexts {
                guard let scheduled = LocalDate(parsing: scheduledText) else {
                    reader.error(
                        "'moved' keys are the scheduled dates of the series, YYYY-MM-DD; got '\(scheduledText)'",
                        at: scheduledAt)
                    continue
                }
                guard let target = LocalDateTime(parsing: targetText) else {
                    reader.error(
                        "'moved' \(scheduledText) needs the new start as YYYY-MM-DD HH:MM; got '\(targetText)'",
                        at: targetAt,
                        hint: "e.g. '\(scheduledText): \(scheduledText) 14:00' (the duration is kept)")
                    continue
                }
                moved[scheduled] = target
                checkWallClock(target, key: "moved", at: targetAt, reader)
            }
            if let movedNode, !movedTexts.isEmpty, recurrenceNode == nil {
                reader.error(
                    "'moved' is for dates of a series; event '\(id)' has one date", at: movedNode.location,
                    hint: "change its 'start' instead: it is updated in every calendar")
            }
            if let reasonNode, reason != nil, status != .cancelled, exceptReasons.isEmpty {
                reader.warning(
                    "'reason' is only used when the event is cancelled ('status: cancelled')", at: reasonNode.location,
                    hint:
                        "to give the reason a date was removed, write 'except:' as a mapping: '2027-05-13: the reason'")
            }
            if let recurrenceNode, let recurrence, let start, case .until(let last) = recurrence.end, last < start.date
            {
                reader.error("the series ends (\(last)) before it starts (\(start.date))", at: recurrenceNode.location)
            }
            guard !id.isEmpty, let title, let start, let length else { return nil }
            var event = Event(
                id: id, title: title, forums: forums.map(\.0), start: start, duration: length, recurrence: recurrence,
                except: exceptDates, exceptReasons: exceptReasons, moved: moved, reason: reason, location: place,
                joinURL: joinURL, description: description, status: status, sourceLocation: location,
                isPublic: isPublic)
            event.hosting = hosting
            let all = Occurrences.dates(of: event, excluding: false)
            if all.count >= Occurrences.limit, let recurrenceNode {
                reader.error(
                    "the series has more than \(Occurrences.limit) dates; convene plans at most \(Occurrences.limit)",
                    at: recurrenceNode.location, hint: "end it sooner with 'until' or 'for N times'")
            }
            let dates = Set(all)
            let seriesRead = recurrenceNode == nil || recurrence != nil
            for (text, at) in except
            where seriesRead && (LocalDate(parsing: text).map({ !dates.contains($0) }) ?? false) {
                reader.warning("'except' date \(text) is not a date of event '\(id)'", at: at)
            }
            for (text, at, _, _) in movedTexts where seriesRead && recurrenceNode != nil {
                guard let scheduled = LocalDate(parsing: text), !dates.contains(scheduled) else { continue }
                reader.error(
                    "'moved' date \(text) is not a scheduled date of event '\(id)'", at: at,
                    hint: "a key of 'moved' is the date the series would have had; its dates include "
                        + all.filter { abs($0.dayNumber - scheduled.dayNumber) <= 31 }.prefix(4).map(\.description)
                        .joined(separator: ", "))
            }
            if let moved = moved.first(where: { event.except.contains($0.key) }) {
                reader.warning(
                    "date \(moved.key) is both moved and excepted: it is taken out of the series",
                    at: movedNode?.location ?? location)
            }
            checkSchedule(of: event, end: end, in: map, reader)
            return event
        }
    }

    /// `except:` as a list of dates, or as a mapping of date to the reason it was removed (for the cancellation).
    static func readExcept(_ node: YAMLNode, _ reader: SchemaReader) -> ([(String, SourceLocation)], [String: String]) {
        guard case .mapping(let pairs) = node.value else { return (reader.scalarList(node, "'except'"), [:]) }
        var reasons: [String: String] = [:]
        for pair in pairs {
            if case .scalar("") = pair.value.value { continue }
            if let reason = reader.scalar(pair.value, "the reason for except date \(pair.key)") {
                reasons[pair.key] = reason
            }
        }
        return (pairs.map { ($0.key, $0.keyLocation) }, reasons)
    }

    /// `moved:` as a mapping of scheduled date to new start: (date text, its location, start text, its location).
    static func readMoved(_ node: YAMLNode, _ reader: SchemaReader) -> [(
        String, SourceLocation, String, SourceLocation
    )] {
        if case .scalar("") = node.value { return [] }
        guard let map = reader.mapping(node, "'moved'") else { return [] }
        guard case .mapping(let pairs) = map.node.value else { return [] }
        return pairs.compactMap { pair in
            reader.scalar(pair.value, "the new start of \(pair.key)").map {
                (pair.key, pair.keyLocation, $0, pair.value.location)
            }
        }
    }

    static func localDateTime(_ text: String) -> Result<LocalDateTime, PhraseError> {
        guard let value = LocalDateTime(parsing: text) else {
            return .failure(PhraseError(dateTimeProblem(text)))
        }
        return .success(value)
    }

    static func isWebURL(_ text: String) -> Bool {
        guard let url = URLComponents(string: text), let scheme = url.scheme?.lowercased(),
            scheme == "https" || scheme == "http", let host = url.host, !host.isEmpty
        else { return false }
        return !text.contains(" ")
    }

    // MARK: notifications

    static func readNotifications(
        _ node: YAMLNode, _ forumIDs: Set<String>, _ eventIDs: Set<String>, _ table: GradeTable,
        _ reader: SchemaReader
    ) -> [NotificationRule] {
        readItems(node, "notifications", reader) { map, id, location in
            let kind = map.value("kind", required: true).flatMap { choice($0, "'kind'", NotificationKind.self, reader) }
            let send = map.value("send", required: true).flatMap { reader.phrase($0, "'send'", SendOffset.parse) }
            let templateNode = map.value("template", required: true)
            let template = templateNode.flatMap { reader.identifier($0, "'template'") }
            let forums = map.value("forums").map { reader.scalarList($0, "'forums'") } ?? []
            let grades = map.value("grades").map { reader.scalarList($0, "'grades'") } ?? []
            let events = map.value("events").map { reader.scalarList($0, "'events'") } ?? []
            let toNode = map.value("to")
            let to = toNode.flatMap { choice($0, "'to'", ReplyAudience.self, reader) }
            let attachNode = map.value("attach")
            let attach = attachNode.map { reader.scalarList($0, "'attach'") } ?? []
            map.rejectUnknownKeys()
            if let attachNode, let kind, kind != .message {
                reader.error(
                    "notification '\(id)': 'attach' sends files with a plain message; a \(kind.rawValue) cannot carry "
                        + "them", at: attachNode.location)
            }
            for (path, at) in attach {
                let name = (path as NSString).lastPathComponent
                if let problem = AttachedFile.problem(withFilename: name) ?? (path.hasSuffix("/") ? "is a folder" : nil)
                {
                    reader.error("notification '\(id)': attachment '\(path)' \(problem)", at: at)
                }
            }
            if let toNode, kind == .invitation {
                reader.error(
                    "notification '\(id)': 'to' chooses reminder recipients by their answer; an invitation goes to "
                        + "everyone in its forums", at: toNode.location)
            }
            for (forum, at) in forums where !forumIDs.contains(forum) {
                reader.error("notification '\(id)' filters on unknown forum '\(forum)'", at: at)
            }
            for (event, at) in events where !eventIDs.contains(event) {
                reader.error("notification '\(id)' is for unknown event '\(event)'", at: at)
            }
            var gradeIDs: [String] = []
            for (label, at) in grades {
                if let grade = table.grade(label) {
                    gradeIDs.append(grade.id)
                } else {
                    reader.error("notification '\(id)' filters on unknown grade '\(label)'", at: at)
                }
            }
            guard !id.isEmpty, let kind, let send, let template, let templateNode else { return nil }
            return NotificationRule(
                id: id, kind: kind, send: send, template: template, forums: forums.map(\.0), grades: gradeIDs,
                events: events.map(\.0), to: to ?? .everyone,
                attach: kind == .message ? attach.map { NotificationRule.AttachPath(path: $0.0, location: $0.1) } : [],
                location: location,
                templateLocation: templateNode.location)
        }
    }
}
