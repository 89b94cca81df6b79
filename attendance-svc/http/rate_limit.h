/*
 * Request rates: token buckets, one per key (a client address, an account),
 * in a table of fixed size made at start, so memory stays bounded whatever
 * the keys. Thread-safe. Each instance of the service counts alone: behind a
 * load balancer of N instances a client gets up to N times the rate.
 *
 * The table is set-associative: a key hashes (SipHash, with a key drawn at
 * start, so that nobody can aim keys at one set) to a set of a few entries;
 * a new key takes the set's least recently used entry. A key pushed out
 * starts again with a full bucket, the state an idle key would have reached,
 * so the table only forgets what it would have forgiven, unless more keys are
 * active at once than it holds.
 */
#ifndef ATTENDANCE_HTTP_RATE_LIMIT_H
#define ATTENDANCE_HTTP_RATE_LIMIT_H

#include <stddef.h>
#include <stdint.h>

struct rate_limiter;

/*
 * A limiter of per_minute requests per key sustained, up to burst at once,
 * remembering about `entries` keys; NULL when per_minute is 0 (no limit) or
 * out of memory (the caller tells them apart by per_minute).
 */
struct rate_limiter *rate_limiter_new(unsigned per_minute, unsigned burst, size_t entries);
void rate_limiter_free(struct rate_limiter *rl);

/*
 * Takes one request from key's bucket at now_ms (a monotonic clock). 0 when
 * allowed; else the whole seconds (at least 1) until the next would be. A NULL
 * limiter allows everything.
 */
unsigned rate_limiter_take(struct rate_limiter *rl, const void *key, size_t key_len, uint64_t now_ms);

/* Milliseconds of the monotonic clock, the time rate_limiter_take wants. */
uint64_t rate_limit_now_ms(void);

/*
 * The key a client address (text) is counted under: an IPv4 address (an IPv6
 * one that maps one included) as its 4 bytes, an IPv6 address as its /64 (what
 * one subscriber is usually given, so that rotating addresses inside it evades
 * nothing). Its length, 4 or 8; 0 when the text is no address.
 */
size_t rate_limit_address_key(const char *address, unsigned char key[8]);
/*
 * The same key as text, for the counts kept in the database: "192.0.2.7" or
 * "2001:db8:1:2::/64"; "" when the text is no address. out holds at least
 * RATE_LIMIT_ADDRESS_TEXT bytes.
 */
#define RATE_LIMIT_ADDRESS_TEXT 64
void rate_limit_address_text(const char *address, char out[RATE_LIMIT_ADDRESS_TEXT]);

#endif
