import Testing

@testable import ConveneCore

/// The replies of the relays convene's users have, as they send them, and what each says about the relay's limits.
struct RelayLimitTests {
    static let replies: [(reply: String, limit: RelayLimit?)] = [
        // Exchange Online
        (
            "554 5.2.0 STOREDRV.Submission.Exception:SubmissionQuotaExceededException; Failed to process message due to a permanent exception with message [BeginDiagnosticData]Message submission quota exceeded.",
            .quota
        ),
        ("550 5.2.251 Sending is blocked for this mailbox due to continuous error throttling", .mailboxBlocked),
        ("550 5.2.252 SendAsDenied; Continuous error throttling", .mailboxBlocked),
        ("550 5.2.255 Continuous error throttling", .mailboxBlocked),
        ("550 5.2.250 not one of the continuous-error codes", nil),
        ("550 5.2.256 not one of the continuous-error codes", nil),
        // Google Workspace
        (
            "421 4.7.28 Gmail has detected an unusual rate of unsolicited mail originating from your IP address.",
            .throttled
        ),
        ("450 4.2.1 The user you are trying to contact is receiving mail too quickly.", .throttled),
        ("550 5.4.5 Daily user sending limit exceeded.", .quota),
        // Amazon SES
        ("454 Throttling failure: Maximum sending rate exceeded.", .throttled),
        ("454 Throttling failure: Daily message quota exceeded.", .quota),
        // Recipients per message
        ("452 4.5.3 Too many recipients", .tooManyRecipients),
        // Ordinary replies stay ordinary: about the recipient or the message.
        ("550 5.1.1 The email account that you tried to reach does not exist.", nil),
        ("550 5.1.10 RESOLVER.ADR.RecipNotFound; Recipient not found by SMTP address lookup", nil),
        ("554 5.7.1 Message rejected as spam", nil),
        ("554 Transaction failed", nil),
        ("451 4.3.0 Temporary server error. Please try again later", nil),
        ("421 4.7.0 Try again later, closing connection.", nil),
        ("452 4.2.2 The email account that you tried to reach is over quota.", nil),
        // An enhanced code of another class than the reply's is not the relay's status code.
        ("550 4.2.251 mismatched class", nil),
        ("550 5.2.2x5 not digits", nil),
    ]

    @Test(arguments: replies)
    func aReplyIsALimitOfTheRelayOnlyWhenItsCodesAndWordsSaySo(reply: String, limit: RelayLimit?) {
        let code = Int(reply.prefix(3)) ?? 0
        #expect(RelayLimit.recognise(code: code, text: reply) == limit)
    }

    @Test func aBlockedMailboxWaitsForAnOperatorAndTheOthersPauseThenGoOn() {
        #expect(RelayLimit.mailboxBlocked.pause == nil)
        #expect(RelayLimit.quota.pause == 3600 && RelayLimit.throttled.pause == 600)
        #expect(RelayLimit.tooManyRecipients.pause.map { $0 > 0 } == true)
    }

    @Test(
        arguments: [
            ("550 5.2.251 x", 550, "5.2.251"), ("550-5.2.251 first line", 550, "5.2.251"),
            ("421 4.7.28", 421, "4.7.28"),
            ("250 OK", 250, nil), ("550 5.1", 550, nil), ("", 550, nil),
        ] as [(String, Int, String?)])
    func theEnhancedStatusCodeFollowsTheReplyCode(text: String, code: Int, expected: String?) {
        #expect(RelayLimit.enhancedStatus(in: text, code: code) == expected)
    }
}
