/*
 * GET /v1/exports (reviewer, admin): the nightly job's runs (sql/0011), newest
 * first, ?date= and ?status= to narrow them, paged like every list. The
 * contract is silent; docs/openapi.yaml has the design. A run names its files
 * with their rows and SHA-256 as its manifest does; the files themselves stay
 * where the job wrote them and went (the receiver is the system of record).
 * A run is the whole service's night: a reviewer sees its outcome and files,
 * but the figures of its own agency only (store_export_run_list).
 */
#include "dates.h"
#include "handlers.h"
#include "paging.h"
#include "store/store_export_runs.h"

#include <string.h>

static bool run_status_known(const char *s)
{
    return strcmp(s, "running") == 0 || strcmp(s, "succeeded") == 0 || strcmp(s, "failed") == 0;
}

void h_export_list(struct request *req)
{
    struct page page;
    if (!page_from_query(req, &page))
        return;
    const char *day = query_text(req, "date"), *status = query_text(req, "status");
    if (day && date_parse(day, NULL) != 0) {
        reply_field_error(req, ERR_INVALID_FIELD, "date", "date must be a date YYYY-MM-DD");
        return;
    }
    if (status && !run_status_known(status)) {
        reply_field_error(req, ERR_INVALID_FIELD, "status", "status must be running, succeeded or failed");
        return;
    }
    struct db_conn *db = request_db(req);
    if (!db)
        return;
    enum db_status st;
    json_t *items = store_export_run_list(db, &req->auth, day, status, page.after, page.limit + 1, &st);
    reply_page(req, &page, items, st);
}
