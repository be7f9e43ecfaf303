import CCurl

/// The linked libcurl's version string (e.g. `libcurl/7.88.1 OpenSSL/3.0.15 …`).
public func libcurlVersion() -> String {
    String(cString: ccurl_version())
}
