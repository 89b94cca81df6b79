/*
 * The PostgreSQL connection pool (see db.h).
 *
 * Slots are handed out under one mutex; a caller waits on a condition variable
 * up to acquire_timeout_ms for a free slot. Connecting happens outside the lock.
 * A slot keeps its PGconn between uses; on taking it, a non-blocking poll of the
 * socket shows whether the server has closed it (a restart sends a FATAL and a
 * FIN), so dead connections are replaced before a statement is sent on them and
 * a request is never run twice. After a failed connect, further connects wait a
 * short back-off and callers get DB_UNAVAILABLE at once in the meantime.
 */
#include "db.h"

#include "log.h"
#include "utf8.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define CONNECT_BACKOFF_MS 250

struct db_conn {
    PGconn *pg;
    bool in_use;
    bool broken;
    char constraint[64];
};

struct db_pool {
    struct db_pool_options opts;
    char *conninfo;
    char statement_timeout[32];
    pthread_mutex_t lock;
    pthread_cond_t freed;
    struct db_conn *conns;
    unsigned in_use;
    atomic_llong last_connect_failure_ms;
    atomic_ullong connects, connect_failures, acquire_timeouts;
};

static long long monotonic_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

struct db_pool *db_pool_new(const struct db_pool_options *opts)
{
    struct db_pool *pool = calloc(1, sizeof *pool);
    if (!pool)
        return NULL;
    pool->opts = *opts;
    pool->conninfo = strdup(opts->conninfo);
    pool->conns = calloc(opts->size, sizeof *pool->conns);
    snprintf(pool->statement_timeout, sizeof pool->statement_timeout, "-c statement_timeout=%u",
             opts->statement_timeout_ms);
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&pool->freed, &attr);
    pthread_condattr_destroy(&attr);
    pthread_mutex_init(&pool->lock, NULL);
    atomic_store(&pool->last_connect_failure_ms, -CONNECT_BACKOFF_MS * 2LL);
    if (!pool->conninfo || !pool->conns) {
        db_pool_free(pool);
        return NULL;
    }
    return pool;
}

void db_pool_free(struct db_pool *pool)
{
    if (!pool)
        return;
    for (unsigned i = 0; pool->conns && i < pool->opts.size; i++)
        if (pool->conns[i].pg)
            PQfinish(pool->conns[i].pg);
    free(pool->conns);
    free(pool->conninfo);
    pthread_mutex_destroy(&pool->lock);
    pthread_cond_destroy(&pool->freed);
    free(pool);
}

static bool prepare_all(struct db_pool *pool, PGconn *pg)
{
    for (const struct db_statement *const *set = pool->opts.statement_sets; set && *set; set++) {
        for (const struct db_statement *s = *set; s->name; s++) {
            PGresult *r = PQprepare(pg, s->name, s->sql, 0, NULL);
            bool ok = PQresultStatus(r) == PGRES_COMMAND_OK;
            if (!ok)
                log_error("database: cannot prepare statement %s: %s", s->name, PQresultErrorMessage(r));
            PQclear(r);
            if (!ok)
                return false;
        }
    }
    return true;
}

/* Executions that take a statement past PostgreSQL's custom plans to its choice (plancache.c: five). */
#define WARM_UP_EXECUTIONS 6

/* Runs the warm-ups on a new connection; a failure is logged and costs only the warming. */
static void warm_up(struct db_pool *pool, PGconn *pg)
{
    if (!pool->opts.warm_ups)
        return;
    PQclear(PQexec(pg, "BEGIN"));
    for (const struct db_warm_up *w = pool->opts.warm_ups; w->name; w++) {
        for (int i = 0; i < WARM_UP_EXECUTIONS; i++) {
            PGresult *r = PQexecPrepared(pg, w->name, 1, &w->param, NULL, NULL, 0);
            ExecStatusType st = PQresultStatus(r);
            if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK) {
                log_warn("database: cannot warm statement %s: %s", w->name, PQresultErrorMessage(r));
                PQclear(r);
                break;
            }
            PQclear(r);
        }
    }
    PQclear(PQexec(pg, "ROLLBACK"));
}

/*
 * What the server says outside a statement's result (a NOTICE, a WARNING, the
 * FATAL of "terminating connection due to administrator command" before a
 * restart) goes to the JSON log, not to libpq's default of plain text on stderr.
 */
static void log_notice(void *arg, const PGresult *r)
{
    const char *severity = PQresultErrorField(r, PG_DIAG_SEVERITY_NONLOCALIZED);
    const char *text = PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY);
    const char *state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
    bool quiet = severity && (strcmp(severity, "NOTICE") == 0 || strcmp(severity, "INFO") == 0 ||
                              strcmp(severity, "LOG") == 0 || strncmp(severity, "DEBUG", 5) == 0);
    char msg[512];
    utf8_escape_invalid(text ? text : "", msg, sizeof msg);
    log_fields(quiet ? LOG_LEVEL_INFO : LOG_LEVEL_WARN, "database: the server says",
               json_pack("{s:s, s:s, s:s}", "severity", severity ? severity : "?", "sqlstate", state ? state : "",
                         "message", msg));
}

static PGconn *connect_one(struct db_pool *pool)
{
    /* connect_timeout comes before dbname so that a value in the URL wins. */
    const char *keys[] = {"connect_timeout", "application_name", "options", "dbname", NULL};
    const char *vals[] = {"2", "attendance-svc", pool->statement_timeout, pool->conninfo, NULL};
    PGconn *pg = PQconnectdbParams(keys, vals, 1);
    atomic_fetch_add(&pool->connects, 1);
    if (PQstatus(pg) != CONNECTION_OK) {
        char msg[256];
        snprintf(msg, sizeof msg, "%s", PQerrorMessage(pg));
        msg[strcspn(msg, "\n")] = '\0';
        log_warn("database: cannot connect: %s", msg);
        PQfinish(pg);
        atomic_fetch_add(&pool->connect_failures, 1);
        atomic_store(&pool->last_connect_failure_ms, monotonic_ms());
        return NULL;
    }
    PQsetNoticeReceiver(pg, log_notice, NULL);
    if (!prepare_all(pool, pg)) {
        PQfinish(pg);
        atomic_fetch_add(&pool->connect_failures, 1);
        atomic_store(&pool->last_connect_failure_ms, monotonic_ms());
        return NULL;
    }
    warm_up(pool, pg);
    return pg;
}

/* True when the server has closed the connection while it sat idle in the pool. */
static bool connection_dead(PGconn *pg)
{
    if (PQstatus(pg) != CONNECTION_OK)
        return true;
    struct pollfd p = {.fd = PQsocket(pg), .events = POLLIN};
    if (p.fd < 0)
        return true;
    if (poll(&p, 1, 0) <= 0)
        return false;
    /* Readable while idle: a notice, or the server's FATAL before it hangs up. */
    if (!PQconsumeInput(pg))
        return true;
    return PQstatus(pg) != CONNECTION_OK;
}

struct db_conn *db_acquire(struct db_pool *pool, enum db_status *status)
{
    struct timespec deadline;
    clock_gettime(CLOCK_MONOTONIC, &deadline);
    deadline.tv_sec += pool->opts.acquire_timeout_ms / 1000;
    deadline.tv_nsec += (long)(pool->opts.acquire_timeout_ms % 1000) * 1000000L;
    if (deadline.tv_nsec >= 1000000000L) {
        deadline.tv_sec++;
        deadline.tv_nsec -= 1000000000L;
    }

    struct db_conn *conn = NULL;
    pthread_mutex_lock(&pool->lock);
    while (pool->in_use == pool->opts.size) {
        if (pthread_cond_timedwait(&pool->freed, &pool->lock, &deadline) == ETIMEDOUT &&
            pool->in_use == pool->opts.size) {
            pthread_mutex_unlock(&pool->lock);
            atomic_fetch_add(&pool->acquire_timeouts, 1);
            *status = DB_UNAVAILABLE;
            return NULL;
        }
    }
    /* Prefer a slot that already holds a connection. */
    for (unsigned i = 0; i < pool->opts.size; i++) {
        struct db_conn *c = &pool->conns[i];
        if (!c->in_use && (c->pg || !conn)) {
            conn = c;
            if (c->pg)
                break;
        }
    }
    conn->in_use = true;
    pool->in_use++;
    pthread_mutex_unlock(&pool->lock);

    if (conn->pg && (conn->broken || connection_dead(conn->pg))) {
        PQfinish(conn->pg);
        conn->pg = NULL;
    }
    conn->broken = false;
    if (!conn->pg) {
        long long since = monotonic_ms() - atomic_load(&pool->last_connect_failure_ms);
        if (since >= CONNECT_BACKOFF_MS)
            conn->pg = connect_one(pool);
        if (!conn->pg) {
            db_release(pool, conn);
            *status = DB_UNAVAILABLE;
            return NULL;
        }
    }
    *status = DB_OK;
    return conn;
}

void db_release(struct db_pool *pool, struct db_conn *conn)
{
    if (conn->pg && (conn->broken || PQtransactionStatus(conn->pg) != PQTRANS_IDLE)) {
        /* Never reuse a lost connection, nor one a caller left inside a transaction (a bug). */
        if (!conn->broken)
            log_error("database: connection released inside a transaction; closing it");
        PQfinish(conn->pg);
        conn->pg = NULL;
    }
    pthread_mutex_lock(&pool->lock);
    conn->in_use = false;
    pool->in_use--;
    pthread_cond_signal(&pool->freed);
    pthread_mutex_unlock(&pool->lock);
}

static enum db_status classify(struct db_conn *conn, const char *statement, PGresult *r)
{
    const char *state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
    const char *constraint = r ? PQresultErrorField(r, PG_DIAG_CONSTRAINT_NAME) : NULL;
    snprintf(conn->constraint, sizeof conn->constraint, "%s", constraint ? constraint : "");
    if (PQstatus(conn->pg) != CONNECTION_OK || !state || strncmp(state, "08", 2) == 0 ||
        strcmp(state, "57P01") == 0 || strcmp(state, "57P02") == 0 || strcmp(state, "57P03") == 0) {
        conn->broken = true;
        log_warn("database: connection lost during %s", statement);
        return DB_UNAVAILABLE;
    }
    if (strcmp(state, "23505") == 0)
        return DB_UNIQUE_VIOLATION;
    if (strcmp(state, "23503") == 0)
        return DB_FOREIGN_KEY_VIOLATION;
    if (strcmp(state, "23514") == 0)
        return DB_CHECK_VIOLATION;
    if (strcmp(state, "40001") == 0 || strcmp(state, "40P01") == 0)
        return DB_SERIALIZATION_FAILURE;
    if (strcmp(state, "57014") == 0) {
        log_warn("database: %s cancelled (statement timeout)", statement);
        return DB_UNAVAILABLE;
    }
    char msg[512];
    snprintf(msg, sizeof msg, "%s", PQresultErrorMessage(r));
    msg[strcspn(msg, "\n")] = '\0';
    log_error("database: %s failed: SQLSTATE %s: %s", statement, state, msg);
    return DB_ERROR;
}

PGresult *db_exec_binary(struct db_conn *conn, const char *statement, int nparams, const char *const *values,
                         const int *lengths, const int *formats, enum db_status *status)
{
    PGresult *r = PQexecPrepared(conn->pg, statement, nparams, values, lengths, formats, 0);
    ExecStatusType st = PQresultStatus(r);
    if (r && (st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK)) {
        *status = DB_OK;
        return r;
    }
    *status = classify(conn, statement, r);
    PQclear(r);
    return NULL;
}

PGresult *db_exec(struct db_conn *conn, const char *statement, int nparams, const char *const *values,
                  enum db_status *status)
{
    return db_exec_binary(conn, statement, nparams, values, NULL, NULL, status);
}

enum db_status db_stream(struct db_conn *conn, const char *statement, int nparams, const char *const *values,
                         db_row_fn fn, void *ctx)
{
    if (!PQsendQueryPrepared(conn->pg, statement, nparams, values, NULL, NULL, 0))
        return classify(conn, statement, NULL);
    enum db_status status = DB_OK;
    bool handing = true;
    if (!PQsetSingleRowMode(conn->pg)) { /* only when called at the wrong time: a bug */
        log_error("database: %s: libpq refused single-row mode", statement);
        status = DB_ERROR;
        handing = false;
    }
    PGresult *r;
    while ((r = PQgetResult(conn->pg))) { /* to the end, so that the connection is ready again */
        ExecStatusType st = PQresultStatus(r);
        if (st == PGRES_SINGLE_TUPLE) {
            if (handing)
                handing = fn(r, ctx) == 0;
        } else if (st != PGRES_TUPLES_OK && status == DB_OK) {
            status = classify(conn, statement, r);
        }
        PQclear(r);
    }
    return status;
}

static enum db_status exec_simple(struct db_conn *conn, const char *sql)
{
    PGresult *r = PQexec(conn->pg, sql);
    enum db_status status = DB_OK;
    if (PQresultStatus(r) != PGRES_COMMAND_OK)
        status = classify(conn, sql, r);
    PQclear(r);
    return status;
}

enum db_status db_begin(struct db_conn *conn) { return exec_simple(conn, "BEGIN"); }

enum db_status db_begin_snapshot(struct db_conn *conn)
{
    return exec_simple(conn, "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY");
}

enum db_status db_commit(struct db_conn *conn) { return exec_simple(conn, "COMMIT"); }

void db_rollback(struct db_conn *conn)
{
    if (PQtransactionStatus(conn->pg) != PQTRANS_IDLE && exec_simple(conn, "ROLLBACK") != DB_OK)
        conn->broken = true;
    if (PQtransactionStatus(conn->pg) != PQTRANS_IDLE)
        conn->broken = true;
}

const char *db_conn_constraint(const struct db_conn *conn) { return conn->constraint; }

PGconn *db_conn_pg(struct db_conn *conn) { return conn->pg; }

void db_pool_stats(struct db_pool *pool, struct db_pool_stats *out)
{
    pthread_mutex_lock(&pool->lock);
    out->size = pool->opts.size;
    out->in_use = pool->in_use;
    out->idle_connected = 0;
    for (unsigned i = 0; i < pool->opts.size; i++)
        if (!pool->conns[i].in_use && pool->conns[i].pg)
            out->idle_connected++;
    pthread_mutex_unlock(&pool->lock);
    out->connects = atomic_load(&pool->connects);
    out->connect_failures = atomic_load(&pool->connect_failures);
    out->acquire_timeouts = atomic_load(&pool->acquire_timeouts);
}

int db_pool_warm(struct db_pool *pool)
{
    atomic_store(&pool->last_connect_failure_ms, -CONNECT_BACKOFF_MS * 2LL);
    enum db_status status;
    struct db_conn **taken = calloc(pool->opts.size, sizeof *taken);
    if (!taken)
        return -1;
    unsigned n = 0;
    /* Taken all at once, each is a different connection. */
    while (n < pool->opts.size && (taken[n] = db_acquire(pool, &status)))
        n++;
    for (unsigned i = 0; i < n; i++)
        db_release(pool, taken[i]);
    free(taken);
    if (n > 0 && n < pool->opts.size)
        log_warn("database: %u of the pool's %u connections opened at start; the others when needed", n,
                 pool->opts.size);
    return n > 0 ? 0 : -1;
}
