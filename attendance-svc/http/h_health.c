/*
 * GET /healthz, /readyz and /metrics: for load balancers, orchestrators and
 * Prometheus. /healthz says the process answers; /readyz that the selfie store
 * can be written to, the database is reachable and its schema is the one this
 * build expects.
 */
#include "app.h"
#include "handlers.h"
#include "metrics.h"
#include "store/store_health.h"

#include "files.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

void h_healthz(struct request *req) { reply_json(req, 200, json_pack("{s:s}", "status", "ok")); }

void h_readyz(struct request *req)
{
    enum db_status status;
    struct db_conn *conn = db_acquire(req->app->pool, &status);
    if (!conn) {
        reply_error(req, ERR_DATABASE_UNAVAILABLE, "the database is unavailable");
        return;
    }
    int version = store_schema_version(conn, &status);
    db_release(req->app->pool, conn);
    if (files_dir_writable(req->app->cfg.selfie_dir) != 0)
        reply_error(req, ERR_STORAGE_UNAVAILABLE, "the selfie store (ATTENDANCE_SELFIE_DIR) cannot be written to: %s",
                    strerror(errno));
    else if (version < 0)
        reply_error(req, ERR_DATABASE_UNAVAILABLE, "the database is unavailable");
    else if (version < req->app->schema_version)
        reply_error(req, ERR_SCHEMA_BEHIND, "the schema is at version %d; this build needs %d", version,
                    req->app->schema_version);
    else
        reply_json(req, 200, json_pack("{s:s, s:i}", "status", "ready", "schema_version", version));
}

void h_metrics(struct request *req)
{
    size_t len;
    char *text = metrics_render(req->app->pool, req->app->read_pool, &len);
    if (!text) {
        reply_error(req, ERR_INTERNAL, "out of memory");
        return;
    }
    reply_buffer(req, 200, "text/plain; version=0.0.4; charset=utf-8", text, len, MHD_RESPMEM_MUST_FREE);
}
