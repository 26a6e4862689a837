// Typed wrappers around libcurl's variadic calls, which Swift cannot import,
// plus a few socket helpers. Everything here is static inline and small.
#ifndef CSHIMS_H
#define CSHIMS_H

#include <curl/curl.h>
#include <stddef.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>

typedef size_t (*cshim_data_callback)(char *ptr, size_t size, size_t nmemb, void *userdata);

static inline CURLcode cshim_setopt_long(CURL *h, CURLoption o, long v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode cshim_setopt_string(CURL *h, CURLoption o, const char *v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode cshim_setopt_pointer(CURL *h, CURLoption o, void *v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode cshim_setopt_slist(CURL *h, CURLoption o, struct curl_slist *v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode cshim_setopt_offset(CURL *h, CURLoption o, curl_off_t v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode cshim_setopt_callback(CURL *h, CURLoption o, cshim_data_callback v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode cshim_getinfo_long(CURL *h, CURLINFO i, long *v) { return curl_easy_getinfo(h, i, v); }

/// Turns on TCP_NODELAY and TCP_QUICKACK for a socket curl has just opened:
/// a loopback Runtime API answers in two writes, and a delayed ACK would cost
/// ~40 ms per invocation.
int cshim_sockopt_lowlatency(void *clientp, curl_socket_t fd, curlsocktype purpose);

static inline CURLcode cshim_use_lowlatency_sockets(CURL *h) {
    return curl_easy_setopt(h, CURLOPT_SOCKOPTFUNCTION, cshim_sockopt_lowlatency);
}

#endif
