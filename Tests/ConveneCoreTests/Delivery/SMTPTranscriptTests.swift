import ConveneCore
import Testing

/// Feeds dialogues line by line, as libcurl reports them, and checks the report that follows.
/// `C:` lines are commands libcurl sent, `S:` lines replies it read.
struct SMTPTranscriptTests {
    static func transcript(_ dialogue: [String]) -> SMTPTranscript {
        var transcript = SMTPTranscript()
        for line in dialogue {
            if line.hasPrefix("C: ") {
                transcript.commandSent(String(line.dropFirst(3)) + "\r\n")
            } else {
                transcript.replyLineReceived(String(line.dropFirst(3)) + "\r\n")
            }
        }
        return transcript
    }

    static let newConnection = [
        "S: 220 mx.example ESMTP", "C: EHLO convene.test", "S: 250-mx.example", "S: 250-STARTTLS", "S: 250 HELP",
        "C: STARTTLS", "S: 220 Ready", "C: EHLO convene.test", "S: 250-mx.example", "S: 250 AUTH LOGIN PLAIN",
    ]

    @Test func aDeliveredMessageDeliversEveryAcceptedRecipient() {
        let transcript = Self.transcript(
            Self.newConnection + [
                "C: AUTH PLAIN AGNvbnZlbmUAc2VjcmV0", "S: 235 2.7.0 Authentication successful",
                "C: MAIL FROM:<o@x.test>", "S: 250 OK", "C: RCPT TO:<a@x.test>", "S: 250 OK",
                "C: RCPT TO:<b@x.test>", "S: 550 5.1.1 No such user", "C: DATA", "S: 354 Go ahead",
                "S: 250 2.0.0 Queued as 1234",
            ])
        let report = SMTPReplyClassifier.report(
            recipients: ["a@x.test", "b@x.test"], transcript: transcript, curlCode: 0, curlError: "")
        #expect(
            report.results == [
                RecipientResult(address: "a@x.test", outcome: .delivered, code: 250, reply: "250 2.0.0 Queued as 1234"),
                RecipientResult(address: "b@x.test", outcome: .permanent, code: 550, reply: "550 5.1.1 No such user"),
            ])
        #expect(report.error == nil && report.transportError == nil)
        #expect(transcript.openedConnection)
        #expect(!"\(transcript)".contains("AGNvbnZlbmUAc2VjcmV0"))
        #expect(transcript.stage == .endOfData)
    }

    @Test func saslResponsesAreNeverRecorded() {
        let transcript = Self.transcript(
            Self.newConnection + [
                "C: AUTH LOGIN", "S: 334 VXNlcm5hbWU6", "C: Y29udmVuZQ==", "S: 334 UGFzc3dvcmQ6", "C: c2VjcmV0",
                "S: 535 5.7.8 Authentication credentials invalid",
            ])
        #expect(!"\(transcript)".contains("c2VjcmV0"))
        #expect(!"\(transcript)".contains("Y29udmVuZQ=="))
        let report = SMTPReplyClassifier.report(
            recipients: ["a@x.test"], transcript: transcript, curlCode: 67, curlError: "Login denied")
        #expect(report.results.map(\.outcome) == [.temporary])
        #expect(report.error == .authRefused(reply: "535 5.7.8 Authentication credentials invalid"))
    }

    @Test func aReusedConnectionStartsWithMailFrom() {
        let transcript = Self.transcript([
            "C: MAIL FROM:<o@x.test>", "S: 250 OK", "C: RCPT TO:<a@x.test>", "S: 451 4.2.0 Try later",
            "C: RCPT TO:<b@x.test>", "S: 250 OK", "C: DATA", "S: 354 Go ahead", "S: 250 OK",
        ])
        #expect(!transcript.openedConnection)
        let report = SMTPReplyClassifier.report(
            recipients: ["a@x.test", "b@x.test"], transcript: transcript, curlCode: 0, curlError: "")
        #expect(report.results.map(\.outcome) == [.temporary, .delivered])
        #expect(report.results[0].code == 451)
    }

    @Test func aRefusedFinalDotFailsEveryAcceptedRecipientButKeepsRecipientRefusals() {
        let transcript = Self.transcript([
            "C: MAIL FROM:<o@x.test>", "S: 250 OK", "C: RCPT TO:<a@x.test>", "S: 250 OK",
            "C: RCPT TO:<b@x.test>", "S: 451 4.2.0 Try later", "C: DATA", "S: 354 Go ahead",
            "S: 554 5.6.0 Message rejected", "C: QUIT", "S: 221 Bye",
        ])
        let report = SMTPReplyClassifier.report(
            recipients: ["a@x.test", "b@x.test"], transcript: transcript, curlCode: 8, curlError: "Weird server reply")
        #expect(report.results.map(\.outcome) == [.permanent, .temporary])
        #expect(report.results[0].reply == "554 5.6.0 Message rejected")
        #expect(report.transportError == nil)
    }

    @Test func aConnectionLostAfterTheBodyLeavesDeliveryUnknown() {
        let transcript = Self.transcript([
            "C: MAIL FROM:<o@x.test>", "S: 250 OK", "C: RCPT TO:<a@x.test>", "S: 250 OK", "C: DATA",
            "S: 354 Go ahead",
        ])
        #expect(transcript.stage == .endOfData)
        let report = SMTPReplyClassifier.report(
            recipients: ["a@x.test"], transcript: transcript, curlCode: 56, curlError: "Recv failure")
        #expect(report.results.map(\.outcome) == [.unknown])
        #expect(report.results[0].code == nil)
        #expect(report.transportError == "Recv failure")
    }

    @Test func aConnectionLostDuringRecipientsIsTemporaryForTheUnansweredOnes() {
        let transcript = Self.transcript(
            Self.newConnection + [
                "C: MAIL FROM:<o@x.test>", "S: 250 OK", "C: RCPT TO:<a@x.test>", "S: 550 5.1.1 Unknown",
                "C: RCPT TO:<b@x.test>",
            ])
        let report = SMTPReplyClassifier.report(
            recipients: ["a@x.test", "b@x.test"], transcript: transcript, curlCode: 56, curlError: "Recv failure")
        #expect(report.results.map(\.outcome) == [.permanent, .temporary])
    }

    @Test func authenticationRequiredAtMailFromIsAnAuthProblem() {
        let transcript = Self.transcript(
            Self.newConnection + ["C: MAIL FROM:<o@x.test>", "S: 530 5.7.0 Authentication required"])
        let report = SMTPReplyClassifier.report(
            recipients: ["a@x.test"], transcript: transcript, curlCode: 55, curlError: "MAIL failed: 530")
        #expect(report.results.map(\.outcome) == [.temporary])
        #expect(report.error == .authRefused(reply: "530 5.7.0 Authentication required"))
    }

    /// A greeting or EHLO refused with 4xx or 5xx is the server's state, whatever the message: the transport stops
    /// and pauses (exit 75 for a 4xx, 69 for a 5xx) instead of failing each due message.
    @Test(
        arguments: [
            (["S: 554 5.3.2 No service"], 554, "554 5.3.2 No service"),
            (
                ["S: 421 4.3.2 Service not available, closing transmission channel"], 421,
                "421 4.3.2 Service not available, closing transmission channel"
            ),
            (
                ["S: 220 mx.example ESMTP", "C: EHLO convene.test", "S: 421 4.7.0 Too many connections"], 421,
                "421 4.7.0 Too many connections"
            ),
            (
                ["S: 220 mx.example ESMTP", "C: EHLO convene.test", "S: 554 5.7.1 Access denied"], 554,
                "554 5.7.1 Access denied"
            ),
        ] as [([String], Int, String)])
    func aRefusingGreetingIsTheServersProblemNotTheMessages(dialogue: [String], code: Int, reply: String) {
        let report = SMTPReplyClassifier.report(
            recipients: ["a@x.test"], transcript: Self.transcript(dialogue), curlCode: 8,
            curlError: "Weird server reply")
        #expect(report.results.map(\.outcome) == [.temporary])
        #expect(report.error == .serverUnavailable(code: code, reply: reply))
    }

    /// A 421 at MAIL FROM (or later) stays a temporary failure of that message, as before: only the opening of the
    /// connection speaks for the server as a whole.
    @Test func aRefusalAfterTheGreetingIsNotAServerOutage() {
        let transcript = Self.transcript(Self.newConnection + ["C: MAIL FROM:<o@x.test>", "S: 421 4.4.2 Timeout"])
        let report = SMTPReplyClassifier.report(
            recipients: ["a@x.test"], transcript: transcript, curlCode: 8, curlError: "Weird server reply")
        #expect(report.error == nil && report.results.map(\.code) == [421])
    }

    @Test(
        arguments: [
            (60, SMTPError.certificateRejected("SSL peer certificate or SSH remote key was not OK")),
            (64, SMTPError.tlsRequiredButUnavailable("SSL peer certificate or SSH remote key was not OK")),
            // Never reached: no word from the server on a new connection.
            (7, SMTPError.serverUnavailable(code: nil, reply: "SSL peer certificate or SSH remote key was not OK")),
            (28, SMTPError.serverUnavailable(code: nil, reply: "SSL peer certificate or SSH remote key was not OK")),
            (6, SMTPError.serverUnavailable(code: nil, reply: "SSL peer certificate or SSH remote key was not OK")),
            (35, nil),
        ] as [(Int, SMTPError?)])
    func transportCodesThatNeedTheOperatorBecomeErrors(curlCode: Int, expected: SMTPError?) {
        let report = SMTPReplyClassifier.report(
            recipients: ["a@x.test"], transcript: SMTPTranscript(), curlCode: curlCode,
            curlError: "SSL peer certificate or SSH remote key was not OK")
        #expect(report.error == expected)
        #expect(report.results.map(\.outcome) == [.temporary])
        #expect(report.transportError != nil)
    }

    @Test func locallyRefusedRecipientsArePermanentAndSkipTheRecipientReplies() {
        let transcript = Self.transcript([
            "C: MAIL FROM:<o@x.test>", "S: 250 OK", "C: RCPT TO:<b@x.test>", "S: 250 OK", "C: DATA",
            "S: 354 Go ahead", "S: 250 OK",
        ])
        let report = SMTPReplyClassifier.report(
            recipients: ["a@x.test\r\nRSET", "b@x.test"],
            refused: ["a@x.test\r\nRSET": "it contains a control character"],
            transcript: transcript, curlCode: 0, curlError: "")
        #expect(report.results.map(\.outcome) == [.permanent, .delivered])
        #expect(report.results[0].code == nil)
    }

    /// libcurl closes a connection whose server went silent with a QUIT; waiting for its reply would double the wait.
    @Test func aQuitAfterAnUnansweredCommandIsQuittingASilentServer() {
        let silent = Self.transcript(Self.newConnection + ["C: MAIL FROM:<o@x.test>", "C: QUIT"])
        #expect(silent.isQuittingASilentServer)
        let dot = Self.transcript([
            "C: MAIL FROM:<o@x.test>", "S: 250 OK", "C: RCPT TO:<a@x.test>", "S: 250 OK", "C: DATA", "S: 354 Go ahead",
            "C: QUIT",
        ])
        #expect(dot.isQuittingASilentServer, "the final dot went unanswered")
        let polite = Self.transcript([
            "C: MAIL FROM:<o@x.test>", "S: 250 OK", "C: RCPT TO:<a@x.test>", "S: 550 No", "C: QUIT",
        ])
        #expect(!polite.isQuittingASilentServer)
        #expect(!Self.transcript(Self.newConnection + ["C: MAIL FROM:<o@x.test>"]).isQuittingASilentServer)
        #expect(!Self.transcript(["C: QUIT"]).isQuittingASilentServer)
    }

    @Test func multiLineRepliesAreOneReply() {
        var transcript = SMTPTranscript()
        transcript.replyLineReceived("220-first\r\n")
        transcript.replyLineReceived("220 second\r\n")
        #expect(transcript.exchanges.count == 1)
        #expect(transcript.exchanges[0].reply == .init(code: 220, lines: ["220-first", "220 second"]))
    }
}
