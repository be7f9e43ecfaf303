import CCurl
import ConveneCore

/// One libcurl easy handle and its error buffer: the only place that calls libcurl directly.
///
/// Not thread-safe (libcurl handles must not be shared between threads); owned by one `SMTPConnection`.
final class CurlHandle {
    /// `curl_global_init` is not thread-safe in libcurl 7.88; a static let runs it exactly once.
    private static let globalInitResult: Int = Int(curl_global_init(Int(CURL_GLOBAL_DEFAULT)).rawValue)

    let raw: UnsafeMutableRawPointer
    /// CURLOPT_ERRORBUFFER: libcurl writes a specific message here, better than `curl_easy_strerror`.
    private let errorBuffer: UnsafeMutablePointer<CChar>

    init() throws(SMTPError) {
        guard Self.globalInitResult == 0 else { throw .unavailable("curl_global_init failed") }
        guard let raw = curl_easy_init() else { throw .unavailable("curl_easy_init failed") }
        self.raw = raw
        errorBuffer = .allocate(capacity: Int(CURL_ERROR_SIZE))
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE))
        try set(CURLOPT_ERRORBUFFER, pointer: UnsafeMutableRawPointer(errorBuffer))
    }

    deinit {
        curl_easy_cleanup(raw)
        errorBuffer.deallocate()
    }

    func set(_ option: CURLoption, _ value: Int) throws(SMTPError) {
        try check(ccurl_setopt_long(raw, option, value), option)
    }

    func set(_ option: CURLoption, _ value: String) throws(SMTPError) {
        // libcurl copies string options (since 7.17), so the temporary C string may go away afterwards.
        try check(value.withCString { ccurl_setopt_str(raw, option, $0) }, option)
    }

    func set(_ option: CURLoption, pointer: UnsafeMutableRawPointer?) throws(SMTPError) {
        try check(ccurl_setopt_ptr(raw, option, pointer), option)
    }

    func set(_ option: CURLoption, list: UnsafeMutablePointer<curl_slist>?) throws(SMTPError) {
        try check(ccurl_setopt_slist(raw, option, list), option)
    }

    func set(_ option: CURLoption, offset: Int64) throws(SMTPError) {
        try check(ccurl_setopt_off(raw, option, curl_off_t(offset)), option)
    }

    func check(_ code: CURLcode, _ option: CURLoption) throws(SMTPError) {
        guard code != CURLE_OK else { return }
        throw .unavailable("libcurl refused option \(option.rawValue): \(String(cString: curl_easy_strerror(code)))")
    }

    /// Runs the transfer; returns libcurl's code and its most specific error text.
    func perform() -> (code: Int, error: String) {
        errorBuffer[0] = 0
        let code = curl_easy_perform(raw)
        guard code != CURLE_OK else { return (0, "") }
        let specific = String(cString: errorBuffer)
        let generic = String(cString: curl_easy_strerror(code))
        return (Int(code.rawValue), specific.isEmpty ? generic : "\(generic): \(specific)")
    }

    func info(_ item: CURLINFO) -> Int {
        var value = 0
        _ = ccurl_getinfo_long(raw, item, &value)
        return value
    }
}
