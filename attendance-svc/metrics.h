/*
 * Prometheus metrics kept in memory with atomic counters: requests by route and
 * status, a latency histogram per route, and named counters with one label
 * (check-ins by result, violations by code). Rendered by GET /metrics.
 */
#ifndef ATTENDANCE_METRICS_H
#define ATTENDANCE_METRICS_H

#include <stddef.h>
#include <stdint.h>

struct db_pool;
struct route;

/* route: the route answered, or NULL when none matched. */
void metrics_request_done(const struct route *route, unsigned status, uint64_t duration_ns);

/* A check-in's outcome: accepted, replayed, invalid, bad_signature, device_not_bound, nonce_reused, clock_skew. */
void metrics_checkin_result(const char *result);
/* Where a check-in's facts came from: cache, database, or stale (found changed when it was stored). */
void metrics_checkin_context(const char *source);
/* A statement of the check-in writer that stored (or tried to store) rows check-ins at once. */
void metrics_checkin_batch(size_t rows);
/* A violation flagged, by its code. */
void metrics_violation(const char *code);

/* A read of a replica route sent to the primary because the replica was unavailable. */
void metrics_replica_fallback(void);

/* Renders everything as Prometheus text (read_pool: the replica's, or NULL); the caller frees the result. */
char *metrics_render(struct db_pool *pool, struct db_pool *read_pool, size_t *len);

#endif
