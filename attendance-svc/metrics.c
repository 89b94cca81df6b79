/*
 * In-memory Prometheus metrics (see metrics.h).
 */
#include "metrics.h"

#include "db.h"
#include "http/router.h"

#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_ROUTES 128
#define STATUS_SLOTS 600

static const double bucket_bounds[] = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
#define BUCKETS (sizeof bucket_bounds / sizeof bucket_bounds[0])

struct route_metrics {
    atomic_ullong by_status[STATUS_SLOTS];
    atomic_ullong buckets[BUCKETS + 1]; /* the last one is +Inf */
    atomic_ullong sum_ns;
    atomic_ullong count;
};

static struct route_metrics route_metrics[MAX_ROUTES + 1];
static atomic_ullong replica_fallbacks;
static atomic_ullong checkin_batches, checkin_batch_rows;

void metrics_request_done(const struct route *route, unsigned status, uint64_t duration_ns)
{
    size_t route_index = route ? router_index(route) : MAX_ROUTES;
    if (route_index > MAX_ROUTES)
        route_index = MAX_ROUTES;
    struct route_metrics *m = &route_metrics[route_index];
    atomic_fetch_add_explicit(&m->by_status[status < STATUS_SLOTS ? status : 0], 1, memory_order_relaxed);
    double seconds = (double)duration_ns / 1e9;
    size_t b = 0;
    while (b < BUCKETS && seconds > bucket_bounds[b])
        b++;
    atomic_fetch_add_explicit(&m->buckets[b], 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&m->sum_ns, duration_ns, memory_order_relaxed);
    atomic_fetch_add_explicit(&m->count, 1, memory_order_relaxed);
}

/* Counters with one label from a fixed set; anything else counts as "other". */
struct labelled {
    const char *label;
    atomic_ullong count;
};

static struct labelled checkin_results[] = {
    {"accepted", 0}, {"replayed", 0}, {"invalid", 0}, {"bad_signature", 0}, {"device_not_bound", 0},
    {"nonce_reused", 0}, {"clock_skew", 0}, {"rate_limited", 0}, {"other", 0},
};

static struct labelled context_sources[] = {{"cache", 0}, {"database", 0}, {"stale", 0}, {"other", 0}};

static struct labelled violation_codes[] = {
    {"OUTSIDE_GEOFENCE", 0}, {"OUTSIDE_HOME", 0}, {"NO_HOME_REGISTERED", 0}, {"NO_SELFIE", 0},
    {"MOCK_LOCATION", 0}, {"LOW_ACCURACY", 0}, {"MODE_MISMATCH", 0}, {"LATE_ARRIVAL", 0},
    {"EARLY_DEPARTURE", 0}, {"LATE_SYNC", 0}, {"IMPOSSIBLE_TRAVEL", 0}, {"SELFIE_REUSED", 0}, {"MANUAL_ENTRY", 0},
    {"ABSENT", 0}, {"NO_CHECKOUT", 0}, {"other", 0},
};

static void count_label(struct labelled *set, size_t n, const char *label)
{
    size_t i = 0;
    while (i < n - 1 && !(label && strcmp(set[i].label, label) == 0))
        i++;
    atomic_fetch_add_explicit(&set[i].count, 1, memory_order_relaxed);
}

void metrics_checkin_result(const char *result)
{
    count_label(checkin_results, sizeof checkin_results / sizeof checkin_results[0], result);
}

void metrics_checkin_context(const char *source)
{
    count_label(context_sources, sizeof context_sources / sizeof context_sources[0], source);
}

void metrics_violation(const char *code)
{
    count_label(violation_codes, sizeof violation_codes / sizeof violation_codes[0], code);
}

struct text {
    char *buf;
    size_t len, cap;
    int failed;
};

static void add(struct text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void add(struct text *t, const char *fmt, ...)
{
    if (t->failed)
        return;
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(t->buf + t->len, t->cap - t->len, fmt, ap);
        va_end(ap);
        if (n < 0) {
            t->failed = 1;
            return;
        }
        if ((size_t)n < t->cap - t->len) {
            t->len += (size_t)n;
            return;
        }
        size_t cap = (t->cap + (size_t)n + 1) * 2;
        char *grown = realloc(t->buf, cap);
        if (!grown) {
            t->failed = 1;
            return;
        }
        t->buf = grown;
        t->cap = cap;
    }
}

static const char *route_label(size_t i, const struct route *routes, size_t count, char *buf, size_t n)
{
    if (i >= count)
        return "unmatched";
    snprintf(buf, n, "%s %s", routes[i].method, routes[i].pattern);
    return buf;
}

/* A pool's gauges and counters, named attendance_<prefix>_...; what names the database in the help texts. */
static void add_pool(struct text *t, const char *prefix, const char *what, struct db_pool *pool)
{
    struct db_pool_stats st;
    db_pool_stats(pool, &st);
    add(t,
        "# HELP attendance_%s_pool_connections Connection pool slots of %s by state.\n"
        "# TYPE attendance_%s_pool_connections gauge\n"
        "attendance_%s_pool_connections{state=\"in_use\"} %u\n"
        "attendance_%s_pool_connections{state=\"idle\"} %u\n"
        "attendance_%s_pool_connections{state=\"size\"} %u\n",
        prefix, what, prefix, prefix, st.in_use, prefix, st.idle_connected, prefix, st.size);
    add(t,
        "# HELP attendance_%s_connects_total Connections opened to %s, and failed attempts.\n"
        "# TYPE attendance_%s_connects_total counter\n"
        "attendance_%s_connects_total{result=\"attempt\"} %llu\n"
        "attendance_%s_connects_total{result=\"failure\"} %llu\n",
        prefix, what, prefix, prefix, st.connects, prefix, st.connect_failures);
    add(t,
        "# HELP attendance_%s_acquire_timeouts_total Requests that found no free connection to %s in time.\n"
        "# TYPE attendance_%s_acquire_timeouts_total counter\n"
        "attendance_%s_acquire_timeouts_total %llu\n",
        prefix, what, prefix, prefix, st.acquire_timeouts);
}

void metrics_checkin_batch(size_t rows)
{
    atomic_fetch_add_explicit(&checkin_batches, 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&checkin_batch_rows, rows, memory_order_relaxed);
}

void metrics_replica_fallback(void) { atomic_fetch_add_explicit(&replica_fallbacks, 1, memory_order_relaxed); }

char *metrics_render(struct db_pool *pool, struct db_pool *read_pool, size_t *len)
{
    size_t count;
    const struct route *routes = router_routes(&count);
    if (count > MAX_ROUTES)
        count = MAX_ROUTES;
    struct text t = {.buf = malloc(16384), .cap = 16384};
    if (!t.buf)
        return NULL;
    t.buf[0] = '\0';
    char label[192];

    add(&t, "# HELP attendance_http_requests_total HTTP requests answered, by route and status.\n"
            "# TYPE attendance_http_requests_total counter\n");
    for (size_t i = 0; i <= count; i++) {
        size_t r = i == count ? MAX_ROUTES : i;
        for (unsigned s = 0; s < STATUS_SLOTS; s++) {
            unsigned long long v = atomic_load_explicit(&route_metrics[r].by_status[s], memory_order_relaxed);
            if (v)
                add(&t, "attendance_http_requests_total{route=\"%s\",status=\"%u\"} %llu\n",
                    route_label(i, routes, count, label, sizeof label), s, v);
        }
    }

    add(&t, "# HELP attendance_http_request_duration_seconds Time from the first byte read to the answer.\n"
            "# TYPE attendance_http_request_duration_seconds histogram\n");
    for (size_t i = 0; i <= count; i++) {
        size_t r = i == count ? MAX_ROUTES : i;
        struct route_metrics *m = &route_metrics[r];
        unsigned long long total = atomic_load_explicit(&m->count, memory_order_relaxed);
        if (!total)
            continue;
        const char *name = route_label(i, routes, count, label, sizeof label);
        unsigned long long cumulative = 0;
        for (size_t b = 0; b <= BUCKETS; b++) {
            cumulative += atomic_load_explicit(&m->buckets[b], memory_order_relaxed);
            if (b < BUCKETS)
                add(&t, "attendance_http_request_duration_seconds_bucket{route=\"%s\",le=\"%g\"} %llu\n", name,
                    bucket_bounds[b], cumulative);
            else
                add(&t, "attendance_http_request_duration_seconds_bucket{route=\"%s\",le=\"+Inf\"} %llu\n", name,
                    cumulative);
        }
        add(&t, "attendance_http_request_duration_seconds_sum{route=\"%s\"} %.6f\n", name,
            (double)atomic_load_explicit(&m->sum_ns, memory_order_relaxed) / 1e9);
        add(&t, "attendance_http_request_duration_seconds_count{route=\"%s\"} %llu\n", name, cumulative);
    }

    add(&t, "# HELP attendance_checkins_total Check-ins by result.\n"
            "# TYPE attendance_checkins_total counter\n");
    for (size_t i = 0; i < sizeof checkin_results / sizeof checkin_results[0]; i++)
        add(&t, "attendance_checkins_total{result=\"%s\"} %llu\n", checkin_results[i].label,
            atomic_load_explicit(&checkin_results[i].count, memory_order_relaxed));
    add(&t, "# HELP attendance_checkin_contexts_total Where a check-in's facts came from: the cache, the database, "
            "or a cached or read fact that proved stale when the check-in was stored (then judged again).\n"
            "# TYPE attendance_checkin_contexts_total counter\n");
    for (size_t i = 0; i < sizeof context_sources / sizeof context_sources[0] - 1; i++)
        add(&t, "attendance_checkin_contexts_total{source=\"%s\"} %llu\n", context_sources[i].label,
            atomic_load_explicit(&context_sources[i].count, memory_order_relaxed));
    add(&t, "# HELP attendance_checkin_batches_total Statements that stored judged check-ins, each a batch of those "
            "that arrived together.\n"
            "# TYPE attendance_checkin_batches_total counter\n"
            "attendance_checkin_batches_total %llu\n"
            "# HELP attendance_checkin_batch_rows_total Check-ins in those statements (rows / batches: the mean batch).\n"
            "# TYPE attendance_checkin_batch_rows_total counter\n"
            "attendance_checkin_batch_rows_total %llu\n",
        atomic_load_explicit(&checkin_batches, memory_order_relaxed),
        atomic_load_explicit(&checkin_batch_rows, memory_order_relaxed));
    add(&t, "# HELP attendance_violations_total Violations flagged, by code.\n"
            "# TYPE attendance_violations_total counter\n");
    for (size_t i = 0; i < sizeof violation_codes / sizeof violation_codes[0]; i++)
        add(&t, "attendance_violations_total{code=\"%s\"} %llu\n", violation_codes[i].label,
            atomic_load_explicit(&violation_codes[i].count, memory_order_relaxed));

    add_pool(&t, "db", "the primary", pool);
    if (read_pool) {
        add_pool(&t, "db_replica", "the read replica", read_pool);
        add(&t,
            "# HELP attendance_db_replica_fallbacks_total Replica reads sent to the primary because the replica "
            "was unavailable.\n"
            "# TYPE attendance_db_replica_fallbacks_total counter\n"
            "attendance_db_replica_fallbacks_total %llu\n",
            atomic_load_explicit(&replica_fallbacks, memory_order_relaxed));
    }

    if (t.failed) {
        free(t.buf);
        return NULL;
    }
    *len = t.len;
    return t.buf;
}
