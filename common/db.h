/*
 * A bounded pool of PostgreSQL connections.
 *
 * Each connection prepares every registered statement once, right after it
 * connects; the program then runs statements only by name (db_exec), never by
 * building SQL. The pool survives a database restart: a connection found dead
 * when it is taken is reconnected, a failed statement marks its connection for
 * reconnection, and while the database is unreachable callers get
 * DB_UNAVAILABLE at once (the HTTP layer turns it into 503 with Retry-After)
 * instead of waiting on a connect timeout per request.
 */
#ifndef COMMON_DB_H
#define COMMON_DB_H

#include <libpq-fe.h>
#include <stdbool.h>

struct db_statement {
    const char *name;
    const char *sql;
};

/*
 * A prepared statement a new connection runs, with one text parameter that
 * changes nothing (in a transaction rolled back), until PostgreSQL has settled
 * on its plan: it plans a statement's first five executions for their
 * parameters before it weighs a generic plan (plancache.c), milliseconds each
 * for a large statement, which the connection's first requests would pay.
 */
struct db_warm_up {
    const char *name;
    const char *param;
};

enum db_status {
    DB_OK,
    DB_UNAVAILABLE,      /* cannot connect, connection lost, or no free connection in time */
    DB_UNIQUE_VIOLATION, /* 23505: see db_conn_constraint() */
    DB_FOREIGN_KEY_VIOLATION,
    DB_CHECK_VIOLATION,
    DB_SERIALIZATION_FAILURE, /* 40001 or 40P01: the transaction may be retried */
    DB_ERROR,                 /* anything else: a bug or a broken schema; logged */
};

struct db_pool;
struct db_conn;

struct db_pool_options {
    const char *conninfo;
    unsigned size;
    unsigned acquire_timeout_ms;
    unsigned statement_timeout_ms;
    const struct db_statement *const *statement_sets; /* NULL-terminated; each set ends with {NULL, NULL} */
    const struct db_warm_up *warm_ups;                /* may be NULL; ends with {NULL, NULL} */
};

struct db_pool *db_pool_new(const struct db_pool_options *opts);
void db_pool_free(struct db_pool *pool);

/* Takes a connection, connecting it if needed. NULL with *status set when none can be had. */
struct db_conn *db_acquire(struct db_pool *pool, enum db_status *status);
void db_release(struct db_pool *pool, struct db_conn *conn);

/*
 * Runs a prepared statement with text parameters (NULL is SQL NULL). Returns the
 * result (the caller PQclear()s it) with *status DB_OK, or NULL with *status
 * saying why.
 */
PGresult *db_exec(struct db_conn *conn, const char *statement, int nparams, const char *const *values,
                  enum db_status *status);
/* The same with lengths and formats, for binary parameters (bytea). */
PGresult *db_exec_binary(struct db_conn *conn, const char *statement, int nparams, const char *const *values,
                         const int *lengths, const int *formats, enum db_status *status);

/*
 * Called with each row of a streamed statement, as a result of that one row
 * (valid during the call); returns 0 to go on, non-zero to stop.
 */
typedef int (*db_row_fn)(const PGresult *row, void *ctx);

/*
 * Runs a prepared statement in libpq's single-row mode, handing its rows to fn
 * one at a time as they arrive, so that memory stays flat however many rows
 * there are. DB_OK once every row was handed on, or after fn stopped (the rest
 * are read and dropped, and the connection is ready for the next statement);
 * else why the statement failed.
 */
enum db_status db_stream(struct db_conn *conn, const char *statement, int nparams, const char *const *values,
                         db_row_fn fn, void *ctx);

/* BEGIN / COMMIT / ROLLBACK. */
enum db_status db_begin(struct db_conn *conn);
/* BEGIN a read-only transaction whose statements all see one snapshot (REPEATABLE READ), so that they agree. */
enum db_status db_begin_snapshot(struct db_conn *conn);
enum db_status db_commit(struct db_conn *conn);
void db_rollback(struct db_conn *conn);

/* The constraint named by the last failed statement ("" if none). */
const char *db_conn_constraint(const struct db_conn *conn);
PGconn *db_conn_pg(struct db_conn *conn);

struct db_pool_stats {
    unsigned size, in_use, idle_connected;
    unsigned long long connects, connect_failures, acquire_timeouts;
};
void db_pool_stats(struct db_pool *pool, struct db_pool_stats *out);

/*
 * Connects every connection of the pool, each with its statements prepared
 * and warmed, so that the first requests after a start do not pay for it; 0
 * when at least the first connects (used at start-up). Those that cannot are
 * connected when first taken, as always.
 */
int db_pool_warm(struct db_pool *pool);

#endif
