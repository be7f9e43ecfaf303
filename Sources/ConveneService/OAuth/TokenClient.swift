import CCurl
import ConveneCore
import Foundation

/// The thin libcurl shell around the token endpoint: one HTTPS POST of the form body, the answer's status and body
/// back. What they mean is `OAuthTokenMachine`'s business.
///
/// Never verbose (libcurl would print the request body, secret included); no redirects (a token request that is
/// redirected went to the wrong URL). Blocking and not thread-safe: `TokenCache` calls it under its lock from a
/// lane's own thread.
final class TokenClient {
    /// An answer larger than this is not a token answer (Entra ID's are under 3 KB); the transfer is cut off.
    static let maximumAnswerBytes = 64 * 1024

    let settings: OAuthSettings
    private let handle: CurlHandle

    /// Prepares the handle; connects on the first `post`.
    ///
    /// - Throws: `OAuthTokenFailure.unavailable` when libcurl cannot start or the CA file cannot be read.
    init(settings: OAuthSettings) throws(OAuthTokenFailure) {
        self.settings = settings
        if let caFile = settings.caFile, access(caFile, R_OK) != 0 {
            throw .unavailable("the OAuth CA file \(caFile) cannot be read")
        }
        do {
            handle = try CurlHandle()
            try handle.set(CURLOPT_URL, settings.tokenURL)
            try handle.set(CURLOPT_PROTOCOLS_STR, "https,http")
            try handle.set(CURLOPT_SSL_VERIFYPEER, 1)
            try handle.set(CURLOPT_SSL_VERIFYHOST, 2)
            if let caFile = settings.caFile { try handle.set(CURLOPT_CAINFO, caFile) }
            try handle.set(CURLOPT_NOSIGNAL, 1)
            try handle.set(CURLOPT_FOLLOWLOCATION, 0)
            try handle.set(CURLOPT_CONNECTTIMEOUT_MS, max(1, Int(settings.connectTimeout * 1000)))
            try handle.set(CURLOPT_TIMEOUT_MS, max(1, Int(settings.timeout * 1000)))
            try handle.check(ccurl_setopt_write(handle.raw, CurlAnswer.writeCallback), CURLOPT_WRITEFUNCTION)
        } catch {
            throw .unavailable("cannot prepare the token request: \(error.description)")
        }
    }

    /// POSTs `body` (form-encoded); the HTTP status and body, or libcurl's reason when no HTTP answer came.
    func post(_ body: String) -> Result<(status: Int, body: [UInt8]), OAuthTokenFailure> {
        let answer = CurlAnswer(limit: Self.maximumAnswerBytes)
        let result: (code: Int, error: String)
        do {
            // COPYPOSTFIELDS: libcurl keeps its own copy (the Swift string's C buffer is temporary); it also makes the
            // request a POST with Content-Type application/x-www-form-urlencoded.
            try handle.set(CURLOPT_COPYPOSTFIELDS, body)
            try handle.set(CURLOPT_WRITEDATA, pointer: Unmanaged.passUnretained(answer).toOpaque())
            result = withExtendedLifetime(answer) { handle.perform() }
            try handle.set(CURLOPT_WRITEDATA, pointer: nil)
        } catch {
            return .failure(.unavailable("cannot send the token request: \(error.description)"))
        }
        guard result.code == 0 else {
            let why = answer.overflowed ? "the answer is over \(Self.maximumAnswerBytes) bytes" : result.error
            return .failure(.unavailable("cannot reach the token endpoint \(settings.tokenURL): \(why)"))
        }
        return .success((handle.info(CURLINFO_RESPONSE_CODE), answer.bytes))
    }
}
