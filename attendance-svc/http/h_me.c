/*
 * The employee's own records (CONTRACT.md, "The employee's own view"):
 *
 *   GET /v1/me                 its employee record, with its unit
 *   GET /v1/me/checkins        its check-ins (?from=&to= on the local day)
 *   GET /v1/me/violations      its violations (?status=), each with its explanation
 *   GET /v1/me/day             its day (?date=, else today on its unit's clock): the rostered mode and
 *                              shift, arrival and departure, leave, state, and the unit's hours that day
 *
 * /v1/me/discipline is in h_discipline.c and /v1/me/leave in h_leave.c. Each
 * reads the token's employee only: there is no id to guess.
 */
#include "dates.h"
#include "handlers.h"
#include "paging.h"
#include "rules/review.h"
#include "store/store_me.h"
#include "store/store_roster.h"

void h_me(struct request *req)
{
    json_t *doc = employee_if_visible(req, req->auth.employee_id);
    if (doc)
        reply_json(req, 200, doc);
}

void h_me_checkins(struct request *req)
{
    struct page page;
    int64_t days;
    if (!page_from_query(req, &page))
        return;
    const char *from = query_text(req, "from"), *to = query_text(req, "to");
    if (from && date_parse(from, &days) != 0)
        reply_field_error(req, ERR_INVALID_FIELD, "from", "from must be a date YYYY-MM-DD");
    else if (to && date_parse(to, &days) != 0)
        reply_field_error(req, ERR_INVALID_FIELD, "to", "to must be a date YYYY-MM-DD");
    if (req->response || !request_db(req))
        return;
    enum db_status st;
    json_t *items = store_me_checkins(req->db, req->auth.employee_id, from, to, page.after, page.limit + 1, &st);
    reply_page(req, &page, items, st);
}

void h_me_violations(struct request *req)
{
    struct page page;
    if (!page_from_query(req, &page))
        return;
    const char *status = query_text(req, "status");
    if (status && !violation_status_known(status)) {
        reply_field_error(req, ERR_INVALID_FIELD, "status", "status must be pending, dismissed or confirmed");
        return;
    }
    if (!request_db(req))
        return;
    enum db_status st;
    json_t *items = store_me_violations(req->db, req->auth.employee_id, status, page.after, page.limit + 1, &st);
    reply_page(req, &page, items, st);
}

void h_me_day(struct request *req)
{
    const char *day = query_text(req, "date");
    int64_t days;
    if (day && date_parse(day, &days) != 0) {
        reply_field_error(req, ERR_INVALID_FIELD, "date", "date must be a date YYYY-MM-DD");
        return;
    }
    struct db_conn *db = request_db(req);
    if (!db)
        return;
    long long unit_id = 0;
    char date[11], zone[64];
    enum db_status st = store_me_day_of(db, req->auth.employee_id, day, &unit_id, date, zone);
    json_t *rows = NULL, *hours = NULL;
    if (st == DB_OK && unit_id)
        rows = store_unit_day(db, unit_id, date, req->auth.employee_id, &st);
    if (st == DB_OK && unit_id)
        hours = store_unit_day_hours(db, unit_id, date, &st);
    json_t *row = json_array_get(rows, 0);
    if (st != DB_OK)
        reply_db_error(req, st);
    else if (!row) /* an inactive account cannot hold a token; an employee moved out of its unit between reads */
        reply_error(req, ERR_NOT_FOUND, "no such employee");
    else {
        char unit[24];
        snprintf(unit, sizeof unit, "%lld", unit_id);
        json_object_set_new(row, "date", json_string(date));
        json_object_set_new(row, "unit_id", json_string(unit));
        json_object_set_new(row, "timezone", json_string(zone));
        json_object_set(row, "hours", hours ? hours : json_null());
        reply_json(req, 200, json_incref(row));
    }
    json_decref(rows);
    json_decref(hours);
}
