// Typed wrappers around libcurl's variadic calls, which Swift cannot import,
// plus a few socket helpers. Everything here is static inline and small.
#ifndef CSHIMS_H
#define CSHIMS_H

#include <curl/curl.h>
#include <stddef.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>
#include <openssl/ssl.h>

typedef size_t (*cshim_data_callback)(char *ptr, size_t size, size_t nmemb, void *userdata);

static inline CURLcode cshim_setopt_long(CURL *h, CURLoption o, long v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode cshim_setopt_string(CURL *h, CURLoption o, const char *v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode cshim_setopt_pointer(CURL *h, CURLoption o, void *v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode cshim_setopt_slist(CURL *h, CURLoption o, struct curl_slist *v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode cshim_setopt_offset(CURL *h, CURLoption o, curl_off_t v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode cshim_setopt_callback(CURL *h, CURLoption o, cshim_data_callback v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode cshim_getinfo_long(CURL *h, CURLINFO i, long *v) { return curl_easy_getinfo(h, i, v); }

/// Initialises OpenSSL without reading the system's openssl.cnf: a Lambda function
/// needs none of it, and parsing it costs start-up time. TLS settings that matter
/// (verification, TLS 1.2 as the minimum) are set on each transfer instead.
static inline int cshim_init_openssl(void) {
    return OPENSSL_init_ssl(OPENSSL_INIT_NO_LOAD_CONFIG | OPENSSL_INIT_LOAD_SSL_STRINGS, NULL);
}

/// Turns on TCP_NODELAY and TCP_QUICKACK for a socket curl has just opened:
/// a loopback Runtime API answers in two writes, and a delayed ACK would cost
/// ~40 ms per invocation.
int cshim_sockopt_lowlatency(void *clientp, curl_socket_t fd, curlsocktype purpose);

int cshim_quickack_after_send(CURL *h, curl_infotype type, char *data, size_t size, void *userp);

/// TCP_NODELAY and TCP_QUICKACK when a socket opens, and TCP_QUICKACK again each time
/// a request has been written (sending data puts the kernel back into delayed-ACK
/// mode). A peer that writes a response's head and body apart with Nagle on, as the
/// local Runtime API emulator does, then does not wait ~40 ms for our ACK. libcurl's
/// debug callback is the hook that runs right after it writes; nothing is printed.
/// `last_socket` (owned by the caller, one per handle) remembers the socket curl opened
/// last, for when curl does not report the active one.
static inline CURLcode cshim_use_lowlatency_sockets(CURL *h, int *last_socket) {
    curl_easy_setopt(h, CURLOPT_DEBUGFUNCTION, cshim_quickack_after_send);
    curl_easy_setopt(h, CURLOPT_DEBUGDATA, last_socket);
    curl_easy_setopt(h, CURLOPT_VERBOSE, 1L);
    curl_easy_setopt(h, CURLOPT_SOCKOPTDATA, last_socket);
    return curl_easy_setopt(h, CURLOPT_SOCKOPTFUNCTION, cshim_sockopt_lowlatency);
}

#endif
