/*
 * guarded-insert: PostgreSQL alone fed the service's warm check-in statement
 * (checkin_insert, through the service's checkin_writer: the same SQL, guard
 * and batches), for tests/bench/run's phase (g). Each of N threads holds one
 * connection and inserts check-ins for its own share of a unit's employees,
 * keeping each employee's facts (latest check-in, arrival) as the service's
 * cache does, so that every guard holds and every insert stores a row: the
 * rate of the statement with no HTTP, no service and no load generator,
 * against the ceiling's bare insert on the same database.
 *
 *   guarded-insert DATABASE_URL UNIT_ID CONNECTIONS SECONDS
 *
 * The unit's employees need an enabled employee login and an active device.
 * Prints one JSON line: {"inserts", "seconds", "per_s", "stale", "not_stored", "failed"}.
 */
#include "checkin_writer.h"
#include "store/store.h"

#include "dates.h"
#include "db.h"

#include <inttypes.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_CONNECTIONS 64

static const struct db_statement bench_statements[] = {
    /* The unit's employees with their facts as checkin_context reads them, and the unit's day. */
    {"guarded_insert_employees",
     "WITH t AS (SELECT (now() AT TIME ZONE u.timezone)::date AS day FROM units u WHERE u.id = $1)"
     " SELECT e.id, d.id, a.id, t.day::text, (SELECT n FROM setup_generation),"
     "        (SELECT c.id FROM checkins c WHERE c.employee_id = e.id AND c.local_day >= t.day - 7"
     "          ORDER BY c.captured_at DESC, c.id DESC LIMIT 1),"
     "        EXISTS (SELECT 1 FROM checkins c WHERE c.employee_id = e.id AND c.local_day = t.day"
     "                AND c.type = 'in' AND c.counts_for_day),"
     "        (SELECT coalesce(max(n.employee_seq), 0) FROM checkin_nonces n WHERE n.employee_id = e.id)"
     "   FROM t, employees e JOIN devices d ON d.employee_id = e.id AND d.active"
     "   JOIN accounts a ON a.employee_id = e.id AND a.role = 'employee' AND NOT a.disabled"
     "  WHERE e.unit_id = $1 AND e.active ORDER BY e.id"},
    {NULL, NULL},
};

struct employee {
    long long employee_id, device_id, account_id, previous_id, last_seq;
    bool had_arrival;
};

struct bench {
    struct db_pool *pool;
    struct checkin_writer *writer;
    json_t *no_violations;
    long long unit_id, generation;
    char local_day[16];
    struct employee *employees;
    size_t employee_count;
    unsigned connections;
    double deadline_s;
};

struct worker {
    struct bench *b;
    unsigned index;
    pthread_t thread;
    unsigned long long inserts, stale, not_stored, failed;
};

static double mono_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* One check-in of employee e, WFO inside the office, no selfie and no violation (the mix's commonest). */
static enum checkin_stored insert_one(struct bench *b, struct db_conn *db, struct employee *e, enum db_status *st)
{
    unsigned char raw[16], signature[64];
    char nonce[sodium_base64_ENCODED_LEN(sizeof raw, sodium_base64_VARIANT_URLSAFE_NO_PADDING)];
    randombytes_buf(raw, sizeof raw);
    randombytes_buf(signature, sizeof signature);
    sodium_bin2base64(nonce, sizeof nonce, raw, sizeof raw, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    char payload[320];
    int payload_len = snprintf(payload, sizeof payload,
                               "{\"device_id\":\"%lld\",\"type\":\"in\",\"mode\":\"WFO\",\"captured_at\":\"now\","
                               "\"lat\":-6.1818,\"lon\":106.8283,\"accuracy_m\":12.5,\"mock_location\":false,"
                               "\"nonce\":\"%s\",\"selfie_sha256\":null}",
                               e->device_id, nonce);
    int64_t now_ms = wall_clock_ms();
    struct checkin_row row = {
        .employee_id = e->employee_id,
        .unit_id = b->unit_id,
        .device_id = e->device_id,
        .nonce = nonce,
        .type = "in",
        .mode = "WFO",
        .captured_at_ms = now_ms,
        .received_at_ms = now_ms,
        .judged_at_ms = now_ms,
        .local_day = b->local_day,
        .counts_for_day = true,
        .lat = -6.1818, .lon = 106.8283, .accuracy_m = 12.5,
        .inside = true,
        .payload = payload,
        .payload_len = (size_t)payload_len,
        .signature = signature,
        .signature_len = sizeof signature,
        .violations = b->no_violations,
        .account_id = e->account_id,
        .generation = b->generation,
        .previous_id = e->previous_id,
        .had_arrival = e->had_arrival,
        .employee_seq = e->last_seq + 1,
        .roster_start_min = -1,
        .roster_end_min = -1,
    };
    json_t *stored = NULL;
    enum checkin_stored result = checkin_writer_store(b->writer, db, &row, &stored, st);
    if (*st == DB_OK && result == CHECKIN_STORED) {
        e->previous_id = strtoll(json_string_value(json_array_get(stored, 0)), NULL, 10);
        e->had_arrival = true;
        e->last_seq++;
    }
    json_decref(stored);
    return result;
}

static void *work(void *arg)
{
    struct worker *w = arg;
    struct bench *b = w->b;
    enum db_status st;
    struct db_conn *db = db_acquire(b->pool, &st);
    if (!db) {
        w->failed++;
        return NULL;
    }
    /* Employee k is worker k mod N's: no two workers insert for one employee, as one phone sends one at a time. */
    size_t k = w->index;
    while (mono_s() < b->deadline_s) {
        enum checkin_stored result = insert_one(b, db, &b->employees[k], &st);
        if (st != DB_OK)
            w->failed++;
        else if (result == CHECKIN_STORED)
            w->inserts++;
        else if (result == CHECKIN_STALE)
            w->stale++;
        else
            w->not_stored++;
        if (st != DB_OK && w->failed > 100)
            break;
        k += b->connections;
        if (k >= b->employee_count)
            k = w->index;
    }
    db_release(b->pool, db);
    return NULL;
}

static int load_employees(struct bench *b)
{
    enum db_status st;
    struct db_conn *db = db_acquire(b->pool, &st);
    if (!db)
        return -1;
    char unit[24];
    snprintf(unit, sizeof unit, "%lld", b->unit_id);
    const char *params[] = {unit};
    PGresult *r = db_exec(db, "guarded_insert_employees", 1, params, &st);
    db_release(b->pool, db);
    if (!r)
        return -1;
    int n = PQntuples(r);
    b->employees = calloc((size_t)n + 1, sizeof *b->employees);
    if (!b->employees) {
        PQclear(r);
        return -1;
    }
    for (int i = 0; i < n; i++) {
        struct employee *e = &b->employees[i];
        e->employee_id = strtoll(PQgetvalue(r, i, 0), NULL, 10);
        e->device_id = strtoll(PQgetvalue(r, i, 1), NULL, 10);
        e->account_id = strtoll(PQgetvalue(r, i, 2), NULL, 10);
        snprintf(b->local_day, sizeof b->local_day, "%s", PQgetvalue(r, i, 3));
        b->generation = strtoll(PQgetvalue(r, i, 4), NULL, 10);
        e->previous_id = PQgetisnull(r, i, 5) ? 0 : strtoll(PQgetvalue(r, i, 5), NULL, 10);
        e->had_arrival = strcmp(PQgetvalue(r, i, 6), "t") == 0;
        e->last_seq = strtoll(PQgetvalue(r, i, 7), NULL, 10);
    }
    b->employee_count = (size_t)n;
    PQclear(r);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc != 5) {
        fprintf(stderr, "usage: guarded-insert DATABASE_URL UNIT_ID CONNECTIONS SECONDS\n");
        return 2;
    }
    struct bench b = {.unit_id = strtoll(argv[2], NULL, 10), .connections = (unsigned)strtoul(argv[3], NULL, 10)};
    double seconds = strtod(argv[4], NULL);
    if (b.unit_id <= 0 || b.connections < 1 || b.connections > MAX_CONNECTIONS || !(seconds > 0 && seconds <= 600)) {
        fprintf(stderr, "guarded-insert: UNIT_ID > 0, CONNECTIONS 1..%d, SECONDS 0..600\n", MAX_CONNECTIONS);
        return 2;
    }
    if (sodium_init() < 0)
        return 1;
    /* Every statement the service prepares, as its connections have them, and this program's. */
    const struct db_statement *sets[64];
    size_t n_sets = 0;
    while (store_statement_sets[n_sets] && n_sets < 62) {
        sets[n_sets] = store_statement_sets[n_sets];
        n_sets++;
    }
    sets[n_sets++] = bench_statements;
    sets[n_sets] = NULL;
    struct db_pool_options opts = {.conninfo = argv[1], .size = b.connections, .acquire_timeout_ms = 10000,
                                   .statement_timeout_ms = 30000, .statement_sets = sets,
                                   .warm_ups = store_warm_ups};
    b.writer = checkin_writer_new();
    b.no_violations = json_array();
    if (!b.writer || !b.no_violations || !(b.pool = db_pool_new(&opts)) || load_employees(&b) != 0) {
        fprintf(stderr, "guarded-insert: cannot read the unit's employees from the database\n");
        db_pool_free(b.pool);
        checkin_writer_free(b.writer);
        json_decref(b.no_violations);
        return 1;
    }
    int rc = 0;
    if (b.employee_count < b.connections) {
        fprintf(stderr, "guarded-insert: unit %lld has %zu employees with a login and a device, fewer than %u\n",
                b.unit_id, b.employee_count, b.connections);
        rc = 1;
        goto out;
    }
    struct worker workers[MAX_CONNECTIONS] = {0};
    double began = mono_s();
    b.deadline_s = began + seconds;
    unsigned started = 0;
    for (; started < b.connections; started++) {
        workers[started] = (struct worker){.b = &b, .index = started};
        if (pthread_create(&workers[started].thread, NULL, work, &workers[started]) != 0)
            break;
    }
    unsigned long long inserts = 0, stale = 0, not_stored = 0, failed = 0;
    for (unsigned i = 0; i < started; i++) {
        pthread_join(workers[i].thread, NULL);
        inserts += workers[i].inserts, stale += workers[i].stale;
        not_stored += workers[i].not_stored, failed += workers[i].failed;
    }
    double elapsed = mono_s() - began;
    printf("{\"inserts\": %llu, \"seconds\": %.3f, \"per_s\": %.1f, \"stale\": %llu, \"not_stored\": %llu, "
           "\"failed\": %llu}\n",
           inserts, elapsed, (double)inserts / elapsed, stale, not_stored, failed);
    rc = started == b.connections && failed == 0 && stale == 0 && not_stored == 0 ? 0 : 1;
out:
    free(b.employees);
    db_pool_free(b.pool);
    checkin_writer_free(b.writer);
    json_decref(b.no_violations);
    return rc;
}
