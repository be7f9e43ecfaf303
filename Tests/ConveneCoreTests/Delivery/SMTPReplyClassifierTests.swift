import ConveneCore
import Testing

/// The message-level verdict: (libcurl code, reply code at the failing stage, stage) → outcome.
struct SMTPReplyClassifierTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var curlCode: Int
        var responseCode: Int?
        var stage: SMTPStage
        var expected: DeliveryOutcome
        var testDescription: String {
            "curl \(curlCode), reply \(responseCode.map(String.init) ?? "none") at \(stage) → \(expected)"
        }
    }

    static let cases: [Case] = [
        // The server took the message.
        Case(curlCode: 0, responseCode: 250, stage: .endOfData, expected: .delivered),
        // 4xx anywhere: try again later.
        Case(curlCode: 55, responseCode: 451, stage: .mailFrom, expected: .temporary),
        Case(curlCode: 55, responseCode: 452, stage: .recipients, expected: .temporary),
        Case(curlCode: 55, responseCode: 421, stage: .data, expected: .temporary),
        Case(curlCode: 8, responseCode: 451, stage: .endOfData, expected: .temporary),
        Case(curlCode: 8, responseCode: 421, stage: .endOfData, expected: .temporary),
        // 5xx after connecting: this message will never go as it is.
        Case(curlCode: 55, responseCode: 550, stage: .mailFrom, expected: .permanent),
        Case(curlCode: 55, responseCode: 550, stage: .recipients, expected: .permanent),
        Case(curlCode: 55, responseCode: 554, stage: .data, expected: .permanent),
        Case(curlCode: 8, responseCode: 552, stage: .endOfData, expected: .permanent),
        // 5xx while connecting is the transport's problem, not the message's.
        Case(curlCode: 8, responseCode: 554, stage: .connection, expected: .temporary),
        Case(curlCode: 67, responseCode: 535, stage: .connection, expected: .temporary),
        // Transport errors before the body: nothing was accepted.
        Case(curlCode: 6, responseCode: nil, stage: .connection, expected: .temporary),
        Case(curlCode: 7, responseCode: nil, stage: .connection, expected: .temporary),
        Case(curlCode: 35, responseCode: nil, stage: .connection, expected: .temporary),
        Case(curlCode: 28, responseCode: nil, stage: .mailFrom, expected: .temporary),
        Case(curlCode: 56, responseCode: nil, stage: .recipients, expected: .temporary),
        Case(curlCode: 28, responseCode: nil, stage: .data, expected: .temporary),
        // Lost after 354 (libcurl's RESPONSE_CODE still says 354): may have been delivered.
        Case(curlCode: 56, responseCode: nil, stage: .endOfData, expected: .unknown),
        Case(curlCode: 56, responseCode: 354, stage: .endOfData, expected: .unknown),
        Case(curlCode: 28, responseCode: nil, stage: .endOfData, expected: .unknown),
        Case(curlCode: 55, responseCode: nil, stage: .endOfData, expected: .unknown),
    ]

    @Test(arguments: cases)
    func messageOutcomeFollowsTheReplyAndTheStage(_ example: Case) {
        let outcome = SMTPReplyClassifier.classify(
            curlCode: example.curlCode, responseCode: example.responseCode, stage: example.stage)
        #expect(outcome == example.expected)
    }

    @Test(
        arguments: [
            (250, nil), (251, nil), (450, .temporary), (451, .temporary), (421, .temporary),
            (550, .permanent), (553, .permanent),
        ] as [(Int, DeliveryOutcome?)])
    func recipientRepliesDecideOnlyFailures(code: Int, expected: DeliveryOutcome?) {
        #expect(SMTPReplyClassifier.recipientOutcome(replyCode: code) == expected)
    }
}
