import ConveneCore
import Testing

/// A relay's quota and throttling replies, in the dialogue where they come, never make a recipient permanently failed:
/// the report carries the limit as the transport's problem and every recipient not delivered stays temporary.
struct RelayLimitTranscriptTests {
    static let opening =
        SMTPTranscriptTests.newConnection + [
            "C: AUTH XOAUTH2", "S: 235 2.7.0 Authentication successful", "C: MAIL FROM:<convene@x.test>",
        ]

    @Test func exchangesDailyQuotaAtTheFinalDotIsAQuotaAndNobodyFails() {
        let quota =
            "554 5.2.0 STOREDRV.Submission.Exception:SubmissionQuotaExceededException; Failed to process message"
        let transcript = SMTPTranscriptTests.transcript(
            Self.opening + [
                "S: 250 2.1.0 Sender OK", "C: RCPT TO:<a@x.test>", "S: 250 2.1.5 Recipient OK",
                "C: RCPT TO:<pa@x.test>", "S: 250 2.1.5 Recipient OK", "C: DATA", "S: 354 Start mail input",
                "S: \(quota)",
            ])
        let report = SMTPReplyClassifier.report(
            recipients: ["a@x.test", "pa@x.test"], transcript: transcript, curlCode: 55,
            curlError: "Failed sending data")
        #expect(report.error == .relayLimit(.quota, code: 554, reply: quota))
        #expect(report.results.map(\.outcome) == [.temporary, .temporary])
        #expect(report.results.map(\.code) == [554, 554])
    }

    @Test func aBlockedMailboxAtMailFromIsABlockNotAFailureOfTheRecipient() {
        let blocked = "550 5.2.252 SendAsDenied; continuous error throttling"
        let transcript = SMTPTranscriptTests.transcript(Self.opening + ["S: \(blocked)"])
        let report = SMTPReplyClassifier.report(
            recipients: ["a@x.test"], transcript: transcript, curlCode: 9, curlError: "Access denied")
        #expect(report.error == .relayLimit(.mailboxBlocked, code: 550, reply: blocked))
        #expect(report.results.map(\.outcome) == [.temporary])
    }

    @Test func googlesRateLimitAtRecipientLeavesThatRecipientTemporary() {
        let rate = "450 4.2.1 The user you are trying to contact is receiving mail too quickly."
        let transcript = SMTPTranscriptTests.transcript(
            Self.opening + ["S: 250 OK", "C: RCPT TO:<a@x.test>", "S: \(rate)"])
        let report = SMTPReplyClassifier.report(
            recipients: ["a@x.test"], transcript: transcript, curlCode: 9, curlError: "RCPT failed")
        #expect(report.error == .relayLimit(.throttled, code: 450, reply: rate))
        #expect(report.results.map(\.outcome) == [.temporary])
    }

    @Test func sesThrottlingWhileGreetingIsThrottlingNotAnOutage() {
        let transcript = SMTPTranscriptTests.transcript(["S: 454 Throttling failure: Maximum sending rate exceeded."])
        let report = SMTPReplyClassifier.report(
            recipients: ["a@x.test"], transcript: transcript, curlCode: 8, curlError: "weird server reply")
        #expect(
            report.error
                == .relayLimit(.throttled, code: 454, reply: "454 Throttling failure: Maximum sending rate exceeded."))
    }

    @Test func anUnknownRecipientIsStillPermanentWhenNoLimitIsInSight() {
        let transcript = SMTPTranscriptTests.transcript(
            Self.opening + ["S: 250 OK", "C: RCPT TO:<gone@x.test>", "S: 550 5.1.10 RESOLVER.ADR.RecipNotFound"])
        let report = SMTPReplyClassifier.report(
            recipients: ["gone@x.test"], transcript: transcript, curlCode: 9, curlError: "RCPT failed")
        #expect(report.error == nil)
        #expect(report.results.map(\.outcome) == [.permanent])
    }

    @Test func theLimitReadsTheSameFromAJournaledReply() {
        // status finds the limit again in the failed record the refusal left: "summary: reply".
        let reply = SMTPError.relayLimit(.mailboxBlocked, code: 550, reply: "550 5.2.251 blocked").description
        #expect(RelayLimit.recognise(code: 550, text: reply) == .mailboxBlocked)
    }
}
