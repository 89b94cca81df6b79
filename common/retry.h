/*
 * When and how long to wait before sending an HTTP request again: exponential
 * backoff with jitter, and which failures are worth another try (a 5xx answer,
 * or no answer for a reason that may pass). Shared by the reference client's
 * check-ins and the nightly export's uploads. The schedule is a pure function:
 * the caller draws the random number, so that it can be tested.
 */
#ifndef COMMON_RETRY_H
#define COMMON_RETRY_H

#include <curl/curl.h>
#include <stdbool.h>
#include <stdint.h>

/*
 * The wait before try attempt + 1 (attempt counts from 1): the step
 * base_ms * 2^(attempt - 1), of which a random half to all (random picks
 * where), but at least Retry-After (retry_after_s > 0) and at most max_ms.
 */
long retry_backoff_ms(unsigned attempt, long base_ms, long max_ms, long retry_after_s, uint32_t random);

/*
 * Whether a try that ended with HTTP status (0: no answer) and transport
 * (libcurl's code when there was no answer) is worth repeating: a 5xx, or no
 * answer because the host could not be resolved or reached, the connection
 * broke, TLS could not be set up or the time ran out. Never a 4xx, nor a
 * failure that another try cannot mend (a malformed URL, a certificate that
 * does not verify).
 */
bool retry_worth_it(long status, CURLcode transport);

/* Sleeps ms milliseconds, through signals. */
void retry_sleep_ms(long ms);

#endif
