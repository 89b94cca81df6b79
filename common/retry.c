/*
 * Retry decisions (see retry.h).
 */
#include "retry.h"

#include <errno.h>
#include <time.h>

long retry_backoff_ms(unsigned attempt, long base_ms, long max_ms, long retry_after_s, uint32_t random)
{
    long step = max_ms;
    if (attempt >= 1 && attempt < 31 && base_ms <= max_ms >> (attempt - 1))
        step = base_ms << (attempt - 1);
    long wait = step / 2 + (long)(random % (uint32_t)(step / 2 + 1));
    if (retry_after_s > 0) {
        long after = retry_after_s > max_ms / 1000 ? max_ms : retry_after_s * 1000;
        if (after > wait)
            wait = after;
    }
    return wait < max_ms ? wait : max_ms;
}

bool retry_worth_it(long status, CURLcode transport)
{
    if (status >= 500 && status <= 599)
        return true;
    if (status != 0)
        return false;
    switch (transport) {
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_CONNECT:
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
        return true;
    default:
        return false;
    }
}

void retry_sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}
