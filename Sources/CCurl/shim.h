// Typed wrappers around libcurl's variadic entry points, which Swift cannot call directly.
#ifndef CONVENE_CCURL_SHIM_H
#define CONVENE_CCURL_SHIM_H

#include <curl/curl.h>

/// The curl read callback type, spelled out so Swift sees a concrete function pointer.
typedef size_t (*ccurl_read_callback)(char *buffer, size_t size, size_t nitems, void *userdata);
/// The curl write callback type (CURLOPT_WRITEFUNCTION): the body of an HTTP answer, in pieces.
typedef size_t (*ccurl_write_callback)(char *data, size_t size, size_t nmemb, void *userdata);
/// The curl header callback type.
typedef size_t (*ccurl_header_callback)(char *buffer, size_t size, size_t nitems, void *userdata);
/// The curl transfer-progress callback type (CURLOPT_XFERINFOFUNCTION; called only with CURLOPT_NOPROGRESS off).
typedef int (*ccurl_xferinfo_callback)(void *userdata, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
                                       curl_off_t ulnow);
/// The curl debug callback type (CURLOPT_DEBUGFUNCTION; called only with CURLOPT_VERBOSE on).
typedef int (*ccurl_debug_callback)(CURL *handle, curl_infotype type, char *data, size_t size, void *userdata);

static inline CURLcode ccurl_setopt_long(CURL *handle, CURLoption option, long value) {
    return curl_easy_setopt(handle, option, value);
}
static inline CURLcode ccurl_setopt_str(CURL *handle, CURLoption option, const char *value) {
    return curl_easy_setopt(handle, option, value);
}
static inline CURLcode ccurl_setopt_ptr(CURL *handle, CURLoption option, void *value) {
    return curl_easy_setopt(handle, option, value);
}
static inline CURLcode ccurl_setopt_slist(CURL *handle, CURLoption option, struct curl_slist *value) {
    return curl_easy_setopt(handle, option, value);
}
static inline CURLcode ccurl_setopt_off(CURL *handle, CURLoption option, curl_off_t value) {
    return curl_easy_setopt(handle, option, value);
}
static inline CURLcode ccurl_setopt_read(CURL *handle, ccurl_read_callback callback) {
    return curl_easy_setopt(handle, CURLOPT_READFUNCTION, callback);
}
/// Sets CURLOPT_WRITEFUNCTION; the OAuth token client collects the endpoint's answer with it.
static inline CURLcode ccurl_setopt_write(CURL *handle, ccurl_write_callback callback) {
    return curl_easy_setopt(handle, CURLOPT_WRITEFUNCTION, callback);
}
static inline CURLcode ccurl_setopt_header(CURL *handle, ccurl_header_callback callback) {
    return curl_easy_setopt(handle, CURLOPT_HEADERFUNCTION, callback);
}
/// Sets CURLOPT_DEBUGFUNCTION; SMTP transports use it to see the command lines libcurl sends.
static inline CURLcode ccurl_setopt_debug(CURL *handle, ccurl_debug_callback callback) {
    return curl_easy_setopt(handle, CURLOPT_DEBUGFUNCTION, callback);
}
/// Sets CURLOPT_XFERINFOFUNCTION: libcurl calls it while it waits, even in its blocking waits for a reply (about
/// once a second there); returning non-zero aborts the transfer.
static inline CURLcode ccurl_setopt_xferinfo(CURL *handle, ccurl_xferinfo_callback callback) {
    return curl_easy_setopt(handle, CURLOPT_XFERINFOFUNCTION, callback);
}
/// CURLINFO_ACTIVESOCKET: the socket of the connection the last transfer left in the cache, or CURL_SOCKET_BAD.
static inline CURLcode ccurl_getinfo_socket(CURL *handle, curl_socket_t *socket) {
    return curl_easy_getinfo(handle, CURLINFO_ACTIVESOCKET, socket);
}
static inline CURLcode ccurl_getinfo_long(CURL *handle, CURLINFO info, long *value) {
    return curl_easy_getinfo(handle, info, value);
}

/// CURLOPT_MAIL_RCPT_ALLOWFAILS was spelled with three Ls before libcurl 8.2.
static inline CURLcode ccurl_setopt_allow_rcpt_fails(CURL *handle, long on) {
#if LIBCURL_VERSION_NUM >= 0x080200
    return curl_easy_setopt(handle, CURLOPT_MAIL_RCPT_ALLOWFAILS, on);
#else
    return curl_easy_setopt(handle, CURLOPT_MAIL_RCPT_ALLLOWFAILS, on);
#endif
}

/// The result of a CURLMSG_DONE message (the union member Swift cannot name), or -1 for any other message.
static inline int ccurl_done_result(const CURLMsg *message) {
    return message->msg == CURLMSG_DONE ? (int)message->data.result : -1;
}

/// The libcurl version string, for `convene --version`.
static inline const char *ccurl_version(void) {
    return curl_version();
}

#endif
