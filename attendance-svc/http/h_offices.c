/*
 * Offices (the places where a unit works from, each with a geofence):
 * POST /v1/offices (admin), GET /v1/offices and GET /v1/offices/{office_id}
 * (staff, within their scope; others get 404 or an empty list).
 */
#include "geo.h"
#include "handlers.h"
#include "json.h"
#include "paging.h"
#include "store/store_offices.h"

#include <stdlib.h>
#include <string.h>

bool office_code_valid(const char *code)
{
    size_t n = strlen(code);
    return n >= 1 && n <= 32 &&
           strspn(code, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-") == n;
}

struct office_fields {
    long long unit_id;
    const char *name;
    const char *code; /* NULL: none (a code names the office in imported records) */
    char *geofence_json; /* owned: the normalised geofence, as geofence_to_json gives it */
};

/*
 * Decodes and checks the body of POST /v1/offices; false after answering.
 * Each field is checked on its own so that a 400 names the field, as a 422 does.
 */
static bool decode_office(struct request *req, const json_t *body, struct office_fields *o)
{
    const json_t *name = json_object_get(body, "name");
    const json_t *code = json_object_get(body, "code");
    const json_t *geofence_value = json_object_get(body, "geofence");
    o->unit_id = json_id_field(body, "unit_id");
    if (o->unit_id <= 0)
        reply_field_error(req, ERR_INVALID_FIELD, "unit_id", "unit_id is required: a unit id (a string)");
    else if (!json_is_string(name))
        reply_field_error(req, ERR_INVALID_FIELD, "name", "name is required: a string");
    else if (!json_is_object(geofence_value))
        reply_field_error(req, ERR_INVALID_FIELD, "geofence", "geofence is required: an object");
    else if (code && !json_is_null(code) && !json_is_string(code))
        reply_field_error(req, ERR_INVALID_FIELD, "code", "code must be a string or null");
    else if (!json_text_ok(json_string_value(name), 1, 200))
        reply_field_error(req, ERR_INVALID_VALUE, "name", "name must be 1 to 200 bytes of text");
    else if (json_is_string(code) && !office_code_valid(json_string_value(code)))
        reply_field_error(req, ERR_INVALID_VALUE, "code", "code must be 1 to 32 of A-Z a-z 0-9 . _ -");
    if (req->response)
        return false;
    o->name = json_string_value(name);
    o->code = json_string_value(code);

    char err[256];
    struct geofence fence;
    if (geofence_from_json(geofence_value, &fence, err, sizeof err) != 0) {
        reply_field_error(req, ERR_INVALID_VALUE, "geofence", "%s", err);
        return false;
    }
    json_t *normalised = geofence_to_json(&fence);
    geofence_free(&fence);
    o->geofence_json = normalised ? json_dumps(normalised, JSON_COMPACT) : NULL;
    json_decref(normalised);
    if (!o->geofence_json) {
        reply_error(req, ERR_INTERNAL, "out of memory");
        return false;
    }
    return true;
}

void h_office_create(struct request *req)
{
    json_t *body = request_json(req);
    if (!body)
        return;
    struct office_fields o = {0};
    json_t *doc = NULL;
    if (!decode_office(req, body, &o))
        goto done;

    struct db_conn *db = request_db(req);
    if (!db)
        goto done;
    enum db_status st = db_begin(db);
    if (st == DB_OK)
        doc = store_office_insert(db, o.unit_id, o.name, o.code, o.geofence_json, &st);
    if (st == DB_OK && !doc) {
        reply_field_error(req, ERR_INVALID_VALUE, "unit_id", "there is no unit %lld", o.unit_id);
        goto done;
    }
    if (st == DB_UNIQUE_VIOLATION) {
        reply_field_error(req, ERR_ALREADY_EXISTS, "code", "an office with code %s exists already", o.code);
        goto done;
    }
    reply_created(req, st, "office", doc);
done:
    json_decref(doc);
    free(o.geofence_json);
    json_decref(body);
}

void h_office_get(struct request *req)
{
    long long id = id_parse(req->params[0]);
    if (!id) {
        reply_error(req, ERR_NOT_FOUND, "no such office");
        return;
    }
    struct db_conn *db = request_db(req);
    if (!db)
        return;
    enum db_status st;
    json_t *doc = store_office_get(db, &req->auth, id, &st);
    reply_found(req, st, doc, "no such office");
}

void h_office_list(struct request *req)
{
    struct page page;
    if (!page_from_query(req, &page))
        return;
    long long unit_id;
    if (!query_id(req, "unit_id", &unit_id))
        return;
    struct db_conn *db = request_db(req);
    if (!db)
        return;
    enum db_status st;
    json_t *items = store_office_list(db, &req->auth, unit_id, page.after, page.limit + 1, &st);
    reply_page(req, &page, items, st);
}
