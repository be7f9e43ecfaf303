/// Where an online meeting's joining link goes in its calendar object.
///
/// Calendar clients differ in which property they show a link from (LOCATION, DESCRIPTION, URL, or RFC 7986's
/// CONFERENCE), so the link is written into all four; each function here says what one of them becomes. Values are
/// plain text: escaping is the writer's job.
enum JoinLink {
    /// The CONFERENCE label (RFC 7986 §5.11 `LABEL`), shown by clients as the link's text.
    static let label = "Join online"

    /// The LOCATION to write. A location that names no physical place ("Online (Teams)", or none at all) is where
    /// the link belongs: it becomes `Online (Teams): URL`, or the URL alone. A physical place stays as it is: a
    /// hybrid meeting's room must not be lost, and the link still reaches DESCRIPTION, CONFERENCE and URL.
    static func location(_ location: String?, joinURL: String?) -> String? {
        let place = location?.trimmingBlanks(newlines: true) ?? ""
        guard let joinURL, isOnline(place) else { return place.isEmpty ? nil : location }
        return place.isEmpty ? joinURL : place + ": " + joinURL
    }

    /// The DESCRIPTION to write: the description, a blank line and `Join: URL`; only `Join: URL` without a
    /// description; the description as it is when it already gives the link.
    static func description(_ description: String?, joinURL: String?) -> String? {
        let text = description?.trimmingBlanks(newlines: true) ?? ""
        guard let joinURL, !text.contains(joinURL) else { return text.isEmpty ? nil : description }
        return (text.isEmpty ? "" : text + "\n\n") + "Join: " + joinURL
    }

    /// True when `location` says only that the meeting is online: empty, or made up solely of words from
    /// `mediumWords` (at least one) and `joiningWords`. Any other word — a room, a street, a number, a URL's
    /// host — makes it a physical place, so a doubtful location is kept rather than replaced.
    static func isOnline(_ location: String) -> Bool {
        if location.trimmingBlanks(newlines: true).isEmpty { return true }
        // A digit is a room, a floor, a postcode or part of a URL: a place, or at least more than "online".
        if location.contains(where: \.isNumber) { return false }
        let words = location.lowercased().split { !$0.isLetter }.map(String.init)
        return words.contains { mediumWords.contains($0) }
            && words.allSatisfy { mediumWords.contains($0) || joiningWords.contains($0) }
    }

    /// Words that say a meeting happens over the network: "Online", "Virtual", "Microsoft Teams", "Zoom", "Google
    /// Meet", "Webex", "Video call".
    static let mediumWords: Set<String> = [
        "online", "virtual", "virtually", "remote", "remotely", "video", "videocall", "teams", "zoom", "meet",
        "webex", "skype", "hangouts", "jitsi", "whereby", "webinar",
    ]

    /// Words that go with those without naming a place: vendors, "via", "call", "meeting", "link" ("Online via
    /// Microsoft Teams", "Zoom meeting", "Teams call").
    static let joiningWords: Set<String> = [
        "microsoft", "ms", "google", "cisco", "via", "on", "by", "using", "and", "or", "the", "only", "call", "meeting",
        "conference", "link", "web",
    ]
}
