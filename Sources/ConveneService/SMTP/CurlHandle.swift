import CCurl
import ConveneCore
import Glibc

/// One libcurl easy handle, the multi handle that drives it, and its error buffer: the only place that calls
/// libcurl directly.
///
/// The transfer runs on a private multi handle instead of `curl_easy_perform`, so that waiting for the server is
/// ours: with `pollMicroseconds` above 0, a reply expected within microseconds (a relay on loopback or the LAN) is
/// polled for without sleeping for that long, then the thread blocks in `curl_multi_poll` as `curl_easy_perform`
/// would. On a virtual machine a sleeping thread's CPU halts (`haltpoll.guest_halt_poll_ns=0` on the machines we
/// measured), and waking it for a reply that takes tens of microseconds on loopback costs more than the reply: bare
/// libcurl over one connection ran 1.5× faster polling. The dispatcher polls (up to 100 µs per command, only while a
/// batch is sending) only when its lanes leave a CPU free; with as many lanes as CPUs polling halved the rate at four
/// connections, so there lanes sleep at once. The multi handle keeps the connection cache, so consecutive transfers
/// reuse the connection exactly as `curl_easy_perform` does.
///
/// Not thread-safe (libcurl handles must not be shared between threads); owned by one `SMTPConnection`.
final class CurlHandle {
    /// How long a transfer polls for the server's next bytes before its thread sleeps; 0 sleeps at once.
    let pollMicroseconds: Int
    /// `curl_global_init` is not thread-safe in libcurl 7.88; a static let runs it exactly once.
    private static let globalInitResult: Int = Int(curl_global_init(Int(CURL_GLOBAL_DEFAULT)).rawValue)

    let raw: UnsafeMutableRawPointer
    private let multi: UnsafeMutableRawPointer
    /// CURLOPT_ERRORBUFFER: libcurl writes a specific message here, better than `curl_easy_strerror`.
    private let errorBuffer: UnsafeMutablePointer<CChar>

    init(pollMicroseconds: Int = 0) throws(SMTPError) {
        self.pollMicroseconds = max(0, pollMicroseconds)
        guard Self.globalInitResult == 0 else { throw .unavailable("curl_global_init failed") }
        guard let raw = curl_easy_init() else { throw .unavailable("curl_easy_init failed") }
        guard let multi = curl_multi_init() else {
            curl_easy_cleanup(raw)
            throw .unavailable("curl_multi_init failed")
        }
        self.raw = raw
        self.multi = multi
        errorBuffer = .allocate(capacity: Int(CURL_ERROR_SIZE))
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE))
        try set(CURLOPT_ERRORBUFFER, pointer: UnsafeMutableRawPointer(errorBuffer))
    }

    deinit {
        curl_easy_cleanup(raw)
        // Closes the cached connection (QUIT) after the easy handle is gone, as curl_easy_cleanup alone would.
        curl_multi_cleanup(multi)
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
        let code = drive()
        guard code != CURLE_OK else { return (0, "") }
        let specific = String(cString: errorBuffer)
        let generic = String(cString: curl_easy_strerror(code))
        return (Int(code.rawValue), specific.isEmpty ? generic : "\(generic): \(specific)")
    }

    /// `curl_easy_perform` on the private multi handle, with the poll-then-sleep wait described above.
    private func drive() -> CURLcode {
        let added = curl_multi_add_handle(multi, raw)
        guard added == CURLM_OK else { return multiFailure(added) }
        defer { curl_multi_remove_handle(multi, raw) }
        var running: Int32 = 1
        while true {
            let performed = curl_multi_perform(multi, &running)
            guard performed == CURLM_OK else { return multiFailure(performed) }
            if running == 0 { break }
            var ready: Int32 = 0
            let pollUntil = pollMicroseconds == 0 ? 0 : Self.microseconds() + pollMicroseconds
            repeat {
                let waited = curl_multi_wait(multi, nil, 0, 0, &ready)
                guard waited == CURLM_OK else { return multiFailure(waited) }
            } while ready == 0 && pollUntil > 0 && Self.microseconds() < pollUntil
            if ready == 0 {
                // libcurl shortens this to its own next timeout (connect or server response).
                let polled = curl_multi_poll(multi, nil, 0, 1000, &ready)
                guard polled == CURLM_OK else { return multiFailure(polled) }
            }
        }
        var left: Int32 = 0
        while let message = curl_multi_info_read(multi, &left) {
            let result = ccurl_done_result(message)
            guard result >= 0 else { continue }
            let code = CURLcode(UInt32(result))
            if code == CURLE_OPERATION_TIMEDOUT { dropSilentConnection() }
            return code
        }
        return CURLE_FAILED_INIT
    }

    /// After a reply timed out, makes sure the silent server's connection is neither reused nor sent QUIT.
    ///
    /// libcurl 7.88 returns a connection whose final dot went unanswered to its cache (smtp_done reports the timeout
    /// but does not mark the connection for closing): the next message's MAIL FROM then waited a whole
    /// `response_timeout` on it, the connection was closed with a QUIT that waited another, and the retry on a fresh
    /// connection a third (measured: 6 s for a 2 s timeout). Shutting the socket down makes libcurl's liveness check
    /// before reuse find it dead, and a QUIT on it fails at once instead of waiting. Must run before the handle leaves
    /// the multi handle: CURLINFO_ACTIVESOCKET looks the connection up in that multi handle's cache, and answers
    /// CURL_SOCKET_BAD when libcurl has already closed it (so a recycled descriptor is never touched).
    private func dropSilentConnection() {
        var socket: curl_socket_t = -1  // CURL_SOCKET_BAD
        guard ccurl_getinfo_socket(raw, &socket) == CURLE_OK, socket >= 0 else { return }
        _ = Glibc.shutdown(socket, Int32(SHUT_RDWR))
    }

    private func multiFailure(_ code: CURLMcode) -> CURLcode {
        let text = String(cString: curl_multi_strerror(code))
        text.withCString { source in
            _ = strncpy(errorBuffer, source, Int(CURL_ERROR_SIZE) - 1)
        }
        return code == CURLM_OUT_OF_MEMORY ? CURLE_OUT_OF_MEMORY : CURLE_FAILED_INIT
    }

    private static func microseconds() -> Int {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return now.tv_sec * 1_000_000 + now.tv_nsec / 1000
    }

    func info(_ item: CURLINFO) -> Int {
        var value = 0
        _ = ccurl_getinfo_long(raw, item, &value)
        return value
    }
}
