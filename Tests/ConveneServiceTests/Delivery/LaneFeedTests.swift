import ConveneCore
import ConveneTesting
import Foundation
import Testing

@testable import ConveneService

/// The feed that prepares a lane's messages ahead of its connection.
@Suite(.ownThread)
struct LaneFeedTests {
    /// Twenty due invitations, from the delivery fixture's plan.
    static func actions() throws -> [Action] {
        let fixture = try DeliveryFixture(
            smtp: .init(url: "smtp://127.0.0.1:25"), roster: DeliveryFixture.roster(of: 20),
            programme: DeliveryFixture.singleInvitation)
        let workspace = try ConfigLoader.load(configPath: fixture.configPath).get()
        let plan = Reconciler(
            config: workspace.config, roster: workspace.roster, audience: workspace.audience,
            state: JournalState(records: [])
        )
        .plan(now: LocalDateTime(parsing: "2027-02-11 17:59")!.instant(in: workspace.config.service.timeZone))
        let actions = Array(plan.actions)
        #expect(actions.count == 20)
        return actions
    }

    static func prepared(_ action: Action) -> LaneFeed.Step {
        .send(
            .init(
                action: action, stamp: Date(),
                mail: OutgoingMail(
                    envelopeFrom: "a@example.gov.uk", recipients: [], bytes: [], messageID: action.messageID)))
    }

    /// Counts the actions a feed prepared, from its thread.
    final class Counter: @unchecked Sendable {
        // @unchecked: `value` is only touched under `lock`.
        private let lock = NSLock()
        private var count = 0
        func add() { lock.withLock { count += 1 } }
        var value: Int { lock.withLock { count } }
    }

    @Test func messagesComeInPlanOrderAndThenTheEnd() throws {
        let actions = try Self.actions()
        let feed = LaneFeed(actions, depth: 4) { action, _ in Self.prepared(action) }
        var taken: [String] = []
        while let next = feed.next() { taken.append(next.action.key) }
        #expect(taken == actions.map(\.key))
        #expect(feed.finish == .exhausted)
        feed.cancel()
    }

    @Test func aClosedWindowEndsTheFeedAfterWhatWasPrepared() throws {
        let actions = try Self.actions()
        let feed = LaneFeed(actions) { action, _ in
            action.key == actions[5].key ? .stop(.windowClosed) : Self.prepared(action)
        }
        var taken = 0
        while feed.next() != nil { taken += 1 }
        #expect(taken == 5)
        #expect(feed.finish == .windowClosed)
        feed.cancel()
    }

    /// A full feed waits for the lane; cancelling it returns at once and nothing more is prepared.
    @Test func cancellingAFullFeedStopsItWithoutPreparingMore() async throws {
        let actions = try Self.actions()
        let counter = Counter()
        let feed = LaneFeed(actions, depth: 4) { action, _ in
            counter.add()
            return Self.prepared(action)
        }
        // Nothing is taken: four wait in the feed and a fifth, prepared, waits for room.
        let deadline = Date().addingTimeInterval(5)
        while counter.value < 5 && Date() < deadline { await pause(seconds: 0.01) }
        await pause(seconds: 0.1)
        #expect(counter.value == 5, "the feed stops at its depth")
        feed.cancel()
        #expect(counter.value == 5)
        #expect(feed.finish == .cancelled)
        #expect(feed.next() == nil, "what was prepared but not taken is dropped")
    }
}
