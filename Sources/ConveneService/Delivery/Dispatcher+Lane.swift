import ConveneCore
import Foundation

/// One lane: its feed prepares the messages ahead, the lane journals and sends them in order.
extension Dispatcher {
    /// One connection's share of the due messages, in due order. `between` is asked before each message whether
    /// to stop (never during one), and every fifth of a second while the lane waits (a rate limit can hold the next
    /// message for a whole period): on the daemon's thread it also feeds the watchdog. The lane's feed prepares each
    /// message (window, rate limit, rendering) one step ahead on its own thread, so this thread only journals and
    /// sends.
    func runLane(
        _ actions: [Action], transport: MailTransport, composer: MessageComposer, now: Date,
        clock: @escaping @Sendable () -> Date, between: () -> Bool
    ) {
        var lastTicket: UInt64 = 0
        var ledger = DeliveryLedger()
        let feed = prepareAhead(actions, composer: composer, now: now, clock: clock)
        let rateLimited = sleeps && shared.withLock { $0.gate.rate != nil }
        defer {
            feed.cancel()
            // Everything this lane wrote is on disk before it reports done.
            do { try journal.waitDurable(lastTicket) } catch { stop(.journal(error)) }
        }
        while true {
            var next = LaneFeed.Next.waiting
            while case .waiting = next {
                if between() || shared.withLock({ $0.stopLanes }) { return }
                next = feed.next(waitingAtMost: 0.2)
            }
            guard case .ready(let prepared) = next else {
                if feed.finish == .windowClosed { shared.withLock { $0.windowClosed = true } }
                if case .dailyCapReached(let resume) = feed.finish { stopForDailyCap(until: resume) }
                return
            }
            if rateLimited {
                // The feed stamped this message when the pacer let it go; a lane that fell behind its feed (a slow
                // server) would then start the queued messages back to back. The gate counts actual starts.
                let time = clock()
                let slot = shared.withLock { $0.gate.take(now: time) }
                guard wait(until: slot, clock: clock, between: between) else { return }
            }
            let action = prepared.action
            let stamp = prepared.stamp
            // The previous message's outcome must be on disk before this one can be completed: then a crash leaves
            // at most this one message to resend per connection. Its fsync, started when the outcome was written,
            // runs while this message's SMTP dialogue proceeds. This attempt rides along with it or the next fsync;
            // if a crash loses it, the message is re-planned and resent with the same Message-ID.
            let previousOutcome = lastTicket
            guard let attempt = write(action.attemptRecord(at: stamp), lazy: true) else { return }
            lastTicket = attempt
            let entry: DeliveryLedger.Entry
            let finished: Date
            do {
                let report = try transport.send(prepared.mail) { [journal] in
                    (try? journal.waitDurable(previousOutcome)) != nil
                }
                // Never stamped before `now`: a failure's retry is due a back-off after it, so it cannot fall due
                // again when the caller plans once more at `now` (a `--once` pass, a clock set back during the batch).
                finished = sleeps ? max(clock(), now) : now
                entry = ledger.settle(action, with: report, at: finished)
            } catch {
                finished = stamp
                entry = ledger.settle(action, refusedWith: error, at: stamp)
            }
            // The outcome goes to the journal first: its sync is what the next message's final dot waits for.
            let written = write(entry.record)
            shared.withLock { $0.counters.count(entry.count, at: finished, zone: $0.workspace.config.service.timeZone) }
            for line in entry.log { log(line) }
            guard let ticket = written else { return }
            lastTicket = ticket
            if let stop = entry.stop {
                if let line = stop.log { log(line) }
                self.stop(.transport(stop.failure))
                return
            }
        }
    }

    /// Where the daily cap puts a message to `recipients` recipients prepared at `now`.
    enum DailySlot: Equatable {
        /// No cap, or room now (reserved).
        case now
        /// Room at `until`, soon enough to wait for within the batch (reserved).
        case wait(until: Date)
        /// Room only at `until`, too far off: nothing reserved; the batch stops and the daemon pauses until then.
        case tooFar(until: Date)
    }

    /// The longest a feed waits for the daily cap within a batch: beyond a minute the batch ends, so that the daemon
    /// sleeps (and reloads, and answers `status`) instead of holding a batch open for hours, and `run --once` exits.
    static let longestDailyWait: TimeInterval = 60

    /// Asks the daily cap (`rate: …, N/day`) when a message to `recipients` recipients may go, reserving it when soon.
    func dailySlot(recipients: Int, now: Date) -> DailySlot {
        shared.withLock { state -> DailySlot in
            guard var quota = state.quota else { return .now }
            let slot = quota.earliest(recipients: recipients, now: now)
            if slot.timeIntervalSince(now) > Self.longestDailyWait { return .tooFar(until: slot) }
            _ = quota.take(recipients: recipients, now: now)
            state.quota = quota
            return slot > now ? .wait(until: slot) : .now
        }
    }

    /// Stops every lane because the daily cap is reached: a temporary stop (`run --once` exits 75) that the daemon
    /// turns into a pause until `resume`.
    func stopForDailyCap(until resume: Date) {
        let (limit, zone) = shared.withLock { ($0.quota?.limit ?? 0, $0.workspace.config.service.timeZone) }
        let message =
            "the daily cap of \(limit) recipients in 24 hours (rate: …/day) is reached; the next message can go at "
            + "\(LocalDateTime(instant: resume, in: zone))"
        log.warning("sending paused for the daily cap", ["resume_at": "\(LocalDateTime(instant: resume, in: zone))"])
        stop(.transport(TransportFailure(kind: .temporary, message: message, resumeAt: resume)))
    }

    /// Sleeps until `instant` by `clock`, a fifth of a second at a time so that `between` (the watchdog, a stop) is
    /// heard meanwhile; false when told to stop.
    func wait(until instant: Date, clock: () -> Date, between: () -> Bool) -> Bool {
        while true {
            let left = instant.timeIntervalSince(clock())
            if left <= 0 { return true }
            if between() || shared.withLock({ $0.stopLanes }) { return false }
            Thread.sleep(forTimeInterval: min(left, 0.2))
        }
    }

    /// The lane's feed. In real time (`sleeps`) each message first waits for the send window — a long batch (a rate
    /// limit, a big roster) stops when the window closes, and what is left is planned again for its next opening — and
    /// for the rate limiter, then is stamped with the clock; a simulated run stamps everything `now`.
    ///
    /// The window is judged as reconcile judges it, so `plan` and `run` agree: a closed window stops the feed when it
    /// opens again before the message's grace; when it opens only after, a calendar message goes now (a calendar must
    /// not stay wrong) and a reminder or plain message is left for planning to skip. (Stopping for a calendar message that planning
    /// says is due now had the daemon plan and stop in a loop until the event began.)
    func prepareAhead(
        _ actions: [Action], composer: MessageComposer, now: Date, clock: @escaping @Sendable () -> Date
    ) -> LaneFeed {
        let config = workspace.config
        let window = DueTime(zone: config.service.timeZone, window: config.service.sendWindow)
        let sleeps = self.sleeps
        return LaneFeed(actions) { [self] action, feed in
            if sleeps {
                let time = clock()
                let opens = window.intoWindow(time)
                if opens > time, opens < action.grace || !action.kind.isCalendar { return .stop(.windowClosed) }
                let slot = shared.withLock { $0.pacer.take(now: clock()) }
                if !feed.sleep(until: slot, clock: clock) { return .stop(.cancelled) }
                switch dailySlot(recipients: action.envelopeRecipients.count, now: clock()) {
                case .now:
                    break
                case .wait(let until):
                    if !feed.sleep(until: until, clock: clock) { return .stop(.cancelled) }
                case .tooFar(let until):
                    return .stop(.dailyCapReached(until))
                }
            }
            let stamp = sleeps ? clock() : now
            var mail = composer.outgoing(for: action, now: stamp)
            if mail.recipients.count > 1 {
                // A retry goes only to those still owed the message: same bytes and Message-ID, smaller envelope.
                mail.recipients = shared.withLock { $0.journal.envelope(for: action.messageID, mail.recipients) }
            }
            return .send(.init(action: action, stamp: stamp, mail: mail))
        }
    }
}
