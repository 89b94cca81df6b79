/*
 * One HTTP request as the handlers see it, and the ways to answer it.
 *
 * The server reads the whole body (within the route's limit) before it calls
 * the handler once; the handler answers with exactly one reply_* call. Path
 * parameters are in params[] in the order of the route pattern.
 */
#ifndef ATTENDANCE_HTTP_REQUEST_H
#define ATTENDANCE_HTTP_REQUEST_H

#include "auth.h"
#include "db.h"
#include "errors.h"
#include "ids.h"

#include <jansson.h>
#include <microhttpd.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define REQUEST_MAX_PARAMS 4

struct app;
struct route;

struct request {
    struct app *app;
    struct MHD_Connection *connection;
    const struct route *route;
    const char *method;
    char id[33];
    uint64_t started_ns;

    char *body;
    size_t body_len, body_cap, body_limit;

    char *path; /* a copy of the URL path that params[] point into */
    const char *params[REQUEST_MAX_PARAMS];
    unsigned nparams;

    struct auth auth; /* the caller, on routes that need authentication */
    struct db_conn *db; /* taken by request_db(), given back when the handler returns */
    struct db_pool *db_pool; /* the pool db came from: the primary's, or the replica's */

    unsigned status;
    struct MHD_Response *response;
    enum error_code error; /* when status >= 400 */

    /* A handler that waits for other threads (a password hash) without holding its HTTP thread: see request_suspend. */
    void (*resume)(struct request *req);
    void *pending;                    /* the suspended handler's state, freed with the request */
    void (*pending_free)(void *pending);
};

/*
 * Suspends the request: the handler returns without answering, its HTTP
 * thread serves other connections meanwhile, and once request_resume is
 * called (from any thread) resume(req) runs on an HTTP thread to answer.
 * pending (freed by pending_free with the request, whatever happens) is the
 * handler's state. Call it before handing pending to the other thread.
 */
void request_suspend(struct request *req, void (*resume)(struct request *req), void *pending,
                     void (*pending_free)(void *pending));
/* Wakes a suspended request; thread-safe. */
void request_resume(struct request *req);

/*
 * The request's database connection, taken on first use. NULL when none can be
 * had: the 503 answer has then been made, and the handler just returns.
 */
struct db_conn *request_db(struct request *req);
/* Gives the connection back early (before slow work that needs no database), rolling back what was not committed. */
void request_db_release(struct request *req);
/*
 * Whether the caller may see data of the unit (of that agency): auth_sees_unit,
 * and for a supervisor also every unit under its own (asked of the database).
 * False after answering when the database fails (req->response is then set):
 * a caller answers 404 only when there is no answer yet.
 */
bool request_sees_unit(struct request *req, long long unit_id, long long agency_id);
/* Answers for a failed database call: 503 when unavailable or a retryable conflict, 500 otherwise. */
void reply_db_error(struct request *req, enum db_status status);
/*
 * The body as a JSON object: Content-Type must be application/json (else 415)
 * and the body one JSON object (else 400). NULL when it is not (the answer is
 * made); the caller owns the result.
 */
json_t *request_json(struct request *req);

/*
 * Writes the caller's audit entry for a change (the entity's id is that of
 * after's document, else before's) and commits the request's transaction.
 */
enum db_status request_commit_audited(struct request *req, const char *action, const char *entity,
                                      const json_t *before, const json_t *after);

/*
 * The end of a create: unless status is already a failure, writes the audit
 * entry of doc (borrowed) and commits; then answers 201 with doc, or the
 * database's error.
 */
void reply_created(struct request *req, enum db_status status, const char *entity, json_t *doc);

/* 429 rate_limited with Retry-After: retry_after_s; what says what was too frequent. */
void reply_rate_limited(struct request *req, unsigned retry_after_s, const char *what);

/*
 * The client's address as text (for rate limits and logs): the peer's, or,
 * when the peer is one of ATTENDANCE_TRUSTED_PROXIES, the last address of its
 * X-Forwarded-For.
 */
const char *request_client_address(struct request *req, char *buf, size_t len);

void reply_json(struct request *req, unsigned status, json_t *body /* stolen */);
/* The contract's error body; fmt describes the problem to a person. */
void reply_error(struct request *req, enum error_code err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* The same with extra fields merged into the "error" object (stolen). */
void reply_error_details(struct request *req, enum error_code err, json_t *details, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
void reply_buffer(struct request *req, unsigned status, const char *content_type, void *data, size_t len,
                  enum MHD_ResponseMemoryMode mode);
/* An error about one input field: the "error" object also names the field. */
void reply_field_error(struct request *req, enum error_code err, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Answers a read: the database's error, 404 with not_found when doc is NULL, else 200 with doc (stolen). */
void reply_found(struct request *req, enum db_status status, json_t *doc, const char *not_found);
/* A header to add to the reply already made (e.g. Location); a Cache-Control replaces the default no-store. */
void reply_header(struct request *req, const char *name, const char *value);

const char *request_header(struct request *req, const char *name);
const char *request_query(struct request *req, const char *key);

#endif
