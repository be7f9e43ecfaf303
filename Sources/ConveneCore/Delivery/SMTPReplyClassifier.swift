/// Pure classification of what libcurl and the SMTP server said into delivery outcomes.
///
/// Input: libcurl's result code, the dialogue (`SMTPTranscript`) and the envelope; output: one
/// outcome per recipient plus, when the transport itself is at fault, an `SMTPError`. Replies decide,
/// not libcurl's code: 4xx is temporary, 5xx permanent (for one recipient at RCPT, for every accepted
/// recipient at MAIL, DATA or the final dot), and a connection lost after the body was sent leaves the
/// delivery `unknown`. Failures while connecting (greeting, EHLO, STARTTLS, AUTH) never make a
/// recipient permanent: they are the transport's problem, reported in `DeliveryReport.error`.
///
/// The reply codes come from the transcript, not from `CURLINFO_RESPONSE_CODE`: checked against
/// smtp-sink faults, the two agree whenever a reply decided the failure, but when the connection
/// drops without a reply libcurl still reports the previous reply (250 after EHLO or MAIL, 354 after
/// DATA), and only the transcript says which command went unanswered.
public enum SMTPReplyClassifier {
    /// libcurl result codes used here (stable numbers from curl.h).
    public enum CurlCode {
        /// `CURLE_OK`: the whole dialogue succeeded, so every recipient not refused at RCPT is delivered.
        public static let ok = 0
        /// `CURLE_UNSUPPORTED_PROTOCOL`: libcurl was built without smtp/smtps; reported as invalid settings.
        public static let unsupportedProtocol = 1
        /// `CURLE_URL_MALFORMAT`: `smtp.url` cannot be used; reported as invalid settings.
        public static let urlMalformat = 3
        /// `CURLE_COULDNT_RESOLVE_HOST`: the host name did not resolve; with no reply yet, the server is unavailable.
        public static let couldNotResolveHost = 6
        /// `CURLE_COULDNT_CONNECT`: the connection was refused or unreachable; with no reply yet, unavailable.
        public static let couldNotConnect = 7
        /// `CURLE_WEIRD_SERVER_REPLY`: the server sent something that is not an SMTP reply; the transcript decides.
        public static let weirdServerReply = 8
        /// `CURLE_REMOTE_ACCESS_DENIED`: a command was refused; the reply in the transcript decides the outcome.
        public static let remoteAccessDenied = 9
        /// `CURLE_OPERATION_TIMEDOUT`: `connect_timeout` or `response_timeout` passed; before any reply, unavailable.
        public static let operationTimedOut = 28
        /// `CURLE_SSL_CONNECT_ERROR`: the TLS handshake failed; not mapped to an `SMTPError`, so the send is temporary.
        public static let sslConnectError = 35
        /// `CURLE_SEND_ERROR`: writing to the socket failed; before any reply, the server is unavailable.
        public static let sendError = 55
        /// `CURLE_RECV_ERROR`: reading from the socket failed; after the body this leaves the delivery unknown.
        public static let receiveError = 56
        /// `CURLE_SSL_CERTPROBLEM`: the local client certificate could not be used; reported as certificate rejected.
        public static let sslCertificateProblem = 58
        /// `CURLE_PEER_FAILED_VERIFICATION`: the server's certificate or name did not verify; certificate rejected.
        public static let peerFailedVerification = 60
        /// `CURLE_USE_SSL_FAILED`: TLS was required but the server offers no STARTTLS.
        public static let useSSLFailed = 64
        /// `CURLE_LOGIN_DENIED`: the server refused the credentials; reported as `authRefused`.
        public static let loginDenied = 67
        /// `CURLE_SSL_CACERT_BADFILE`: `smtp.ca_file` could not be read or parsed; certificate rejected.
        public static let sslCACertificateBadFile = 77
        /// `CURLE_SSL_ISSUER_ERROR`: the certificate's issuer check failed; certificate rejected.
        public static let sslIssuerError = 83
        /// `CURLE_SSL_PINNEDPUBKEYNOTMATCH`: the pinned public key did not match; certificate rejected.
        public static let sslPinnedPublicKeyMismatch = 90
        /// `CURLE_SSL_INVALIDCERTSTATUS`: the certificate status (OCSP) check failed; certificate rejected.
        public static let sslInvalidCertificateStatus = 91
        /// `CURLE_GOT_NOTHING`: the server closed without a word; before any reply, the server is unavailable.
        public static let gotNothing = 52

        /// Codes that, before any reply on a new connection, mean the server was never reached (or vanished before
        /// greeting): name not resolved, connection refused, timed out, nothing received, send or receive failed.
        static let noServer: Set<Int> = [
            couldNotResolveHost, couldNotConnect, operationTimedOut, gotNothing, sendError, receiveError,
        ]
    }

    /// The outcome of the transaction as a whole at `stage`, given libcurl's result and the reply
    /// code that answered the command at that stage (nil when none came).
    public static func classify(curlCode: Int, responseCode: Int?, stage: SMTPStage) -> DeliveryOutcome {
        if curlCode == CurlCode.ok { return .delivered }
        switch (responseCode ?? 0) / 100 {
        case 4: return .temporary
        case 5: return stage == .connection ? .temporary : .permanent
        default: return stage == .endOfData ? .unknown : .temporary
        }
    }

    /// The outcome a reply to `RCPT TO` gives its recipient, or nil when the recipient was accepted
    /// (and the rest of the transaction decides).
    public static func recipientOutcome(replyCode: Int) -> DeliveryOutcome? {
        switch replyCode / 100 {
        case 2: return nil
        case 5: return .permanent
        default: return .temporary
        }
    }

    /// The transport problem behind a failed send, if the failure is not about this message.
    public static func transportProblem(
        curlCode: Int, transcript: SMTPTranscript, curlError: String
    ) -> SMTPError? {
        let deciding = transcript.decidingExchange
        let replyText = deciding?.reply?.text ?? curlError
        switch curlCode {
        case CurlCode.ok:
            return nil
        case CurlCode.loginDenied:
            return .authRefused(reply: replyText)
        case CurlCode.useSSLFailed:
            return .tlsRequiredButUnavailable(curlError)
        case CurlCode.sslCertificateProblem, CurlCode.peerFailedVerification, CurlCode.sslCACertificateBadFile,
            CurlCode.sslIssuerError, CurlCode.sslPinnedPublicKeyMismatch, CurlCode.sslInvalidCertificateStatus:
            return .certificateRejected(curlError)
        case CurlCode.unsupportedProtocol, CurlCode.urlMalformat:
            return .invalidSettings(curlError)
        default:
            break
        }
        if transcript.exchanges.isEmpty && CurlCode.noServer.contains(curlCode) {
            // Not a word from the server on a new connection: it could not be reached, not a problem of this message.
            return .serverUnavailable(code: nil, reply: curlError)
        }
        // A relay's own limit, wherever it answered (greeting, MAIL, a RCPT, the final dot): the relay's state, not
        // the message's or the recipient's (RelayLimit says why that matters).
        for exchange in transcript.exchanges {
            guard let reply = exchange.reply, reply.code >= 400 else { continue }
            if let limit = RelayLimit.recognise(code: reply.code, text: reply.text) {
                return .relayLimit(limit, code: reply.code, reply: reply.text)
            }
        }
        guard let deciding, let reply = deciding.reply else { return nil }
        if deciding.command == .mailFrom && reply.code == 530 {
            // "Authentication required": the credentials are missing or were not used, not the message.
            return .authRefused(reply: reply.text)
        }
        if [.connect, .ehlo, .helo].contains(deciding.command) && [4, 5].contains(reply.code / 100) {
            // A greeting or EHLO refused (421 closing, 554 no service): the server's state, whatever the message.
            return .serverUnavailable(code: reply.code, reply: reply.text)
        }
        return nil
    }

    /// The full report for one send.
    ///
    /// - Parameters:
    ///   - recipients: the envelope recipients in the mail's order.
    ///   - refused: recipients refused locally (never sent), with the reason; they are `permanent`.
    ///   - transcript: the dialogue; its `RCPT TO` replies map in order to the recipients not refused.
    ///   - curlCode: libcurl's result; `curlError` its error text (error buffer or `curl_easy_strerror`).
    public static func report(
        recipients: [String], refused: [String: String] = [:], transcript: SMTPTranscript,
        curlCode: Int, curlError: String
    ) -> DeliveryReport {
        let decidingReply = transcript.decidingExchange?.reply
        let problem = transportProblem(curlCode: curlCode, transcript: transcript, curlError: curlError)
        var messageOutcome = classify(curlCode: curlCode, responseCode: decidingReply?.code, stage: transcript.stage)
        if problem != nil && messageOutcome == .permanent {
            // A refusal caused by the transport (say, 530 authentication required) says nothing about
            // the message: it can go once the operator has fixed the cause.
            messageOutcome = .temporary
        }
        let decidedByReply = curlCode == CurlCode.ok || [4, 5].contains((decidingReply?.code ?? 0) / 100)
        let messageReply: String
        if decidedByReply, let decidingReply {
            messageReply = decidingReply.text
        } else if messageOutcome == .unknown {
            messageReply = "connection lost after the message was sent, before the server's verdict: \(curlError)"
        } else {
            messageReply = curlError
        }
        let messageCode = decidedByReply ? decidingReply?.code : nil

        let rcptReplies = transcript.recipientReplies
        var sentIndex = 0
        var results: [RecipientResult] = []
        for address in recipients {
            if let reason = refused[address] {
                results.append(
                    RecipientResult(address: address, outcome: .permanent, code: nil, reply: "not sent: \(reason)"))
                continue
            }
            let rcptReply = sentIndex < rcptReplies.count ? rcptReplies[sentIndex] : nil
            sentIndex += 1
            if let rcptReply, var outcome = recipientOutcome(replyCode: rcptReply.code) {
                // Under a relay's limit no recipient is refused for good: it is the relay speaking, not the mailbox.
                if case .relayLimit? = problem { outcome = .temporary }
                results.append(
                    RecipientResult(address: address, outcome: outcome, code: rcptReply.code, reply: rcptReply.text))
            } else {
                results.append(
                    RecipientResult(address: address, outcome: messageOutcome, code: messageCode, reply: messageReply))
            }
        }
        return DeliveryReport(
            results: results,
            transportError: curlCode != CurlCode.ok && !decidedByReply ? curlError : nil,
            error: problem
        )
    }
}
