import ConveneTesting
import Foundation
import Testing

@testable import ConveneCore

/// The shipped example as issue 19 left it: `roster.csv` is what HR exports and the team's facts live in
/// `people.csv`; the CSLG day has its own invitation rule and an agenda message carrying `papers/agenda.pdf`.
/// `scripts/demo` and the README show these, so the tests hold them to what they say.
@Suite(.ownThread) struct ShippedExamplePeopleAndAgendaTests {
    static let config = CLI.root.appendingPathComponent("config/convene.yaml").path
    static let agendaPath = CLI.root.appendingPathComponent("config/papers/agenda.pdf").path

    @Test func theRosterHoldsOnlyHRsColumnsAndEachTeamFactSaysItCameFromPeopleCSV() async throws {
        let roster = try String(
            contentsOfFile: CLI.root.appendingPathComponent("config/roster.csv").path, encoding: .utf8)
        #expect(roster.hasPrefix("employee_id,email,name,first_name,grade,department,roles\n"))

        let result = try await CLI.run(["recipients", "cslg", "--json", "--config", Self.config])
        #expect(result.status == 0, "\(result.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let members = try #require(json["members"] as? [[String: Any]])
        func member(_ email: String) throws -> [String: Any] {
            try #require(members.first { $0["email"] as? String == email }, "\(email) is in cslg")
        }
        let samuel = try member("samuel.jenkins@example.gov.uk")
        #expect(samuel["delegate_mode"] as? String == "copy")
        #expect((samuel["sources"] as? [String: String])?["delegate"] == "people.csv:2")
        let georgina = try member("georgina.davies@example.gov.uk")
        #expect(georgina["delegate"] as? String == "private.office.mod@example.gov.uk")
        #expect(georgina["delegate_mode"] as? String == "instead")
        #expect((georgina["sources"] as? [String: String])?["delegate_mode"] == "people.csv:4")
        let mohammed = try member("mohammed.kelly@example.gov.uk")
        #expect(mohammed["delegate_mode"] as? String == "invitations")
        let sophie = try member("sophie.stewart@example.gov.uk")
        #expect(sophie["interim"] as? Bool == true)
        #expect((sophie["sources"] as? [String: String])?["interim"] == "people.csv:5")
    }

    /// Who each of the CSLG day's planned notifications goes to, with its due time.
    static func cslgDayPlan() async throws -> [String: (due: Set<String>, envelopes: [[String]])] {
        let result = try await CLI.run([
            "plan", "--json", "--config", Self.config, "--state", "/nonexistent-state", "--now", "2026-12-01 09:00",
        ])
        #expect(result.status == 0, "\(result.stderr)")
        let actions = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]])
        var plan: [String: (due: Set<String>, envelopes: [[String]])] = [:]
        for action in actions where action["event"] as? String == "cslg-leadership-day" {
            let notification = try #require(action["notification"] as? String)
            plan[notification, default: ([], [])].due.insert(action["due"] as? String ?? "")
            plan[notification, default: ([], [])].envelopes.append(action["envelope"] as? [String] ?? [])
        }
        return plan
    }

    @Test func theCSLGDayIsInvitedSixWeeksAheadAndSendsItsAgendaAWeekBefore() async throws {
        let plan = try await Self.cslgDayPlan()
        #expect(plan["invitation"] == nil, "the event's own invitation rule replaces the general one")
        let invitation = try #require(plan["cslg-day-invitation"])
        #expect(invitation.due == ["2027-02-04T09:00:00+00:00"])
        #expect(invitation.envelopes.count == 29)
        // The diary manager (delegate_mode: invitations) is copied on the invitation.
        #expect(invitation.envelopes.contains(["mohammed.kelly@example.gov.uk", "diary.dg.fcdo@example.gov.uk"]))
        let agenda = try #require(plan["cslg-day-agenda"])
        #expect(agenda.due == ["2027-03-11T09:00:00+00:00"])
        // Aled Young opted out of reminders, which stops a plain message too.
        #expect(agenda.envelopes.count == 28)
        #expect(!agenda.envelopes.joined().contains("aled.young@example.gov.uk"))
        // The diary manager is not copied on a plain message; the private office receives it in Georgina's place.
        #expect(agenda.envelopes.contains(["mohammed.kelly@example.gov.uk"]))
        #expect(agenda.envelopes.contains(["private.office.mod@example.gov.uk"]))
        #expect(!agenda.envelopes.joined().contains("georgina.davies@example.gov.uk"))
    }

    @Test func theAgendaReachesThePrivateOfficeWithTheShippedPDFsBytes() async throws {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("convene-agenda-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: out) }
        let result = try await CLI.run([
            "preview", "--config", Self.config, "--state", "/nonexistent-state", "--now", "2026-12-01 09:00", "--event",
            "cslg-leadership-day", "--notification", "cslg-day-agenda", "--to", "georgina.davies@example.gov.uk",
        ])
        #expect(result.status == 0, "\(result.stderr)")
        try result.stdoutData.write(to: out.appendingPathComponent("agenda.eml"))

        let mail = try #require(try await OutboxMail.read(out.path).first)
        #expect(mail.to == ["private.office.mod@example.gov.uk"])
        #expect(mail.subject == "Agenda: Civil Service Leadership Group Day, Thursday 18 March 2027")
        #expect(mail.plain.hasPrefix("Sent to you as delegate for Georgina Davies (georgina.davies@example.gov.uk)."))
        #expect(mail.event == nil, "a plain message has no calendar part")
        let pdf = try Data(contentsOf: URL(fileURLWithPath: Self.agendaPath))
        #expect(
            mail.attachments == [
                OutboxMail.File(
                    filename: "agenda.pdf", contentType: "application/pdf", disposition: "attachment",
                    sha256: SHA256.hex(Array(pdf)))
            ])
    }

    /// The shipped agenda is a small, well-formed PDF: header, every cross-reference entry pointing at its object,
    /// `startxref` at the table, and the end marker (a broken one would be mailed to every Permanent Secretary).
    @Test func theShippedAgendaIsASmallWellFormedPDF() throws {
        let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: Self.agendaPath)))
        #expect(bytes.count < 8 * 1024)
        let text = String(decoding: bytes, as: UTF8.self)
        #expect(text.hasPrefix("%PDF-1.4\n"))
        #expect(text.hasSuffix("%%EOF\n"))
        func at(_ offset: Int, _ prefix: String) -> Bool {
            offset >= 0 && offset + prefix.utf8.count <= bytes.count
                && Array(bytes[offset..<offset + prefix.utf8.count]) == Array(prefix.utf8)
        }
        let tail = try #require(text.components(separatedBy: "startxref\n").last)
        let xref = try #require(Int(tail.prefix { $0.isNumber }))
        #expect(at(xref, "xref\n0 "))
        let entries = String(decoding: bytes[xref...], as: UTF8.self).components(separatedBy: "\n")
            .filter { $0.hasSuffix(" 00000 n ") }
        #expect(entries.count >= 5, "catalog, pages, page, contents and a font")
        for (index, entry) in entries.enumerated() {
            let offset = try #require(Int(entry.prefix(10)))
            #expect(at(offset, "\(index + 1) 0 obj\n"), "object \(index + 1) at \(offset)")
        }
        #expect(text.contains("/Type /Catalog") && text.contains("/Count 1"), "one page")
    }
}
