#include "CShims.h"
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

int cshim_sockopt_lowlatency(void *clientp, curl_socket_t fd, curlsocktype purpose) {
    (void)clientp; (void)purpose;
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
#ifdef TCP_QUICKACK
    setsockopt(fd, IPPROTO_TCP, TCP_QUICKACK, &one, sizeof one);
#endif
    return CURL_SOCKOPT_OK;
}
