/*
 * The agency calendar (issue 6; the contract is silent, docs/openapi.yaml has
 * the design): POST /v1/holidays and DELETE /v1/holidays/{holiday_id} (admin),
 * GET /v1/holidays?year=&agency_id= (staff). A holiday without agency_id is
 * national. No LATE_ARRIVAL, EARLY_DEPARTURE or ABSENT falls on a holiday.
 */
#include "dates.h"
#include "handlers.h"
#include "json.h"
#include "paging.h"
#include "store/store_holidays.h"

#include <string.h>

void h_holiday_create(struct request *req)
{
    json_t *body = request_json(req);
    if (!body)
        return;
    json_t *doc = NULL;
    const char *day = json_string_value(json_object_get(body, "date"));
    const char *name = json_string_value(json_object_get(body, "name"));
    const json_t *kind_v = json_object_get(body, "kind");
    const char *kind = kind_v && !json_is_null(kind_v) ? json_string_value(kind_v) : "holiday";
    long long agency_id = json_id_field(body, "agency_id");
    if (!json_is_string(json_object_get(body, "date")))
        reply_field_error(req, ERR_INVALID_FIELD, "date", "date is required: a date YYYY-MM-DD");
    else if (!json_is_string(json_object_get(body, "name")))
        reply_field_error(req, ERR_INVALID_FIELD, "name", "name is required: a string");
    else if (!kind)
        reply_field_error(req, ERR_INVALID_FIELD, "kind", "kind must be a string");
    else if (agency_id < 0)
        reply_field_error(req, ERR_INVALID_FIELD, "agency_id", "agency_id must be a unit id (a string) or null");
    else if (date_parse(day, NULL) != 0)
        reply_field_error(req, ERR_INVALID_VALUE, "date", "date must be a real date YYYY-MM-DD");
    else if (!json_text_ok(name, 1, 200))
        reply_field_error(req, ERR_INVALID_VALUE, "name", "name must be 1 to 200 bytes of text");
    else if (strcmp(kind, "holiday") != 0 && strcmp(kind, "collective_leave") != 0)
        reply_field_error(req, ERR_INVALID_VALUE, "kind", "kind must be holiday or collective_leave");
    if (req->response)
        goto done;

    struct db_conn *db = request_db(req);
    if (!db)
        goto done;
    bool agency_exists = true;
    enum db_status st = db_begin(db);
    if (st == DB_OK && agency_id)
        st = store_holiday_agency_exists(db, agency_id, &agency_exists);
    if (st == DB_OK && !agency_exists) {
        reply_field_error(req, ERR_INVALID_VALUE, "agency_id", "agency_id must be a top-level unit (an agency)");
        goto done;
    }
    if (st == DB_OK)
        doc = store_holiday_insert(db, day, name, kind, agency_id, &st);
    if (st == DB_UNIQUE_VIOLATION) {
        reply_error(req, ERR_CONFLICT, "%s is already in that calendar", day);
        goto done;
    }
    reply_created(req, st, "holiday", doc);
done:
    json_decref(doc);
    json_decref(body);
}

void h_holiday_delete(struct request *req)
{
    long long id = id_parse(req->params[0]);
    if (!id) {
        reply_error(req, ERR_NOT_FOUND, "no such holiday");
        return;
    }
    struct db_conn *db = request_db(req);
    if (!db)
        return;
    enum db_status st = db_begin(db);
    json_t *before = st == DB_OK ? store_holiday_delete(db, id, &st) : NULL;
    if (st == DB_OK && !before) {
        reply_error(req, ERR_NOT_FOUND, "no such holiday");
        return;
    }
    if (st == DB_OK)
        st = request_commit_audited(req, "delete", "holiday", before, NULL);
    if (st != DB_OK)
        reply_db_error(req, st);
    else
        reply_json(req, 200, json_incref(before));
    json_decref(before);
}

void h_holiday_list(struct request *req)
{
    long long agency_id;
    if (!query_id(req, "agency_id", &agency_id))
        return;
    int year;
    if (!query_year(req, &year))
        return;
    struct db_conn *db = request_db(req);
    if (!db)
        return;
    enum db_status st;
    json_t *items = store_holiday_list(db, &req->auth, year, agency_id, &st);
    if (st != DB_OK) {
        reply_db_error(req, st);
        json_decref(items);
        return;
    }
    reply_json(req, 200, json_pack("{s:i, s:o}", "year", year, "items", items));
}
