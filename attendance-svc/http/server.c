/*
 * The request lifecycle on libmicrohttpd.
 *
 * MHD calls on_request several times for one request: first when the headers
 * are in (the route is found and the declared Content-Length checked against
 * the route's limit, so an oversized body is refused before it is read), then
 * once per piece of body (appended to a buffer within the limit), and last
 * with no data, when the handler runs and its answer is queued. An answer
 * decided early (404, 405, 413) is queued on the first call; MHD then closes
 * the connection without reading the body. on_completed writes the request's
 * log line, counts it in the metrics and frees it.
 */
#include "server.h"

#include "app.h"
#include "authn.h"
#include "handlers.h"
#include "json.h"
#include "log.h"
#include "metrics.h"
#include "rate_limit.h"
#include "notify.h"
#include "request.h"
#include "router.h"
#include "store/store_audit.h"
#include "store/store.h"
#include "utf8.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sodium.h>
#include <time.h>
#include <unistd.h>

/* A body sent without Content-Length is read and dropped up to this multiple of
 * the limit before the connection is cut: MHD can only answer once it is in. */
#define OVERSIZE_DRAIN_FACTOR 4

/* No inline script or style, nothing from elsewhere, never in a frame. */
#define CONTENT_SECURITY_POLICY                                                                      \
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "        \
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

static atomic_int in_flight;
static atomic_bool shutting_down;

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* ---- answers ---- */

static void set_response(struct request *req, unsigned status, struct MHD_Response *response)
{
    if (!response) {
        log_error("http: out of memory building a response");
        return;
    }
    if (req->response)
        MHD_destroy_response(req->response); /* a handler bug; the last answer wins */
    req->response = response;
    req->status = status;
    MHD_add_response_header(response, "X-Request-Id", req->id);
    MHD_add_response_header(response, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(response, "Cache-Control", "no-store");
    /* For the console's pages (docs/console.md); on the API's answers too, where they cost nothing. */
    MHD_add_response_header(response, "Content-Security-Policy", CONTENT_SECURITY_POLICY);
    MHD_add_response_header(response, "Referrer-Policy", "no-referrer");
    if (status == 503)
        MHD_add_response_header(response, "Retry-After", "1");
    if (atomic_load(&shutting_down))
        MHD_add_response_header(response, "Connection", "close");
}

void reply_buffer(struct request *req, unsigned status, const char *content_type, void *data, size_t len,
                  enum MHD_ResponseMemoryMode mode)
{
    struct MHD_Response *r = MHD_create_response_from_buffer(len, data, mode);
    if (r && content_type)
        MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, content_type);
    if (!r && mode == MHD_RESPMEM_MUST_FREE)
        free(data);
    set_response(req, status, r);
}

void reply_json(struct request *req, unsigned status, json_t *body)
{
    char *text = body ? json_dumps(body, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
    json_decref(body);
    if (!text) {
        static const char oom[] = "{\"error\":{\"code\":\"internal_error\",\"message\":\"out of memory\"}}";
        reply_buffer(req, 500, "application/json", (void *)oom, sizeof oom - 1, MHD_RESPMEM_PERSISTENT);
        req->error = ERR_INTERNAL;
        return;
    }
    reply_buffer(req, status, "application/json", text, strlen(text), MHD_RESPMEM_MUST_FREE);
}

static void reply_error_v(struct request *req, enum error_code err, json_t *details, const char *fmt, va_list ap)
{
    /* A message may quote what the client sent: its bytes that are not UTF-8 are escaped (JSON needs UTF-8). */
    char raw[512], message[4 * sizeof raw];
    vsnprintf(raw, sizeof raw, fmt, ap);
    utf8_escape_invalid(raw, message, sizeof message);
    json_t *error = json_pack("{s:s, s:s}", "code", error_code_name(err), "message", message);
    if (error && details)
        json_object_update_missing(error, details);
    json_decref(details);
    req->error = err;
    reply_json(req, error_http_status(err), error ? json_pack("{s:o}", "error", error) : NULL);
}

void reply_error(struct request *req, enum error_code err, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    reply_error_v(req, err, NULL, fmt, ap);
    va_end(ap);
}

void reply_error_details(struct request *req, enum error_code err, json_t *details, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    reply_error_v(req, err, details, fmt, ap);
    va_end(ap);
}

void reply_field_error(struct request *req, enum error_code err, const char *field, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    reply_error_v(req, err, json_pack("{s:s}", "field", field), fmt, ap);
    va_end(ap);
}

json_t *request_json(struct request *req)
{
    const char *type = request_header(req, MHD_HTTP_HEADER_CONTENT_TYPE);
    if (!type || strncasecmp(type, "application/json", 16) != 0 || (type[16] && type[16] != ';' && type[16] != ' ')) {
        reply_error(req, ERR_UNSUPPORTED_MEDIA_TYPE, "the body must be application/json");
        return NULL;
    }
    char err[256];
    json_t *body = json_parse_object(req->body ? req->body : "", req->body_len, err, sizeof err);
    if (!body)
        reply_error(req, ERR_MALFORMED_JSON, "%s", err);
    return body;
}

void reply_found(struct request *req, enum db_status status, json_t *doc, const char *not_found)
{
    if (status != DB_OK)
        reply_db_error(req, status);
    else if (!doc)
        reply_error(req, ERR_NOT_FOUND, "%s", not_found);
    else
        reply_json(req, 200, json_incref(doc));
    json_decref(doc);
}

void reply_header(struct request *req, const char *name, const char *value)
{
    if (!req->response)
        return;
    if (strcasecmp(name, "Cache-Control") == 0)
        MHD_del_response_header(req->response, "Cache-Control", "no-store");
    MHD_add_response_header(req->response, name, value);
}

const char *request_header(struct request *req, const char *name)
{
    return MHD_lookup_connection_value(req->connection, MHD_HEADER_KIND, name);
}

const char *request_query(struct request *req, const char *key)
{
    return MHD_lookup_connection_value(req->connection, MHD_GET_ARGUMENT_KIND, key);
}

/*
 * The routes that may read from the replica take its connection when there is
 * one; while it is unavailable they read from the primary (fresher, never
 * staler), so a replica down costs the primary some load, not the console.
 */
struct db_conn *request_db(struct request *req)
{
    if (req->db)
        return req->db;
    enum db_status status = DB_UNAVAILABLE;
    struct app *app = req->app;
    if (req->route && (req->route->flags & ROUTE_READS_REPLICA) && app->read_pool) {
        req->db_pool = app->read_pool;
        req->db = db_acquire(app->read_pool, &status);
        if (!req->db)
            metrics_replica_fallback();
    }
    if (!req->db) {
        req->db_pool = app->pool;
        req->db = db_acquire(app->pool, &status);
    }
    if (!req->db)
        reply_db_error(req, status);
    return req->db;
}

void request_db_release(struct request *req)
{
    if (req->db) {
        db_rollback(req->db); /* whatever the handler did not commit */
        db_release(req->db_pool, req->db);
        req->db = NULL;
    }
}

bool request_sees_unit(struct request *req, long long unit_id, long long agency_id)
{
    const struct auth *a = &req->auth;
    if (auth_sees_unit(a, unit_id, agency_id))
        return true;
    if (a->role != ROLE_SUPERVISOR || a->agency_id != agency_id || !unit_id)
        return false;
    struct db_conn *db = request_db(req);
    bool within = false;
    enum db_status st = db ? store_unit_within(db, unit_id, a->unit_id, &within) : DB_OK;
    if (db && st != DB_OK)
        reply_db_error(req, st);
    return within;
}

enum db_status request_commit_audited(struct request *req, const char *action, const char *entity,
                                      const json_t *before, const json_t *after)
{
    const char *id = json_string_value(json_object_get(after ? after : before, "id"));
    enum db_status st = store_audit(req->db, req->auth.account_id, action, entity, id, before, after);
    return st == DB_OK ? db_commit(req->db) : st;
}

void reply_created(struct request *req, enum db_status status, const char *entity, json_t *doc)
{
    if (status == DB_OK)
        status = request_commit_audited(req, "create", entity, NULL, doc);
    if (status != DB_OK)
        reply_db_error(req, status);
    else
        reply_json(req, 201, json_incref(doc));
}

void reply_db_error(struct request *req, enum db_status status)
{
    if (status == DB_UNAVAILABLE)
        reply_error(req, ERR_DATABASE_UNAVAILABLE, "the database is unavailable; retry shortly");
    else if (status == DB_SERIALIZATION_FAILURE) /* a concurrent change won: nothing was stored */
        reply_error(req, ERR_DATABASE_UNAVAILABLE, "a concurrent change interfered; retry");
    else
        reply_error(req, ERR_INTERNAL, "a database error occurred (request %s)", req->id);
}

void reply_rate_limited(struct request *req, unsigned retry_after_s, const char *what)
{
    char retry[16];
    snprintf(retry, sizeof retry, "%u", retry_after_s);
    reply_error(req, ERR_RATE_LIMITED, "%s; try again in %u seconds", what, retry_after_s);
    reply_header(req, "Retry-After", retry);
}

/* True when address is one of the comma-separated list. */
static bool address_listed(const char *list, const char *address)
{
    size_t n = strlen(address);
    for (const char *p = list; p && *p; p += strspn(p, ", ")) {
        size_t item = strcspn(p, ", ");
        if (item == n && memcmp(p, address, n) == 0)
            return true;
        p += item;
    }
    return false;
}

/*
 * The last address of X-Forwarded-For into buf, when it is an IP address: the
 * one the proxy itself saw (the ones before it are the client's word).
 */
static bool forwarded_address(struct request *req, char *buf, size_t len)
{
    const char *header = request_header(req, "X-Forwarded-For");
    if (!header)
        return false;
    const char *last = strrchr(header, ',');
    last = last ? last + 1 : header;
    last += strspn(last, " ");
    size_t n = strcspn(last, " ");
    unsigned char raw[sizeof(struct in6_addr)];
    if (n == 0 || n >= len || last[n] != '\0')
        return false;
    memcpy(buf, last, n);
    buf[n] = '\0';
    return inet_pton(AF_INET, buf, raw) == 1 || inet_pton(AF_INET6, buf, raw) == 1;
}

const char *request_client_address(struct request *req, char *buf, size_t len)
{
    const union MHD_ConnectionInfo *info =
        MHD_get_connection_info(req->connection, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    buf[0] = '\0';
    if (info && info->client_addr) {
        const struct sockaddr *sa = info->client_addr;
        if (sa->sa_family == AF_INET)
            inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, buf, (socklen_t)len);
        else if (sa->sa_family == AF_INET6)
            inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, buf, (socklen_t)len);
    }
    /* Behind a proxy the peer is the proxy: the client is the one it names. */
    char forwarded[INET6_ADDRSTRLEN];
    if (*buf && address_listed(req->app->cfg.trusted_proxies, buf) &&
        forwarded_address(req, forwarded, sizeof forwarded))
        snprintf(buf, len, "%s", forwarded);
    return buf;
}

/* ---- the lifecycle ---- */

/* Takes the request from its address's bucket; false after answering 429. */
static bool within_address_rate(struct app *app, struct request *req)
{
    char address[INET6_ADDRSTRLEN];
    unsigned char key[8];
    /* request_client_address: behind a trusted proxy, the client it names */
    size_t n = rate_limit_address_key(request_client_address(req, address, sizeof address), key);
    unsigned wait_s = n ? rate_limiter_take(app->address_rate, key, n, rate_limit_now_ms()) : 0;
    if (wait_s == 0)
        return true;
    reply_rate_limited(req, wait_s, "too many requests from this address");
    return false;
}

static void assign_request_id(struct request *req)
{
    /* A proxy's id is kept so that one request can be followed across hops. */
    const char *given = request_header(req, "X-Request-Id");
    if (given) {
        size_t n = strlen(given);
        if (n >= 8 && n < sizeof req->id && strspn(given, "abcdefghijklmnopqrstuvwxyz"
                                                          "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.") == n) {
            memcpy(req->id, given, n + 1);
            return;
        }
    }
    unsigned char raw[16];
    randombytes_buf(raw, sizeof raw);
    sodium_bin2hex(req->id, sizeof req->id, raw, sizeof raw);
}

static void check_declared_length(struct request *req)
{
    const char *cl = request_header(req, MHD_HTTP_HEADER_CONTENT_LENGTH);
    if (!cl)
        return;
    char *end;
    errno = 0;
    unsigned long long n = strtoull(cl, &end, 10);
    if (errno == ERANGE || n > req->body_limit)
        reply_error(req, ERR_PAYLOAD_TOO_LARGE, "the body may be at most %zu bytes", req->body_limit);
}

/* The largest body any route takes: a declared length above it is refused before routing. */
static size_t largest_body_limit(const struct app *app)
{
    size_t count, limit = app->cfg.max_body_bytes;
    const struct route *routes = router_routes(&count);
    for (size_t i = 0; i < count; i++)
        if (routes[i].max_body > limit)
            limit = routes[i].max_body;
    return limit;
}

static void begin_request(struct app *app, struct request *req, const char *url)
{
    assign_request_id(req);
    if (!within_address_rate(app, req))
        return;
    req->body_limit = largest_body_limit(app);
    check_declared_length(req);
    if (req->response)
        return;
    if (console_path(url)) {
        console_serve(req, url);
        return;
    }
    req->path = strdup(url);
    if (!req->path) {
        reply_error(req, ERR_INTERNAL, "out of memory");
        return;
    }
    char allow[64];
    switch (router_match(req->method, req->path, &req->route, req->params, &req->nparams, allow, sizeof allow)) {
    case ROUTE_NOT_FOUND:
        reply_error(req, ERR_NOT_FOUND, "no such endpoint");
        return;
    case ROUTE_WRONG_METHOD:
        reply_error(req, ERR_METHOD_NOT_ALLOWED, "%s is not allowed here; use %s", req->method, allow);
        reply_header(req, "Allow", allow);
        return;
    case ROUTE_FOUND:
        break;
    }
    req->body_limit = req->route->max_body ? req->route->max_body : app->cfg.max_body_bytes;
    check_declared_length(req);
    if (!req->response && req->route->roles != ROLES_PUBLIC)
        authn_check_token(req);
}

void request_suspend(struct request *req, void (*resume)(struct request *req), void *pending,
                     void (*pending_free)(void *pending))
{
    request_db_release(req); /* a suspended request holds no connection of the pool */
    req->resume = resume;
    req->pending = pending;
    req->pending_free = pending_free;
    MHD_suspend_connection(req->connection);
}

void request_resume(struct request *req) { MHD_resume_connection(req->connection); }

/* After a handler (or its resumption) returned: unless it suspended itself, it must have answered. */
static void handler_returned(struct request *req)
{
    request_db_release(req);
    if (!req->response && !req->resume)
        reply_error(req, ERR_INTERNAL, "the handler gave no answer");
}

/* Runs the route's handler: the account check first where the route needs one. */
static void dispatch(struct request *req)
{
    if (req->route->roles == ROLES_PUBLIC || (req->route->flags & ROUTE_CHECKS_ACCOUNT) || authn_check_account(req))
        req->route->handler(req);
    handler_returned(req);
}

/* A suspended handler's turn again, once request_resume was called. */
static void resume(struct request *req)
{
    void (*run)(struct request *req) = req->resume;
    req->resume = NULL;
    run(req);
    handler_returned(req);
}

static int append_body(struct request *req, const char *data, size_t size)
{
    if (req->response) {
        /* Already answered (e.g. 413): drop the rest, within reason. */
        req->body_len += size;
        return req->body_len <= req->body_limit * OVERSIZE_DRAIN_FACTOR ? 0 : -1;
    }
    if (size > req->body_limit - req->body_len) {
        free(req->body);
        req->body = NULL;
        req->body_len += size;
        reply_error(req, ERR_PAYLOAD_TOO_LARGE, "the body may be at most %zu bytes", req->body_limit);
        return 0;
    }
    if (req->body_len + size + 1 > req->body_cap) {
        size_t cap = req->body_cap ? req->body_cap : 4096;
        while (cap < req->body_len + size + 1)
            cap *= 2;
        char *grown = realloc(req->body, cap);
        if (!grown)
            return -1;
        req->body = grown;
        req->body_cap = cap;
    }
    memcpy(req->body + req->body_len, data, size);
    req->body_len += size;
    req->body[req->body_len] = '\0'; /* handy for text bodies; body_len stays exact */
    return 0;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *connection, const char *url, const char *method,
                                  const char *version, const char *upload_data, size_t *upload_data_size,
                                  void **con_cls)
{
    struct app *app = cls;
    struct request *req = *con_cls;
    if (!req) {
        req = calloc(1, sizeof *req);
        if (!req)
            return MHD_NO;
        *con_cls = req;
        atomic_fetch_add(&in_flight, 1);
        req->app = app;
        req->connection = connection;
        req->method = method;
        req->started_ns = now_ns();
        begin_request(app, req, url);
        return req->response ? MHD_queue_response(connection, req->status, req->response) : MHD_YES;
    }
    if (*upload_data_size) {
        int rc = append_body(req, upload_data, *upload_data_size);
        *upload_data_size = 0;
        return rc == 0 ? MHD_YES : MHD_NO;
    }
    if (req->resume)
        resume(req);
    else if (!req->response)
        dispatch(req);
    if (req->resume)
        return MHD_YES; /* suspended: on_request is called again once it is resumed */
    return MHD_queue_response(connection, req->status, req->response);
}

static void on_completed(void *cls, struct MHD_Connection *connection, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    struct request *req = *con_cls;
    if (!req)
        return;
    uint64_t duration = now_ns() - req->started_ns;
    metrics_request_done(req->route, req->status, duration);

    enum log_level level = req->status >= 500 || req->status == 0 ? LOG_LEVEL_WARN : LOG_LEVEL_INFO;
    if (log_enabled(level)) {
        json_t *f = json_pack("{s:s, s:s, s:s, s:i, s:f}", "request_id", req->id, "method", req->method, "route",
                              req->route ? req->route->pattern : "unmatched", "status", (int)req->status,
                              "duration_ms", (double)duration / 1e6);
        if (f && req->status >= 400)
            json_object_set_new(f, "error", json_string(error_code_name(req->error)));
        if (f && toe != MHD_REQUEST_TERMINATED_COMPLETED_OK)
            json_object_set_new(f, "terminated", json_integer(toe));
        log_fields(level, "request", f);
    }
    if (req->response)
        MHD_destroy_response(req->response);
    if (req->pending_free)
        req->pending_free(req->pending);
    free(req->body);
    free(req->path);
    free(req);
    *con_cls = NULL;
    atomic_fetch_sub(&in_flight, 1);
}

/*
 * Percent-decoding of the path and the query: "%00" is left as it is, so that
 * a NUL cannot end a path or an argument early ("/v1/units/1%00x" would
 * otherwise be unit 1); what it is part of then matches nothing (404) or is
 * refused as a value (400).
 */
static size_t unescape(void *cls, struct MHD_Connection *connection, char *s)
{
    return strstr(s, "%00") ? strlen(s) : MHD_http_unescape(s);
}

static void mhd_log(void *cls, const char *fmt, va_list ap)
{
    char msg[512];
    vsnprintf(msg, sizeof msg, fmt, ap);
    msg[strcspn(msg, "\n")] = '\0';
    log_warn("libmicrohttpd: %s", msg);
}

/* libmicrohttpd found its own state broken: said in the log (its default writes to stderr alone), then abort. */
static void mhd_panic(void *cls, const char *file, unsigned int line, const char *reason)
{
    (void)cls;
    log_error("libmicrohttpd: fatal error at %s:%u: %s", file ? file : "?", line, reason ? reason : "unknown");
    abort();
}

/* ---- start and stop ---- */

static int resolve_listen(const struct config *cfg, struct sockaddr_storage *addr, bool *ipv6)
{
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM, .ai_flags = AI_PASSIVE};
    struct addrinfo *res;
    char port[8];
    snprintf(port, sizeof port, "%u", cfg->listen_port);
    int rc = getaddrinfo(cfg->listen_host, port, &hints, &res);
    if (rc != 0) {
        log_error("http: cannot resolve listen address %s: %s", cfg->listen_host, gai_strerror(rc));
        return -1;
    }
    memcpy(addr, res->ai_addr, res->ai_addrlen);
    *ipv6 = res->ai_family == AF_INET6;
    freeaddrinfo(res);
    return 0;
}

/* How long open keep-alive connections are still served once the listening socket is closed. */
#define SHUTDOWN_LINGER_NS 1000000000ull

static unsigned open_connections(struct MHD_Daemon *daemon)
{
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(daemon, MHD_DAEMON_INFO_CURRENT_CONNECTIONS);
    return info ? info->num_connections : 0;
}

/*
 * After the listening socket is closed: the requests in flight finish (up to
 * grace_s), and for a moment the open keep-alive connections are still served,
 * each answer with "Connection: close". A reverse proxy that reuses one of its
 * idle connections to this instance then gets an answer, not a connection
 * closed under its request, which nginx would not resend for a POST (502).
 */
static void drain(struct MHD_Daemon *daemon, unsigned grace_s)
{
    uint64_t start = now_ns(), deadline = start + (uint64_t)grace_s * 1000000000ull;
    uint64_t linger_end = start + SHUTDOWN_LINGER_NS < deadline ? start + SHUTDOWN_LINGER_NS : deadline;
    for (;;) {
        uint64_t now = now_ns();
        bool busy = atomic_load(&in_flight) > 0 && now < deadline;
        bool lingering = now < linger_end && open_connections(daemon) > 0;
        if (!busy && !lingering)
            break;
        struct timespec pause = {0, 10 * 1000000L};
        nanosleep(&pause, NULL);
    }
    int left = atomic_load(&in_flight);
    if (left > 0)
        log_warn("http: %d requests still in flight after %u s; stopping anyway", left, grace_s);
}

int server_run(struct app *app)
{
    const struct config *cfg = &app->cfg;
    struct sockaddr_storage addr;
    bool ipv6;
    if (resolve_listen(cfg, &addr, &ipv6) != 0)
        return 1;

    /* Signals are taken by this thread alone, with sigwait; MHD's threads inherit the mask. */
    sigset_t stop_signals;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGTERM);
    sigaddset(&stop_signals, SIGINT);
    pthread_sigmask(SIG_BLOCK, &stop_signals, NULL);
    signal(SIGPIPE, SIG_IGN);

    MHD_set_panic_func(mhd_panic, NULL);
    unsigned flags = MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_ITC | MHD_USE_ERROR_LOG | MHD_ALLOW_SUSPEND_RESUME;
    if (ipv6)
        flags |= MHD_USE_IPv6;
    struct MHD_Daemon *daemon = MHD_start_daemon(
        flags, (uint16_t)cfg->listen_port, NULL, NULL, on_request, app,
        MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL, /* first, so that MHD reports through it from the start */
        MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr,
        MHD_OPTION_THREAD_POOL_SIZE, (unsigned)cfg->threads,
        MHD_OPTION_CONNECTION_LIMIT, (unsigned)cfg->connection_limit,
        MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned)cfg->per_ip_connection_limit,
        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)cfg->connection_timeout_s,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)cfg->connection_memory_kb * 1024,
        MHD_OPTION_LISTEN_BACKLOG_SIZE, (unsigned)1024,
        MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL,
        MHD_OPTION_UNESCAPE_CALLBACK, unescape, NULL,
        MHD_OPTION_END);
    if (!daemon) {
        log_error("http: cannot listen on %s:%u (address in use, or not allowed?)", cfg->listen_host,
                  cfg->listen_port);
        return 1;
    }
    log_fields(LOG_LEVEL_INFO, "listening",
               json_pack("{s:s, s:i, s:i, s:i}", "host", cfg->listen_host, "port", (int)cfg->listen_port,
                         "threads", (int)cfg->threads, "db_pool", (int)cfg->db_pool_size));
    /* The schema was checked and the statements prepared before: now the service is ready. */
    notify_ready(cfg->listen_host, cfg->listen_port);
    struct watchdog *watchdog = watchdog_start(cfg->listen_host, cfg->listen_port);

    int sig = 0;
    sigwait(&stop_signals, &sig);
    log_info("http: %s received: finishing requests in flight", sig == SIGTERM ? "SIGTERM" : "SIGINT");
    notify_stopping();
    watchdog_stop(watchdog); /* the manager now waits for TimeoutStopSec, not for pings */
    atomic_store(&shutting_down, true);
    MHD_socket listen_fd = MHD_quiesce_daemon(daemon);
    if (listen_fd != MHD_INVALID_SOCKET)
        close(listen_fd);
    drain(daemon, cfg->shutdown_grace_s);
    MHD_stop_daemon(daemon);
    log_info("http: stopped");
    return 0;
}
