import Foundation
import Testing

@testable import ConveneCore

/// A one-off from `convene send`: its key is a function of what was asked for, its `queued` record survives the
/// journal codec, and planning turns it into one plain message per recipient, sent once.
struct OneOffTests {
    static let pdf = AttachedFile(filename: "agenda.pdf", bytes: Array("%PDF-1.4 one".utf8))
    static let day = LocalDate(parsing: "2027-06-10")!

    static func oneOff(
        template: String = "agenda", target: OneOff.Target = .event("leadership-day"), at: String? = nil,
        attachments: [AttachedFile] = [pdf]
    ) -> OneOff {
        OneOff(
            template: template, target: target, date: day, at: at, due: PlanningFixture.at("2027-05-03 10:00"),
            attachments: attachments, queuedAt: PlanningFixture.at("2027-05-03 10:00"))
    }

    @Test func theSameCommandGivesTheSameKey() {
        #expect(Self.oneOff().id == Self.oneOff().id)
        #expect(Self.oneOff().id.count == 16)
    }

    @Test(arguments: [
        (
            "different attachment bytes",
            oneOff(attachments: [AttachedFile(filename: "agenda.pdf", bytes: Array("%PDF-1.4 two".utf8))])
        ),
        ("no attachment", oneOff(attachments: [])),
        ("another --at", oneOff(at: "2027-05-04 09:00")),
        ("another template", oneOff(template: "venue")),
        ("a forum", oneOff(target: OneOff.Target.forum("leadership-day"))),
    ])
    func anyChangeGivesAnotherKey(_ change: String, other: OneOff) {
        #expect(other.id != Self.oneOff().id, "\(change)")
    }

    @Test func itsRecordRoundTripsThroughTheJournalCodec() throws {
        let oneOff = Self.oneOff(target: OneOff.Target.forum("cslg"), at: "2027-05-04 09:00")
        let line = JournalCodec.encode(oneOff.record)
        guard case .success(let record) = JournalCodec.decode(Array(line.utf8)) else {
            Issue.record("cannot decode \(line)")
            return
        }
        #expect(record == oneOff.record)
        #expect(OneOff(record: record) == oneOff)
        #expect(record.key == "forum+cslg/20270610/send+\(oneOff.id)")
    }

    static func fixture(queued: [OneOff]) -> PlanningFixture {
        var fixture = PlanningFixture(
            events: [PlanningFixture.event("leadership-day", "2027-06-10 10:00", forums: ["cslg", "directors"])],
            rosterText: PlanningFixture.defaultRoster.replacingOccurrences(
                of: "dir2@example.gov.uk,Dev Two,SCS2,,,", with: "dir2@example.gov.uk,Dev Two,SCS2,,all,"))
        let records: [JournalRecord] = queued.map { $0.record }
        fixture.records = records + records
        return fixture
    }

    @Test func aQueuedOneOffIsOneMessagePerRecipientSentOnce() {
        var fixture = Self.fixture(queued: [Self.oneOff()])
        let now = PlanningFixture.at("2027-05-03 10:00")
        let messages = fixture.plan(now: now).actions.filter { $0.notification == Self.oneOff().notification }
        // Queued twice, planned once; opted out of everything (dir2): left out; opted out of reminders (dg): included.
        #expect(
            messages.map(\.recipient.address) == ["dg@example.gov.uk", "dir1@example.gov.uk", "ps@example.gov.uk"])
        #expect(messages.allSatisfy { $0.kind == MessageKind.message })
        #expect(messages.allSatisfy { $0.attachments == [Self.pdf] })
        #expect(messages.allSatisfy { $0.due == now })
        let done = fixture.run(from: now, until: PlanningFixture.at("2027-05-03 11:00"))
        #expect(done.filter { $0.notification == Self.oneOff().notification }.count == 3)
        let again = fixture.plan(now: PlanningFixture.at("2027-05-03 11:00")).actions
        #expect(!again.contains { $0.notification == Self.oneOff().notification })
    }

    @Test func aOneOffForACancelledOccurrenceIsSkippedWithTheReason() {
        var fixture = Self.fixture(queued: [Self.oneOff()])
        fixture.config.events[0].status = EventStatus.cancelled
        let actions = fixture.plan(now: PlanningFixture.at("2027-05-03 10:00")).actions.filter {
            $0.notification == Self.oneOff().notification
        }
        #expect(actions.count == 3)
        #expect(actions.allSatisfy { $0.skipReason?.hasPrefix("this event has been cancelled") == true })
    }
}
