#include "CShims.h"
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

int cshim_sockopt_lowlatency(void *clientp, curl_socket_t fd, curlsocktype purpose) {
    (void)purpose;
    if (clientp) *(int *)clientp = fd;
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
#ifdef TCP_QUICKACK
    setsockopt(fd, IPPROTO_TCP, TCP_QUICKACK, &one, sizeof one);
#endif
    return CURL_SOCKOPT_OK;
}

int cshim_quickack_after_send(CURL *h, curl_infotype type, char *data, size_t size, void *userp) {
    (void)data; (void)size;
#ifdef TCP_QUICKACK
    if (type == CURLINFO_HEADER_OUT || type == CURLINFO_DATA_OUT || type == CURLINFO_SSL_DATA_OUT) {
        curl_socket_t fd = CURL_SOCKET_BAD;
        if (curl_easy_getinfo(h, CURLINFO_ACTIVESOCKET, &fd) != CURLE_OK || fd == CURL_SOCKET_BAD) {
            fd = userp ? *(int *)userp : CURL_SOCKET_BAD;
        }
        if (fd != CURL_SOCKET_BAD) {
            int one = 1;
            setsockopt(fd, IPPROTO_TCP, TCP_QUICKACK, &one, sizeof one);
        }
    }
#endif
    return 0;
}
