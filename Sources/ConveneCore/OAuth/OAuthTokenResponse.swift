import Foundation

/// Reads the token endpoint's answer (RFC 6749 §5.1 and §5.2) with the project's JSON reader: a token, or why there
/// is none in the endpoint's own words, made safe to print.
public enum OAuthTokenResponse {
    /// The endpoint's `error_description` is cut to this many characters: Entra ID's run to about 250 before the
    /// trace and correlation ids it appends, and a misconfigured endpoint may answer with a whole HTML page.
    public static let descriptionLimit = 300
    /// `expires_in` is only RECOMMENDED (RFC 6749 §5.1); without it the token is assumed to last 5 minutes, so it is
    /// refreshed after 3 min 45 s: a short guess costs only extra requests, a long one refused logins.
    public static let assumedLifetime: TimeInterval = 300

    /// The token in an answer with HTTP `status` and `body` to a request sent at `requestedAt`, or why there is
    /// none. Any of `withheld` (the client secret) found in the endpoint's words is replaced by `<withheld>`.
    public static func parse(
        status: Int, body: [UInt8], requestedAt: Date, withheld: [String] = []
    ) -> Result<OAuthToken, OAuthTokenFailure> {
        switch status {
        case 200..<300:
            guard let token = try? token(in: body, requestedAt: requestedAt) else {
                return .failure(.unavailable("the token endpoint answered HTTP \(status) without a usable token"))
            }
            return .success(token)
        case 408, 429, 500..<600:
            let words = errorWords(in: body, withheld: withheld)
            let detail = [words.error, words.description].filter { !$0.isEmpty }.joined(separator: ": ")
            return .failure(
                .unavailable("the token endpoint answered HTTP \(status)" + (detail.isEmpty ? "" : " (\(detail))")))
        case 400..<500:
            let words = errorWords(in: body, withheld: withheld)
            return .failure(.refused(status: status, error: words.error, description: words.description))
        default:
            return .failure(.unavailable("the token endpoint answered HTTP \(status)"))
        }
    }

    /// `access_token`, `token_type` (Bearer, when given) and `expires_in` (a number, or a numeric string as Azure AD
    /// v1 sent it); other members are skipped.
    static func token(in body: [UInt8], requestedAt: Date) throws(JSONReader.Malformed) -> OAuthToken {
        var accessToken: String?
        var type: String?
        var lifetime: Int?
        try readObject(body) { (reader: inout JSONReader, key: String) throws(JSONReader.Malformed) in
            switch key {
            case "access_token": accessToken = try reader.readString()
            case "token_type": type = try reader.readString()
            case "expires_in": lifetime = try readSeconds(&reader)
            default: try reader.skipValue()
            }
        }
        // The token goes into a SASL string and a libcurl option: printable ASCII without spaces only (RFC 6750's
        // b64token is narrower still).
        guard let accessToken, !accessToken.isEmpty,
            accessToken.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F })
        else { throw JSONReader.Malformed() }
        guard type == nil || type?.lowercased() == "bearer" else { throw JSONReader.Malformed() }
        let seconds = lifetime.map(TimeInterval.init) ?? assumedLifetime
        guard seconds > 0 else { throw JSONReader.Malformed() }
        return OAuthToken(accessToken: accessToken, issuedAt: requestedAt, lifetime: seconds)
    }

    /// Reads `body` as one JSON object, calling `member` for each key.
    private static func readObject(
        _ body: [UInt8], _ member: (inout JSONReader, String) throws(JSONReader.Malformed) -> Void
    ) throws(JSONReader.Malformed) {
        // withUnsafeBytes rethrows untyped errors: carry the typed one out in a Result.
        try body.withUnsafeBytes { buffer in
            Result { () throws(JSONReader.Malformed) in
                var reader = JSONReader(buffer)
                try reader.readDocument { (reader: inout JSONReader) throws(JSONReader.Malformed) in
                    try reader.readObject(member)
                }
            }
        }.get()
    }

    private static func readSeconds(_ reader: inout JSONReader) throws(JSONReader.Malformed) -> Int {
        var number = reader
        if let value = try? number.readInt() {
            reader = number
            return value
        }
        guard let value = Int(try reader.readString()) else { throw JSONReader.Malformed() }
        return value
    }

    /// `error` and `error_description` of an error answer, sanitised; empty when the body is not such JSON.
    static func errorWords(in body: [UInt8], withheld: [String]) -> (error: String, description: String) {
        var error = ""
        var description = ""
        try? readObject(body) { (reader: inout JSONReader, key: String) throws(JSONReader.Malformed) in
            switch key {
            case "error": error = try reader.readString()
            case "error_description": description = try reader.readString()
            default: try reader.skipValue()
            }
        }
        return (sanitised(error, limit: 80, withheld: withheld), sanitised(description, withheld: withheld))
    }

    /// `text` fit for a log line: control characters (C0, DEL, C1, line and paragraph separators) become spaces, runs
    /// of spaces one, secrets `<withheld>`, and at most `limit` characters are kept (then `…`).
    public static func sanitised(_ text: String, limit: Int = descriptionLimit, withheld: [String] = []) -> String {
        var clean = text
        for secret in withheld where !secret.isEmpty {
            clean = clean.replacingOccurrences(of: secret, with: "<withheld>")
        }
        var result = ""
        var lastWasSpace = true
        for scalar in clean.unicodeScalars {
            let control =
                scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) || scalar == "\u{2028}"
                || scalar == "\u{2029}"
            if control || scalar == " " {
                if !lastWasSpace { result.unicodeScalars.append(" ") }
                lastWasSpace = true
            } else {
                result.unicodeScalars.append(scalar)
                lastWasSpace = false
            }
        }
        while result.hasSuffix(" ") { result.removeLast() }
        guard result.count > limit else { return result }
        return String(result.prefix(limit)) + "…"
    }
}
