/*
 * GET /v1/audit?from=&to= (admin): the audit log, by id, with paging. from
 * and to are RFC 3339 times or dates, both included; a date is a whole UTC day
 * (give a time with an offset for a local day).
 */
#include "dates.h"
#include "handlers.h"
#include "paging.h"
#include "store/store_audit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * A from/to bound in microseconds since the epoch: an RFC 3339 time, or a
 * date taken as its first (from) or last (to) microsecond in UTC. -1 if malformed.
 */
static int parse_bound(const char *text, bool end_of_day, int64_t *us)
{
    int64_t days;
    if (date_parse(text, &days) == 0) {
        *us = days * US_PER_DAY + (end_of_day ? US_PER_DAY - 1 : 0);
        return 0;
    }
    return rfc3339_parse_us(text, us);
}

void h_audit_list(struct request *req)
{
    struct page page;
    if (!page_from_query(req, &page))
        return;
    const char *from_query = request_query(req, "from");
    const char *to_query = request_query(req, "to");
    int64_t from = 0, to = 0;
    if (from_query && parse_bound(from_query, false, &from) != 0) {
        reply_field_error(req, ERR_INVALID_FIELD, "from", "from must be an RFC 3339 time or a date YYYY-MM-DD");
        return;
    }
    if (to_query && parse_bound(to_query, true, &to) != 0) {
        reply_field_error(req, ERR_INVALID_FIELD, "to", "to must be an RFC 3339 time or a date YYYY-MM-DD");
        return;
    }
    struct db_conn *db = request_db(req);
    if (!db)
        return;
    enum db_status st;
    json_t *items = store_audit_list(db, from_query ? &from : NULL, to_query ? &to : NULL, page.after,
                                     page.limit + 1, &st);
    reply_page(req, &page, items, st);
}
