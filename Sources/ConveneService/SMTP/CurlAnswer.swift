import CCurl

/// What one libcurl transfer collects through `CURLOPT_WRITEFUNCTION`, up to `limit` bytes: past it the transfer is
/// aborted and `overflowed` says why, so an endless or hostile answer cannot grow the process. Used by the IMAP
/// mailbox (a fetched message) and the OAuth token client (the endpoint's answer).
///
/// Pass it as `CURLOPT_WRITEDATA` with `Unmanaged.passUnretained(answer).toOpaque()`, keep it alive around
/// `perform()`, and install `CurlAnswer.writeCallback`.
class CurlAnswer {
    /// The most bytes kept.
    let limit: Int
    /// What arrived so far.
    var bytes: [UInt8] = []
    /// True once the answer went past `limit` (the transfer was then aborted).
    var overflowed = false

    /// An empty answer that accepts up to `limit` bytes.
    init(limit: Int) {
        self.limit = limit
    }

    /// CURLOPT_WRITEFUNCTION: appends a piece of the answer; refuses (aborting the transfer) past the limit.
    static let writeCallback: ccurl_write_callback = { data, size, count, userdata in
        let length = size * count
        guard let data, let userdata else { return length }
        let answer = Unmanaged<CurlAnswer>.fromOpaque(userdata).takeUnretainedValue()
        guard answer.bytes.count + length <= answer.limit else {
            answer.overflowed = true
            return 0
        }
        answer.bytes.append(contentsOf: UnsafeRawBufferPointer(start: data, count: length))
        return length
    }
}
